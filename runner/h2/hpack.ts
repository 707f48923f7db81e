/**
 * HPACK decoder (RFC 7541) for the HTTP/2 recorder: turns header blocks (HEADERS plus its
 * CONTINUATION payloads, already joined) back into field lists. Decoding only; the recorder taps
 * frames and never encodes. One decoder per connection direction, fed every header block of that
 * direction in order, because the dynamic table is shared state (§2.2).
 */
import { HPACK_ERROR_CODE, HpackError, huffmanDecode } from './huffman.js';

export { HpackError } from './huffman.js';

export type HeaderField = [name: string, value: string];

/** Duck-typed so an error crossing a module-instance boundary (two copies of the package) still counts. */
export function isHpackError(e: unknown): e is HpackError {
  return e instanceof HpackError || (e instanceof Error && (e as { code?: unknown }).code === HPACK_ERROR_CODE);
}

/** Appendix A. Index 1 is STATIC_TABLE[0]. */
const STATIC_TABLE: readonly HeaderField[] = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

/** §4.1: an entry costs its octets plus 32 for the implementation's bookkeeping. */
const ENTRY_OVERHEAD = 32;

/**
 * §5.1 leaves the limit to the implementation ("exceed implementation limits ... MUST be treated as
 * a decoding error"). 2^31-1 is far beyond any real index, length or table size, and keeps the
 * arithmetic exact.
 */
const MAX_INTEGER = 2 ** 31 - 1;

/** Reads one block; a fresh cursor per decode() call keeps the decoder's own state to the table. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  peek(): number {
    return this.buf[this.pos] ?? 0;
  }

  /** §5.1: an N-bit prefix integer, starting at the current octet (the caller has looked at its flag bits). */
  integer(prefixBits: number, what: string): number {
    const start = this.pos;
    const max = 2 ** prefixBits - 1;
    let value = this.byte(what) & max;
    if (value < max) return value;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte(what);
      value += (b & 0x7f) * 2 ** shift;
      if (value > MAX_INTEGER) throw new HpackError(`${what} at offset ${start} exceeds 2^31-1`);
      if ((b & 0x80) === 0) return value;
      // Five continuation octets already carry 35 bits; a sixth can only be overlong zero padding,
      // an octet-length limit §5.1 lets us enforce.
      if (shift >= 28) throw new HpackError(`${what} at offset ${start} has more than 5 continuation octets`);
    }
  }

  /** §5.2: H flag, 7-bit length, then that many octets, Huffman-coded when H is set. */
  string(what: string): string {
    const start = this.pos;
    const huffman = (this.peek() & 0x80) !== 0;
    const length = this.integer(7, `${what} length`);
    if (length > this.buf.length - this.pos) {
      throw new HpackError(`${what} at offset ${start} is ${length} octets but only ${this.buf.length - this.pos} remain in the block`);
    }
    const raw = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    if (!huffman) return raw.toString('latin1');
    try {
      return huffmanDecode(raw).toString('latin1');
    } catch (e) {
      if (isHpackError(e)) throw new HpackError(`${what} at offset ${start}: ${e.message}`);
      throw e;
    }
  }

  private byte(what: string): number {
    const b = this.buf[this.pos];
    if (b === undefined) throw new HpackError(`block ends inside the ${what} (offset ${this.pos})`);
    this.pos++;
    return b;
  }
}

export class HpackDecoder {
  /** Newest entry last, so insertion is a push and eviction a shift; index 62 is the last element. */
  private readonly entries: HeaderField[] = [];
  private size = 0;
  /** The size the encoder has chosen (§6.3), never above `limit`. */
  private capacity: number;
  /** The protocol maximum: SETTINGS_HEADER_TABLE_SIZE as acknowledged (§4.2). */
  private limit: number;
  /**
   * After the limit dropped below the table's capacity, the next block must start with a size
   * update no larger than the smallest limit in between (§4.2); undefined when none is owed.
   */
  private owedUpdate: number | undefined;
  /** A failed block leaves the table in an unknown state, and HTTP/2 ends the connection (RFC 9113 §4.3). */
  private failure: string | undefined;

  constructor(maxTableSize = 4096) {
    checkTableSize(maxTableSize);
    this.capacity = maxTableSize;
    this.limit = maxTableSize;
  }

  /**
   * The decoding side's SETTINGS_HEADER_TABLE_SIZE took effect: call it when the encoding side's
   * SETTINGS ACK is seen in this direction, before the header blocks that follow it.
   */
  setMaxTableSize(n: number): void {
    checkTableSize(n);
    this.limit = n;
    // Growing needs no signal (the encoder may keep its smaller table); shrinking below the table
    // in use does, with the smallest value seen (nghttp2 reads §4.2 the same way).
    if (n < this.capacity) this.owedUpdate = Math.min(n, this.owedUpdate ?? n);
  }

