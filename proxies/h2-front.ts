/**
 * h2-front: an HTTP/2 front end before an HTTP/1.1 origin, as a CDN or ingress controller puts
 * one before most push servers: the browser speaks HTTP/2 to it (here cleartext with prior
 * knowledge, RFC 9113 §3.3, since the TLS part is not what it models), it speaks HTTP/1.1 to the
 * hop or server behind it. Each stream becomes one upstream request on a keep-alive agent; the
 * response head is forwarded as soon as it arrives, without the fields HTTP/2 forbids (RFC 9113
 * §8.2.2), and every upstream read becomes a DATA frame at once, so a stream stays a stream.
 * A client's RST_STREAM aborts the upstream request; an upstream that breaks off mid-body is
 * answered with RST_STREAM (INTERNAL_ERROR), the way HTTP/2 says "this response is incomplete".
 */
import { createServer, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { type Hop, Scope, listenLocal, runningHop } from './hop.js';
import { newAgent, sendUpstream, type HeaderPairs } from './http-forward.js';
import { HOP_GENERATED_HEADER } from './hop.js';

/** Dropped on the way down (RFC 9113 §8.2.2) and on the way up (RFC 9110 §7.6.1 hop-by-hop). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

function upstreamHeaders(headers: IncomingHttpHeaders): HeaderPairs {
  const out: HeaderPairs = [['Host', String(headers[':authority'] ?? '')]];
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || HOP_BY_HOP.has(name) || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, String(v)]);
  }
  return out;
}

export function h2Front(): Hop {
  return {
    name: 'h2-front',
    describe: 'an HTTP/2 front end (prior knowledge) before an HTTP/1.1 origin: heads forwarded at once, each upstream read a DATA frame',
    start: async (upstream, options = {}) => {
      const scope = new Scope(options?.clock);
      const agent = newAgent();
      const server = createServer();
      server.on('connection', (socket: Socket) => scope.track(socket).setNoDelay(true));
      server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
        stream.on('error', () => undefined);
        const method = String(headers[':method'] ?? 'GET');
        const path = String(headers[':path'] ?? '/');
        scope.log.add(`stream ${stream.id ?? '?'}: ${method} ${path} → HTTP/1.1 upstream`);
        const abort = new AbortController();
        stream.once('close', () => abort.abort());
        const hasBody = method !== 'GET' && method !== 'HEAD' && !stream.readableEnded;
        sendUpstream(
          upstream,
          { method, path, headers: upstreamHeaders(headers), agent, ...(hasBody ? { body: stream } : {}) },
          abort.signal,
        )
          .then((res) => {
            const head: Record<string, string | string[]> = { ':status': String(res.statusCode ?? 502) };
            for (const [name, value] of Object.entries(res.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) head[name] = value;
            if (stream.destroyed) {
              res.destroy();
              return;
            }
            stream.respond(head, { endStream: method === 'HEAD' });
            scope.log.add(`stream ${stream.id ?? '?'}: ${res.statusCode ?? '?'} forwarded`);
            res.on('data', (data: Buffer) => stream.write(data));
            res.once('end', () => stream.end());
            // destroy(error), not close(code): Node's close() ends the stream (END_STREAM) before its
            // RST_STREAM, which would turn a truncated body into a complete one.
            const broken = (): void => {
              scope.log.add(`stream ${stream.id ?? '?'}: upstream broke off mid-body → RST_STREAM INTERNAL_ERROR`);
              stream.destroy(new Error('upstream response broke off'));
            };
            res.once('aborted', broken);
            res.once('error', broken);
          })
          .catch((error: unknown) => {
            if (stream.destroyed || abort.signal.aborted) return;
            const why = error instanceof Error ? error.message : String(error);
            scope.log.add(`stream ${stream.id ?? '?'}: upstream error ${why} → 502`);
            if (stream.headersSent) stream.destroy(new Error(why));
            else {
              stream.respond({ ':status': 502, 'content-type': 'text/plain', [HOP_GENERATED_HEADER.toLowerCase()]: 'intermediary' });
              stream.end(`502 h2-front: ${why}\n`);
            }
          });
      });
      const url = await listenLocal(server, options.port ?? 0);
      return runningHop(scope, url, server, () => agent.destroy());
    },
  };
}
