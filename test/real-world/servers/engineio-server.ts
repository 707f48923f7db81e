/**
 * Glue for the real-world corpus: engine.io 6.6 attached to a Node http.Server the way its README
 * does ("With an existing HTTP server", via `attach(httpServer, opts)`, path /engine.io/), polling
 * transport only (no upgrade, so a client is never moved to WebSocket), plus a publish endpoint:
 *
 *   POST /publish?channel=<c>   body = payload, sent (socket.send) to every engine.io socket
 *                               whose handshake carried `?channel=<c>`
 *                               (`/engine.io/?EIO=4&transport=polling&channel=<c>`); engine.io
 *                               queues it when no poll is pending and sends it with the next one.
 *   POST /broadcast             body = payload, sent to every open socket.
 *
 * Both always answer 204 with `X-Delivered: <n>` (how many sockets got it; 0 when the channel has
 * none). Not 404: pushspec tries its publish hook once on a throwaway channel and needs a 2xx.
 *
 * One addition that is not in the README, only so the session id can be carried by a manifest:
 * every polling response gets `X-Engineio-Sid: <sid>` (added in the documented `headers` event;
 * the id comes from an overridden `generateId`, documented in the API docs). engine.io itself only
 * announces the sid inside the handshake body `0{"sid":…}`, which is not JSON, so a `query`
 * cursor with a JSON pointer cannot read it. ENGINEIO_SID_HEADER=0 turns the header off.
 *
 * Listens on 127.0.0.1, port 0 (or $PORT); prints `PORT <n>` once listening; exits on SIGTERM.
 * Timing knobs (ms): ENGINEIO_PING_INTERVAL (default 3000; engine.io's default 25000),
 * ENGINEIO_PING_TIMEOUT (default 3000; engine.io's default 20000).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { attach, type Socket } from 'engine.io';
import { listenAndAnnounce, readBody } from './glue.js';

const num = (name: string, dflt: number): number => {
  const v = process.env[name];
  return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : dflt;
};

const SID_HEADER = 'X-Engineio-Sid';
const sidHeader = process.env['ENGINEIO_SID_HEADER'] !== '0';

const httpServer = createServer();
// The README's "With an existing HTTP server" shows `new Server(httpServer)`; in 6.6.13 the
// constructor takes only options, and `attach(httpServer, opts)` is the same thing.
const engine = attach(httpServer, {
  pingInterval: num('ENGINEIO_PING_INTERVAL', 3000),
  pingTimeout: num('ENGINEIO_PING_TIMEOUT', 3000),
  transports: ['polling'],
  allowUpgrades: false,
});

/** the sid generated for each handshake request, for the header of its first response */
const handshakeSid = new WeakMap<IncomingMessage, string>();
engine.generateId = (req: IncomingMessage): string => {
  // engine.io's own base64id: 15 random bytes, base64 with - and _ instead of + and /
  const id = randomBytes(15).toString('base64').replace(/\//g, '_').replace(/\+/g, '-');
  handshakeSid.set(req, id);
  return id;
};
if (sidHeader) {
  engine.on('headers', (headers: Record<string, string>, req: IncomingMessage & { _query?: Record<string, string> }) => {
    const sid = req._query?.['sid'] ?? handshakeSid.get(req);
    if (sid !== undefined) headers[SID_HEADER] = sid;
  });
}

const channels = new Map<string, Set<Socket>>();
const open = new Set<Socket>();

engine.on('connection', (socket: Socket) => {
  const channel = new URL(socket.request.url ?? '/', 'http://127.0.0.1').searchParams.get('channel');
  open.add(socket);
  if (channel !== null) {
    let set = channels.get(channel);
    if (!set) channels.set(channel, (set = new Set()));
    set.add(socket);
  }
  socket.on('message', (data: unknown) => {
    if (typeof data === 'string') socket.send(data); // echo, as in the README's examples
  });
  socket.on('close', () => {
    open.delete(socket);
    if (channel === null) return;
    const set = channels.get(channel);
    set?.delete(socket);
    if (set?.size === 0) channels.delete(channel);
  });
});

// engine.io's attach() answers only /engine.io/…; every other request reaches this listener.
httpServer.on('request', (req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname.startsWith('/engine.io')) return;
  const text = (status: number, body: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(body);
  };
  if (url.pathname !== '/publish' && url.pathname !== '/broadcast') {
    if (url.pathname === '/')
      return text(200, 'engine.io 6.6 corpus glue: engine.io at /engine.io/, POST /publish?channel=<c>, POST /broadcast\n');
    return text(404, 'not found\n');
  }
  if (req.method !== 'POST') return text(405, 'POST only\n', { Allow: 'POST' });
  readBody(req).then(
    (payload) => {
      let targets: Socket[];
      if (url.pathname === '/broadcast') targets = [...open];
      else {
        const channel = url.searchParams.get('channel');
        if (channel === null) return text(400, 'missing ?channel=\n');
        targets = [...(channels.get(channel) ?? [])];
      }
      for (const s of targets) s.send(payload);
      res.writeHead(204, { 'Cache-Control': 'no-store', 'X-Delivered': String(targets.length) });
      res.end();
    },
    () => text(400, 'bad body\n'),
  );
});

listenAndAnnounce(httpServer, num('PORT', 0));

process.once('SIGTERM', () => {
  engine.close();
  httpServer.close(() => process.exit(0));
  httpServer.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
});
