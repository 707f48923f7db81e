/**
 * Glue for faye 1.4.3, run as a child process:
 *   node dist/test/real-world/servers/faye-server.js [--timeout S]
 *
 * (127.0.0.1, port 0, prints `PORT <n>` once listening, exits on SIGTERM)
 *   /faye, /faye/…                → faye.NodeAdapter({ mount: '/faye', timeout: 3 }) attached to the
 *                                   http server: long-polling (POST JSON or form `message=`),
 *                                   callback-polling (GET `?message=…&jsonp=cb`), EventSource
 *                                   (`GET /faye/<clientId>` with Accept: text/event-stream),
 *                                   WebSocket upgrade, the client script at /faye.js and /faye/client.js
 *   POST /publish?channel=c       → bayeux.getClient().publish('/c', { text: body }); 204 once the
 *                                   server acknowledged it, 500 with the error otherwise
 *   anything else                 → 404
 *
 * Every Bayeux transport needs a handshake (→ clientId) and a /meta/subscribe before an event is
 * delivered; this glue adds no shortcut for that. `--timeout S` overrides the hold (default 3 s here,
 * faye's own default is 60 s).
 */
import { createServer } from 'node:http';
import faye from 'faye';
import { listenAndAnnounce, readBody } from './glue.js';

const args = process.argv.slice(2);
const tIndex = args.indexOf('--timeout');
const tArg = tIndex >= 0 ? Number(args[tIndex + 1]) : NaN;
const timeout = Number.isFinite(tArg) && tArg > 0 ? tArg : 3;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/publish' && req.method === 'POST') {
    const channel = url.searchParams.get('channel') ?? '';
    void readBody(req).then((body) => {
      bayeux
        .getClient()
        .publish(`/${channel}`, { text: body })
        .then(
          () => res.writeHead(204).end(),
          (err: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${JSON.stringify(err)}\n`),
        );
    });
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
});

// attach() wraps the listeners already registered, so the adapter must be attached after them.
const bayeux = new faye.NodeAdapter({ mount: '/faye', timeout });
bayeux.attach(server);

listenAndAnnounce(server);

process.once('SIGTERM', () => {
  bayeux.close();
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
