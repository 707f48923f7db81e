/**
 * HPACK Huffman decoding (RFC 7541 §5.2, Appendix B). The Appendix B code is canonical: codes
 * of one length are consecutive, and lengths ascend with the code value (ties broken by symbol).
 * So the 257 code lengths are the whole table; the codes follow from them, and decoding needs
 * only, per length, the first code and the symbols in canonical order.
 */

export const HPACK_ERROR_CODE = 'PUSHSPEC_E_HPACK';

/**
 * A header block that cannot be decoded: a COMPRESSION_ERROR in HTTP/2 terms (RFC 9113 §4.3).
 * Defined here, the lowest layer, so hpack.ts can re-export it without an import cycle.
 */
export class HpackError extends Error {
  override readonly name = 'HpackError';
  readonly code = HPACK_ERROR_CODE;
}

/** Code lengths in bits for symbols 0..255 and 256 (EOS), in symbol order (RFC 7541 Appendix B). */
// prettier-ignore
const LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 0x00
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // 0x20 ' '
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 0x40 '@'
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 0x60 '`'
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 0x80
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 0xa0
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 0xc0
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 0xe0
  30, // EOS
];

export const EOS = 256;
const MAX_LENGTH = 30;

/** Symbols sorted by (length, symbol): the canonical order in which codes are handed out. */
const SORTED: readonly number[] = LENGTHS.map((_, sym) => sym).sort((a, b) => (LENGTHS[a] ?? 0) - (LENGTHS[b] ?? 0) || a - b);

/** Per length: the first code of that length, and where its symbols start in SORTED. */
const FIRST = new Array<number>(MAX_LENGTH + 1).fill(0);
const START = new Array<number>(MAX_LENGTH + 1).fill(0);
const COUNT = new Array<number>(MAX_LENGTH + 1).fill(0);
/** The code of each symbol, MSB-first in the low `LENGTHS[sym]` bits. */
const CODES = new Array<number>(LENGTHS.length).fill(0);

{
  for (const len of LENGTHS) COUNT[len] = (COUNT[len] ?? 0) + 1;
  let code = 0;
  let start = 0;
  for (let len = 1; len <= MAX_LENGTH; len++) {
    FIRST[len] = code;
    START[len] = start;
    const count = COUNT[len] ?? 0;
    for (let i = 0; i < count; i++) CODES[SORTED[start + i] ?? 0] = code + i;
    start += count;
    code = (code + count) * 2;
  }
  // A complete prefix code uses every 30-bit pattern exactly once (Kraft sum 1): this is what
  // makes decoding total, and a typo in LENGTHS would break it.
  if (code !== 2 ** (MAX_LENGTH + 1) || start !== LENGTHS.length) throw new Error('HPACK Huffman code lengths do not form a complete code');
}

/** The Appendix B code of `symbol` (0..256), for tests and diagnostics. */
export function huffmanCode(symbol: number): { code: number; length: number } {
  const length = LENGTHS[symbol];
  if (length === undefined || !Number.isInteger(symbol)) throw new RangeError(`no Huffman symbol ${symbol}`);
  return { code: CODES[symbol] ?? 0, length };
}

/**
 * Decodes a Huffman-coded string literal. Bit by bit, because header strings are short and a
 * recorder is not a hot path; the canonical structure makes each step two comparisons.
 */
export function huffmanDecode(bytes: Uint8Array): Buffer {
  // The shortest code is 5 bits, so the output is at most 8/5 of the input.
  const out = Buffer.allocUnsafe(Math.ceil((bytes.length * 8) / 5));
  let n = 0;
  let code = 0;
  let len = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    for (let bit = 7; bit >= 0; bit--) {
      code = code * 2 + ((byte >> bit) & 1);
      len++;
      const offset = code - (FIRST[len] ?? 0);
      // Codes of this length are FIRST..FIRST+COUNT-1; anything above is a prefix of a longer code.
      if (offset >= (COUNT[len] ?? 0)) continue;
      const sym = SORTED[(START[len] ?? 0) + offset] ?? 0;
      // §5.2: "A Huffman-encoded string literal containing the EOS symbol MUST be treated as a decoding error."
      if (sym === EOS) throw new HpackError(`Huffman string contains the EOS symbol (at byte ${i} of ${bytes.length})`);
      out[n++] = sym;
      code = 0;
      len = 0;
    }
  }
  // §5.2: the tail must be the most significant bits of EOS (all ones), and shorter than an octet.
  if (len > 7) throw new HpackError(`Huffman padding is ${len} bits long, more than 7`);
  if (code !== 2 ** len - 1) throw new HpackError(`Huffman padding ${code.toString(2).padStart(len, '0')} is not all ones`);
  return out.subarray(0, n);
}
