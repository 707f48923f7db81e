/**
 * The HPACK decoder against RFC 7541: the Appendix B code rebuilt from lengths, the Appendix C
 * examples byte for byte (dynamic table state included), the error cases the RFC makes decoding
 * errors, and a differential run against node:http2 (nghttp2's encoder) through a tapping TCP
 * forwarder, where Node's own decoded rawHeaders are the referee.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';
import { HpackDecoder, HpackError, isHpackError, type HeaderField } from '../runner/h2/hpack.js';
import { EOS, huffmanCode, huffmanDecode } from '../runner/h2/huffman.js';
import { mulberry32 } from './helpers/random.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Test-side encoder from the decoder's own code table; the Appendix C vectors keep both honest. */
function huffmanEncode(bytes: Uint8Array): Buffer {
  let bits = '';
  for (const b of bytes) {
    const { code, length } = huffmanCode(b);
    bits += code.toString(2).padStart(length, '0');
  }
  bits += '1'.repeat((8 - (bits.length % 8)) % 8);
  const out = Buffer.alloc(bits.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  return out;
}

function thrown(f: () => unknown): HpackError {
  try {
    f();
  } catch (e) {
    if (isHpackError(e)) return e;
    throw e;
  }
  throw new Error('expected an HpackError, nothing was thrown');
}

describe('HPACK Huffman code (RFC 7541 §5.2, Appendix B)', () => {
  it('rebuilds the Appendix B codes from the code lengths alone', () => {
    // [symbol, code as hex, length], read off Appendix B
    const known: Array<[number, number, number]> = [
      [0x00, 0x1ff8, 13],
      [0x01, 0x7fffd8, 23],
      [0x09, 0xffffea, 24],
      [0x0a, 0x3ffffffc, 30],
      [0x0d, 0x3ffffffd, 30],
      [0x16, 0x3ffffffe, 30],
      [0x20, 0x14, 6], // ' '
      [0x21, 0x3f8, 10], // '!'
      [0x26, 0xf8, 8], // '&'
      [0x30, 0x0, 5], // '0'
      [0x3a, 0x5c, 7], // ':'
      [0x3c, 0x7ffc, 15], // '<'
      [0x58, 0xfc, 8], // 'X'
      [0x5c, 0x7fff0, 19], // '\'
      [0x61, 0x3, 5], // 'a'
      [0x7a, 0x7b, 7], // 'z'
      [0x7b, 0x7ffe, 15], // '{'
      [0x7e, 0x1ffd, 13], // '~'
      [0x7f, 0xffffffc, 28],
      [0x80, 0xfffe6, 20],
      [0xc3, 0x7fff1, 19],
      [0xff, 0x3ffffee, 26],
      [EOS, 0x3fffffff, 30],
    ];
    for (const [sym, code, length] of known) expect(huffmanCode(sym), `symbol ${sym}`).to.deep.equal({ code, length });
  });

  it('is a complete prefix code: no code is a prefix of another, and every 30-bit pattern is used', () => {
    const all = Array.from({ length: 257 }, (_, sym) => huffmanCode(sym));
    expect(all.reduce((sum, c) => sum + 2 ** -c.length, 0)).to.equal(1);
    const bits = all.map((c) => c.code.toString(2).padStart(c.length, '0')).sort();
    for (let i = 1; i < bits.length; i++)
      expect((bits[i] ?? '').startsWith(bits[i - 1] ?? ''), `${bits[i - 1]} / ${bits[i]}`).to.equal(false);
  });

  it('decodes the Appendix C.4 strings', () => {
    expect(huffmanDecode(hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff')).toString('latin1')).to.equal('www.example.com');
    expect(huffmanDecode(hex('a8eb 1064 9cbf')).toString('latin1')).to.equal('no-cache');
    expect(huffmanDecode(hex('25a8 49e9 5ba9 7d7f')).toString('latin1')).to.equal('custom-key');
    expect(huffmanDecode(hex('25a8 49e9 5bb8 e8b4 bf')).toString('latin1')).to.equal('custom-value');
    expect(huffmanDecode(new Uint8Array(0)).length).to.equal(0);
  });

  it('round-trips every octet and seeded random strings', () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(huffmanDecode(huffmanEncode(every)).equals(every)).to.equal(true);
    const rand = mulberry32(0x7541);
    for (let trial = 0; trial < 200; trial++) {
      const s = Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
      expect(huffmanDecode(huffmanEncode(s)).equals(s), s.toString('hex')).to.equal(true);
    }
  });

  it('accepts up to 7 bits of all-ones padding', () => {
    // 0xc7 has a 25-bit code: 7 padding bits
    expect([...huffmanDecode(huffmanEncode(Buffer.from([0xc7])))]).to.deep.equal([0xc7]);
    expect(huffmanEncode(Buffer.from([0xc7])).length).to.equal(4);
  });

  it('rejects padding longer than 7 bits, padding that is not all ones, and EOS inside the string', () => {
    // 'a' is 00011: three bits of padding, then a whole octet of ones makes 11.
    expect(thrown(() => huffmanDecode(hex('1f ff'))).message).to.match(/padding is 11 bits long, more than 7/);
    expect(thrown(() => huffmanDecode(hex('ff'))).message).to.match(/padding is 8 bits long/);
    expect(thrown(() => huffmanDecode(hex('18'))).message).to.match(/padding 000 is not all ones/);
    expect(thrown(() => huffmanDecode(hex('1e'))).message).to.match(/padding 110 is not all ones/);
    // 30 ones are EOS; the two ones after it would be valid padding.
    expect(thrown(() => huffmanDecode(hex('ffff ffff'))).message).to.match(/EOS/);
    expect(thrown(() => huffmanDecode(Buffer.concat([huffmanEncode(Buffer.from('ab')), hex('ffff ffff')]))).message).to.match(/EOS/);
  });
});

describe('HPACK primitives and errors (RFC 7541 §4-§6)', () => {
  it('reads an integer continued over several octets (C.1.2: 1337 on a 5-bit prefix)', () => {
    const d = new HpackDecoder();
    expect(d.decode(hex('3f 9a 0a'))).to.deep.equal([]);
    expect(d.dynamicTableCapacity).to.equal(1337);
    expect(thrown(() => new HpackDecoder().decode(hex('ff ba 09'))).message).to.match(/^index 1337 is beyond/);
  });

  it('rejects integers above 2^31-1, overlong ones, and ones cut off by the block end', () => {
    expect(thrown(() => new HpackDecoder().decode(hex('ff ff ff ff ff 0f'))).message).to.match(/index at offset 0 exceeds 2\^31-1/);
    expect(thrown(() => new HpackDecoder().decode(hex('ff 80 80 80 80 80 00'))).message).to.match(/more than 5 continuation octets/);
    expect(thrown(() => new HpackDecoder().decode(hex('ff 80'))).message).to.match(/block ends inside the index/);
    // 2^31-1 itself is representable: 127 + 0x7fffff80
    expect(thrown(() => new HpackDecoder().decode(hex('ff 80 ff ff ff 07'))).message).to.match(/^index 2147483647 is beyond/);
  });

  it('rejects index 0 and indexes past both tables, naming the table sizes', () => {
    expect(thrown(() => new HpackDecoder().decode(hex('80'))).message).to.match(/index 0/);
    const d = new HpackDecoder();
    for (const block of C3) d.decode(hex(block.hex));
    expect(d.decode(hex('bf'))).to.deep.equal([['cache-control', 'no-cache']]);
    expect(thrown(() => d.decode(hex('be c6'))).message).to.equal(
      'index 70 is beyond the static (61) and dynamic (3) tables (at offset 1)',
    );
    // a literal's name index is checked the same way
    expect(thrown(() => new HpackDecoder().decode(hex('7f 00 00'))).message).to.match(
      /^index 63 is beyond the static \(61\) and dynamic \(0\)/,
    );
  });

  it('rejects a string longer than the rest of the block', () => {
    expect(thrown(() => new HpackDecoder().decode(hex('40 0a 61'))).message).to.match(/name at offset 1 is 10 octets but only 1 remain/);
    expect(thrown(() => new HpackDecoder().decode(hex('04 85 f1e3'))).message).to.match(/value at offset 1 is 5 octets/);
  });

  it('reports a bad Huffman string with its place in the block', () => {
    expect(thrown(() => new HpackDecoder().decode(hex('04 81 18'))).message).to.equal(
      'value at offset 1: Huffman padding 000 is not all ones',
    );
  });

  it('bounds table size updates by the maximum and allows them only at the block start (§4.2, §6.3)', () => {
    const d = new HpackDecoder(256);
    expect(thrown(() => d.decode(hex('3f e2 01'))).message).to.match(/size update to 257 at offset 0 exceeds the maximum 256/);
    expect(thrown(() => new HpackDecoder().decode(hex('82 20'))).message).to.match(/size update at offset 1 follows a header field/);
    // two updates in a row (smallest, then final) are allowed
    const e = new HpackDecoder();
    expect(e.decode(hex('20 3f e1 1f 82'))).to.deep.equal([[':method', 'GET']]);
    expect(e.dynamicTableCapacity).to.equal(4096);
  });

  it('owes a size update after the maximum drops below the table in use, and evicts on it', () => {
    const d = new HpackDecoder();
    for (const block of C3) d.decode(hex(block.hex));
    expect(d.dynamicTableSize).to.equal(164);
    d.setMaxTableSize(8192); // growing needs no signal
    expect(d.decode(hex('82'))).to.deep.equal([[':method', 'GET']]);
    d.setMaxTableSize(100);
    d.setMaxTableSize(200);
    const e = new HpackDecoder();
    e.setMaxTableSize(100);
    expect(thrown(() => e.decode(hex('82'))).message).to.match(
      /does not start with the dynamic table size update owed since the maximum dropped to 100/,
    );
    // 150 is within the final maximum (200) but above the smallest one in between (100)
    expect(thrown(() => d.decode(hex('3f 77 82'))).message).to.match(/size update to 150 .* above 100, the smallest maximum/);
    const f = new HpackDecoder();
    for (const block of C3) f.decode(hex(block.hex));
    f.setMaxTableSize(100);
    f.setMaxTableSize(200);
    expect(f.decode(hex('3f 45 3f a9 01 82'))).to.deep.equal([[':method', 'GET']]); // 100, then 200
    expect(f.dynamicTable()).to.deep.equal([['custom-key', 'custom-value']]);
    expect([f.dynamicTableSize, f.dynamicTableCapacity]).to.deep.equal([54, 200]);
  });

  it('empties the table for an entry larger than the table, without an error (§4.4)', () => {
    const d = new HpackDecoder(64);
    expect(d.decode(hex('41 0a 6162636465666768696a'))).to.deep.equal([[':authority', 'abcdefghij']]);
    expect(d.dynamicTableSize).to.equal(52);
    expect(d.decode(hex('41 20' + '61'.repeat(32)))).to.deep.equal([[':authority', 'a'.repeat(32)]]);
    expect([d.dynamicTable(), d.dynamicTableSize]).to.deep.equal([[], 0]);
  });

  it('keeps the never-indexed and without-indexing literals out of the table, and decodes latin1', () => {
    const d = new HpackDecoder();
    expect(d.decode(hex('10 01 78 02 e9ff 00 01 79 00'))).to.deep.equal([
      ['x', '\u00e9\u00ff'],
      ['y', ''],
    ]);
    expect(d.dynamicTable()).to.deep.equal([]);
  });

  it('refuses to go on after an error: the table is in an unknown state', () => {
    const d = new HpackDecoder();
    const first = thrown(() => d.decode(hex('80')));
    expect(first).to.be.instanceOf(HpackError);
    expect([first.name, first.code]).to.deep.equal(['HpackError', 'PUSHSPEC_E_HPACK']);
    expect(thrown(() => d.decode(hex('82'))).message).to.match(/unusable after an earlier error: indexed field at offset 0 uses index 0/);
    expect(isHpackError(new Error('x'))).to.equal(false);
    expect(isHpackError(Object.assign(new Error('x'), { code: 'PUSHSPEC_E_HPACK' }))).to.equal(true);
  });
});

interface Step {
  hex: string;
  fields: HeaderField[];
  table: HeaderField[];
  size: number;
}

const AUTH: HeaderField = [':authority', 'www.example.com'];
const NO_CACHE: HeaderField = ['cache-control', 'no-cache'];
const CUSTOM: HeaderField = ['custom-key', 'custom-value'];
const REQUESTS: Array<Omit<Step, 'hex'>> = [
  { fields: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], AUTH], table: [AUTH], size: 57 },
  { fields: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], AUTH, NO_CACHE], table: [NO_CACHE, AUTH], size: 110 },
  {
    fields: [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], AUTH, CUSTOM],
    table: [CUSTOM, NO_CACHE, AUTH],
    size: 164,
  },
];

