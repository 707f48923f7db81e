import http2, { type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { systemClock, type Clock } from '../clock.js';
import { DEFAULT_TRUST, openTls, resetSocket } from '../tls.js';
import { nextConnectionId, type CloseHow, type CloseWait, type OpenOptions } from '../wire/connection.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES } from '../wire/parser.js';
import type { RecordedConnection } from '../wire/recorded.js';
import { waitFor } from '../wire/wait-for.js';
import { CloseState } from '../wire/close-state.js';
import type { ExchangeLimits, RawRequest, WireErrorCode, WireEvent, WireEventKind, WireResponse } from '../wire/types.js';
import {
  describeFrame,
  errorCodeName,
  FLAG,
  frameErrorCode,
  framePayload,
  FrameSplitter,
  goawayLastStream,
  settingsOf,
  type H2Frame,
} from './frames.js';
import { HpackDecoder } from './hpack.js';

/**
 * One HTTP/2 connection (TLS with ALPN h2, or cleartext with prior knowledge), recorded frame by
 * frame on the shared clock. node:http2 (nghttp2) speaks the protocol — SETTINGS, flow control,
 * HPACK encoding of our requests — while a tap between it and the socket cuts both directions
 * into frames (RFC 9113 §4.1) and builds each response from the server's own frames: HEADERS
 * decoded by our HPACK decoder in wire order, DATA with the time its last byte arrived,
 * END_STREAM, RST_STREAM and GOAWAY as sent. So the record holds what the server sent even when
 * nghttp2 refuses it (a connection-specific field makes it reset the stream, as browsers do).
 *
 * Each request is a new stream; a response ends `complete` at END_STREAM, `rst` at the server's
 * RST_STREAM, `malformed` when our client refused it, `fin`/`rst` when the connection went away
 * first. A deadline or a cap cancels that stream only (RST_STREAM CANCEL): HTTP/2 can say which
 * response it gives up on, so the connection stays usable.
 */

/** RFC 9113 §8.2.2: fields that only mean something to one HTTP/1.1 connection. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);
const CLOSE_GRACE_MS = 1000;
/** Our receive window: large, so flow control never slows the recorder unless a check wants it to. */
const WINDOW_BYTES = 4 * 1024 * 1024;

interface Exchange {
  method: string;
  path: string;
  request: RawRequest;
  stream: ClientHttp2Stream | null;
  streamId: number | null;
  res: WireResponse;
  ended: boolean;
  /** why we cancelled the stream ourselves, so our own RST_STREAM is not read as a refusal */
  cancelled: string | null;
  maxHeaderBytes: number;
  maxBodyBytes: number;
  waiter: ((res: WireResponse) => void) | null;
  /** told when the header section arrives or the stream ends */
  headWaiters: Set<() => void>;
}

export interface H2OpenOptions extends OpenOptions {
  /**
   * SETTINGS_INITIAL_WINDOW_SIZE we advertise (default 4 MiB, so flow control never slows the
   * recorder). A small one lets a check leave a stream unread (request(…, { read: false })) and
   * see the server's sending on it stop after that many bytes (RFC 9113 §5.2), and only on it.
   */
  streamWindowBytes?: number;
}

/** A stream opened with H2Connection.request(). */
export interface H2Request {
  /** fills in as frames arrive */
  res: WireResponse;
  /** the response once it ends (or the deadline cancels it) */
  done: Promise<WireResponse>;
  /** RST_STREAM CANCEL, as a browser closing an EventSource */
  cancel(): void;
  /** true once the header section arrived within ms */
  head(ms: number): Promise<boolean>;
}

export class H2Connection implements RecordedConnection {
  readonly id: number;
  readonly protocol = 'h2' as const;
  readonly localPort: number;
  readonly events: WireEvent[] = [];
  private readonly closeState = new CloseState();
  get closed(): boolean {
    return this.closeState.closed;
  }
  get closeHow(): CloseHow | null {
    return this.closeState.how;
  }
  onBodyData?: ((chunk: Buffer, t: number, res: WireResponse) => void) | undefined;
  onResponseHeaders?: ((res: WireResponse, t: number) => void) | undefined;
  /** the server's SETTINGS as its frames carried them (RFC 9113 §6.5.2 names) */
  readonly remoteSettings = new Map<string, number>();
  /** when the server's first SETTINGS frame arrived (null: not yet) */
  tRemoteSettings: number | null = null;
  readonly session: ClientHttp2Session;
  private readonly decoder = new HpackDecoder();
  private readonly inbound = new FrameSplitter(false);
  private readonly outbound = new FrameSplitter(true);
  private readonly byStream = new Map<number, Exchange>();
  private readonly all: Exchange[] = [];
  private readonly unclaimed: Exchange[] = [];
  private block: { streamId: number; parts: Buffer[]; endStream: boolean; bytes: number } | null = null;
  private readonly settingsWaiters = new Set<() => void>();
  private readonly socketGone: Promise<void>;

  private constructor(
    private readonly socket: net.Socket | TLSSocket,
    private readonly clock: Clock,
    readonly origin: URL,
    id: number,
    tConnect: number,
    streamWindowBytes: number,
  ) {
    this.id = id;
    this.localPort = socket.localPort ?? 0;
    this.record(tConnect, 'connect', {
      note: `${socket.localAddress ?? '?'}:${this.localPort} -> ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'} (HTTP/2)`,
    });
    const tap = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _enc, cb) => {
        this.onOutbound(chunk);
        socket.write(chunk, cb);
      },
      final: (cb) => {
        socket.end();
        cb();
      },
      destroy: (err, cb) => {
        if (!socket.destroyed) socket.destroy();
        cb(err);
      },
    });
    socket.on('data', (buf: Buffer) => {
      this.onInbound(buf);
      tap.push(buf);
    });
    socket.on('end', () => {
      this.onPeerGone('fin', undefined);
      tap.push(null);
      socket.end();
    });
    socket.on('error', (e: Error) => {
      const code = errorCode(e);
      this.onPeerGone(code === 'ECONNRESET' || code === 'EPIPE' ? 'rst' : 'error', `${code}: ${e.message}`);
    });
    this.socketGone = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => {
      this.onPeerGone('fin', undefined);
      if (!tap.destroyed) tap.destroy();
    });
    this.session = http2.connect(origin, {
      createConnection: () => tap,
      settings: { enablePush: false, initialWindowSize: streamWindowBytes },
      // a held poll per stream is the point of some checks: do not let Node queue them
      peerMaxConcurrentStreams: 10_000,
      maxSessionMemory: 64,
    });
    this.session.on('error', () => undefined);
    this.session.on('connect', () => this.session.setLocalWindowSize(WINDOW_BYTES));
  }

  static open(origin: URL, opts: H2OpenOptions): Promise<H2Connection> {
    const clock = opts.clock ?? systemClock;
    const secure = origin.protocol === 'https:';
    const host = origin.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = origin.port === '' ? (secure ? 443 : 80) : Number(origin.port);
    const where = `${origin.hostname}:${port}`;
    const id = nextConnectionId();
    return new Promise((resolve, reject) => {
      const socket = secure ? openTls(origin, opts.trust ?? DEFAULT_TRUST, ['h2']) : net.connect({ host, port, allowHalfOpen: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`cannot connect to ${where}: expected a ${secure ? 'TLS' : 'TCP'} connection within ${opts.connectTimeoutMs} ms`));
      }, opts.connectTimeoutMs);
      const onError = (e: Error): void => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${where}: ${errorCode(e)} (${e.message})`, { cause: e }));
      };
      socket.once('error', onError);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        socket.setNoDelay(true);
        const alpn = secure ? (socket as TLSSocket).alpnProtocol : 'h2';
        if (alpn !== 'h2') {
          socket.destroy();
          reject(
            new Error(
              `cannot speak HTTP/2 to ${where}: expected ALPN to select h2, got ${alpn === false ? 'no ALPN protocol' : String(alpn)}`,
            ),
          );
          return;
        }
        resolve(new H2Connection(socket, clock, origin, id, clock.now(), opts.streamWindowBytes ?? WINDOW_BYTES));
      });
    });
  }

  /** Opens a stream for the request; returns the time its HEADERS went to nghttp2. */
  send(req: RawRequest, hostHeader: string): number {
    return this.start(req, hostHeader, true).res.tSent;
  }

  /**
   * A stream of its own, outside send()/readResponse()'s queue: `res` fills in as frames arrive
   * (headers, DATA), `done` resolves when it ends or after deadlineMs, `cancel()` sends
   * RST_STREAM CANCEL as a browser does when a page closes its EventSource.
   */
  request(req: RawRequest, hostHeader: string, deadlineMs: number, o: { read?: boolean } = {}): H2Request {
    const ex = this.start(req, hostHeader, o.read ?? true);
    this.unclaimed.splice(this.unclaimed.indexOf(ex), 1);
    const done = new Promise<WireResponse>((resolve) => {
      const timer = setTimeout(() => this.cancel(ex, 'timeout', `deadline of ${deadlineMs} ms after send passed`), deadlineMs);
      const finish = (res: WireResponse): void => {
        clearTimeout(timer);
        resolve(res);
      };
      if (ex.ended) finish(ex.res);
      else ex.waiter = finish;
    });
    return {
      res: ex.res,
      done,
      cancel: () => this.cancel(ex, 'cancelled', 'cancelled by us (RST_STREAM CANCEL)'),
      head: (ms) => this.whenHead(ex, ms),
    };
  }

  /** True once the response's header section arrived; false when the stream ended without one or ms passed. */
  private whenHead(ex: Exchange, ms: number): Promise<boolean> {
    return waitFor(
      ex.headWaiters,
      () => (ex.res.tHeaders !== null ? true : ex.ended ? false : null),
      ms,
      () => false,
      (d, fn) => this.clock.timer(d, fn),
    );
  }

  sendRaw(): number {
    throw new Error('harness: sendRaw() writes HTTP/1.x bytes; this connection speaks HTTP/2 (mark the requirement HTTP/1.1 only)');
  }

  exchange(req: RawRequest, limits: ExchangeLimits, hostHeader: string): Promise<WireResponse> {
    const tSent = this.send(req, hostHeader);
    return this.readResponse(req.method, tSent, limits);
  }

  readResponse(method: string, tSent: number, limits: ExchangeLimits): Promise<WireResponse> {
    const ex = this.unclaimed[0];
    if (ex === undefined || ex.method !== method.toUpperCase())
      return Promise.reject(
        new Error(
          `readResponse(${method}) on HTTP/2 connection #${this.id}: expected a request sent with send(), got ${ex?.method ?? 'none'}`,
        ),
      );
    this.unclaimed.shift();
    ex.maxHeaderBytes = limits.maxHeaderBytes ?? ex.maxHeaderBytes;
    ex.maxBodyBytes = limits.maxBodyBytes ?? ex.maxBodyBytes;
    if (ex.ended) return Promise.resolve(ex.res);
    return new Promise((resolve) => {
      const signal = limits.signal;
      const onAbort = (): void => this.cancel(ex, 'timeout', 'aborted by caller');
      const timer = setTimeout(
        () => this.cancel(ex, 'timeout', `deadline of ${limits.deadlineMs} ms after send passed`),
        Math.max(0, tSent + limits.deadlineMs - this.clock.now()),
      );
      ex.waiter = (res) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(res);
      };
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Resolves once the server's first SETTINGS frame has arrived, or after ms (false). */
  whenSettings(ms: number): Promise<boolean> {
    return waitFor(
      this.settingsWaiters,
      () => (this.tRemoteSettings !== null ? true : this.closed ? false : null),
      ms,
      () => false,
      (d, fn) => this.clock.timer(d, fn),
    );
  }

  /** PING round trip in ms (RFC 9113 §6.7), or null when no ACK came within ms. */
  ping(ms: number): Promise<number | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      const sent = this.session.ping((err, duration) => {
        clearTimeout(timer);
        resolve(err ? null : duration);
      });
      if (!sent) {
        clearTimeout(timer);
        resolve(null);
      }
    });
  }

  /** Streams of this connection whose response has not ended. */
  get openStreams(): number {
    return this.all.filter((e) => !e.ended).length;
  }

  waitForClose(ms: number): Promise<CloseWait> {
    return this.closeState.wait(ms, this.clock, { strayBytes: 0, stray: Buffer.alloc(0) });
  }

  /** GOAWAY (NO_ERROR), then FIN; destroyed after a short grace whatever the server does. */
  close(): void {
    if (this.socket.destroyed) return;
    this.closeLocally(this.clock.now(), 'graceful close by us (GOAWAY, FIN)');
    if (!this.session.destroyed) this.session.goaway(http2.constants.NGHTTP2_NO_ERROR);
    setImmediate(() => {
      if (!this.session.destroyed) this.session.destroy();
      this.socket.end();
    });
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  reset(): void {
    if (this.socket.destroyed) return;
    this.closeLocally(this.clock.now(), 'reset by us (RST)');
    resetSocket(this.socket);
    if (!this.session.destroyed) this.session.destroy();
  }

  whenClosed(): Promise<void> {
    return this.socketGone;
  }

  private start(req: RawRequest, hostHeader: string, read: boolean): Exchange {
    const t = this.clock.now();
    const ex: Exchange = {
      method: req.method.toUpperCase(),
      path: req.path,
      request: req,
      stream: null,
      streamId: null,
      res: emptyResponse(this.id, t),
      ended: false,
      cancelled: null,
      maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      waiter: null,
      headWaiters: new Set(),
    };
    this.all.push(ex);
    this.unclaimed.push(ex);
    if (this.closed) {
      this.record(t, 'error', {
        note: `not sent (${req.method} ${req.path}): the connection was already closed (${this.closeHow ?? '?'})`,
      });
      this.finish(ex, 'error', t, 'no-response', 'the connection was already closed');
      return ex;
    }
    const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
    try {
      const stream = this.session.request(requestHeaders(req, hostHeader, this.origin), { endStream: body === undefined });
      ex.stream = stream;
      stream.on('error', () => undefined);
      stream.once('ready', () => {
        ex.streamId = stream.id ?? null;
        if (ex.streamId !== null) this.byStream.set(ex.streamId, ex);
      });
      stream.once('close', () => this.onStreamClosed(ex));
      if (read) stream.resume();
      if (body !== undefined) stream.end(body);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      this.record(t, 'error', { note: `not sent (${req.method} ${req.path}): ${why}` });
      this.finish(ex, 'error', t, 'no-response', `our HTTP/2 client could not send the request: ${why}`);
    }
    return ex;
  }

  private cancel(ex: Exchange, end: 'timeout' | 'cap' | 'cancelled', why: string): void {
    if (ex.ended) return;
    const t = this.clock.now();
    ex.cancelled = why;
    this.record(t, end === 'cap' ? 'cap' : end === 'timeout' ? 'timeout' : 'close', { note: `stream ${ex.streamId ?? '?'}: ${why}` });
    // A stream we cancel on purpose ends like one we closed: 'error' with the reason, never the server's doing.
    this.finish(ex, end === 'cancelled' ? 'error' : end, t, ex.res.tHeaders === null ? 'no-response' : 'incomplete', why);
    if (ex.stream !== null && !ex.stream.destroyed) ex.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  /** nghttp2 closed a stream: unless the frames already ended it, our client gave up on it. */
  private onStreamClosed(ex: Exchange): void {
    if (ex.ended) return;
    const t = this.clock.now();
    const code = ex.stream?.rstCode ?? 0;
    if (this.closed) this.finish(ex, this.closeHow === 'rst' ? 'rst' : 'fin', t, 'incomplete', 'the connection ended first');
    else
      this.finish(
        ex,
        'malformed',
        t,
        'h2-refused',
        `our HTTP/2 client (nghttp2) closed the stream (${errorCodeName(code)}) without END_STREAM from the server: the response broke an RFC 9113 §8 rule`,
      );
  }

  private onOutbound(bytes: Buffer): void {
    const t = this.clock.now();
    for (const f of this.outbound.feed(bytes)) {
      if (f.name === 'WINDOW_UPDATE') continue;
      const ex = this.byStream.get(f.streamId) ?? this.pendingFor(f);
      const dropped = ex ? droppedFields(ex.request) : [];
      const what = `→ ${describeFrame(f)}${f.name === 'HEADERS' && ex ? ` (${ex.method} ${ex.path}${dropped.length ? `; left out, HTTP/2 forbids them (RFC 9113 §8.2.2): ${dropped.join(', ')}` : ''})` : ''}`;
      this.record(t, f.name === 'HEADERS' || f.name === 'DATA' ? 'send' : 'frame', { bytes: f.payload.length + 9, note: what });
      if (f.name === 'RST_STREAM' && ex && !ex.ended && ex.cancelled === null) {
        const code = frameErrorCode(f) ?? 0;
        this.finish(
          ex,
          'malformed',
          t,
          'h2-refused',
          `our HTTP/2 client (nghttp2, as browsers do) reset the stream with ${errorCodeName(code)}: the response broke an RFC 9113 §8 rule (e.g. a connection-specific field, §8.2.2)`,
        );
      }
    }
  }

  /** The stream id is known to nghttp2 before 'ready' fires: the first HEADERS we send names it. */
  private pendingFor(f: H2Frame): Exchange | undefined {
    if (f.name !== 'HEADERS' || f.streamId === 0) return undefined;
    const ex = this.all.find((e) => e.streamId === null && e.stream !== null);
    if (ex) {
      ex.streamId = f.streamId;
      this.byStream.set(f.streamId, ex);
    }
    return ex;
  }

  private onInbound(buf: Buffer): void {
    const t = this.clock.now();
    this.record(t, 'read', { bytes: buf.length });
    for (const f of this.inbound.feed(buf)) this.onFrame(f, t);
  }

  private onFrame(f: H2Frame, t: number): void {
    if (f.name !== 'DATA' && f.name !== 'WINDOW_UPDATE' && f.name !== 'HEADERS' && f.name !== 'CONTINUATION')
      this.record(t, 'frame', { bytes: f.payload.length + 9, note: `← ${describeFrame(f)}` });
    const ex = this.byStream.get(f.streamId);
    switch (f.name) {
      case 'SETTINGS':
        if ((f.flags & FLAG.ACK) !== 0) return;
        for (const [k, v] of settingsOf(f)) this.remoteSettings.set(k, v);
        if (this.tRemoteSettings === null) {
          this.tRemoteSettings = t;
          for (const w of [...this.settingsWaiters]) w();
          this.settingsWaiters.clear();
        }
        return;
      case 'HEADERS':
        this.block = {
          streamId: f.streamId,
          parts: [framePayload(f)],
          endStream: (f.flags & FLAG.END_STREAM) !== 0,
          bytes: f.payload.length + 9,
        };
        if ((f.flags & FLAG.END_HEADERS) !== 0) this.onHeaderBlock(t);
        return;
      case 'CONTINUATION':
        if (this.block === null || this.block.streamId !== f.streamId) return;
        this.block.parts.push(f.payload);
        this.block.bytes += f.payload.length + 9;
        if ((f.flags & FLAG.END_HEADERS) !== 0) this.onHeaderBlock(t);
        return;
      case 'DATA':
        if (ex) this.onData(ex, framePayload(f), (f.flags & FLAG.END_STREAM) !== 0, t);
        return;
      case 'RST_STREAM':
        if (ex)
          this.finish(
            ex,
            'rst',
            t,
            ex.res.tHeaders === null ? 'no-response' : 'h2-rst-stream',
            `the server reset the stream (RST_STREAM ${errorCodeName(frameErrorCode(f) ?? 0)})`,
          );
        return;
      case 'GOAWAY': {
        const last = goawayLastStream(f);
        const code = errorCodeName(frameErrorCode(f) ?? 0);
        for (const e of this.all)
          if (!e.ended && e.streamId !== null && e.streamId > last)
            this.finish(
              e,
              'rst',
              t,
              'h2-goaway',
              `the server's GOAWAY (last stream ${last}, ${code}) left stream ${e.streamId} unprocessed`,
            );
        return;
      }
      default:
        return;
    }
  }

  private onHeaderBlock(t: number): void {
    const block = this.block;
    this.block = null;
    if (block === null) return;
    let fields: Array<[string, string]>;
    try {
      fields = this.decoder.decode(Buffer.concat(block.parts));
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      for (const ex of this.all)
        if (!ex.ended) this.finish(ex, 'malformed', t, 'h2-hpack', `a header block does not decode (RFC 7541): ${why}`);
      return;
    }
    const ex = this.byStream.get(block.streamId);
    if (!ex || ex.ended) return;
    const res = ex.res;
    const status = fields.find(([n]) => n === ':status')?.[1];
    const regular = fields.filter(([n]) => !n.startsWith(':'));
    if (res.tHeaders === null) {
      const code = Number(status);
      if (status !== undefined && code >= 100 && code < 200) {
        (res.interim ??= []).push({ status: code, reason: '', headers: regular, t });
        return;
      }
      if (block.bytes > ex.maxHeaderBytes) {
        res.status = code;
        this.cancel(ex, 'cap', `header-cap: header block of ${block.bytes} bytes is over ${ex.maxHeaderBytes}`);
        return;
      }
      res.status = Number.isInteger(code) ? code : 0;
      res.headers = regular;
      res.headerBytes = block.bytes;
      res.tHeaders = t;
      if (status === undefined)
        res.errors.push('bad-status-line: the response header block has no :status pseudo-header (RFC 9113 §8.3.2)');
      this.record(t, 'headers', { note: `${res.status} h2 (stream ${block.streamId})` });
      this.onResponseHeaders?.(res, t);
      for (const w of [...ex.headWaiters]) w();
    } else res.trailers.push(...regular);
    if (block.endStream) this.complete(ex, t);
  }

  private onData(ex: Exchange, data: Buffer, endStream: boolean, t: number): void {
    if (ex.ended) return;
    const res = ex.res;
    if (data.length > 0) {
      if (res.body.length + data.length > ex.maxBodyBytes) {
        this.cancel(ex, 'cap', `body-cap: decoded body over ${ex.maxBodyBytes} bytes`);
        return;
      }
      res.bodyReads.push({ t, size: data.length, offset: res.body.length });
      res.chunks.push({ size: data.length, t });
      res.body = Buffer.concat([res.body, data]);
      res.tFirstBodyByte ??= t;
      this.onBodyData?.(data, t, res);
    }
    if (endStream) this.complete(ex, t);
  }

  /** END_STREAM: complete, unless the DATA total contradicts content-length (RFC 9113 §8.1.1). */
  private complete(ex: Exchange, t: number): void {
    const declared = ex.res.headers.find(([n]) => n === 'content-length')?.[1];
    const bodiless = ex.method === 'HEAD' || ex.res.status === 204 || ex.res.status === 304;
    if (declared !== undefined && !bodiless && Number(declared) !== ex.res.body.length)
      this.finish(
        ex,
        'malformed',
        t,
        'h2-content-length',
        `END_STREAM after ${ex.res.body.length} DATA bytes, but content-length says ${declared}: a malformed (truncated or overlong) response (RFC 9113 §8.1.1)`,
      );
    else this.finish(ex, 'complete', t, null, '');
  }

  private finish(ex: Exchange, end: WireResponse['end'], t: number, code: WireErrorCode | null, why: string): void {
    if (ex.ended) return;
    ex.ended = true;
    ex.res.end = end;
    ex.res.tEnd = t;
    if (code !== null) ex.res.errors.push(`${code}: ${why}`);
    this.record(t, 'response-end', { note: `${end} (stream ${ex.streamId ?? '?'})` });
    ex.waiter?.(ex.res);
    for (const w of [...ex.headWaiters]) w();
  }

  private onPeerGone(kind: 'fin' | 'rst' | 'error', note: string | undefined): void {
    if (this.closed) return;
    const t = this.clock.now();
    this.record(t, kind, note === undefined ? {} : { note });
    this.closeState.mark(kind, t);
    for (const w of [...this.settingsWaiters]) w();
    for (const ex of this.all)
      if (!ex.ended)
        this.finish(
          ex,
          kind,
          t,
          ex.res.tHeaders === null ? 'no-response' : 'incomplete',
          `the connection ended (${kind}) before END_STREAM`,
        );
  }

  private closeLocally(t: number, note: string): void {
    this.record(t, 'close', { note });
    this.closeState.mark('local', t);
    for (const ex of this.all) if (!ex.ended) this.finish(ex, 'error', t, ex.res.tHeaders === null ? 'no-response' : 'incomplete', note);
  }

  private record(t: number, kind: WireEventKind, extra: { bytes?: number; note?: string }): void {
    this.events.push({ t, kind, connectionId: this.id, ...extra });
  }
}

/**
 * The request's fields as HTTP/2 carries them (RFC 9113 §8.3.1): pseudo-header fields from the
 * method, path and Host, names in lower case, connection-specific fields left out (§8.2.2; TE
 * only as "trailers").
 */
export function requestHeaders(req: RawRequest, hostHeader: string, origin: URL): OutgoingHttpHeaders {
  const fields = req.headers ?? [];
  const host = fields.find(([n]) => n.toLowerCase() === 'host')?.[1] ?? hostHeader;
  const out: OutgoingHttpHeaders = {
    ':method': req.method,
    ':path': req.path,
    ':scheme': origin.protocol === 'https:' ? 'https' : 'http',
    ':authority': host,
  };
  for (const [name, value] of fields) {
    const lower = name.toLowerCase();
    if (CONNECTION_SPECIFIC.has(lower) || (lower === 'te' && value.trim().toLowerCase() !== 'trailers')) continue;
    const prev = out[lower];
    out[lower] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [String(prev)]), value];
  }
  return out;
}

/** The request fields requestHeaders() leaves out (Host becomes :authority and is not listed). */
function droppedFields(req: RawRequest): string[] {
  return (req.headers ?? [])
    .filter(([n, v]) => {
      const lower = n.toLowerCase();
      return lower !== 'host' && (CONNECTION_SPECIFIC.has(lower) || (lower === 'te' && v.trim().toLowerCase() !== 'trailers'));
    })
    .map(([n, v]) => `${n}: ${v}`);
}

function emptyResponse(connectionId: number, tSent: number): WireResponse {
  return {
    connectionId,
    httpVersion: '2',
    status: 0,
    reason: '',
    headers: [],
    headerBytes: 0,
    framing: 'h2',
    body: Buffer.alloc(0),
    chunks: [],
    trailers: [],
    bodyReads: [],
    tSent,
    tHeaders: null,
    tFirstBodyByte: null,
    tEnd: null,
    end: 'timeout',
    errors: [],
  };
}

function errorCode(e: Error): string {
  const code: unknown = (e as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : e.name;
}
