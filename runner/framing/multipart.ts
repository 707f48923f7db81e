import type { FramedMessage, FramingParser, FramingProblem } from './types.js';
import { ByteMatcher, CR, decodeUtf8, LF, Pending, ProblemLog, show } from './util.js';

/**
 * multipart/mixed (and x-mixed-replace) as RFC 2046 §5.1.1 frames it: parts separated by
 * CRLF "--" boundary, each with header lines, a blank line and a body; "--" boundary "--" ends
 * the stream. A part is complete only when the next delimiter arrives, because nothing else
 * marks the end of its body. The CRLF before a delimiter belongs to the delimiter; a bare LF is
 * accepted and recorded.
 *
 * Messages: `data` is the part body, `start` the offset of its first header byte, `fields` its
 * header fields with lower-cased names.
 */

type State = 'preamble' | 'boundary-line' | 'headers' | 'body' | 'epilogue' | 'no-boundary';

export function createMultipartParser(contentType: string | undefined): FramingParser {
  return new Multipart(boundaryOf(contentType), contentType);
}

/** The boundary parameter of a Content-Type (quoted or token), or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  if (contentType === undefined) return null;
  const m = /;\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(contentType);
  if (m === null) return null;
  const value = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
  return value === undefined || value === '' ? null : value;
}

class Multipart implements FramingParser {
  readonly heartbeatTimes: number[] = [];
  private readonly log = new ProblemLog();
  private state: State;
  private readonly matcher: ByteMatcher | null;
  private readonly delimiterLength: number;
  /** bytes of the unit in progress: boundary line, header line or part body */
  private readonly unit = new Pending();
  /** text of the current part so far (headers and body), for `partial` */
  private partText = '';
  private headers: Record<string, string> = {};
  private offset = 0;
  private partStart = 0;
  private count = 0;
  private bareLfNoted = false;

  constructor(boundary: string | null, contentType: string | undefined) {
    if (boundary === null) {
      this.state = 'no-boundary';
      this.matcher = null;
      this.delimiterLength = 0;
      this.log.add(
        'no-boundary',
        `Content-Type ${show(contentType ?? '(none)')} has no boundary parameter; multipart parts cannot be found (RFC 2046 §5.1.1)`,
      );
      return;
    }
    if (boundary.length > 70)
      this.log.add('boundary-too-long', `boundary ${show(boundary)} is longer than 70 characters (RFC 2046 §5.1.1)`);
    const delimiter = Buffer.from(`\n--${boundary}`, 'utf8');
    this.matcher = new ByteMatcher(delimiter);
    this.delimiterLength = delimiter.length;
    // The first delimiter may open the body with no line break before it.
    this.matcher.reset(Buffer.from('\n'));
    this.state = 'preamble';
  }

  get problems(): string[] {
    return this.log.problems;
  }

  get findings(): FramingProblem[] {
    return this.log.findings;
  }

  push(bytes: Buffer, t: number): FramedMessage[] {
    const out: FramedMessage[] = [];
    let from = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] ?? -1;
      const end = this.offset + i + 1;
      switch (this.state) {
        case 'no-boundary':
        case 'epilogue':
          break;
        case 'preamble':
          if (this.matcher?.feed(b) === true) {
            this.unit.take();
            this.state = 'boundary-line';
            from = i + 1;
          }
          break;
        case 'body':
          if (this.matcher?.feed(b) === true) {
            out.push(this.completePart(this.unit.take(bytes.subarray(from, i + 1)), end, t));
            this.state = 'boundary-line';
            from = i + 1;
          }
          break;
        case 'boundary-line':
        case 'headers':
          if (b === LF) {
            this.line(this.unit.take(bytes.subarray(from, i + 1)), end);
            from = i + 1;
          }
          break;
      }
    }
    if (this.state !== 'epilogue' && this.state !== 'no-boundary') this.unit.add(bytes.subarray(from));
    else if (this.state === 'no-boundary') this.unit.add(bytes);
    this.offset += bytes.length;
    return out;
  }

  finish(): { partial: string | null } {
    const rest = decodeUtf8(this.unit.take()).text;
    // A close delimiter needs no line break after it.
    if (this.state === 'boundary-line' && rest.startsWith('--')) return { partial: null };
    if (this.state === 'epilogue') return { partial: null };
    const partial = this.state === 'boundary-line' ? `--…${rest}` : this.partText + rest;
    return { partial: partial === '' ? null : partial };
  }

  /** A boundary line's rest or a header line, with its LF. */
  private line(bytes: Buffer, end: number): void {
    const crlf = bytes.length >= 2 && bytes[bytes.length - 2] === CR;
    const text = decodeUtf8(bytes.subarray(0, bytes.length - (crlf ? 2 : 1))).text;
    if (!crlf) this.noteBareLf(end - 1);
    if (this.state === 'boundary-line') {
      if (text.startsWith('--')) {
        this.state = 'epilogue';
        return;
      }
      if (!/^[ \t]*$/.test(text)) {
        this.log.add(
          'boundary-trailing-text',
          `byte ${end - bytes.length}: boundary delimiter followed by ${show(text)}; only whitespace may follow it before the line break (RFC 2046 §5.1.1)`,
        );
      }
      this.state = 'headers';
      this.headers = {};
      this.partText = '';
      this.partStart = end;
      return;
    }
    this.partText += decodeUtf8(bytes).text;
    if (text === '') {
      this.state = 'body';
      // The blank line's CRLF may double as the delimiter's, ending a part with an empty body.
      this.matcher?.reset(Buffer.from('\n'));
      return;
    }
    const colon = text.indexOf(':');
    if (colon <= 0) {
      this.log.add(
        'part-header-malformed',
        `byte ${end - bytes.length}: part ${this.count + 1} header line ${show(text)} has no field name and colon`,
      );
      return;
    }
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    this.headers[name] = this.headers[name] === undefined ? value : `${this.headers[name]}, ${value}`;
  }

  private completePart(bytes: Buffer, end: number, t: number): FramedMessage {
    this.count++;
    let body = bytes.subarray(0, Math.max(0, bytes.length - this.delimiterLength));
    // Shorter than the delimiter: the blank line after the headers was the delimiter's line break.
    if (bytes.length >= this.delimiterLength) {
      if (body.length > 0 && body[body.length - 1] === CR) body = body.subarray(0, -1);
      else this.noteBareLf(end - this.delimiterLength);
    }
    this.partText = '';
    // Bodies may be binary (x-mixed-replace images), so invalid UTF-8 is not a framing problem.
    return { data: decodeUtf8(body).text, start: this.partStart, end, t, fields: this.headers };
  }

  private noteBareLf(at: number): void {
    if (this.bareLfNoted) return;
    this.bareLfNoted = true;
    this.log.add('bare-lf', `byte ${at}: line ended with a bare LF; multipart lines end with CRLF (RFC 2046 §5.1.1)`);
  }
}
