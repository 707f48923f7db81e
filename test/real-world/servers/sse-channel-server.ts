/**
 * Glue for sse-channel 4.0.2, run as a child process:
 *   node dist/test/real-world/servers/sse-channel-server.js [--ping MS]
 *
 * Routes (127.0.0.1, port 0, prints `PORT <n>` once listening, exits on SIGTERM):
 *   any method /sse?channel=c     → channel.addClient(req, res)
 *   POST /publish?channel=c       → channel.send({ id: n, data: body }) with n = 1, 2, … per channel, then 204
 *   anything else                 → 404
 *
 * One SseChannel per `?channel=` value, created on first use with sse-channel's defaults
 * (historySize 500, no retry field, jsonEncode false, pingInterval 20 000 ms — `--ping MS`
 * overrides only that). Numeric ids are what its history needs: on `Last-Event-ID: n` (or
 * `?lastEventId=` / `?evs_last_event_id=`) it replays every stored event with a greater id.
 */
import { createServer } from 'node:http';
import SseChannel from 'sse-channel';
import { listenAndAnnounce, readBody } from './glue.js';

const args = process.argv.slice(2);
const pingIndex = args.indexOf('--ping');
const pingArg = pingIndex >= 0 ? Number(args[pingIndex + 1]) : NaN;
const channelOptions = Number.isFinite(pingArg) && pingArg > 0 ? { pingInterval: pingArg } : {};

const channels = new Map<string, { c: SseChannel; id: number }>();
const channelFor = (name: string): { c: SseChannel; id: number } => {
  let c = channels.get(name);
  if (!c) channels.set(name, (c = { c: new SseChannel(channelOptions), id: 0 }));
  return c;
};

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const channel = url.searchParams.get('channel') ?? '';
  if (url.pathname === '/sse') {
    channelFor(channel).c.addClient(req, res);
    return;
  }
  if (url.pathname === '/publish' && req.method === 'POST') {
    void readBody(req).then((body) => {
      const c = channelFor(channel);
      c.id += 1;
      c.c.send({ id: c.id, data: body });
      res.writeHead(204).end();
    });
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
});

listenAndAnnounce(server);

process.once('SIGTERM', () => {
  for (const { c } of channels.values()) c.close();
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
