/**
 * Glue for the real-world corpus: sockjs-node 0.3.24 mounted the way its README does
 * (`sockjs.createServer()` + `installHandlers(httpServer, { prefix: '/echo' })`, echoing what a
 * client sends), plus two publish endpoints installed before the sockjs handlers (as the README
 * says custom handlers must be):
 *
 *   POST /publish?channel=<c>   body = payload. <c> is the sockjs session id of the URL
 *                               (`/echo/<server>/<c>/xhr` …); the payload is written to that
 *                               session's connection (conn.write: queued by sockjs when no poll
 *                               is pending, sent with the next one).
 *   POST /broadcast             body = payload, written to every open connection (the sockjs
 *                               "broadcast" example).
 *
 * Both always answer 204, with `X-Delivered: <n>` saying how many connections got the payload
 * (0 when the session does not exist, or no longer does). Not 404: pushspec tries its publish hook
 * once on a throwaway channel nobody subscribes to and needs a 2xx there; a payload published to a
 * session that does not exist yet is dropped, not kept for a later subscriber.
 *
 * Listens on 127.0.0.1, port 0 (or $PORT); prints `PORT <n>` once listening; exits on SIGTERM.
 * Timing knobs (milliseconds): SOCKJS_HEARTBEAT_MS (heartbeat_delay, default 2000; sockjs's own
 * default is 25000), SOCKJS_DISCONNECT_MS (disconnect_delay, default 5000 = sockjs's default),
 * SOCKJS_RESPONSE_LIMIT (bytes, default 131072 = sockjs's default), SOCKJS_JSESSIONID ("0"
 * turns off the dummy JSESSIONID cookie, see sockjs.ts for why it is on).
 */
import { createServer, type ServerResponse } from 'node:http';
import sockjs from 'sockjs';
import type { Connection } from 'sockjs';
import { listenAndAnnounce, readBody } from './glue.js';

const num = (name: string, dflt: number): number => {
  const v = process.env[name];
  return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : dflt;
};

const PREFIX = '/echo';
const echo = sockjs.createServer({
  heartbeat_delay: num('SOCKJS_HEARTBEAT_MS', 2000),
  disconnect_delay: num('SOCKJS_DISCONNECT_MS', 5000),
  response_limit: num('SOCKJS_RESPONSE_LIMIT', 128 * 1024),
  jsessionid: process.env['SOCKJS_JSESSIONID'] !== '0',
  log: (severity: string, message: string) => {
    if (severity === 'error') process.stderr.write(`sockjs ${severity}: ${message}\n`);
  },
});

/** session id (the `{channel}` of the URL) → its connection */
const sessions = new Map<string, Connection>();
const open = new Set<Connection>();
const SESSION_IN_URL = /^\/echo\/[^/.]+\/([^/.]+)\//;

echo.on('connection', (conn: Connection) => {
  const sid = SESSION_IN_URL.exec(conn.url)?.[1];
  open.add(conn);
  if (sid !== undefined) sessions.set(sid, conn);
  conn.on('data', (message: string) => {
    conn.write(message);
  });
  conn.on('close', () => {
    open.delete(conn);
    if (sid !== undefined && sessions.get(sid) === conn) sessions.delete(sid);
  });
});

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}, body = ''): void {
  res.writeHead(status, {
    'Cache-Control': 'no-store',
    ...headers,
    ...(body ? { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
  });
  res.end(body);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === PREFIX || url.pathname.startsWith(`${PREFIX}/`)) return; // sockjs answers these
  const route = url.pathname;
  if (route !== '/publish' && route !== '/broadcast') {
    if (route === '/')
      return answer(res, 200, {}, 'sockjs 0.3.24 corpus glue: sockjs at /echo, POST /publish?channel=<session id>, POST /broadcast\n');
    return answer(res, 404, {}, 'not found\n');
  }
  if (req.method !== 'POST') return answer(res, 405, { Allow: 'POST' }, 'POST only\n');
  readBody(req).then(
    (payload) => {
      let targets: Connection[];
      if (route === '/broadcast') targets = [...open];
      else {
        const channel = url.searchParams.get('channel');
        if (channel === null) return answer(res, 400, {}, 'missing ?channel=\n');
        const conn = sessions.get(channel);
        targets = conn ? [conn] : [];
      }
      let delivered = 0;
      for (const conn of targets) if (conn.write(payload)) delivered += 1;
      answer(res, 204, { 'X-Delivered': String(delivered) });
    },
    () => answer(res, 400, {}, 'bad body\n'),
  );
});

echo.installHandlers(server, { prefix: PREFIX });

listenAndAnnounce(server, num('PORT', 0));

process.once('SIGTERM', () => {
  for (const conn of open) conn.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
});
