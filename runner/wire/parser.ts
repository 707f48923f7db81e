import { chunkSizeLine, fieldLine, hasBareCr, isToken, lineText, replaceBareCr, statusLine, unfold } from '../http/h1-tokenizer.js';
import { headerAll } from './headers.js';
import type { ChunkRecord, Framing, InterimResponse, ResponseEnd, WireErrorCode, WireResponse } from './types.js';

/**
 * Incremental HTTP/1.x response parser (RFC 9112). Pure: bytes in, WireResponse records out.
 *
 * Every decision depends only on the byte sequence, never on how it was split into feed() calls,
 * so a response fed whole, byte by byte or in socket-sized pieces parses identically. Timestamps
 * are the `t` given with each piece; body reads sharing one `t` coalesce into one BodyRead.
 *
 * Each response answers an Expectation queued with expect() (the request method decides whether
 * a body can follow). Bytes that arrive while nothing is expected are stray (RFC 9112 §9.2): they
 * are counted and sampled, never parsed as a response.
 */

export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** A chunk-size line is a few bytes; beyond this an "extension" is a stall, not data. */
const MAX_CHUNK_LINE_BYTES = 4096;
const STRAY_SAMPLE_BYTES = 4096;
const CR = 0x0d;
const LF = 0x0a;
const HTTP_PREFIX = Buffer.from('HTTP/', 'latin1');

/** How the byte stream stopped, as the caller saw it. */
export type ParserEndHow = 'fin' | 'rst' | 'timeout' | 'cap' | 'error';

export interface ParserLimits {
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
}

/** One outstanding request. Limits may be changed until its response completes. */
export interface Expectation {
  readonly method: string;
  readonly tSent: number;
  maxHeaderBytes: number;
  maxBodyBytes: number;
  /** set once the response has ended, however it ended */
  response: WireResponse | null;
}

export interface ParserHooks {
  onHeaders?: (res: WireResponse, t: number) => void;
  /** decoded body bytes as they are parsed (a copy the hook may keep) */
  onBody?: (res: WireResponse, chunk: Buffer, t: number) => void;
  onEnd?: (res: WireResponse, t: number, exp: Expectation) => void;
}

export interface ParserOptions {
  connectionId?: number;
  hooks?: ParserHooks;
}

type State = 'status' | 'headers' | 'body-length' | 'body-close' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers';

interface Job {
  exp: Expectation;
  res: WireResponse;
  state: State;
  /** bytes of the current header or trailer section, including blank lines before a status line */
  sectionBytes: number;
  blankBytes: number;
  /** status-line prefix validated so far ("HTTP/" is checked byte by byte to fail fast) */
  prefix: string;
  blankLine: boolean;
  interim: InterimResponse[];
  contentLength: number;
  remaining: number;
  chunkSize: number;
  chunkHex: string;
  chunkExt: string | undefined;
  sawCR: boolean;
  bodyLen: number;
  parts: Buffer[];
}

export class ResponseParser {
  readonly connectionId: number;
  /** bytes that arrived while no response was expected */
  strayBytes = 0;
  private readonly hooks: ParserHooks;
  private readonly queue: Expectation[] = [];
  private readonly straySample: Buffer[] = [];
  private straySampled = 0;
  private job: Job | null = null;
  private line: Buffer[] = [];
  private lineLen = 0;
  private completed: WireResponse[] = [];
  private isBroken = false;
  private endedHow: ParserEndHow | null = null;
  private endNote: string | undefined;

  constructor(opts: ParserOptions = {}) {
    this.connectionId = opts.connectionId ?? 0;
    this.hooks = opts.hooks ?? {};
  }

  /** True after a malformed or capped response: framing is lost, so later bytes are ignored. */
  get broken(): boolean {
    return this.isBroken;
  }

  get ended(): boolean {
    return this.endedHow !== null;
  }

  /** Responses expected but not yet ended, including the one being parsed. */
  get outstanding(): number {
    return this.queue.length + (this.job ? 1 : 0);
  }

  /** The first bytes (up to 4 KiB) of all stray data. */
  get stray(): Buffer {
    return Buffer.concat(this.straySample);
  }

