/**
 * An incremental HTTP/1.x message parser for hops that must see message boundaries without
 * Node's http stack, which hides chunk boundaries and re-frames bodies (RFC 9112 §7.1.1 makes
 * that legal, but a hop that only changes timing must not do it).
 *
 * Every event carries the exact wire bytes it consumed (`raw`), so concatenating the raw of all
 * events reproduces the input byte for byte: a hop can watch passively and forward untouched,
 * or rewrite framing from `data` events. Bytes the parser cannot make sense of are surfaced as
 * `opaque` rather than dropped.
 */
import { type Field, fieldTokens, fieldValues } from '../runner/http/fields.js';
import { chunkSizeLine, fieldLine, hasBareCr, lineText, requestLine, splitLines, statusLine, unfold } from '../runner/http/h1-tokenizer.js';

/** [name, value] as received, the field representation of the whole HTTP model (runner/http/fields.ts). */
export type HeaderField = Field;

export interface RequestHead {
  kind: 'request';
  method: string;
  target: string;
  /** '1.0' or '1.1' (whatever followed 'HTTP/') */
  version: string;
  headers: HeaderField[];
}

export interface ResponseHead {
  kind: 'response';
  version: string;
  status: number;
  reason: string;
  headers: HeaderField[];
}

export type MessageHead = RequestHead | ResponseHead;

/** How the body of a message is delimited (RFC 9112 §6.3). */
export type Framing = { type: 'none' } | { type: 'length'; bytes: number } | { type: 'chunked' } | { type: 'close' };

export type ParseEvent =
  | { type: 'head'; head: MessageHead; framing: Framing; raw: Buffer }
  /** A chunk-size line (never the last-chunk, which belongs to `end`). */
  | { type: 'chunk'; size: number; ext: string; raw: Buffer }
  /** Body payload: for chunked bodies the decoded bytes, which are also the wire bytes. */
  | { type: 'data'; raw: Buffer }
  /** The CRLF after a chunk's data. */
  | { type: 'framing'; raw: Buffer }
  /** Message complete. For chunked bodies `raw` is the last-chunk, trailers and final CRLF. */
  | { type: 'end'; trailers: HeaderField[]; raw: Buffer }
  /** Tunnelled (after 101 / CONNECT) or unparseable bytes, to forward as they are. */
  | { type: 'opaque'; raw: Buffer }
  | { type: 'error'; message: string };

const MAX_HEAD_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);

type State =
  | { s: 'head' }
  | { s: 'length'; remaining: number }
  | { s: 'chunk-size' }
  | { s: 'chunk-data'; remaining: number }
  | { s: 'chunk-crlf' }
  | { s: 'trailers'; raw: Buffer[] }
  | { s: 'close' }
  | { s: 'opaque' };

