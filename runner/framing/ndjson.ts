import type { FramedMessage, FramingParser, FramingProblem } from './types.js';
import { CR, decodeUtf8, LF, Pending, ProblemLog, show, startsWithBom } from './util.js';

/**
 * Newline-delimited JSON: one JSON text per LF-terminated line (CRLF accepted, since JSON
 * allows a trailing CR as whitespace and many servers write it). Empty lines are keep-alives,
 * not messages. A last line without its LF is `partial` even when it parses: a number or a
 * string cut short can still be valid JSON, so only the newline proves the value is whole.
 */

export interface NdjsonParser extends FramingParser {
  readonly lineEndings: Set<'crlf' | 'lf'>;
}

export function createNdjsonParser(): NdjsonParser {
  return new Ndjson();
}

class Ndjson implements NdjsonParser {
  readonly lineEndings = new Set<'crlf' | 'lf'>();
  readonly heartbeatTimes: number[] = [];
  private readonly log = new ProblemLog();
  private readonly line = new Pending();
  private offset = 0;
  private lineStart = 0;
  private lineNo = 0;

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
      if (bytes[i] !== LF) continue;
      const msg = this.processLine(this.line.take(bytes.subarray(from, i)), this.offset + i + 1, t);
      if (msg !== null) out.push(msg);
      from = i + 1;
      this.lineStart = this.offset + i + 1;
    }
    this.line.add(bytes.subarray(from));
    this.offset += bytes.length;
    return out;
  }

  finish(): { partial: string | null } {
    let tail = this.line.take();
    if (this.lineNo === 0 && startsWithBom(tail)) tail = tail.subarray(3);
    if (tail.length > 0 && tail[tail.length - 1] === CR) tail = tail.subarray(0, -1);
    return { partial: tail.length === 0 ? null : decodeUtf8(tail).text };
  }

  private processLine(bytes: Buffer, end: number, t: number): FramedMessage | null {
    this.lineNo++;
    let start = this.lineStart;
    if (this.lineNo === 1 && startsWithBom(bytes)) {
      // RFC 8259 §8.1: senders MUST NOT add a BOM; parsers MAY ignore one.
      this.log.add('bom-at-start', `line 1 (byte 0): starts with a UTF-8 BOM, which JSON senders must not add (RFC 8259 §8.1); ignored`);
      bytes = bytes.subarray(3);
      start += 3;
    }
    const crlf = bytes.length > 0 && bytes[bytes.length - 1] === CR;
    this.lineEndings.add(crlf ? 'crlf' : 'lf');
    if (crlf) bytes = bytes.subarray(0, -1);
    if (bytes.length === 0) {
      this.heartbeatTimes.push(t);
      return null;
    }
    const where = `line ${this.lineNo} (byte ${start})`;
    const { text, valid } = decodeUtf8(bytes);
    if (!valid) this.log.add('invalid-utf8', `${where}: invalid UTF-8 (JSON text must be UTF-8, RFC 8259 §8.1): ${show(text)}`);
    try {
      JSON.parse(text);
    } catch (e: unknown) {
      const why = e instanceof Error ? e.message : String(e);
      this.log.add('not-json', `${where}: not a JSON value (${why}): ${show(text)}`);
      return null;
    }
    return { data: text, start, end, t };
  }
}
