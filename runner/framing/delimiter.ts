import type { FramedMessage, FramingParser, FramingProblem } from './types.js';
import { ByteMatcher, decodeUtf8, Pending, ProblemLog, show } from './util.js';

/**
 * Messages separated by a fixed delimiter (e.g. "\n\n", "\u001e", "<EOM>"), matched on the
 * UTF-8 bytes so a delimiter split across pushes is still found. Every message must be
 * followed by the delimiter; an empty message (two delimiters in a row) is a keep-alive.
 */

export function createDelimiterParser(delimiter: string): FramingParser {
  if (delimiter === '') throw new Error('delimiter framing: expected a non-empty delimiter, got ""');
  return new Delimited(Buffer.from(delimiter, 'utf8'));
}

class Delimited implements FramingParser {
  readonly heartbeatTimes: number[] = [];
  private readonly log = new ProblemLog();
  private readonly matcher: ByteMatcher;
  private readonly segment = new Pending();
  private offset = 0;
  private segStart = 0;
  private count = 0;

  constructor(private readonly delimiter: Buffer) {
    this.matcher = new ByteMatcher(delimiter);
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
      if (!this.matcher.feed(bytes[i] ?? -1)) continue;
      const whole = this.segment.take(bytes.subarray(from, i + 1));
      const body = whole.subarray(0, whole.length - this.delimiter.length);
      const end = this.offset + i + 1;
      const msg = this.complete(body, end, t);
      if (msg !== null) out.push(msg);
      from = i + 1;
      this.segStart = end;
    }
    this.segment.add(bytes.subarray(from));
    this.offset += bytes.length;
    return out;
  }

  finish(): { partial: string | null } {
    const tail = this.segment.take();
    return { partial: tail.length === 0 ? null : decodeUtf8(tail).text };
  }

  private complete(body: Buffer, end: number, t: number): FramedMessage | null {
    this.count++;
    if (body.length === 0) {
      this.heartbeatTimes.push(t);
      return null;
    }
    const { text, valid } = decodeUtf8(body);
    if (!valid) this.log.add('invalid-utf8', `message ${this.count} (byte ${this.segStart}): invalid UTF-8: ${show(text)}`);
    return { data: text, start: this.segStart, end, t };
  }
}
