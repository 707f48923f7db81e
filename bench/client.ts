/**
 * The benchmark's client side: one keep-alive node:http agent per target, and the three
 * measurements (round trips, event latency, throughput). Bodies that arrive gzipped are
 * inflated as they come, so event boundaries and byte counts are those the origin wrote.
 */
import { Agent, type IncomingMessage, request } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { constants, createGunzip } from 'node:zlib';
import { EVENT_BYTES } from './origin.js';

// One nearest-rank definition for the bench and `pushspec load` (which also reports p95).
export { percentiles, type Percentiles };
import { percentiles, type Percentiles } from '../runner/load/stats.js';

export interface Fetched {
  status: number;
  /** Payload bytes after any Content-Encoding was undone. */
  bytes: number;
  /** Bytes as they came over the wire. */
  wireBytes: number;
  contentEncoding: string | undefined;
  /** performance.now() when the request was issued and when the last byte arrived. */
  startedAt: number;
  endedAt: number;
}

export interface FetchOptions {
  agent: Agent;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Called with each piece of (decoded) payload and the time it arrived. */
  onData?: (data: Buffer, at: number) => void;
  onSocket?: (socket: Socket) => void;
}

/** GET `path` from `base`, reading the whole body. */
export function fetchBody(base: URL, path: string, options: FetchOptions): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let settled = false;
    const finish = (error: Error | undefined, value?: Fetched): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) reject(error);
      else if (value !== undefined) resolve(value);
    };
    const req = request(
      { host: base.hostname, port: base.port, path, method: 'GET', agent: options.agent, headers: options.headers },
      (res: IncomingMessage) => {
        const contentEncoding = res.headers['content-encoding'];
        let wireBytes = 0;
        let bytes = 0;
        res.on('data', (data: Buffer) => {
          wireBytes += data.length;
        });
        let body: Readable = res;
        if (contentEncoding === 'gzip') {
          const gunzip = createGunzip({ flush: constants.Z_SYNC_FLUSH });
          gunzip.once('error', (error) => finish(error));
          body = res.pipe(gunzip);
        } else if (contentEncoding !== undefined) {
          finish(new Error(`unexpected Content-Encoding: ${contentEncoding}`));
          res.destroy();
          return;
        }
        body.on('data', (data: Buffer) => {
          bytes += data.length;
          options.onData?.(data, performance.now());
        });
        body.once('end', () =>
          finish(undefined, { status: res.statusCode ?? 0, bytes, wireBytes, contentEncoding, startedAt, endedAt: performance.now() }),
        );
        res.once('aborted', () => finish(new Error(`response to ${path} aborted after ${wireBytes} B`)));
        res.once('error', (error) => finish(error));
      },
    );
    const timer = setTimeout(() => {
      finish(new Error(`GET ${path} timed out after ${options.timeoutMs} ms`));
      req.destroy();
    }, options.timeoutMs);
    if (options.onSocket !== undefined) {
      const onSocket = options.onSocket;
      req.once('socket', (socket: Socket) => onSocket(socket));
    }
    req.once('error', (error) => finish(error));
    req.end();
  });
}

/** `count` sequential GETs of `path`; returns each one's time, request issued → last byte read. */
export async function roundTrips(
  base: URL,
  agent: Agent,
  headers: Record<string, string>,
  path: string,
  count: number,
  onSocket?: (socket: Socket) => void,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const got = await fetchBody(base, path, { agent, headers, timeoutMs: 10_000, ...(onSocket === undefined ? {} : { onSocket }) });
    if (got.status !== 200) throw new Error(`GET ${path}: status ${got.status}`);
    samples.push(got.endedAt - got.startedAt);
  }
  return samples;
}

export interface EventLatencyResult extends Percentiles {
  gapMs: number;
}

/**
 * Opens one event stream of `count` events `gapMs` apart and matches each event's arrival (the
 * moment its last byte is read) with the origin's write of it.
 */
export async function measureEventLatency(
  base: URL,
  agent: Agent,
  headers: Record<string, string>,
  query: string,
  count: number,
  gapMs: number,
  writesOf: (id: string) => readonly number[],
  id: string,
): Promise<EventLatencyResult> {
  const arrivals: number[] = [];
  let received = 0;
  const got = await fetchBody(base, `/events?id=${encodeURIComponent(id)}&n=${count}&gap=${gapMs}${query}`, {
    agent,
    headers,
    timeoutMs: 30_000,
    onData: (data, at) => {
      received += data.length;
      while (arrivals.length < count && received >= (arrivals.length + 1) * EVENT_BYTES) arrivals.push(at);
    },
  });
  if (got.status !== 200) throw new Error(`event stream: status ${got.status}`);
  const writes = writesOf(id);
  if (arrivals.length !== count || writes.length !== count) {
    throw new Error(`event stream: ${arrivals.length} events arrived, ${writes.length} written, ${count} expected`);
  }
  return { ...percentiles(arrivals.map((at, i) => at - (writes[i] ?? Number.NaN))), gapMs };
}

export interface ThroughputResult {
  bytes: number;
  wireBytes: number;
  seconds: number;
  /** Payload megabytes (10^6 B) per second, request issued to last byte read. */
  mbPerS: number;
}

export async function measureThroughput(
  base: URL,
  agent: Agent,
  headers: Record<string, string>,
  path: string,
  expectBytes: number,
): Promise<ThroughputResult> {
  const got = await fetchBody(base, path, { agent, headers, timeoutMs: 60_000 });
  if (got.status !== 200) throw new Error(`GET ${path}: status ${got.status}`);
  if (got.bytes !== expectBytes) throw new Error(`GET ${path}: ${got.bytes} B arrived, ${expectBytes} B expected`);
  const seconds = (got.endedAt - got.startedAt) / 1000;
  return { bytes: got.bytes, wireBytes: got.wireBytes, seconds, mbPerS: got.bytes / 1e6 / seconds };
}

export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
}
