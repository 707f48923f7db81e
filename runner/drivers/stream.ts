import { createGunzip, type Gunzip } from 'node:zlib';
import type { CaseDoor } from './door.js';
import type { SseBlock, StreamBlock } from '../manifest/types.js';
import { Inconclusive } from '../verdict.js';
import { header, type RawRequest, type RecordedConnection, type WireResponse } from '../wire/index.js';
import { buildRequest, hostHeader } from './request.js';
import { noteBodyAndEnd, noteHead } from './evidence.js';

export type StreamKind = 'stream' | 'sse';

export interface StreamOpenOptions {
  /** how long to keep the stream open at most; the session ends itself then */
  maxMs: number;
  httpVersion?: '1.1' | '1.0';
  extraHeaders?: Array<[string, string]>;
  /** header names of the manifest left out (any case): what a browser's EventSource cannot send */
  omitHeaders?: readonly string[];
  label?: string;
}

/** The block a streaming check runs against: the declared one, or SSE for targets without a plain stream. */
/**
 * The longest silence an idle stream may keep without a declared heartbeat: a third of the
 * 60 s idle timeouts of nginx and ELB, so heartbeats at this pace survive them.
 */
export const IDLE_LIMIT_MS = 20_000;

/** How long an idle stream is watched: 1.5× the heartbeat limit (declared heartbeat + ε, at most IDLE_LIMIT_MS). */
export function idleWindowMs(heartbeatMs: number | null, epsilonMs: number): { limitMs: number; windowMs: number } {
  const limitMs = heartbeatMs !== null && heartbeatMs < IDLE_LIMIT_MS ? heartbeatMs + epsilonMs : IDLE_LIMIT_MS;
  return { limitMs, windowMs: limitMs * 1.5 };
}

export function streamBlock(ctx: CaseDoor, kind: StreamKind): StreamBlock | SseBlock {
  const b = kind === 'stream' ? (ctx.manifest.stream ?? ctx.manifest.sse) : ctx.manifest.sse;
  if (!b) throw new Inconclusive(`the manifest has no ${kind} block`);
  return b;
}

export function usesSseFraming(ctx: CaseDoor, kind: StreamKind): boolean {
  return kind === 'sse' || !ctx.manifest.stream || ctx.manifest.stream.framing?.type === 'sse';
}

/**
 * One streaming response watched live: every decoded body byte is kept with its arrival time,
 * so a check can wait for a token and know to the millisecond when it came. Compressed bodies
 * are decompressed as they arrive, which is what a browser would show the application.
 */
export class StreamSession {
  private text = '';
  /** the response as of its header section (status, headers, framing) */
  headers: WireResponse | null = null;
  tHeaders: number | null = null;
  private readonly arrivals: Array<{ t: number; end: number }> = [];
  private readonly waiters = new Set<() => void>();
  private gunzip: Gunzip | null = null;
  private ended = false;
  readonly done: Promise<WireResponse>;
  private readonly abort = new AbortController();

  private constructor(
    private readonly ctx: CaseDoor,
    readonly conn: RecordedConnection,
    readonly request: RawRequest,
    readonly tSent: number,
    maxMs: number,
  ) {
    conn.onBodyData = (chunk, t, res) => this.onBody(chunk, t, res);
    conn.onResponseHeaders = (res, t) => {
      this.headers = res;
      this.tHeaders = t;
      ctx.sawResponse(res);
      noteHead(ctx, this.label, res, t, ` (${res.framing})`);
      for (const w of this.waiters) w();
    };
    const signal = AbortSignal.any([this.abort.signal, ctx.signal]);
    this.done = conn.exchange(request, { deadlineMs: maxMs, signal, maxBodyBytes: 8 * 1024 * 1024 }, hostHeader(ctx)).then((res) => {
      this.ended = true;
      this.gunzip?.end();
      for (const w of this.waiters) w();
      noteBodyAndEnd(ctx, this.label, res);
      conn.close();
      return res;
    });
  }

  get label(): string {
    return `stream #${this.conn.id}`;
  }

