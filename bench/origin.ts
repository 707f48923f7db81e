/**
 * The benchmark's origin: a tiny node:http server on 127.0.0.1 with three endpoints.
 *
 * - `GET /small`: 200 with a 64-byte Content-Length body (round-trip latency).
 * - `GET /events?id=ID&n=N&gap=MS`: chunked, N events of EVENT_BYTES each, `gap` ms apart (0 = as
 *   fast as the socket takes them). The time of every write is kept under ID, on the same clock
 *   as the client (`performance.now()`), so event latency is arrival minus write.
 * - `GET /bulk?bytes=N`: N bytes, chunked, in 16 KiB writes, respecting backpressure.
 *
 * Every response is `Cache-Control: no-store` so a shared cache passes it through; `?nt` adds
 * `no-transform` so a compressing hop leaves it alone.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export const SMALL_BYTES = 64;
export const EVENT_BYTES = 100;
export const BULK_WRITE_BYTES = 16 * 1024;
/** Distinct body text cycled through by /bulk; longer than gzip's 32 KiB window, so it cannot just repeat. */
const BULK_POOL_BYTES = 1024 * 1024;

export interface Origin {
  url: URL;
  /** Write times (performance.now() ms) of the events of stream `id`, by index. */
  eventWrites(id: string): readonly number[];
  close(): Promise<void>;
}

/** Deterministic, moderately compressible text: event-like JSON lines with random-looking values. */
function bulkPool(): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let state = 0x2545f491;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const parts: string[] = [];
  let size = 0;
  for (let seq = 0; size < BULK_POOL_BYTES; seq++) {
    let value = '';
    for (let i = 0; i < 40; i++) value += alphabet[next() % alphabet.length] ?? 'A';
    const line = `data: {"seq":${seq},"user":"u${next() % 1000}","value":"${value}"}\n\n`;
    parts.push(line);
    size += line.length;
  }
  return Buffer.from(parts.join(''), 'latin1').subarray(0, BULK_POOL_BYTES);
}

/** One event of exactly EVENT_BYTES: `data: <seq> xxxx…\n\n`. */
export function eventBody(seq: number): Buffer {
  const head = `data: ${String(seq).padStart(8, '0')} `;
  return Buffer.from(head + 'x'.repeat(EVENT_BYTES - head.length - 2) + '\n\n', 'latin1');
}

function waitDrain(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startOrigin(): Promise<Origin> {
  const pool = bulkPool();
  const writes = new Map<string, number[]>();
  const sockets = new Set<Socket>();

  const headersFor = (url: URL, type: string): Record<string, string> => ({
    'Content-Type': type,
    'Cache-Control': url.searchParams.has('nt') ? 'no-store, no-transform' : 'no-store',
  });

  const streamEvents = async (url: URL, res: ServerResponse): Promise<void> => {
    const id = url.searchParams.get('id') ?? '';
    const n = Number(url.searchParams.get('n') ?? '0');
    const gap = Number(url.searchParams.get('gap') ?? '0');
    const times: number[] = [];
    writes.set(id, times);
    res.writeHead(200, headersFor(url, 'text/event-stream'));
    res.flushHeaders();
    // Let the headers settle before the first timed event.
    if (gap > 0) await sleep(20);
    for (let i = 0; i < n; i++) {
      if (res.destroyed) return;
      const body = eventBody(i);
      times.push(performance.now());
      const ok = res.write(body);
      if (gap > 0) await sleep(gap);
      else if (!ok && !(await waitDrain(res))) return;
    }
    res.end();
  };

  const streamBulk = async (url: URL, res: ServerResponse): Promise<void> => {
    const total = Number(url.searchParams.get('bytes') ?? '0');
    res.writeHead(200, headersFor(url, 'application/octet-stream'));
    let sent = 0;
    let at = 0;
    while (sent < total) {
      if (res.destroyed) return;
      const size = Math.min(BULK_WRITE_BYTES, total - sent, pool.length - at);
      const ok = res.write(pool.subarray(at, at + size));
      sent += size;
      at = (at + size) % pool.length;
      if (!ok && !(await waitDrain(res))) return;
    }
    res.end();
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://origin.invalid');
    req.resume();
    const fail = (error: unknown): void => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    };
    switch (url.pathname) {
      case '/small':
        res.writeHead(200, { ...headersFor(url, 'text/plain'), 'Content-Length': String(SMALL_BYTES) });
        res.end(Buffer.alloc(SMALL_BYTES, 'a'));
        return;
      case '/events':
        streamEvents(url, res).catch(fail);
        return;
      case '/bulk':
        streamBulk(url, res).catch(fail);
        return;
      default:
        res.writeHead(404, { 'Content-Length': '0' });
        res.end();
    }
  };

  const server: Server = createServer({ keepAlive: true, noDelay: true }, handle);
  // A slow hop (rechunk-split) may still be draining a response long after the origin wrote it;
  // the default 5 s keep-alive timeout would then close the idle upstream connection under it.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('origin has no TCP address');

  return {
    url: new URL(`http://127.0.0.1:${address.port}/`),
    eventWrites: (id) => writes.get(id) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
