import net from 'node:net';
import { systemClock, type Clock } from '../clock.js';
import { hasField } from '../http/fields.js';
import { ResponseParser, type Expectation, type ParserEndHow } from './parser.js';
import type { ExchangeLimits, RawRequest, WireEvent, WireEventKind, WireResponse } from './types.js';
import { DEFAULT_TRUST, openTls, resetSocket, type TlsTrust } from '../tls.js';
import type { CloseHow, CloseWait, RecordedConnection } from './recorded.js';
import { CloseState } from './close-state.js';
export type { CloseHow, CloseWait } from './recorded.js';

/**
 * One raw TCP (or TLS over TCP) connection speaking HTTP/1.x, recording every read, FIN and RST on the shared
 * clock. undici hides exactly what the requirements need (connection identity, chunk timing,
 * FIN vs RST, stray bytes), so requests are written by hand and responses parsed by
 * ResponseParser.
 *
 * Server behaviour never throws: timeouts, resets, garbage and caps end up in WireResponse.end
 * and .errors. Only caller mistakes reject (e.g. reading a response for a different method).
 *
 * Live body bytes: set `onBodyData` to see decoded body bytes as they are parsed; after the
 * fact, `firstArrival(res, needle)` answers "when had the body first contained needle".
 */

export interface OpenOptions {
  connectTimeoutMs: number;
  clock?: Clock;
  /** how an https: origin's certificate is verified (default: Node's roots, verified) */
  trust?: TlsTrust;
}

/** How long close() waits for the peer's FIN before destroying the socket anyway. */
const CLOSE_GRACE_MS = 1000;

let nextId = 1;

/** Connection numbers are unique in the process, whichever protocol the connection speaks. */
export function nextConnectionId(): number {
  return nextId++;
}

