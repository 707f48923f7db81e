import type { FramedMessage, FramingParser, FramingProblem } from './types.js';
import { CR, decodeUtf8, LF, Pending, ProblemLog, show, startsWithBom } from './util.js';

/**
 * text/event-stream exactly as WHATWG HTML §9.2.5 (parsing) and §9.2.6 (interpreting) define
 * it, so the suite sees what an EventSource sees; deviations a lenient parser would accept
 * are recorded as problems because browsers silently drop them.
 *
 * Lines are cut on bytes (CR and LF never occur inside a UTF-8 sequence) and decoded whole,
 * which gives the same text as decoding the stream first and makes a character split across
 * pushes harmless.
 */

export type LineEnding = 'crlf' | 'lf' | 'cr';

export interface SseParser extends FramingParser {
  /** the last event ID string after the last dispatch (§9.2.6 step 1 of dispatch) */
  readonly lastEventId: string;
  /** the last valid `retry` in ms, or null when none was sent */
  readonly retry: number | null;
  readonly comments: number;
  /** arrival time of each comment line: heartbeats (§9.2.7) */
  readonly commentTimes: number[];
  readonly lineEndings: Set<LineEnding>;
  /** field names that are not data/event/id/retry, with how often each appeared */
  readonly unknownFields: Map<string, number>;
}

const KNOWN = new Set(['data', 'event', 'id', 'retry']);

export function createSseParser(): SseParser {
  return new Sse();
}

class Sse implements SseParser {
  lastEventId = '';
  retry: number | null = null;
  comments = 0;
  readonly commentTimes: number[] = [];
  readonly lineEndings = new Set<LineEnding>();
  readonly unknownFields = new Map<string, number>();
  private readonly log = new ProblemLog();
  private offset = 0;
  private lineNo = 0;
  private readonly line = new Pending();
  private lineStart = 0;
  /** the previous byte was a CR that ended a line; an LF right after it belongs to that ending */
  private afterCr = false;
  private firstLine = true;
  // Event state of §9.2.6: data buffer (as lines), event type buffer, last event ID buffer.
  private data: string[] = [];
  private eventType = '';
  private idBuffer = '';
  /** where the undispatched block's first field line began, and its text so far (for `partial`) */
  private blockStart: number | null = null;
  private blockText = '';
  private blockId: string | null = null;
  private finished = false;

  get problems(): string[] {
    return this.log.problems;
  }

  get findings(): FramingProblem[] {
    return this.log.findings;
  }

  get heartbeatTimes(): number[] {
    return this.commentTimes;
  }

  push(bytes: Buffer, t: number): FramedMessage[] {
    const out: FramedMessage[] = [];
    let from = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.afterCr) {
        this.afterCr = false;
        if (b === LF) {
          this.lineEndings.add('crlf');
          if (this.blockStart !== null) this.blockText += '\n';
          from = i + 1;
          this.lineStart = this.offset + i + 1;
          continue;
        }
        this.lineEndings.add('cr');
      }
      if (b !== CR && b !== LF) continue;
      const lineBytes = this.line.take(bytes.subarray(from, i));
      const msg = this.processLine(lineBytes, this.offset + i + 1, t, b === CR ? '\r' : '\n');
      if (msg !== null) out.push(msg);
      if (b === CR) this.afterCr = true;
      else this.lineEndings.add('lf');
      from = i + 1;
      this.lineStart = this.offset + i + 1;
    }
    this.line.add(bytes.subarray(from));
    this.offset += bytes.length;
    return out;
  }

  finish(): { partial: string | null } {
    if (this.finished) throw new Error('SSE parser: finish() called twice');
    this.finished = true;
    if (this.afterCr) this.lineEndings.add('cr');
    // §9.2.6: at end of stream pending data is discarded and an incomplete line is never processed.
    let tail = this.line.take();
    if (this.firstLine && startsWithBom(tail)) tail = tail.subarray(3);
    const partial = this.blockText + decodeUtf8(tail).text;
    return { partial: partial === '' ? null : partial };
  }

  private processLine(bytes: Buffer, end: number, t: number, terminator: string): FramedMessage | null {
    this.lineNo++;
    let start = this.lineStart;
    if (this.firstLine) {
      this.firstLine = false;
      if (startsWithBom(bytes)) {
        bytes = bytes.subarray(3);
        start += 3;
      }
    }
    const where = `line ${this.lineNo} (byte ${start})`;
    const { text, valid } = decodeUtf8(bytes);
    if (!valid) this.log.add('invalid-utf8', `${where}: invalid UTF-8; user agents decode it as U+FFFD: ${show(text)}`);
    if (text.startsWith('\uFEFF')) {
      this.log.add(
        'bom-in-line',
        `${where}: U+FEFF (BOM) at the start of a line; only one BOM at the very start of the stream is stripped, so it becomes part of the field name and user agents ignore the line`,
      );
    }
    if (text === '') return this.dispatch(end, t);
    if (text.startsWith(':')) {
      this.comments++;
      this.commentTimes.push(t);
      if (this.blockStart !== null) this.blockText += text + terminator;
      return null;
    }
    if (this.blockStart === null) this.blockStart = start;
    this.blockText += text + terminator;
    const colon = text.indexOf(':');
    const name = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.field(name, value, where);
    return null;
  }

  private field(name: string, value: string, where: string): void {
    switch (name) {
      case 'event':
        this.eventType = value;
        return;
      case 'data':
        this.data.push(value);
        return;
      case 'id':
        if (value.includes('\u0000')) {
          this.log.add('id-null', `${where}: id ${show(value)} contains U+0000 NULL; user agents ignore the whole field`);
        } else {
          this.idBuffer = value;
          this.blockId = value;
        }
        return;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.retry = Number(value);
        else this.log.add('retry-not-digits', `${where}: retry ${show(value)} is not only ASCII digits; user agents ignore the field`);
        return;
    }
    this.unknownFields.set(name, (this.unknownFields.get(name) ?? 0) + 1);
    // Only ASCII space and tab: String.prototype.trim() would also strip a BOM, reported above.
    const trimmed = name.replace(/^[ \t]+|[ \t]+$/g, '');
    const meant = trimmed.toLowerCase();
    if (!KNOWN.has(meant)) return;
    const how: string[] = [];
    if (trimmed !== name) how.push('whitespace around the name (e.g. a space before the colon)');
    if (trimmed !== meant) how.push('different letter case');
    this.log.add(
      'field-name-mismatch',
      `${where}: field name ${show(name)} is not "${meant}" (${how.join(', ')}); names are compared literally, so user agents ignore the line`,
      meant,
    );
  }

  /** §9.2.6 "dispatch the event", on a blank line. */
  private dispatch(end: number, t: number): FramedMessage | null {
    this.lastEventId = this.idBuffer;
    const start = this.blockStart;
    const id = this.blockId;
    const data = this.data;
    const type = this.eventType;
    this.data = [];
    this.eventType = '';
    this.blockStart = null;
    this.blockText = '';
    this.blockId = null;
    // An empty data buffer dispatches nothing, though the last event ID was updated above.
    if (data.length === 0 || start === null) return null;
    const fields: Record<string, string> = { event: type === '' ? 'message' : type, lastEventId: this.lastEventId };
    if (id !== null) fields['id'] = id;
    return { data: data.join('\n'), start, end, t, fields };
  }
}
