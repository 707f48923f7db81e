/**
 * rechunk-coalesce(windowMs): joins body data arriving within windowMs of the first piece into one
 * chunk (or one write, for bodies that are not chunked), the way Nagle-style proxies do (haproxy
 * was measured delivering every chunk ~205 ms late, joined). Payload and trailers are unchanged;
 * chunk extensions are dropped.
 */
import { ExchangeWatch } from './exchange-watch.js';
import { chunk } from './http1.js';
import { type Hop, Scope, ms } from './hop.js';
import { type Link, startTcpHop } from './link.js';

export interface RechunkCoalesceParams {
  /** Data arriving within this long of the first held piece leaves together. */
  windowMs: number;
}

export function rechunkCoalesce(params: RechunkCoalesceParams): Hop {
  const { windowMs } = params;
  if (!(windowMs > 0)) throw new RangeError(`rechunk-coalesce: windowMs must be > 0, got ${windowMs}`);
  return {
    name: `rechunk-coalesce(${ms(windowMs)})`,
    describe: `joins body data arriving within ${windowMs} ms into one chunk (one write if not chunked), so events arrive up to ${windowMs} ms late and together; payload unchanged`,
    start: (upstream, options) =>
      startTcpHop({
        scope: new Scope(options?.clock),
        upstream,
        ...options,
        hooks: (link: Link) => {
          const watch = new ExchangeWatch({ log: link.event });
          let chunked = false;
          let pending: Buffer[] = [];
          let cancel: (() => void) | undefined;
          const flush = (): void => {
            cancel?.();
            cancel = undefined;
            if (pending.length === 0) return;
            const data = Buffer.concat(pending);
            pending = [];
            link.toClient(chunked ? chunk(data) : data);
          };
          const onEvents = (events: ReturnType<ExchangeWatch['fromServer']>): void => {
            for (const event of events) {
              switch (event.type) {
                case 'head':
                  flush();
                  chunked = event.framing.type === 'chunked';
                  link.toClient(event.raw);
                  break;
                case 'data':
                  pending.push(event.raw);
                  cancel ??= link.scope.timer(windowMs, flush);
                  break;
                case 'chunk':
                case 'framing':
                  break;
                case 'end':
                  flush();
                  link.toClient(event.raw);
                  chunked = false;
                  break;
                case 'opaque':
                  flush();
                  link.toClient(event.raw);
                  break;
                case 'error':
                  link.event(`not HTTP any more (${event.message}): passing bytes through`);
              }
            }
          };
          return {
            fromClient: (data) => {
              watch.fromClient(data);
              link.toServer(data);
            },
            fromServer: (data) => onEvents(watch.fromServer(data)),
            serverEnded: () => {
              onEvents(watch.serverEnded());
              flush();
              link.endClient();
            },
            closed: () => cancel?.(),
          };
        },
      }),
  };
}