export class WireConnection implements RecordedConnection {
  readonly id: number;
  readonly protocol = 'http/1.1' as const;
  readonly localPort: number;
  readonly events: WireEvent[] = [];
  private readonly closeState = new CloseState();
  /** decoded body bytes of any response on this connection, as they are parsed */
  get closed(): boolean {
    return this.closeState.closed;
  }
  get closeHow(): CloseHow | null {
    return this.closeState.how;
  }
  onBodyData?: ((chunk: Buffer, t: number, res: WireResponse) => void) | undefined;
  /** a response's header section has been parsed (for streams whose body may never end) */
  onResponseHeaders?: ((res: WireResponse, t: number) => void) | undefined;
  private readonly parser: ResponseParser;
  /** sent requests whose response no reader has claimed yet, oldest first */
  private readonly unclaimed: Expectation[] = [];
  private readonly waiters = new Map<Expectation, (res: WireResponse) => void>();
  private readonly socketGone: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    private readonly clock: Clock,
    id: number,
    tConnect: number,
  ) {
    this.id = id;
    this.localPort = socket.localPort ?? 0;
    this.record(tConnect, 'connect', {
      note: `${socket.localAddress ?? '?'}:${this.localPort} -> ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
    });
    this.parser = new ResponseParser({
      connectionId: id,
      hooks: {
        onHeaders: (res, t) => {
          this.record(t, 'headers', { note: `${res.status} ${res.framing}` });
          this.onResponseHeaders?.(res, t);
        },
        onBody: (res, chunk, t) => this.onBodyData?.(chunk, t, res),
        onEnd: (res, t, exp) => {
          this.record(t, 'response-end', { note: res.end });
          this.waiters.get(exp)?.(res);
        },
      },
    });
    this.socketGone = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (buf: Buffer) => this.onData(buf));
    socket.on('end', () => {
      // After our own close() the socket has left CLOSE_WAIT, so the probe would misread a FIN.
      if (!this.closed && resetBehindEof(socket)) {
        this.onPeerGone('rst', 'rst', 'reset behind unread data (libuv reported EOF; getpeername: ENOTCONN)');
        socket.destroy();
      } else {
        this.onPeerGone('fin', 'fin', undefined);
        // allowHalfOpen is only there to keep CLOSE_WAIT observable above; answer the FIN now.
        socket.end();
      }
    });
    socket.on('error', (e: Error) => {
      const code = errorCode(e);
      const rst = code === 'ECONNRESET' || code === 'EPIPE';
      this.onPeerGone(rst ? 'rst' : 'error', rst ? 'rst' : 'error', `${code}: ${e.message}`);
    });
  }

  static open(origin: URL, opts: OpenOptions): Promise<WireConnection> {
    const clock = opts.clock ?? systemClock;
    const host = origin.hostname.replace(/^\[(.*)\]$/, '$1');
    const secure = origin.protocol === 'https:';
    const port = origin.port === '' ? (secure ? 443 : 80) : Number(origin.port);
    const where = `${origin.hostname}:${port}`;
    if (!secure && origin.protocol !== 'http:') {
      return Promise.reject(
        new Error(`cannot open a raw connection to ${where}: expected an http: or https: origin, got ${origin.protocol}`),
      );
    }
    const id = nextConnectionId();
    return new Promise((resolve, reject) => {
      // allowHalfOpen: we must not send our FIN before resetBehindEof() has looked at the socket.
      // Over TLS the 'data' events are the decrypted reads: one per TLS record as it is opened,
      // so read timing stays as fine as the server's writes (a record is one write or less).
      const socket = secure ? openTls(origin, opts.trust ?? DEFAULT_TRUST) : net.connect({ host, port, allowHalfOpen: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new Error(
            `cannot connect to ${where}: expected a ${secure ? 'TLS' : 'TCP'} connection within ${opts.connectTimeoutMs} ms, got none (timed out)`,
          ),
        );
      }, opts.connectTimeoutMs);
      const onError = (e: Error): void => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${where}: ${errorCode(e)} (${e.message})`, { cause: e }));
      };
      socket.once('error', onError);
      // A TLSSocket emits 'connect' after the TCP handshake; it is usable after the TLS one.
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        socket.setNoDelay(true);
        resolve(new WireConnection(socket, clock, id, clock.now()));
      });
    });
  }

  /** Writes the request and queues its response; returns the send time. */
  send(req: RawRequest, hostHeader: string): number {
    const t = this.write(serializeRequest(req, hostHeader), `${req.method} ${req.path}`);
    this.unclaimed.push(this.parser.expect(req.method, t));
    return t;
  }

  /**
   * Writes hand-made bytes. List the methods of the requests they contain so their responses are
   * expected (and not counted as stray) even before readResponse() is called.
   */
  sendRaw(bytes: Buffer, expectMethods: readonly string[] = []): number {
    const t = this.write(bytes, `${bytes.length} raw bytes`);
    for (const method of expectMethods) this.unclaimed.push(this.parser.expect(method, t));
    return t;
  }

  exchange(req: RawRequest, limits: ExchangeLimits, hostHeader: string): Promise<WireResponse> {
    const tSent = this.send(req, hostHeader);
    return this.readResponse(req.method, tSent, limits);
  }

  /**
   * The response to the oldest sent request nobody has read yet (or, when none is queued, to a
   * request just sent with sendRaw). Resolves by tSent + deadlineMs; the deadline or an abort
   * destroys the connection, since a late response could not be told from the next one.
   */
  readResponse(method: string, tSent: number, limits: ExchangeLimits): Promise<WireResponse> {
    const queued = this.unclaimed[0];
    if (queued !== undefined && queued.method !== method.toUpperCase()) {
      return Promise.reject(
        new Error(
          `readResponse(${method}) on connection #${this.id}: expected the method of the oldest unread request, ${queued.method}, got ${method}`,
        ),
      );
    }
    const exp = this.unclaimed.shift() ?? this.parser.expect(method, tSent);
    if (limits.maxHeaderBytes !== undefined) exp.maxHeaderBytes = limits.maxHeaderBytes;
    if (limits.maxBodyBytes !== undefined) exp.maxBodyBytes = limits.maxBodyBytes;
    if (exp.response !== null) return Promise.resolve(exp.response);
    return new Promise((resolve) => {
      const signal = limits.signal;
      const onAbort = (): void => this.giveUp('aborted by caller');
      // On the connection's clock, like every time it records: a fake clock moves the deadline too.
      const cancel = this.clock.timer(Math.max(0, tSent + limits.deadlineMs - this.clock.now()), () =>
        this.giveUp(`deadline of ${limits.deadlineMs} ms after send passed`),
      );
      this.waiters.set(exp, (res) => {
        cancel();
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(exp);
        resolve(res);
      });
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Waits until the peer closes or ms pass; never closes anything itself. */
  waitForClose(ms: number): Promise<CloseWait> {
    return this.closeState.wait(ms, this.clock, { strayBytes: this.parser.strayBytes, stray: this.parser.stray });
  }

  /** Sends FIN, then destroys once the peer answers with its FIN or after a short grace period. */
  close(): void {
    if (this.socket.destroyed) return;
    const t = this.clock.now();
    this.closeLocally(t, 'graceful close by us (FIN)', 'error');
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Aborts with an RST (SO_LINGER 0). */
  reset(): void {
    if (this.socket.destroyed) return;
    const t = this.clock.now();
    this.closeLocally(t, 'reset by us (RST)', 'error');
    resetSocket(this.socket);
  }

  /** Resolves once the socket is fully closed (after close(), reset() or the peer's close). */
  whenClosed(): Promise<void> {
    return this.socketGone;
  }

  private write(bytes: Buffer, note: string): number {
    const t = this.clock.now();
    if (this.closed) {
      this.record(t, 'error', {
        bytes: bytes.length,
        note: `not sent (${note}): the connection was already closed (${this.closeHow ?? '?'})`,
      });
      return t;
    }
    this.record(t, 'send', { bytes: bytes.length, note });
    this.socket.write(bytes);
    return t;
  }

  private onData(buf: Buffer): void {
    const t = this.clock.now();
    this.record(t, 'read', { bytes: buf.length });
    const ended = this.parser.feed(buf, t);
    if (!this.parser.broken || this.closed) return;
    const last = ended.at(-1);
    const why = last?.end === 'cap' ? 'cap' : 'malformed';
    if (why === 'cap') this.record(t, 'cap', { note: last?.errors.at(-1) ?? 'cap' });
    this.closeLocally(t, `closed by us after a ${why === 'cap' ? 'capped' : 'malformed'} response`, 'error');
    this.socket.destroy();
  }

  private giveUp(why: string): void {
    if (this.socket.destroyed && this.parser.ended) return;
    const t = this.clock.now();
    this.record(t, 'timeout', { note: why });
    this.closeLocally(t, `closed by us: ${why}`, 'timeout');
    this.socket.destroy();
  }

  private onPeerGone(kind: 'fin' | 'rst' | 'error', how: ParserEndHow, note: string | undefined): void {
    const t = this.clock.now();
    this.record(t, kind, note === undefined ? {} : { note });
    this.closeState.mark(kind, t);
    this.parser.end(how, t, note);
  }

  /** The parser's outstanding responses end with `how`; the close itself is recorded as 'close'. */
  private closeLocally(t: number, note: string, how: ParserEndHow): void {
    this.record(t, 'close', { note });
    this.closeState.mark('local', t);
    this.parser.end(how, t, note);
  }

  private record(t: number, kind: WireEventKind, extra: { bytes?: number; note?: string }): void {
    this.events.push({ t, kind, connectionId: this.id, ...extra });
  }
}

/**
 * The request exactly as written: request line, Host (unless given), the given fields in order,
 * Content-Length for a body (unless Content-Length or Transfer-Encoding is given), CRLF, body.
 * Field text is written as latin1 so every char maps to one byte.
 */
export function serializeRequest(req: RawRequest, hostHeader: string): Buffer {
  const fields = req.headers ?? [];
  const has = (name: string): boolean => hasField(fields, name);
  const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  const lines = [`${req.method} ${req.path} HTTP/${req.httpVersion ?? '1.1'}`];
  if (!has('host')) lines.push(`Host: ${hostHeader}`);
  for (const [name, value] of fields) lines.push(`${name}: ${value}`);
  if (body !== undefined && !has('content-length') && !has('transfer-encoding')) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body === undefined ? head : Buffer.concat([head, body]);
}

/**
 * When the decoded body first contained `needle` completely: the time of the body read that
 * delivered its last byte. Null when the body never contained it.
 */
export function firstArrival(res: Pick<WireResponse, 'body' | 'bodyReads'>, needle: string | Buffer): number | null {
  const bytes = typeof needle === 'string' ? Buffer.from(needle, 'utf8') : needle;
  const start = res.body.indexOf(bytes);
  if (start === -1) return null;
  const lastByte = start + Math.max(bytes.length, 1) - 1;
  const read = res.bodyReads.find((r) => lastByte >= r.offset && lastByte < r.offset + r.size);
  return read?.t ?? null;
}

/**
 * Whether an 'end' was really an RST. libuv skips the read after POLLHUP when the previous read
 * was partial (libuv/libuv#2319, #4997), so an RST arriving behind unread data surfaces as EOF
 * and Node emits 'end' instead of ECONNRESET. A reset socket is in TCP CLOSE, where getpeername()
 * fails with ENOTCONN; after a FIN it is in CLOSE_WAIT and getpeername() succeeds. net.Socket
 * caches its public remoteAddress, hence the handle call. On a TLSSocket the handle is the TLS
 * layer, which passes getpeername() through to its TCP handle, so the probe reads the same TCP
 * state (checked both ways in test/wire-tls.test.ts: FIN stays fin, RST behind data is rst).
 */
function resetBehindEof(socket: net.Socket): boolean {
  const handle: unknown = Reflect.get(socket, '_handle');
  if (typeof handle !== 'object' || handle === null) return false;
  const getpeername: unknown = Reflect.get(handle, 'getpeername');
  if (typeof getpeername !== 'function') return false;
  const rc: unknown = Reflect.apply(getpeername, handle, [{}]);
  return typeof rc === 'number' && rc < 0;
}

function errorCode(e: Error): string {
  const code: unknown = (e as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : e.name;
}