  /**
   * Queue the response to a request that was sent. After end() the response is finalised at once
   * (no-response) so a late reader still gets a record.
   */
  expect(method: string, tSent: number, limits: ParserLimits = {}): Expectation {
    const exp: Expectation = {
      method: method.toUpperCase(),
      tSent,
      maxHeaderBytes: limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
      maxBodyBytes: limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      response: null,
    };
    if (this.endedHow !== null) {
      this.completed = [];
      const job = newJob(exp, this.connectionId);
      const note = this.endNote === undefined ? '' : ` (${this.endNote})`;
      err(job, 'no-response', `the connection had already ended (${this.endedHow})${note} when this response was expected`);
      this.finish(job, this.endedHow, job.exp.tSent);
    } else {
      this.queue.push(exp);
    }
    return exp;
  }

  /** Parse one piece of the byte stream; returns the responses that ended within it. */
  feed(buf: Buffer, t: number): WireResponse[] {
    this.completed = [];
    let pos = 0;
    while (pos < buf.length && !this.isBroken && this.endedHow === null) {
      let job = this.job;
      if (job === null) {
        const exp = this.queue.shift();
        if (exp === undefined) {
          this.addStray(buf.subarray(pos));
          break;
        }
        job = newJob(exp, this.connectionId);
        this.job = job;
      }
      pos = this.step(job, buf, pos, t);
    }
    return this.completed;
  }

  /**
   * The stream stopped. A close-delimited body ends complete at FIN (RFC 9112 §6.3, §8); every
   * other outstanding response ends with `how` and an "incomplete"/"no-response" entry.
   */
  end(how: ParserEndHow, t: number, note?: string): WireResponse[] {
    this.completed = [];
    if (this.endedHow !== null) return this.completed;
    this.endedHow = how;
    this.endNote = note;
    const suffix = `${describeHow(how)}${note === undefined ? '' : ` (${note})`}`;
    const job = this.job;
    if (job !== null) {
      if (how === 'fin' && job.state === 'body-close') {
        this.finish(job, 'complete', t);
      } else if (nothingReceived(job) && this.lineLen === 0) {
        err(job, 'no-response', `no byte of the response arrived before ${suffix}`);
        this.finish(job, how, t);
      } else {
        err(job, 'incomplete', `response ended ${this.whereIn(job)} when ${suffix}`);
        this.finish(job, how, t);
      }
    }
    for (const exp of this.queue.splice(0)) {
      const queued = newJob(exp, this.connectionId);
      err(queued, 'no-response', `no byte of the response arrived before ${suffix}`);
      this.finish(queued, how, t);
    }
    return this.completed;
  }

  private step(job: Job, buf: Buffer, pos: number, t: number): number {
    switch (job.state) {
      case 'status':
      case 'headers':
      case 'trailers':
      case 'chunk-size':
        return this.stepLine(job, buf, pos, t);
      case 'body-length':
      case 'chunk-data':
        return this.stepCounted(job, buf, pos, t);
      case 'body-close':
        this.deliver(job, buf.subarray(pos), t);
        return buf.length;
      case 'chunk-crlf':
        return this.stepChunkCrlf(job, buf, pos, t);
    }
  }

  private stepLine(job: Job, buf: Buffer, pos: number, t: number): number {
    const lf = buf.indexOf(LF, pos);
    const stop = lf === -1 ? buf.length : lf;
    const segment = buf.subarray(pos, stop);
    if (job.state === 'status' && !this.checkStatusPrefix(job, segment, t)) return buf.length;
    // Decide the cap before copying anything, so an endless header is never buffered.
    const total = this.lineLen + segment.length + (lf === -1 ? 0 : 1);
    if (job.state === 'chunk-size') {
      if (total > MAX_CHUNK_LINE_BYTES) {
        err(job, 'chunk-line-cap', `chunk-size line exceeds ${MAX_CHUNK_LINE_BYTES} bytes at decoded body offset ${job.bodyLen}`);
        this.breakWith(job, 'cap', t);
        return buf.length;
      }
    } else if (job.sectionBytes + total > job.exp.maxHeaderBytes) {
      const section = job.state === 'trailers' ? 'trailer section' : 'header section';
      err(job, 'header-cap', `${section} exceeds maxHeaderBytes (${job.exp.maxHeaderBytes})`);
      this.breakWith(job, 'cap', t);
      return buf.length;
    }
    if (lf === -1) {
      if (segment.length > 0) {
        this.line.push(Buffer.from(segment));
        this.lineLen += segment.length;
      }
      return buf.length;
    }
    const line = this.line.length === 0 ? segment : Buffer.concat([...this.line, segment]);
    this.line = [];
    this.lineLen = 0;
    if (job.state !== 'chunk-size') job.sectionBytes += line.length + 1;
    switch (job.state) {
      case 'status':
        this.onStatusLine(job, line, t);
        break;
      case 'chunk-size':
        this.onChunkSizeLine(job, line, t);
        break;
      default:
        this.onFieldLine(job, line, t);
    }
    return lf + 1;
  }