const C3: Step[] = [
  '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
  '8286 84be 5808 6e6f 2d63 6163 6865',
  '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
].map((h, i) => ({ hex: h, ...(REQUESTS[i] as Omit<Step, 'hex'>) }));

const C4: Step[] = [
  '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
  '8286 84be 5886 a8eb 1064 9cbf',
  '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
].map((h, i) => ({ hex: h, ...(REQUESTS[i] as Omit<Step, 'hex'>) }));

const LOCATION: HeaderField = ['location', 'https://www.example.com'];
const DATE21: HeaderField = ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'];
const DATE22: HeaderField = ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'];
const PRIVATE: HeaderField = ['cache-control', 'private'];
const COOKIE: HeaderField = ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'];
const RESPONSES: Array<Omit<Step, 'hex'>> = [
  { fields: [[':status', '302'], PRIVATE, DATE21, LOCATION], table: [LOCATION, DATE21, PRIVATE, [':status', '302']], size: 222 },
  { fields: [[':status', '307'], PRIVATE, DATE21, LOCATION], table: [[':status', '307'], LOCATION, DATE21, PRIVATE], size: 222 },
  {
    fields: [[':status', '200'], PRIVATE, DATE22, LOCATION, ['content-encoding', 'gzip'], COOKIE],
    table: [COOKIE, ['content-encoding', 'gzip'], DATE22],
    size: 215,
  },
];

