import { isUtf8 } from 'node:buffer';
import type { FramingProblem, FramingProblemCode } from './types.js';

/**
 * Pieces shared by the framing parsers: byte accumulation across pushes, a streaming
 * multi-byte matcher, lenient UTF-8 decoding and a bounded problem log.
 */

export const CR = 0x0d;
export const LF = 0x0a;

/** Bytes of an unfinished unit, kept across pushes without concatenating on every push. */
export class Pending {
  private parts: Buffer[] = [];
  length = 0;

  add(bytes: Buffer): void {
    if (bytes.length === 0) return;
    // Copied: a caller may reuse the buffer it pushed.
    this.parts.push(Buffer.from(bytes));
    this.length += bytes.length;
  }

  /** Everything kept plus `tail`, and the store emptied. */
  take(tail: Buffer = Buffer.alloc(0)): Buffer {
    const all = this.parts.length === 0 ? Buffer.from(tail) : Buffer.concat([...this.parts, tail]);
    this.parts = [];
    this.length = 0;
    return all;
  }

  peek(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Knuth–Morris–Pratt over single bytes, so a delimiter split across pushes is still found. */
export class ByteMatcher {
  private readonly fail: number[];
  private matched = 0;

  constructor(readonly pattern: Buffer) {
    if (pattern.length === 0) throw new Error('ByteMatcher: expected a non-empty pattern, got an empty one');
    this.fail = new Array<number>(pattern.length).fill(0);
    for (let i = 1, k = 0; i < pattern.length; i++) {
      while (k > 0 && pattern[i] !== pattern[k]) k = this.fail[k - 1] ?? 0;
      if (pattern[i] === pattern[k]) k++;
      this.fail[i] = k;
    }
  }

  /** Feeds one byte; true when it completes the pattern (the matcher then starts afresh). */
  feed(byte: number): boolean {
    while (this.matched > 0 && this.pattern[this.matched] !== byte) this.matched = this.fail[this.matched - 1] ?? 0;
    if (this.pattern[this.matched] === byte) this.matched++;
    if (this.matched < this.pattern.length) return false;
    this.matched = 0;
    return true;
  }

  /** Starts afresh, optionally as if `primer` had just been fed. */
  reset(primer?: Buffer): void {
    this.matched = 0;
    if (primer !== undefined) for (const b of primer) this.feed(b);
  }
}

// ignoreBOM: the decoder would otherwise strip a BOM at the start of every decode() call, and
// only the stream's first BOM may go (WHATWG "UTF-8 decode").
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** UTF-8 with invalid sequences replaced by U+FFFD, as a browser decodes; `valid` says if any were. */
export function decodeUtf8(bytes: Buffer): { text: string; valid: boolean } {
  return { text: decoder.decode(bytes), valid: isUtf8(bytes) };
}

export function startsWithBom(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Quoted and shortened with control characters escaped, safe to embed in a problem. */
export function show(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

/** Problems in order, capped so a stream that repeats one mistake cannot grow without bound. */
export class ProblemLog {
  private readonly list: FramingProblem[] = [];
  private dropped = 0;

  constructor(private readonly max = 100) {}

  add(code: FramingProblemCode, text: string, field?: string): void {
    if (this.list.length < this.max) this.list.push({ code, text, ...(field === undefined ? {} : { field }) });
    else this.dropped++;
  }

  get findings(): FramingProblem[] {
    return this.dropped === 0
      ? [...this.list]
      : [...this.list, { code: 'more-not-listed', text: `${this.dropped} further problem(s) not listed` }];
  }

  get problems(): string[] {
    return this.findings.map((p) => p.text);
  }
}