  /** Fails as soon as a byte rules out "HTTP/", instead of waiting for a line or the header cap. */
  private checkStatusPrefix(job: Job, segment: Buffer, t: number): boolean {
    for (let i = 0; i < segment.length && job.prefix.length < HTTP_PREFIX.length; i++) {
      const b = segment[i] ?? 0;
      if (job.prefix.length === 0 && !job.blankLine && b === CR) {
        job.blankLine = true;
        continue;
      }
      const seen = (job.blankLine ? '\r' : '') + job.prefix + String.fromCharCode(b);
      if (job.blankLine || b !== HTTP_PREFIX[job.prefix.length]) {
        err(job, 'not-http', `expected a status line starting with "HTTP/", got ${show(seen)}`);
        this.breakWith(job, 'malformed', t);
        return false;
      }
      job.prefix += String.fromCharCode(b);
    }
    return true;
  }

  private onStatusLine(job: Job, line: Buffer, t: number): void {
    const { text, bareLf } = lineText(line);
    if (text === '') {
      err(job, 'empty-line-before-status', 'ignored empty line(s) before the status line');
      job.blankBytes += line.length + 1;
      job.prefix = '';
      job.blankLine = false;
      return;
    }
    if (text.length < HTTP_PREFIX.length) {
      err(job, 'not-http', `expected a status line starting with "HTTP/", got ${show(text)}`);
      this.breakWith(job, 'malformed', t);
      return;
    }
    if (bareLf) err(job, 'bare-lf', 'status line ended with bare LF (expected CRLF)');
    const s = this.replaceBareCr(job, text, 'the status line');
    const start = statusLine(s);
    if (start === null) {
      err(job, 'bad-status-line', `expected HTTP-version "HTTP/<digit>.<digit>", got ${show(s)}`);
      this.breakWith(job, 'malformed', t);
      return;
    }
    const { major, minor, code } = start;
    if (major !== '1') {
      err(job, 'bad-status-line', `expected HTTP/1.x, got HTTP/${major}.${minor}`);
      this.breakWith(job, 'malformed', t);
      return;
    }
    if (code === null) {
      err(job, 'bad-status-line', `expected SP and a 3-digit status code after HTTP/${major}.${minor}, got ${show(s)}`);
      this.breakWith(job, 'malformed', t);
      return;
    }
    const { digits, status, sp, reason } = code;
    if (status < 100 || status > 599) {
      err(job, 'bad-status-line', `expected a status code in 100..599, got ${digits}`);
      this.breakWith(job, 'malformed', t);
      return;
    }
    if (!sp) err(job, 'status-line-no-sp', `expected SP after status code ${digits}, got end of line`);
    job.res.httpVersion = `${major}.${minor}`;
    job.res.status = status;
    job.res.reason = reason;
    job.state = 'headers';
  }

