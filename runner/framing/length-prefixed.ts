import type { FramedMessage, FramingParser, FramingProblem } from './types.js';
import { CR, decodeUtf8, LF, Pending, ProblemLog, show } from './util.js';

/**
 * Length-prefixed messages, in the convention of Twitter's `delimited=length` streams and
 * similar APIs:
 *
 *     <decimal byte length> LF <exactly that many payload bytes>
 *
 * CRLF is accepted after the length. A line ending where a length is expected (an empty
 * length line) is a keep-alive. The payload is taken verbatim, so any newline the sender puts
 * after it must be counted in the length. Anything else where a length belongs loses the
 * framing for good: the rest of the stream is reported as `partial`, since no later byte can
 * be trusted as a boundary.
 */

/** More digits than this cannot be a length inside the 1 MiB body cap; it is framing garbage. */
const MAX_DIGITS = 15;

type State = 'length' | 'length-cr' | 'payload' | 'broken';

export function createLengthPrefixedParser(): FramingParser {
  return new LengthPrefixed();
}

class LengthPrefixed implements FramingParser {
  readonly heartbeatTimes: number[] = [];
  private readonly log = new ProblemLog();
  private state: State = 'length';
  private digits = '';
  private need = 0;
  private readonly payload = new Pending();
  /** the text of an unfinished length line or payload and of everything after a framing error */
  private readonly raw = new Pending();
  private offset = 0;
  private msgStart = 0;
  private count = 0;

  get problems(): string[] {
    return this.log.problems;
  }

  get findings(): FramingProblem[] {
    return this.log.findings;
  }

  push(bytes: Buffer, t: number): FramedMessage[] {
    const out: FramedMessage[] = [];
    let i = 0;
    while (i < bytes.length) {
      const at = this.offset + i;
      if (this.state === 'broken') {
        this.raw.add(bytes.subarray(i));
        break;
      }
      if (this.state === 'payload') {
        const n = Math.min(this.need, bytes.length - i);
        this.payload.add(bytes.subarray(i, i + n));
        this.raw.add(bytes.subarray(i, i + n));
        this.need -= n;
        i += n;
        if (this.need === 0) out.push(this.complete(this.offset + i, t));
        continue;
      }
      const b = bytes[i] ?? -1;
      this.raw.add(bytes.subarray(i, i + 1));
      i++;
      if (this.state === 'length-cr') {
        if (b === LF) this.endLengthLine(t, out, this.offset + i);
        else this.breakAt(at, 'a CR after the length not followed by LF');
      } else if (b >= 0x30 && b <= 0x39) {
        if (this.digits === '') this.msgStart = at;
        this.digits += String.fromCharCode(b);
        if (this.digits.length > MAX_DIGITS) this.breakAt(at, `a length of more than ${MAX_DIGITS} digits`);
      } else if (b === CR) {
        this.state = 'length-cr';
      } else if (b === LF) {
        this.endLengthLine(t, out, this.offset + i);
      } else {
        this.breakAt(at, `byte 0x${b.toString(16).padStart(2, '0')} in the length line`);
      }
    }
    this.offset += bytes.length;
    return out;
  }

  finish(): { partial: string | null } {
    const rest = this.raw.take();
    return { partial: rest.length === 0 ? null : decodeUtf8(rest).text };
  }

  private endLengthLine(t: number, out: FramedMessage[], end: number): void {
    if (this.digits === '') {
      this.heartbeatTimes.push(t);
      this.raw.take();
      this.state = 'length';
      return;
    }
    this.need = Number(this.digits);
    this.digits = '';
    this.state = 'payload';
    if (this.need === 0) out.push(this.complete(end, t));
  }

  private complete(end: number, t: number): FramedMessage {
    this.count++;
    this.state = 'length';
    this.raw.take();
    return { data: decodeUtf8(this.payload.take()).text, start: this.msgStart, end, t };
  }

  private breakAt(at: number, what: string): void {
    this.state = 'broken';
    const seen = decodeUtf8(this.raw.peek()).text;
    this.log.add(
      'length-prefix-expected',
      `byte ${at}: expected "<decimal length>\\n" before message ${this.count + 1}, got ${what} (line so far ${show(seen)}); framing lost, the rest is unparsed`,
    );
  }
}