const C5: Step[] = [
  `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768
   7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`,
  '4803 3330 37c1 c0bf',
  `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153
   444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31`,
].map((h, i) => ({ hex: h, ...(RESPONSES[i] as Omit<Step, 'hex'>) }));

const C6: Step[] = [
  `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8
   e9ae 82ae 43d3`,
  '4883 640e ffc1 c0bf',
  `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b
   3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
].map((h, i) => ({ hex: h, ...(RESPONSES[i] as Omit<Step, 'hex'>) }));

describe('HPACK decoder: RFC 7541 Appendix C', () => {
  const single: Array<[string, string, HeaderField, HeaderField[]]> = [
    [
      'C.2.1 literal with indexing',
      '400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572',
      ['custom-key', 'custom-header'],
      [],
    ],
    ['C.2.2 literal without indexing', '040c 2f73 616d 706c 652f 7061 7468', [':path', '/sample/path'], []],
    ['C.2.3 literal never indexed', '1008 7061 7373 776f 7264 0673 6563 7265 74', ['password', 'secret'], []],
    ['C.2.4 indexed field', '82', [':method', 'GET'], []],
  ];
  for (const [title, h, field] of single) {
    it(title, () => {
      const d = new HpackDecoder();
      expect(d.decode(hex(h))).to.deep.equal([field]);
      const indexed = title.startsWith('C.2.1');
      expect(d.dynamicTable()).to.deep.equal(indexed ? [field] : []);
      expect(d.dynamicTableSize).to.equal(indexed ? 55 : 0);
    });
  }

  const sequences: Array<[string, Step[], number]> = [
    ['C.3 requests without Huffman coding', C3, 4096],
    ['C.4 requests with Huffman coding', C4, 4096],
    ['C.5 responses without Huffman coding, 256-octet table with eviction', C5, 256],
    ['C.6 responses with Huffman coding, 256-octet table with eviction', C6, 256],
  ];
  for (const [title, steps, tableSize] of sequences) {
    it(title, () => {
      const d = new HpackDecoder(tableSize);
      steps.forEach((step, i) => {
        expect(d.decode(hex(step.hex)), `block ${i + 1}`).to.deep.equal(step.fields);
        expect(d.dynamicTable(), `table after block ${i + 1}`).to.deep.equal(step.table);
        expect(d.dynamicTableSize, `table size after block ${i + 1}`).to.equal(step.size);
      });
    });
  }
});

// ---- differential against node:http2 ----

interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const HEADERS = 0x1;
const PUSH_PROMISE = 0x5;
const SETTINGS = 0x4;
const CONTINUATION = 0x9;
const SETTINGS_HEADER_TABLE_SIZE = 0x1;

/** RFC 9113 §4.1 frames; a trailing partial frame (cut off by the close) is left out. */
function framesOf(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  for (let at = 0; at + 9 <= bytes.length;) {
    const length = bytes.readUIntBE(at, 3);
    if (at + 9 + length > bytes.length) break;
    frames.push({
      type: bytes[at + 3] ?? 0,
      flags: bytes[at + 4] ?? 0,
      streamId: bytes.readUInt32BE(at + 5) & 0x7fffffff,
      payload: bytes.subarray(at + 9, at + 9 + length),
    });
    at += 9 + length;
  }
  return frames;
}

/** The HEADER_TABLE_SIZE each SETTINGS frame (not ACK) of one direction announces, in order. */
function tableSizesAnnounced(frames: Frame[]): Array<number | undefined> {
  return frames
    .filter((f) => f.type === SETTINGS && (f.flags & 0x1) === 0)
    .map((f) => {
      let size: number | undefined;
      for (let i = 0; i + 6 <= f.payload.length; i += 6)
        if (f.payload.readUInt16BE(i) === SETTINGS_HEADER_TABLE_SIZE) size = f.payload.readUInt32BE(i + 2);
      return size;
    });
}

/**
 * Decodes every header block of one direction in wire order with one decoder, applying the
 * other side's HEADER_TABLE_SIZE when this side acknowledges it (RFC 9113 §6.5.3, RFC 7541 §4.2).
 * Returns the flat [name, value, ...] list per block, grouped by stream.
 */
function decodeDirection(
  frames: Frame[],
  peerTableSizes: Array<number | undefined>,
): { byStream: Map<number, string[][]>; decoder: HpackDecoder } {
  const decoder = new HpackDecoder();
  const byStream = new Map<number, string[][]>();
  let acks = 0;
  let pending: { streamId: number; parts: Buffer[] } | undefined;
  for (const f of frames) {
    expect(f.type, 'no PUSH_PROMISE expected').to.not.equal(PUSH_PROMISE);
    if (f.type !== HEADERS && f.type !== CONTINUATION) {
      expect(pending, 'CONTINUATION must follow without other frames (RFC 9113 §6.10)').to.equal(undefined);
      // Each SETTINGS gets exactly one ACK, in order (RFC 9113 §6.5.3).
      if (f.type === SETTINGS && (f.flags & 0x1) !== 0) {
        const size = peerTableSizes[acks++];
        if (size !== undefined) decoder.setMaxTableSize(size);
      }
      continue;
    }
    let fragment = f.payload;
    if (f.type === HEADERS) {
      expect(pending, 'HEADERS inside an unfinished header block').to.equal(undefined);
      let start = 0;
      let end = fragment.length;
      if (f.flags & 0x8) {
        start = 1;
        end -= fragment[0] ?? 0; // PADDED: pad length octet, padding at the end
      }
      if (f.flags & 0x20) start += 5; // PRIORITY: stream dependency and weight
      fragment = fragment.subarray(start, end);
      pending = { streamId: f.streamId, parts: [] };
    }
    if (pending === undefined || pending.streamId !== f.streamId) throw new Error(`stray CONTINUATION on stream ${f.streamId}`);
    pending.parts.push(fragment);
    if (f.flags & 0x4) {
      const fields = decoder.decode(Buffer.concat(pending.parts));
      const list = byStream.get(pending.streamId) ?? [];
      list.push(fields.flat());
      byStream.set(pending.streamId, list);
      pending = undefined;
    }
  }
  return { byStream, decoder };
}

/** Deep equality with a short report: the huge values would drown chai's diff. */
function expectSameBlocks(actual: string[][] | undefined, expected: string[][], what: string): void {
  expect(actual, what).to.not.equal(undefined);
  const a = actual ?? [];
  expect(a.length, `${what}: header blocks`).to.equal(expected.length);
  const short = (x: string | undefined): string => (x === undefined ? '(none)' : JSON.stringify(x.length > 60 ? `${x.slice(0, 60)}…` : x));
  a.forEach((list, b) => {
    const exp = expected[b] ?? [];
    const at = Array.from({ length: Math.max(list.length, exp.length) }, (_, i) => i).find((i) => list[i] !== exp[i]);
    if (at !== undefined) expect.fail(`${what}, block ${b}, item ${at}: decoded ${short(list[at])}, Node has ${short(exp[at])}`);
  });
}

function rawList(raw: unknown, what: string): string[] {
  if (!Array.isArray(raw) || !raw.every((x): x is string => typeof x === 'string'))
    throw new Error(`${what}: no rawHeaders array from Node`);
  return raw;
}

/** Header fields nghttp2 will index, reuse from the table, Huffman-code or leave raw, and split over CONTINUATION. */
function responseHeaders(n: number, rand: () => number): http2.OutgoingHttpHeaders {
  const headers: http2.OutgoingHttpHeaders = {
    ':status': n === 1 ? 404 : 200,
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-cache, no-store, must-revalidate',
    'set-cookie': ['session=abc123; Path=/; HttpOnly', 'theme=dark; Path=/', `visit=${n}`],
    link: ['</a.css>; rel=preload; as=style', '</b.js>; rel=preload; as=script'],
    vary: 'accept-encoding',
    etag: `"v${n}-${'e'.repeat(n * 3)}"`,
    'x-request-number': String(n),
    'x-long': 'L'.repeat(1500), // indexed once, then an indexed field on later responses
    'x-huge': 'H'.repeat(5000), // larger than the whole table, so it cannot be indexed
    'x-raw': '<>{}|\\^`~'.repeat(4), // long codes: Huffman would be longer, so sent raw
    // RFC 9113 §8.2.1: no leading or trailing whitespace, or nghttp2 drops the field on receipt
    'x-printable': '!"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~',
    'x-empty': '',
    'x-latin1': 'caf\u00e9 \u00b5 \u00ff', // Node sends and reads header strings as latin1; so do we
    'www-authenticate': 'Basic realm="hpack"',
    'x-secret': `token-${n}`,
    [http2.sensitiveHeaders]: ['x-secret'], // §6.2.3 never indexed
  };
  for (let i = 0; i < 20; i++) headers[`x-field-${i}`] = `value ${i} of response ${n}`;
  // Over the 16384-octet default frame size, so the block continues in CONTINUATION frames.
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
  if (n === 2) headers['x-big'] = Array.from({ length: 30_000 }, () => chars[Math.floor(rand() * chars.length)]).join('');
  return headers;
}

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`expected a TCP address, got ${String(address)}`);
  return address.port;
}