export function serializeHead(head: MessageHead): Buffer {
  const start =
    head.kind === 'request' ? `${head.method} ${head.target} HTTP/${head.version}` : `HTTP/${head.version} ${head.status} ${head.reason}`;
  const lines = [start, ...head.headers.map(([name, value]) => `${name}: ${value}`)];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

export function chunk(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`, 'latin1'), data, Buffer.from('\r\n', 'latin1')]);
}

export const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

export class Http1Parser {
  readonly kind: 'request' | 'response';
  #pending: Buffer = EMPTY;
  #state: State = { s: 'head' };
  /** Methods of requests whose responses are still to come (responses only). */
  readonly #methods: string[] = [];

  constructor(kind: 'request' | 'response') {
    this.kind = kind;
  }

  /** Tell a response parser which request the next response answers (HEAD has no body). */
  expectResponseTo(method: string): void {
    this.#methods.push(method.toUpperCase());
  }

  /** After a 101 or a successful CONNECT both directions become a tunnel. */
  switchToOpaque(): Buffer {
    const rest = this.#pending;
    this.#pending = EMPTY;
    this.#state = { s: 'opaque' };
    return rest;
  }

  /** True between messages: nothing of a next message has arrived yet. */
  get idle(): boolean {
    return this.#state.s === 'head' && this.#pending.length === 0;
  }

  get opaque(): boolean {
    return this.#state.s === 'opaque';
  }

  push(input: Buffer): ParseEvent[] {
    const events: ParseEvent[] = [];
    this.#pending = this.#pending.length === 0 ? input : Buffer.concat([this.#pending, input]);
    for (;;) {
      const progressed = this.#step(events);
      if (!progressed) break;
    }
    return events;
  }

  /** The peer closed: a close-delimited body ends; anything else unfinished is an error. */
  finish(): ParseEvent[] {
    const events: ParseEvent[] = [];
    switch (this.#state.s) {
      case 'close':
        events.push({ type: 'end', trailers: [], raw: EMPTY });
        this.#state = { s: 'head' };
        break;
      case 'head':
        if (this.#pending.length > 0) {
          events.push({ type: 'error', message: 'connection closed inside a message head' });
          events.push({ type: 'opaque', raw: this.#pending });
        }
        break;
      case 'opaque':
        break;
      default:
        events.push({ type: 'error', message: `connection closed inside a body (${this.#state.s})` });
        if (this.#pending.length > 0) events.push({ type: 'opaque', raw: this.#pending });
    }
    this.#pending = EMPTY;
    return events;
  }

  #take(n: number): Buffer {
    const out = this.#pending.subarray(0, n);
    this.#pending = this.#pending.subarray(n);
    return out;
  }

  /** Gives up on parsing: `consumed` (already taken) and everything after it go out opaque. */
  #fail(events: ParseEvent[], message: string, consumed: Buffer = EMPTY): boolean {
    events.push({ type: 'error', message });
    const rest = Buffer.concat([consumed, this.switchToOpaque()]);
    if (rest.length > 0) events.push({ type: 'opaque', raw: rest });
    return false;
  }

  /** Consumes what it can; false when it needs more input. */
  #step(events: ParseEvent[]): boolean {
    if (this.#pending.length === 0 && this.#state.s !== 'chunk-data' && this.#state.s !== 'length') return false;
    const state = this.#state;
    switch (state.s) {
      case 'opaque': {
        events.push({ type: 'opaque', raw: this.#take(this.#pending.length) });
        return false;
      }
      case 'close': {
        events.push({ type: 'data', raw: this.#take(this.#pending.length) });
        return false;
      }
      case 'length': {
        if (state.remaining === 0) {
          events.push({ type: 'end', trailers: [], raw: EMPTY });
          this.#state = { s: 'head' };
          return true;
        }
        if (this.#pending.length === 0) return false;
        const n = Math.min(state.remaining, this.#pending.length);
        events.push({ type: 'data', raw: this.#take(n) });
        state.remaining -= n;
        return true;
      }
      case 'chunk-data': {
        if (state.remaining === 0) {
          this.#state = { s: 'chunk-crlf' };
          return true;
        }
        if (this.#pending.length === 0) return false;
        const n = Math.min(state.remaining, this.#pending.length);
        events.push({ type: 'data', raw: this.#take(n) });
        state.remaining -= n;
        return true;
      }
      case 'chunk-crlf': {
        const lf = this.#pending.indexOf(0x0a);
        if (lf === -1) {
          if (this.#pending.length > 2) return this.#fail(events, 'chunk data not followed by CRLF');
          return false;
        }
        const crlf = this.#take(lf + 1);
        if (crlf.toString('latin1').trim() !== '') return this.#fail(events, 'chunk data not followed by CRLF');
        events.push({ type: 'framing', raw: crlf });
        this.#state = { s: 'chunk-size' };
        return true;
      }
      case 'chunk-size': {
        const lf = this.#pending.indexOf(0x0a);
        if (lf === -1) {
          if (this.#pending.length > 4096) return this.#fail(events, 'chunk-size line too long');
          return false;
        }
        const raw = this.#take(lf + 1);
        const { text } = lineText(raw.subarray(0, lf));
        const line = chunkSizeLine(text);
        // Unlike the judge, a hop lets a bare CR inside an extension through (it forwards the line
        // as received and the judge downstream records it); a size it cannot read ends parsing.
        if (!line.ok) return this.#fail(events, `bad chunk-size line ${JSON.stringify(text)}`);
        const { size } = line;
        const ext = line.ext ?? '';
        if (size === 0) {
          this.#state = { s: 'trailers', raw: [raw] };
          return true;
        }
        events.push({ type: 'chunk', size, ext, raw });
        this.#state = { s: 'chunk-data', remaining: size };
        return true;
      }
      case 'trailers': {
        const lf = this.#pending.indexOf(0x0a);
        if (lf === -1) return false;
        const raw = this.#take(lf + 1);
        state.raw.push(raw);
        if (lineText(raw.subarray(0, lf)).text !== '') return true;
        const all = Buffer.concat(state.raw);
        // Between the last-chunk line and the empty line that ends the trailer section.
        const lines = state.raw.slice(1, -1).map((line) => lineText(line.subarray(0, line.length - 1)).text);
        events.push({ type: 'end', trailers: parseFieldLines(lines), raw: all });
        this.#state = { s: 'head' };
        return true;
      }
      case 'head':
        return this.#parseHead(events);
    }
  }

  #parseHead(events: ParseEvent[]): boolean {
    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a request-line.
    let start = 0;
    while (start < this.#pending.length && (this.#pending[start] === 0x0d || this.#pending[start] === 0x0a)) start++;
    let end = -1;
    let sepLength = 0;
    const crlf = this.#pending.indexOf('\r\n\r\n', start, 'latin1');
    const lflf = this.#pending.indexOf('\n\n', start, 'latin1');
    if (crlf !== -1 && (lflf === -1 || crlf < lflf)) {
      end = crlf;
      sepLength = 4;
    } else if (lflf !== -1) {
      end = lflf;
      sepLength = 2;
    }
    if (end === -1) {
      if (this.#pending.length > MAX_HEAD_BYTES) return this.#fail(events, 'message head larger than 64 KiB');
      return false;
    }
    const raw = this.#take(end + sepLength);
    const lines = splitLines(raw.subarray(start, end).toString('latin1'));
    const startLine = lines.shift() ?? '';
    const headers = parseFieldLines(lines);
    if (this.kind === 'request') {
      const request = requestLine(startLine);
      if (request === null) return this.#fail(events, `bad request-line ${JSON.stringify(startLine)}`, raw);
      const head: RequestHead = { kind: 'request', ...request, headers };
      const framing = requestFraming(headers);
      if (framing === undefined) return this.#fail(events, 'bad Content-Length', raw);
      events.push({ type: 'head', head, framing, raw });
      if (head.method.toUpperCase() === 'CONNECT') {
        this.#state = { s: 'opaque' };
        return true;
      }
      this.#enterBody(framing, events);
      return true;
    }
    const line = statusLine(startLine);
    // Any HTTP-version and status code pass a hop (the judge downstream says what it got). A
    // bare CR, which the judge replaces and records, leaves the line unread here: the head then
    // goes on opaque, byte for byte.
    if (line === null || line.code === null || hasBareCr(startLine))
      return this.#fail(events, `bad status-line ${JSON.stringify(startLine)}`, raw);
    const { status, reason } = line.code;
    const head: ResponseHead = { kind: 'response', version: `${line.major}.${line.minor}`, status, reason, headers };
    const interim = status >= 100 && status < 200 && status !== 101;
    const method = interim ? this.#methods[0] : this.#methods.shift();
    const framing = responseFraming(headers, status, method ?? 'GET');
    if (framing === undefined) return this.#fail(events, 'bad Content-Length', raw);
    events.push({ type: 'head', head, framing, raw });
    if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) {
      events.push({ type: 'end', trailers: [], raw: EMPTY });
      this.#state = { s: 'opaque' };
      return true;
    }
    this.#enterBody(framing, events);
    return true;
  }

  #enterBody(framing: Framing, events: ParseEvent[]): void {
    switch (framing.type) {
      case 'none':
        events.push({ type: 'end', trailers: [], raw: EMPTY });
        this.#state = { s: 'head' };
        return;
      case 'length':
        this.#state = { s: 'length', remaining: framing.bytes };
        return;
      case 'chunked':
        this.#state = { s: 'chunk-size' };
        return;
      case 'close':
        this.#state = { s: 'close' };
    }
  }
}

/**
 * A hop reads what it must to route and frame, and forwards the bytes as received: where the
 * judge (runner/wire/parser.ts) records a problem and may stop, a hop skips or accepts the line.
 */
function parseFieldLines(lines: readonly string[]): HeaderField[] {
  const headers: HeaderField[] = [];
  for (const text of lines) {
    const field = fieldLine(text);
    if (field.kind === 'fold') {
      // RFC 9112 §5.2: a proxy replaces obs-fold with SP; a whitespace-led line before the first
      // field is consumed without further processing (§2.2).
      const last = headers.at(-1);
      if (last !== undefined) last[1] = unfold(last[1], field.more);
      continue;
    }
    // A line without a colon or without a name is skipped, the rest of the head still read.
    if (field.kind === 'no-colon' || field.name === '') continue;
    // A name that is not a token, or whitespace before the colon (RFC 9112 §5.1 wants a 400 for
    // such a request and the whitespace removed from a response), passes: the simulated hops
    // model intermediaries that forward it, and the judge downstream records it.
    headers.push([field.name, field.value]);
  }
  return headers;
}

function contentLength(headers: readonly HeaderField[]): number | undefined | null {
  const values = fieldValues(headers, 'content-length').flatMap((v) => v.split(','));
  if (values.length === 0) return undefined;
  const distinct = new Set(values.map((v) => v.trim()));
  if (distinct.size !== 1) return null;
  const [text] = [...distinct];
  if (text === undefined || !/^\d{1,15}$/.test(text)) return null;
  return Number(text);
}

function requestFraming(headers: readonly HeaderField[]): Framing | undefined {
  const codings = fieldTokens(headers, 'transfer-encoding');
  if (codings.length > 0) return { type: 'chunked' };
  const length = contentLength(headers);
  if (length === null) return undefined;
  return length === undefined || length === 0 ? { type: 'none' } : { type: 'length', bytes: length };
}

function responseFraming(headers: readonly HeaderField[], status: number, method: string): Framing | undefined {
  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return { type: 'none' };
  const codings = fieldTokens(headers, 'transfer-encoding');
  if (codings.length > 0) return codings[codings.length - 1] === 'chunked' ? { type: 'chunked' } : { type: 'close' };
  const length = contentLength(headers);
  if (length === null) return undefined;
  if (length === undefined) return { type: 'close' };
  return length === 0 ? { type: 'none' } : { type: 'length', bytes: length };
}