  /** Octets in use by the dynamic table (§4.1). */
  get dynamicTableSize(): number {
    return this.size;
  }

  /** The maximum the encoder currently uses (§6.3). */
  get dynamicTableCapacity(): number {
    return this.capacity;
  }

  /** Dynamic table entries, index 62 first (newest first). */
  dynamicTable(): HeaderField[] {
    return this.entries.map(([name, value]): HeaderField => [name, value]).reverse();
  }

  /** Decodes one complete header block into its fields, in wire order. Throws HpackError. */
  decode(block: Buffer): HeaderField[] {
    if (this.failure !== undefined) throw new HpackError(`decoder is unusable after an earlier error: ${this.failure}`);
    try {
      return this.decodeBlock(block);
    } catch (e) {
      if (isHpackError(e)) this.failure = e.message;
      throw e;
    }
  }

  private decodeBlock(block: Buffer): HeaderField[] {
    if (this.owedUpdate !== undefined && ((block[0] ?? 0) & 0xe0) !== 0x20) {
      throw new HpackError(`block does not start with the dynamic table size update owed since the maximum dropped to ${this.owedUpdate}`);
    }
    const r = new Reader(block);
    const fields: HeaderField[] = [];
    while (!r.done) {
      const at = r.pos;
      const b = r.peek();
      if (b & 0x80) {
        // §6.1 indexed field
        const index = r.integer(7, 'index');
        if (index === 0) throw new HpackError(`indexed field at offset ${at} uses index 0`);
        fields.push(this.lookup(index, at));
      } else if (b & 0x40) {
        // §6.2.1 literal with incremental indexing: 6-bit name index, 0 for a literal name
        const field = this.literal(r, 6, at);
        fields.push(field);
        this.insert(field);
      } else if (b & 0x20) {
        // §6.3 dynamic table size update; §4.2 allows them only before the first field.
        if (fields.length > 0) throw new HpackError(`dynamic table size update at offset ${at} follows a header field`);
        const size = r.integer(5, 'table size');
        if (size > this.limit)
          throw new HpackError(`dynamic table size update to ${size} at offset ${at} exceeds the maximum ${this.limit}`);
        if (this.owedUpdate !== undefined && size > this.owedUpdate) {
          throw new HpackError(
            `dynamic table size update to ${size} at offset ${at} is above ${this.owedUpdate}, the smallest maximum since the last block`,
          );
        }
        this.owedUpdate = undefined;
        this.capacity = size;
        this.evict(0);
      } else {
        // §6.2.2 without indexing (0000) and §6.2.3 never indexed (0001): same shape, 4-bit name index.
        // The never-indexed bit matters to intermediaries re-encoding; a recorder only reads.
        fields.push(this.literal(r, 4, at));
      }
    }
    return fields;
  }

  private literal(r: Reader, prefixBits: number, at: number): HeaderField {
    const index = r.integer(prefixBits, 'name index');
    const name = index === 0 ? r.string('name') : this.lookup(index, at)[0];
    return [name, r.string('value')];
  }

  /** §2.3.3: one index space, static table first, then the dynamic table newest first. */
  private lookup(index: number, at: number): HeaderField {
    const entry =
      index <= STATIC_TABLE.length ? STATIC_TABLE[index - 1] : this.entries[this.entries.length - (index - STATIC_TABLE.length)];
    if (entry === undefined) {
      throw new HpackError(
        `index ${index} is beyond the static (${STATIC_TABLE.length}) and dynamic (${this.entries.length}) tables (at offset ${at})`,
      );
    }
    return [entry[0], entry[1]];
  }

  /** §4.4: evict from the oldest end until the new entry fits; an entry larger than the table just empties it. */
  private insert(field: HeaderField): void {
    const cost = field[0].length + field[1].length + ENTRY_OVERHEAD;
    if (cost > this.capacity) {
      this.entries.length = 0;
      this.size = 0;
      return;
    }
    this.evict(cost);
    this.entries.push(field);
    this.size += cost;
  }

  /** §4.3: drop the oldest entries until `room` more octets fit within the capacity. */
  private evict(room: number): void {
    while (this.size + room > this.capacity) {
      const oldest = this.entries.shift();
      if (oldest === undefined) break;
      this.size -= oldest[0].length + oldest[1].length + ENTRY_OVERHEAD;
    }
  }
}

function checkTableSize(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_INTEGER) throw new RangeError(`HPACK table size must be an integer in 0..2^31-1, got ${n}`);
}
