/**
 * The line grammar of HTTP/1.1 (RFC 9112), shared by both HTTP/1 parsers: the wire recorder's
 * ResponseParser (runner/wire/parser.ts), which records every deviation as a problem, and the
 * hops' Http1Parser (proxies/http1.ts), which forwards bytes and only needs their meaning. Pure:
 * one line's text in, its parts and the deviations found out. Each parser keeps its own
 * buffering (the recorder is incremental with caps and timestamps, a hop keeps raw bytes to
 * forward) and decides what a deviation costs: the recorder records it, a hop tolerates or gives
 * up. Lines are latin1 text with the terminator removed (lineText).
 */

const CR = 0x0d;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HTTP_VERSION = /^HTTP\/(\d)\.(\d)(.*)$/s;
const STATUS_CODE = /^ (\d{3})(?:( )(.*))?$/s;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(\d\.\d)$/;
/** 13 hex digits stay below 2^53: a larger chunk-size cannot be counted exactly. */
const MAX_CHUNK_HEX_DIGITS = 13;

/**
 * A line's text without its line terminator. `line` holds the bytes before the LF; bareLf when
 * no CR preceded it (RFC 9112 §2.2 lets a recipient accept a lone LF as the terminator).
 */
export function lineText(line: Buffer): { text: string; bareLf: boolean } {
  const crlf = line.length > 0 && line[line.length - 1] === CR;
  return { text: line.toString('latin1', 0, crlf ? line.length - 1 : line.length), bareLf: !crlf };
}

/** The lines of a head's text, each without its CRLF or bare LF (the lineText rule on text). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.charCodeAt(line.length - 1) === CR) lines[i] = line.slice(0, -1);
  }
  return lines;
}

/** A CR left in a line once its terminator is removed is a bare CR (RFC 9112 §2.2). */
export function hasBareCr(text: string): boolean {
  return text.includes('\r');
}

/** RFC 9112 §2.2: a recipient may replace each bare CR with SP before processing the element. */
export function replaceBareCr(text: string): string {
  return text.replaceAll('\r', ' ');
}

/** RFC 9110 §5.6.2 token, e.g. a field name or a method. */
export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** OWS (SP / HTAB) removed at both ends; other whitespace is field content (RFC 9110 §5.5). */
export function trimOws(s: string): string {
  // A scan, not a regex: every field line of every message through a hop comes here.
  let start = 0;
  let end = s.length;
  while (start < end && isOws(s.charCodeAt(start))) start++;
  while (end > start && isOws(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

export interface StatusLine {
  /** the digits of HTTP-version; any digit is returned, the caller decides which it speaks */
  major: string;
  minor: string;
  /** null: the version is not followed by SP and a 3-digit status code */
  code: { digits: string; status: number; reason: string; /** the SP before the reason-phrase */ sp: boolean } | null;
}

/**
 * RFC 9112 §4: `HTTP-version SP status-code SP [ reason-phrase ]`; null when the line does not
 * start with an HTTP-version. A missing SP before an empty reason is reported, not refused (the
 * reason-phrase is optional and some servers drop the SP with it). A bare CR is left in place.
 */
export function statusLine(text: string): StatusLine | null {
  const version = HTTP_VERSION.exec(text);
  if (version === null) return null;
  const [, major = '', minor = '', rest = ''] = version;
  const code = STATUS_CODE.exec(rest);
  if (code === null) return { major, minor, code: null };
  const [, digits = '', sp, reason = ''] = code;
  return { major, minor, code: { digits, status: Number(digits), reason, sp: sp !== undefined } };
}

export interface RequestLine {
  method: string;
  target: string;
  /** the digits of HTTP-version, "1.1" */
  version: string;
}

/** RFC 9112 §3: `method SP request-target SP HTTP-version`; null when it is not one. */
export function requestLine(text: string): RequestLine | null {
  const m = REQUEST_LINE.exec(text);
  if (m === null) return null;
  return { method: m[1] ?? '', target: m[2] ?? '', version: m[3] ?? '' };
}

export type FieldLine =
  /** A line led by SP or HTAB: obs-fold (RFC 9112 §5.2), its text OWS-trimmed. */
  | { kind: 'fold'; more: string }
  /**
   * `field-name ":" OWS field-value OWS` (RFC 9112 §5). Whitespace between the name and the
   * colon is removed and flagged: §5.1 has a server answer such a request 400 and a proxy
   * remove it from a response, so what it costs is the caller's call. The name is not checked
   * against the token grammar (isToken).
   */
  | { kind: 'field'; name: string; value: string; wsBeforeColon: boolean }
  | { kind: 'no-colon' };

/** One field line of a header or trailer section (not the empty line that ends it). */
export function fieldLine(text: string): FieldLine {
  if (isOws(text.charCodeAt(0))) return { kind: 'fold', more: trimOws(text) };
  const colon = text.indexOf(':');
  if (colon === -1) return { kind: 'no-colon' };
  let end = colon;
  while (end > 0 && isOws(text.charCodeAt(end - 1))) end--;
  return { kind: 'field', name: text.slice(0, end), value: trimOws(text.slice(colon + 1)), wsBeforeColon: end !== colon };
}

/** RFC 9112 §5.2: obs-fold is replaced with SP; an empty value takes the continuation alone. */
export function unfold(value: string, more: string): string {
  return value === '' ? more : `${value} ${more}`;
}

export type ChunkSizeLine =
  | {
      ok: true;
      size: number;
      /** the chunk-size as sent */
      hex: string;
      /** the text after the first ";" (every chunk-ext, quoted strings and all); undefined: none */
      ext: string | undefined;
      /** whitespace after the size with no extension to follow (BWS belongs before a ";") */
      wsWithoutExt: boolean;
      /** a bare CR inside the extension */
      bareCr: boolean;
    }
  | { ok: false; why: 'syntax' | 'too-large' | 'bare-cr' };

/**
 * RFC 9112 §7.1: `chunk-size [ chunk-ext ]`, chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS
 * value ] ). The extension is returned as sent, not taken apart: neither parser interprets one,
 * and a quoted-string value may hold ";" or "=". A bare CR before the extension makes the line
 * invalid ('bare-cr', which also wins over 'too-large'); one inside it is flagged for the caller.
 */
export function chunkSizeLine(text: string): ChunkSizeLine {
  // A scan, not a regex: a hop reads one of these per chunk of every streamed response.
  let digits = 0;
  while (digits < text.length && isHexDigit(text.charCodeAt(digits))) digits++;
  let ws = digits;
  while (ws < text.length && isOws(text.charCodeAt(ws))) ws++;
  const hasExt = ws < text.length && text.charCodeAt(ws) === 0x3b;
  if (digits === 0 || (ws < text.length && !hasExt)) return { ok: false, why: hasBareCr(text) ? 'bare-cr' : 'syntax' };
  if (digits > MAX_CHUNK_HEX_DIGITS) return { ok: false, why: hasBareCr(text) ? 'bare-cr' : 'too-large' };
  const hex = digits === text.length ? text : text.slice(0, digits);
  const ext = hasExt ? text.slice(ws + 1) : undefined;
  return {
    ok: true,
    size: parseInt(hex, 16),
    hex,
    ext,
    wsWithoutExt: ws > digits && !hasExt,
    bareCr: ext !== undefined && hasBareCr(ext),
  };
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
