/**
 * Fixtures for the intermediary tests: tiny upstreams on 127.0.0.1:0 and a raw TCP client that
 * timestamps every read, so tests can assert on bytes and on the order things happened instead
 * of sleeping. The chunked decoder here is independent of proxies/http1.ts on purpose.
 */
import { createHash } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer as createHttpServer, request } from 'node:http';
import { type Socket, connect, createServer as createNetServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HopEvent, RunningHop } from '../../proxies/hop.js';

export const now = (): number => performance.now();

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Resolves when `check` holds; rejects after `timeoutMs` with `what` in the message. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!check()) {
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export function waitForEvent(hop: RunningHop, pattern: RegExp, timeoutMs = 2000): Promise<HopEvent> {
  const seen = hop.events.find((e) => pattern.test(e.what));
  if (seen !== undefined) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop?.();
      reject(new Error(`no hop event matching ${pattern} within ${timeoutMs} ms; saw:\n${hop.events.map((e) => e.what).join('\n')}`));
    }, timeoutMs);
    const stop = hop.watch?.((event) => {
      if (!pattern.test(event.what)) return;
      clearTimeout(timer);
      stop?.();
      resolve(event);
    });
  });
}

export interface TestServer {
  url: URL;
  close(): Promise<void>;
}

function closer(server: { close(cb: () => void): unknown }, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

function urlOf(address: ReturnType<ReturnType<typeof createNetServer>['address']>): URL {
  if (address === null || typeof address === 'string') throw new Error('no address');
  return new URL(`http://127.0.0.1:${address.port}/`);
}

/** An http upstream; `handler` decides everything. */
export async function httpUpstream(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer & { requests: IncomingMessage[] }> {
  const sockets = new Set<Socket>();
  const requests: IncomingMessage[] = [];
  const server = createHttpServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: urlOf(server.address()), requests, close: closer(server, sockets) };
}

/** A raw TCP upstream, for byte-exact and deliberately odd responses. */
export async function rawUpstream(onConnection: (socket: Socket) => void): Promise<TestServer & { connections: Socket[] }> {
  const sockets = new Set<Socket>();
  const connections: Socket[] = [];
  const server = createNetServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    connections.push(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: urlOf(server.address()), connections, close: closer(server, sockets) };
}

/** Reads a whole HTTP request head from a raw socket. */
export function readHead(socket: Socket): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (data: Buffer): void => {
      buf = Buffer.concat([buf, data]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      resolve({ head: buf.subarray(0, end).toString('latin1'), rest: buf.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

export interface Read {
  t: number;
  data: Buffer;
}

/** A raw client: every read timestamped, and how the connection ended. */
export class RawClient {
  readonly socket: Socket;
  readonly reads: Read[] = [];
  end: { t: number; how: 'fin' | 'rst' | 'error' } | undefined;
  readonly connected: Promise<void>;

  constructor(url: URL) {
    this.socket = connect({ host: url.hostname, port: Number(url.port), allowHalfOpen: true, noDelay: true });
    this.connected = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    this.socket.on('data', (data: Buffer) => this.reads.push({ t: now(), data }));
    this.socket.on('end', () => (this.end ??= { t: now(), how: 'fin' }));
    this.socket.on('error', (e: NodeJS.ErrnoException) => (this.end ??= { t: now(), how: e.code === 'ECONNRESET' ? 'rst' : 'error' }));
  }

  static async open(url: URL): Promise<RawClient> {
    const client = new RawClient(url);
    await client.connected;
    return client;
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  get bytes(): Buffer {
    return Buffer.concat(this.reads.map((r) => r.data));
  }

  get text(): string {
    return this.bytes.toString('latin1');
  }

  /** Time at which the received byte count first reached `count`. */
  timeOfByte(count: number): number | undefined {
    let total = 0;
    for (const r of this.reads) {
      total += r.data.length;
      if (total >= count) return r.t;
    }
    return undefined;
  }

  waitForBytes(count: number, timeoutMs = 2000): Promise<void> {
    return until(() => this.bytes.length >= count, timeoutMs, `${count} bytes (have ${this.bytes.length})`);
  }

  waitForText(needle: string, timeoutMs = 2000): Promise<void> {
    return until(() => this.text.includes(needle), timeoutMs, `${JSON.stringify(needle)} in ${JSON.stringify(this.text.slice(0, 300))}`);
  }

  waitForEnd(timeoutMs = 2000): Promise<{ t: number; how: 'fin' | 'rst' | 'error' }> {
    return until(() => this.end !== undefined, timeoutMs, 'the connection to end').then(() => {
      if (this.end === undefined) throw new Error('unreachable');
      return this.end;
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Splits a raw response into head text and body bytes. */
export function splitResponse(raw: Buffer): { head: string; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return { head: raw.toString('latin1'), body: Buffer.alloc(0) };
  return { head: raw.subarray(0, end).toString('latin1'), body: raw.subarray(end + 4) };
}

/** An independent chunked decoder: sizes, payload, whether the last-chunk arrived, trailers. */
export function dechunk(body: Buffer): { sizes: number[]; payload: Buffer; complete: boolean; trailers: string } {
  const sizes: number[] = [];
  const parts: Buffer[] = [];
  let i = 0;
  for (;;) {
    const lf = body.indexOf('\r\n', i);
    if (lf === -1) return { sizes, payload: Buffer.concat(parts), complete: false, trailers: '' };
    const size = Number.parseInt(body.subarray(i, lf).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk-size at ${i}: ${JSON.stringify(body.subarray(i, lf).toString('latin1'))}`);
    if (size === 0) {
      const rest = body.subarray(lf + 2);
      if (rest.subarray(0, 2).toString('latin1') === '\r\n') return { sizes, payload: Buffer.concat(parts), complete: true, trailers: '' };
      const end = rest.indexOf('\r\n\r\n');
      if (end === -1) return { sizes, payload: Buffer.concat(parts), complete: false, trailers: '' };
      return { sizes, payload: Buffer.concat(parts), complete: true, trailers: rest.subarray(0, end).toString('latin1') };
    }
    if (body.length < lf + 2 + size + 2) return { sizes, payload: Buffer.concat(parts), complete: false, trailers: '' };
    sizes.push(size);
    parts.push(body.subarray(lf + 2, lf + 2 + size));
    i = lf + 2 + size + 2;
  }
}

export interface Fetched {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Time the response head arrived. */
  tHead: number;
  /** Time of each body read. */
  reads: Read[];
  tEnd: number;
}

/** One request with node:http (fresh connection, no pooling), fully read. */
export function fetchVia(url: URL, path = '/', headers: Record<string, string> = {}, method = 'GET'): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: Number(url.port), path, method, headers, agent: false }, (res) => {
      const tHead = now();
      const reads: Read[] = [];
      res.on('data', (data: Buffer) => reads.push({ t: now(), data }));
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(reads.map((r) => r.data)),
          tHead,
          reads,
          tEnd: now(),
        }),
      );
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

/** Closes everything given, in order, ignoring the ones that are undefined. */
export async function closeAll(...things: ({ close(): Promise<void> | void } | undefined)[]): Promise<void> {
  for (const thing of things) await thing?.close();
}

export interface Streaming {
  reads: Read[];
  readonly text: string;
  response: Promise<IncomingMessage>;
  done: Promise<Fetched>;
}

/** Like fetchVia, but the reads are visible while the response is still arriving. */
export function streamVia(url: URL, path = '/', headers: Record<string, string> = {}): Streaming {
  const reads: Read[] = [];
  let resolveResponse: (res: IncomingMessage) => void = () => undefined;
  const response = new Promise<IncomingMessage>((r) => (resolveResponse = r));
  const done = new Promise<Fetched>((resolve, reject) => {
    const req = request({ host: url.hostname, port: Number(url.port), path, headers, agent: false }, (res) => {
      const tHead = now();
      resolveResponse(res);
      res.on('data', (data: Buffer) => reads.push({ t: now(), data }));
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(reads.map((r) => r.data)),
          tHead,
          reads,
          tEnd: now(),
        }),
      );
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
  return {
    reads,
    get text() {
      return Buffer.concat(reads.map((r) => r.data)).toString('latin1');
    },
    response,
    done,
  };
}

/** An upstream that holds every request (a long poll) until the test releases it. */
export async function holdingUpstream(): Promise<
  TestServer & { held: ServerResponse[]; requests: IncomingMessage[]; sockets: Set<unknown> }
> {
  const held: ServerResponse[] = [];
  const sockets = new Set<unknown>();
  const server = await httpUpstream((req, res) => {
    sockets.add(req.socket);
    held.push(res);
  });
  return { ...server, held, sockets };
}