  private onFieldLine(job: Job, line: Buffer, t: number): void {
    const section = job.state === 'trailers' ? 'trailer' : 'header';
    const { text, bareLf } = lineText(line);
    if (bareLf) err(job, 'bare-lf', `${section} line ended with bare LF (expected CRLF)`);
    if (text === '') {
      this.endOfSection(job, t);
      return;
    }
    const s = this.replaceBareCr(job, text, `a ${section} field`);
    const fields = job.state === 'trailers' ? job.res.trailers : job.res.headers;
    const field = fieldLine(s);
    if (field.kind === 'fold') {
      const previous = fields.at(-1);
      if (previous === undefined) {
        err(job, 'ws-before-first-field', `expected a ${section} field, got whitespace-led line ${show(s)}; ignored`);
      } else {
        err(job, 'obs-fold', `obs-fold (line folding) in ${section} field "${previous[0]}"; unfolded with SP`);
        previous[1] = unfold(previous[1], field.more);
      }
      return;
    }
    if (field.kind === 'no-colon') {
      err(job, 'missing-colon', `expected "name: value" in the ${section} section, got ${show(s)} (no colon)`);
      this.breakWith(job, 'malformed', t);
      return;
    }
    const { name, value } = field;
    // RFC 9112 §5.1 has a proxy remove it from a response; the judge records that it was there.
    if (field.wsBeforeColon) err(job, 'ws-before-colon', `whitespace between ${section} field name "${name}" and the colon; removed`);
    if (!isToken(name)) {
      err(job, 'bad-field-name', `expected a token as ${section} field name, got ${show(name)}`);
      this.breakWith(job, 'malformed', t);
      return;
    }
    fields.push([name, value]);
  }

  private endOfSection(job: Job, t: number): void {
    const res = job.res;
    if (job.state === 'trailers') {
      this.finish(job, 'complete', t);
      return;
    }
    if (res.status < 200 && res.status !== 101) {
      job.interim.push({ status: res.status, reason: res.reason, headers: res.headers, t });
      res.status = 0;
      res.reason = '';
      res.headers = [];
      job.sectionBytes = 0;
      job.blankBytes = 0;
      job.prefix = '';
      job.blankLine = false;
      job.state = 'status';
      return;
    }
    res.headerBytes = job.sectionBytes - job.blankBytes;
    res.tHeaders = t;
    const framing = this.decideFraming(job);
    if (framing === null) {
      this.breakWith(job, 'malformed', t);
      return;
    }
    res.framing = framing;
    this.hooks.onHeaders?.(res, t);
    if (framing === 'none' || (framing === 'content-length' && job.contentLength === 0)) {
      this.finish(job, 'complete', t);
    } else if (framing === 'content-length') {
      job.remaining = job.contentLength;
      job.state = 'body-length';
    } else {
      job.state = framing === 'chunked' ? 'chunk-size' : 'body-close';
    }
  }

  /** RFC 9112 §6.3, in its order. Returns null (with an error recorded) when framing is invalid. */
  private decideFraming(job: Job): Framing | null {
    const { res, exp } = job;
    const noBody = exp.method === 'HEAD' || res.status < 200 || res.status === 204 || res.status === 304;
    if (noBody || (exp.method === 'CONNECT' && res.status < 300)) return 'none';
    const te = headerAll(res, 'transfer-encoding');
    const cl = headerAll(res, 'content-length');
    if (te.length > 0) {
      const teText = te.join(', ');
      if (cl.length > 0)
        err(
          job,
          'te-and-cl',
          `both Transfer-Encoding (${show(teText)}) and Content-Length (${show(cl.join(', '))}) sent; Transfer-Encoding wins`,
        );
      if (res.httpVersion === '1.0') err(job, 'te-in-http10', `Transfer-Encoding ${show(teText)} in an HTTP/1.0 response`);
      const codings = teText
        .split(',')
        .map((c) => c.trim().toLowerCase())
        .filter((c) => c !== '');
      const chunked = codings.filter((c) => c === 'chunked').length;
      if (chunked > 1) err(job, 'te-chunked-twice', `chunked applied more than once: Transfer-Encoding ${show(teText)}`);
      if (codings.at(-1) === 'chunked') return 'chunked';
      err(job, 'te-chunked-not-last', `expected chunked as the final transfer coding, got ${show(teText)}; body read until close`);
      return 'close';
    }
    if (cl.length === 0) return 'close';
    const values = cl
      .join(',')
      .split(',')
      .map((v) => v.trim());
    const bad = values.find((v) => !/^\d{1,15}$/.test(v));
    if (bad !== undefined) {
      err(job, 'cl-invalid', `expected Content-Length as decimal digits, got ${show(bad)}`);
      return null;
    }
    const distinct = [...new Set(values.map(Number))];
    if (distinct.length > 1) {
      err(job, 'cl-conflict', `expected one Content-Length value, got ${distinct.join(' and ')}`);
      return null;
    }
    if (values.length > 1) err(job, 'cl-duplicate', `Content-Length value repeated ${values.length} times: ${show(cl.join(', '))}`);
    job.contentLength = distinct[0] ?? 0;
    return 'content-length';
  }