  static async open(ctx: CaseDoor, kind: StreamKind, channel: string, o: StreamOpenOptions): Promise<StreamSession> {
    const { req } = buildRequest(ctx, streamBlock(ctx, kind), channel);
    const omit = new Set((o.omitHeaders ?? []).map((h) => h.toLowerCase()));
    const headers = [...(req.headers ?? []).filter(([k]) => !omit.has(k.toLowerCase())), ...(o.extraHeaders ?? [])];
    const request: RawRequest = { ...req, headers, httpVersion: o.httpVersion ?? '1.1' };
    const conn = await ctx.connect();
    const s = new StreamSession(ctx, conn, request, ctx.now(), o.maxMs);
    ctx.note(
      `${o.label ?? 'stream'} opened on connection #${conn.id}: HTTP/${request.httpVersion} ${request.method} ${request.path}${o.extraHeaders?.length ? ` (${o.extraHeaders.map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}`,
      s.tSent,
      { kind: 'request', conn: conn.id },
    );
    return s;
  }

  private onBody(chunk: Buffer, t: number, res: WireResponse): void {
    if (this.gunzip === null && /gzip/i.test(header(res, 'content-encoding') ?? '')) {
      this.gunzip = createGunzip();
      // Decompressed bytes count as arrived when zlib hands them over, right after the read.
      this.gunzip.on('data', (d: Buffer) => this.append(d, this.ctx.now()));
      this.gunzip.on('error', () => undefined);
    }
    if (this.gunzip) this.gunzip.write(chunk);
    else this.append(chunk, t);
  }

  private append(d: Buffer, t: number): void {
    this.text += d.toString('latin1');
    this.arrivals.push({ t, end: this.text.length });
    for (const w of this.waiters) w();
  }

  /** Decoded body so far (latin1: byte-exact, tokens are ASCII). */
  get body(): string {
    return this.text;
  }

  /** When the byte at `offset` of the decoded body arrived. */
  timeOf(offset: number): number | null {
    return this.arrivals.find((a) => a.end > offset)?.t ?? null;
  }

  /** Arrival time of the first occurrence of `needle`, waiting up to `ms`; null if it never came. */
  waitFor(needle: string, ms: number): Promise<number | null> {
    return this.waitUntil(() => {
      const i = this.text.indexOf(needle);
      return i < 0 ? null : this.timeOf(i + needle.length - 1);
    }, ms);
  }

  /** Resolves with `test()`'s first non-null answer, checked at every arrival; null after `ms` or at the end. */
  async waitUntil<T>(test: () => T | null, ms: number): Promise<T | null> {
    const now = test();
    if (now !== null || this.ended) return now;
    return new Promise((resolve) => {
      const check = (): void => {
        const v = test();
        if (v !== null || this.ended) finish(v);
      };
      const timer = setTimeout(() => finish(null), Math.max(0, ms));
      const finish = (v: T | null): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(v);
      };
      this.waiters.add(check);
    });
  }

  /** Resolves when the header section has arrived (true) or after `ms` / at the end (false). */
  async waitHeaders(ms: number): Promise<boolean> {
    return (await this.waitUntil(() => (this.headers ? true : null), ms)) ?? false;
  }

  /** The decoded body in the pieces it arrived in, for framing parsers. */
  pieces(): Array<{ bytes: Buffer; t: number }> {
    const out: Array<{ bytes: Buffer; t: number }> = [];
    let from = 0;
    for (const a of this.arrivals) {
      out.push({ bytes: Buffer.from(this.text.slice(from, a.end), 'latin1'), t: a.t });
      from = a.end;
    }
    return out;
  }

  /** Waits until `ms` after the stream was opened (or it ends), then ends it from our side. */
  async observeFor(ms: number): Promise<WireResponse> {
    const left = this.tSent + ms - this.ctx.now();
    if (left > 0) await Promise.race([this.done, this.ctx.pause(left)]);
    return this.stop();
  }

  stop(): Promise<WireResponse> {
    this.abort.abort();
    return this.done;
  }

  get isEnded(): boolean {
    return this.ended;
  }
}