describe('HPACK decoder: differential against node:http2 (nghttp2 encoder)', function () {
  this.timeout(10_000);

  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  for (const clientTableSize of [undefined, 256, 0]) {
    const title = clientTableSize === undefined ? 'the default 4096-octet table' : `SETTINGS_HEADER_TABLE_SIZE ${clientTableSize}`;
    it(`decodes both directions of three exchanges on one connection exactly as Node does, with ${title}`, async () => {
      const rand = mulberry32(0x2b2b);
      const serverRaw = new Map<number, string[]>();
      const server = http2.createServer();
      let served = 0;
      server.on('stream', (stream: http2.ServerHttp2Stream, _h: http2.IncomingHttpHeaders, _f: number, raw: unknown) => {
        if (stream.id === undefined) throw new Error('server stream has no id');
        serverRaw.set(stream.id, rawList(raw, `request on stream ${stream.id}`));
        stream.respond(responseHeaders(served++, rand));
        stream.end('ok');
      });
      const serverSessions = new Set<http2.ServerHttp2Session>();
      server.on('session', (s: http2.ServerHttp2Session) => serverSessions.add(s));
      const serverPort = await listen(server);
      closers.push(async () => {
        for (const s of serverSessions) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });

      // The tap: a TCP forwarder that keeps a copy of each direction.
      const toServer: Buffer[] = [];
      const toClient: Buffer[] = [];
      const sockets = new Set<net.Socket>();
      const forwarder = net.createServer((down) => {
        const up = net.connect(serverPort, '127.0.0.1');
        for (const s of [down, up]) {
          sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => sockets.delete(s));
        }
        down.on('data', (d: Buffer) => toServer.push(d));
        up.on('data', (d: Buffer) => toClient.push(d));
        down.pipe(up);
        up.pipe(down);
      });
      const forwarderPort = await listen(forwarder);
      closers.push(async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => forwarder.close(() => resolve()));
      });

      const session = http2.connect(
        `http://127.0.0.1:${forwarderPort}`,
        clientTableSize === undefined ? {} : { settings: { headerTableSize: clientTableSize } },
      );
      session.on('error', () => undefined);
      closers.push(async () => {
        if (session.closed) return;
        await new Promise<void>((resolve) => session.close(() => resolve()));
      });

      const clientRaw = new Map<number, string[]>();
      for (let n = 0; n < 3; n++) {
        const req = session.request({
          ':path': `/resource/${n}?q=${'x'.repeat(n * 10)}`,
          'user-agent': 'pushspec-hpack-test/1.0',
          accept: 'text/plain, */*;q=0.1',
          'accept-encoding': 'gzip, deflate',
          authorization: 'Bearer abcdef0123456789',
          'x-trace': `trace-${n}`,
          [http2.sensitiveHeaders]: ['x-trace'],
        });
        // rawHeaders, the third argument, is missing from @types/node 20, hence `unknown` and rawList().
        const raw = await new Promise<unknown>((resolve, reject) => {
          req.on('response', (_h: http2.IncomingHttpHeaders, _f: number, r: unknown) => resolve(r));
          req.on('error', reject);
        });
        req.resume();
        await once(req, 'end');
        if (req.id === undefined) throw new Error('request has no stream id');
        clientRaw.set(req.id, rawList(raw, `response on stream ${req.id}`));
      }

      const upBytes = Buffer.concat(toServer);
      expect(upBytes.subarray(0, PREFACE.length).equals(PREFACE), 'client connection preface').to.equal(true);
      const upFrames = framesOf(upBytes.subarray(PREFACE.length));
      const downFrames = framesOf(Buffer.concat(toClient));

      const { byStream: responses, decoder } = decodeDirection(downFrames, tableSizesAnnounced(upFrames));
      const { byStream: requests } = decodeDirection(upFrames, tableSizesAnnounced(downFrames));
      expect([...responses.keys()]).to.deep.equal([...clientRaw.keys()]);
      for (const [id, raw] of clientRaw) expectSameBlocks(responses.get(id), [raw], `response on stream ${id}`);
      expect([...requests.keys()]).to.deep.equal([...serverRaw.keys()]);
      for (const [id, raw] of serverRaw) expectSameBlocks(requests.get(id), [raw], `request on stream ${id}`);

      // The exchange must actually have exercised what it claims to.
      expect(
        downFrames.some((f) => f.type === CONTINUATION),
        'a CONTINUATION frame',
      ).to.equal(true);
      // nghttp2 signalled the lowered size (§6.3), and with room it kept entries to refer back to.
      expect(decoder.dynamicTableCapacity).to.equal(clientTableSize ?? 4096);
      if (clientTableSize === undefined) expect(decoder.dynamicTableSize).to.be.greaterThan(1500);
      const bigResponse = clientRaw.get(5) ?? [];
      expect(bigResponse[bigResponse.indexOf('x-big') + 1]?.length).to.equal(30_000);
    });
  }
});