  private stepCounted(job: Job, buf: Buffer, pos: number, t: number): number {
    const n = Math.min(job.remaining, buf.length - pos);
    if (!this.deliver(job, buf.subarray(pos, pos + n), t)) return buf.length;
    job.remaining -= n;
    if (job.remaining === 0) {
      if (job.state === 'body-length') {
        this.finish(job, 'complete', t);
      } else {
        job.res.chunks.push(chunkRecord(job.chunkSize, job.chunkExt, t));
        job.state = 'chunk-crlf';
        job.sawCR = false;
      }
    }
    return pos + n;
  }

  private stepChunkCrlf(job: Job, buf: Buffer, pos: number, t: number): number {
    const b = buf[pos] ?? 0;
    if (!job.sawCR && b === CR) {
      job.sawCR = true;
      return pos + 1;
    }
    if (b === LF) {
      if (!job.sawCR) err(job, 'bare-lf', 'chunk data ended with bare LF (expected CRLF)');
      job.state = 'chunk-size';
      return pos + 1;
    }
    const expected = job.sawCR ? 'LF after the CR' : 'CRLF';
    err(
      job,
      'missing-chunk-crlf',
      `expected ${expected} after ${job.chunkSize} bytes of chunk data (chunk-size ${job.chunkHex}), got ${show(String.fromCharCode(b))}: the chunk is longer than its declared size`,
    );
    this.breakWith(job, 'malformed', t);
    return buf.length;
  }

  private onChunkSizeLine(job: Job, line: Buffer, t: number): void {
    const { text, bareLf } = lineText(line);
    if (bareLf) err(job, 'bare-lf', 'chunk-size line ended with bare LF (expected CRLF)');
    const chunk = chunkSizeLine(text);
    // The judge refuses a bare CR anywhere in a chunk-size line (framing is at stake); a hop lets
    // one inside an extension through.
    if (!chunk.ok || chunk.bareCr) {
      const why = chunk.ok ? 'bare-cr' : chunk.why;
      const note = why === 'bare-cr' ? ' (bare CR)' : why === 'too-large' ? ' (too large)' : '';
      err(job, 'bad-chunk-size', `expected chunk-size (hex digits) [;ext] at decoded body offset ${job.bodyLen}, got ${show(text)}${note}`);
      this.breakWith(job, 'malformed', t);
      return;
    }
    const { size, hex, ext: extText } = chunk;
    if (chunk.wsWithoutExt) err(job, 'chunk-size-ws', `whitespace after chunk-size ${show(hex)} without a chunk extension`);
    if (size === 0) {
      job.res.chunks.push(chunkRecord(0, extText, t));
      job.sectionBytes = 0;
      job.state = 'trailers';
      return;
    }
    job.chunkSize = size;
    job.chunkHex = hex;
    job.chunkExt = extText;
    job.remaining = size;
    job.state = 'chunk-data';
  }

  /** Returns false when the body cap was hit (the response has then ended). */
  private deliver(job: Job, data: Buffer, t: number): boolean {
    const room = job.exp.maxBodyBytes - job.bodyLen;
    const take = data.length <= room ? data : data.subarray(0, room);
    if (take.length > 0) {
      const copy = Buffer.from(take);
      const res = job.res;
      job.parts.push(copy);
      const last = res.bodyReads.at(-1);
      if (last !== undefined && last.t === t && last.offset + last.size === job.bodyLen) last.size += copy.length;
      else res.bodyReads.push({ t, size: copy.length, offset: job.bodyLen });
      res.tFirstBodyByte ??= t;
      job.bodyLen += copy.length;
      this.hooks.onBody?.(res, copy, t);
    }
    if (data.length > room) {
      err(job, 'body-cap', `decoded body exceeds maxBodyBytes (${job.exp.maxBodyBytes})`);
      this.breakWith(job, 'cap', t);
      return false;
    }
    return true;
  }

