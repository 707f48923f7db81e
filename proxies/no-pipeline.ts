/**
 * no-pipeline: a proxy that does not pipeline. Requests a client pipelines are held and sent
 * upstream one at a time, each only after the previous response has ended (`mode: 'serialise'`),
 * or the connection is closed after the first response and the rest are dropped (`mode:
 * 'close'`), the two behaviours RFC 9112 §9.3.2 leaves a client to cope with. Response bytes are
 * forwarded unchanged.
 */
import { Http1Parser, type ParseEvent } from './http1.js';
import { type Hop, Scope } from './hop.js';
import { type Link, startTcpHop } from './link.js';

export interface NoPipelineParams {
  mode?: 'serialise' | 'close';
}

interface Pending {
  method: string;
  target: string;
  parts: Buffer[];
}

export function noPipeline(params: NoPipelineParams = {}): Hop {
  const { mode = 'serialise' } = params;
  return {
    name: mode === 'serialise' ? 'no-pipeline' : 'no-pipeline(close)',
    describe:
      mode === 'serialise'
        ? 'holds pipelined requests and sends each upstream only after the previous response has ended'
        : 'answers the first request of a connection, then closes it; pipelined requests are dropped',
    start: (upstream, options) =>
      startTcpHop({
        scope: new Scope(options?.clock),
        upstream,
        ...options,
        hooks: (link: Link) => {
          const requests = new Http1Parser('request');
          const responses = new Http1Parser('response');
          const queue: Pending[] = [];
          let inFlight: Pending | undefined;
          let finalHead = false;
          let tunnel = false;
          let clientFinished = false;

          const dispatch = (): void => {
            if (inFlight !== undefined || tunnel) return;
            const next = queue.shift();
            if (next === undefined) return;
            inFlight = next;
            finalHead = false;
            responses.expectResponseTo(next.method);
            link.toServer(Buffer.concat(next.parts));
            next.parts = [];
            // The client's FIN follows its last request, not the first one.
            if (clientFinished && queue.length === 0) link.endServer();
          };
          const becomeTunnel = (): void => {
            tunnel = true;
            for (const pending of queue) link.toServer(Buffer.concat(pending.parts));
            queue.length = 0;
          };
          const dropQueued = (why: string): void => {
            if (queue.length === 0) return;
            link.event(`dropped ${queue.length} pipelined request(s): ${why}`);
            queue.length = 0;
          };

          const onClientEvents = (events: readonly ParseEvent[]): void => {
            for (const event of events) {
              if (event.type === 'error') {
                link.event(`request not HTTP (${event.message}): passing bytes through`);
                continue;
              }
              if (event.type === 'head' && event.head.kind === 'request') {
                const pending: Pending = { method: event.head.method.toUpperCase(), target: event.head.target, parts: [event.raw] };
                if (inFlight !== undefined || queue.length > 0) link.event(`held pipelined ${pending.method} ${pending.target}`);
                queue.push(pending);
                if (pending.method === 'CONNECT') becomeTunnel();
                dispatch();
                continue;
              }
              // Body bytes belong to the newest request; if that one is already upstream, stream them.
              const newest = queue[queue.length - 1];
              if (tunnel || newest === undefined) link.toServer(event.raw);
              else newest.parts.push(event.raw);
            }
          };

          const onServerEvents = (events: readonly ParseEvent[]): void => {
            for (const event of events) {
              if (event.type === 'error') {
                link.event(`response not HTTP (${event.message}): passing bytes through`);
                continue;
              }
              link.toClient(event.raw);
              if (event.type === 'head' && event.head.kind === 'response') {
                if (event.head.status >= 200) finalHead = true;
                if (event.head.status === 101) {
                  becomeTunnel();
                  link.toServer(requests.switchToOpaque());
                }
              }
              if (event.type === 'end' && finalHead && !tunnel) {
                inFlight = undefined;
                if (mode === 'close') {
                  dropQueued('this proxy closes after one response');
                  link.upstream.destroy();
                  link.endClient();
                  return;
                }
                dispatch();
              }
            }
          };

          return {
            fromClient: (data) => onClientEvents(tunnel ? [{ type: 'opaque', raw: data }] : requests.push(data)),
            fromServer: (data) => onServerEvents(tunnel ? [{ type: 'opaque', raw: data }] : responses.push(data)),
            clientEnded: () => {
              clientFinished = true;
              if (queue.length === 0) link.endServer();
            },
            serverEnded: () => {
              if (!tunnel) onServerEvents(responses.finish());
              dropQueued('the upstream closed the connection');
              link.endClient();
            },
          };
        },
      }),
  };
}
