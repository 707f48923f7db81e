/**
 * Glue for better-sse 0.16.1, run as a child process:
 *   node dist/test/real-world/servers/better-sse-server.js [channels|global] [--keep-alive MS]
 *
 * Routes (127.0.0.1, port 0, prints `PORT <n>` once listening, exits on SIGTERM):
 *   any method /sse[?channel=c]   → createSession(req, res, options) and register the session
 *   POST /publish[?channel=c]     → channel.broadcast(body, 'message'), then 204
 *   anything else                 → 404
 *
 * `channels` (default): one better-sse Channel per `?channel=` value.
 * `global`: one Channel for everything; `?channel=` is ignored (a `channels: false` target).
 *
 * Everything else is better-sse's own default: `retry: 2000` preamble, a `:` keep-alive comment
 * every 10 000 ms (`keepAlive` default 1e4 in Session's constructor), a random UUID `id:` per
 * event, JSON-serialised data (the payload arrives as `data:"pst-…"`), trustClientEventId on
 * (Last-Event-ID only sets session.lastId — nothing is replayed). `--keep-alive MS` overrides the
 * keep-alive interval only. The glue does not look at the method or Accept header: better-sse
 * does not either, so what a POST or a request without Accept gets is better-sse's answer.
 */
import { createServer } from 'node:http';
import { createChannel, createSession, type Channel, type SessionOptions } from 'better-sse';
import { listenAndAnnounce, readBody } from './glue.js';

const args = process.argv.slice(2);
const mode = args.includes('global') ? 'global' : 'channels';
const kaIndex = args.indexOf('--keep-alive');
const keepAliveArg = kaIndex >= 0 ? Number(args[kaIndex + 1]) : NaN;
const options: SessionOptions = Number.isFinite(keepAliveArg) && keepAliveArg > 0 ? { keepAlive: keepAliveArg } : {};

const channels = new Map<string, Channel>();
const channelFor = (name: string): Channel => {
  const key = mode === 'global' ? '' : name;
  let c = channels.get(key);
  if (!c) channels.set(key, (c = createChannel()));
  return c;
};

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const channel = url.searchParams.get('channel') ?? '';
  if (url.pathname === '/sse') {
    createSession(req, res, options).then(
      (session) => channelFor(channel).register(session),
      (err: unknown) => console.error('better-sse session failed:', err),
    );
    return;
  }
  if (url.pathname === '/publish' && req.method === 'POST') {
    void readBody(req).then((body) => {
      channelFor(channel).broadcast(body, 'message');
      res.writeHead(204).end();
    });
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
});

listenAndAnnounce(server);

process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