  private replaceBareCr(job: Job, text: string, where: string): string {
    if (!hasBareCr(text)) return text;
    err(job, 'bare-cr', `bare CR in ${where} ${show(text)}; replaced with SP`);
    return replaceBareCr(text);
  }

  private whereIn(job: Job): string {
    const pending = this.lineLen;
    switch (job.state) {
      case 'status':
        return `in the status line (${pending} bytes of it received)`;
      case 'headers':
        return `in the header section after ${job.sectionBytes + pending} bytes`;
      case 'body-length':
        return `after ${job.bodyLen} of ${job.contentLength} Content-Length body bytes`;
      case 'body-close':
        return `in a close-delimited body after ${job.bodyLen} bytes`;
      case 'chunk-data':
        return `inside a chunk (${job.chunkSize - job.remaining} of ${job.chunkSize} bytes) at decoded body offset ${job.bodyLen}, before the last chunk`;
      case 'chunk-size':
      case 'chunk-crlf':
        return `before the last chunk (after ${job.res.chunks.length} chunks, ${job.bodyLen} body bytes)`;
      case 'trailers':
        return 'in the trailer section after the last chunk';
    }
  }

  private breakWith(job: Job, end: 'malformed' | 'cap', t: number): void {
    this.finish(job, end, t);
    this.isBroken = true;
  }

  private finish(job: Job, end: ResponseEnd, t: number): void {
    const res = job.res;
    res.end = end;
    res.tEnd = t;
    res.body = Buffer.concat(job.parts);
    if (job.interim.length > 0) res.interim = job.interim;
    job.exp.response = res;
    if (this.job === job) {
      this.job = null;
      this.line = [];
      this.lineLen = 0;
    }
    this.completed.push(res);
    this.hooks.onEnd?.(res, t, job.exp);
  }

  private addStray(bytes: Buffer): void {
    this.strayBytes += bytes.length;
    const room = STRAY_SAMPLE_BYTES - this.straySampled;
    if (room <= 0) return;
    const sample = Buffer.from(bytes.subarray(0, room));
    this.straySample.push(sample);
    this.straySampled += sample.length;
  }
}

function newJob(exp: Expectation, connectionId: number): Job {
  return {
    exp,
    res: {
      connectionId,
      httpVersion: '',
      status: 0,
      reason: '',
      headers: [],
      headerBytes: 0,
      framing: 'none',
      body: Buffer.alloc(0),
      chunks: [],
      trailers: [],
      bodyReads: [],
      tSent: exp.tSent,
      tHeaders: null,
      tFirstBodyByte: null,
      tEnd: null,
      end: 'complete',
      errors: [],
    },
    state: 'status',
    sectionBytes: 0,
    blankBytes: 0,
    prefix: '',
    blankLine: false,
    interim: [],
    contentLength: 0,
    remaining: 0,
    chunkSize: 0,
    chunkHex: '',
    chunkExt: undefined,
    sawCR: false,
    bodyLen: 0,
    parts: [],
  };
}

function nothingReceived(job: Job): boolean {
  return job.state === 'status' && job.prefix === '' && !job.blankLine && job.blankBytes === 0 && job.interim.length === 0;
}

/** Identical entries are recorded once: a server that ends every line with bare LF gets one entry. */
function err(job: Job, code: WireErrorCode, detail: string): void {
  const entry = `${code}: ${detail}`;
  if (!job.res.errors.includes(entry)) job.res.errors.push(entry);
}

function chunkRecord(size: number, ext: string | undefined, t: number): ChunkRecord {
  return ext === undefined ? { size, t } : { size, ext, t };
}

function describeHow(how: ParserEndHow): string {
  switch (how) {
    case 'fin':
      return 'the peer closed the connection (FIN)';
    case 'rst':
      return 'the connection was reset (RST)';
    case 'timeout':
      return 'our deadline passed';
    case 'cap':
      return 'our byte cap was hit';
    case 'error':
      return 'the connection failed';
  }
}

/** Whether the response recorded a problem with this code (see WireErrorCode). */
export function hasWireError(res: Pick<WireResponse, 'errors'>, code: WireErrorCode): boolean {
  return res.errors.some((e) => e.startsWith(`${code}: `));
}

/** Quoted, control characters escaped, long text shortened: safe to embed in a message. */
function show(text: string): string {
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut);
}
