import { expect } from 'chai';
import { createParser, parseWhole, type FramedMessage, type FramingParser, type FramingSpec } from '../runner/framing/index.js';
import { mulberry32 } from './helpers/random.js';

/**
 * Every parser must yield the same messages however the body is split (requirements §4.5):
 * each case is parsed whole, in 1-, 2- and 3-byte pieces and in seeded random pieces, and all
 * results must be identical (ignoring `t`) and equal to the expectation.
 */

interface Expected {
  data: string;
  fields?: Record<string, string>;
  start?: number;
  end?: number;
}

interface Case {
  name: string;
  framing: FramingSpec;
  contentType?: string;
  input: string | Buffer;
  messages: Array<string | Expected>;
  partial?: string | null;
  /** one pattern per expected problem, in order; omitted = no problems */
  problems?: RegExp[];
  /** format-specific state after the whole input, compared with the parser's own fields */
  state?: Record<string, unknown>;
}

const SSE: FramingSpec = { type: 'sse' };
const NDJSON: FramingSpec = { type: 'ndjson' };
const LP: FramingSpec = { type: 'length-prefixed' };
const MP: FramingSpec = { type: 'multipart' };
const delim = (value: string): FramingSpec => ({ type: 'delimiter', value });
const msg = (data: string, fields: Record<string, string>): Expected => ({ data, fields });
const ev = (data: string, lastEventId = '', event = 'message', id?: string): Expected =>
  msg(data, id === undefined ? { event, lastEventId } : { event, lastEventId, id });

const CASES: Case[] = [
  // WHATWG HTML §9.2.6 examples
  {
    name: 'sse: stock ticker (multi-line data)',
    framing: SSE,
    input: 'data: YHOO\ndata: +2\ndata: 10\n\n',
    messages: [ev('YHOO\n+2\n10')],
  },
  {
    name: 'sse: comment block, ids, data without space, empty id, final block without blank line',
    framing: SSE,
    input: ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n',
    messages: [ev('first event', '1', 'message', '1'), ev('second event', '', 'message', '')],
    partial: 'data:  third event\n',
    state: { comments: 1, lastEventId: '' },
  },
  {
    name: 'sse: empty data, lone newline data, trailing data: not dispatched',
    framing: SSE,
    input: 'data\n\ndata\ndata\n\ndata:',
    messages: [ev(''), ev('\n')],
    partial: 'data:',
  },
  {
    name: 'sse: one optional space after the colon',
    framing: SSE,
    input: 'data:test\n\ndata: test\n\n',
    messages: [ev('test'), ev('test')],
  },
  { name: 'sse: only one leading space stripped', framing: SSE, input: 'data:  x \n\n', messages: [ev(' x ')] },
  {
    name: 'sse: event, id and retry',
    framing: SSE,
    input: 'event: add\nid: 7\nretry: 3000\ndata: x\n\n',
    messages: [{ ...ev('x', '7', 'add', '7'), start: 0, end: 38 }],
    state: { retry: 3000, lastEventId: '7' },
  },
  {
    name: 'sse: CR, LF and CRLF line endings mixed',
    framing: SSE,
    input: 'data: a\rdata: b\r\n\r\ndata: c\n\r: x\r\n',
    messages: [
      { ...ev('a\nb'), start: 0, end: 18 },
      { ...ev('c'), start: 19, end: 28 },
    ],
    state: { lineEndings: ['cr', 'crlf', 'lf'], comments: 1 },
  },
  {
    name: 'sse: a message completed by the CR of a CRLF blank line',
    framing: SSE,
    input: 'data: a\r\n\r',
    messages: [{ ...ev('a'), start: 0, end: 10 }],
    partial: null,
  },
  { name: 'sse: leading BOM stripped', framing: SSE, input: '\uFEFFdata: x\n\n', messages: [{ ...ev('x'), start: 3, end: 12 }] },
  {
    name: 'sse: a second BOM is part of the field name',
    framing: SSE,
    input: '\uFEFF\uFEFFdata: x\n\ndata: y\n\uFEFFdata: z\n\n',
    messages: [ev('y')],
    problems: [/line 1 \(byte 3\): U\+FEFF \(BOM\) at the start of a line/, /line 4 \(byte 23\): U\+FEFF/],
  },
  {
    name: 'sse: final event without blank line is partial',
    framing: SSE,
    input: 'data: a\n\ndata: b\n',
    messages: [ev('a')],
    partial: 'data: b\n',
  },
  {
    name: 'sse: comment inside a pending block kept in partial',
    framing: SSE,
    input: 'id: 3\n: hb\ndata: b',
    messages: [],
    partial: 'id: 3\n: hb\ndata: b',
    state: { lastEventId: '' },
  },
  {
    name: 'sse: id containing NUL is ignored',
    framing: SSE,
    input: 'id: 1\n\nid: a\u0000b\ndata: x\n\n',
    messages: [ev('x', '1')],
    problems: [/line 3 \(byte 7\): id "a\\u0000b" contains U\+0000 NULL/],
  },
  {
    name: 'sse: retry with non-digits ignored',
    framing: SSE,
    input: 'retry: 5s\nretry: 3000.0\nretry: -1\nretry:\ndata: x\n\n',
    messages: [ev('x')],
    problems: [/retry "5s" is not only ASCII digits/, /retry "3000.0"/, /retry "-1"/, /retry ""/],
    state: { retry: null },
  },
  {
    name: 'sse: multi-byte UTF-8 split anywhere',
    framing: SSE,
    input: 'data: héllo €𝄞\n\n',
    messages: [{ ...ev('héllo €𝄞'), start: 0, end: 22 }],
  },
  {
    name: 'sse: invalid UTF-8 decoded as U+FFFD',
    framing: SSE,
    input: Buffer.concat([Buffer.from('data: a'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('b\n\n')]),
    messages: [ev('a\uFFFD\uFFFDb')],
    problems: [/line 1 \(byte 0\): invalid UTF-8/],
  },
  {
    name: 'sse: field names differing by case or with space before the colon',
    framing: SSE,
    input: 'Data: a\ndata : b\nDATA\n data: c\n\ndata: ok\n\n',
    messages: [ev('ok')],
    problems: [
      /"Data" is not "data" \(different letter case\)/,
      /"data " is not "data" \(whitespace/,
      /"DATA" is not "data"/,
      /" data" is not "data" \(whitespace/,
    ],
    state: {
      unknownFields: [
        ['Data', 1],
        ['data ', 1],
        ['DATA', 1],
        [' data', 1],
      ],
    },
  },
  {
    name: 'sse: id-only block updates lastEventId without dispatch',
    framing: SSE,
    input: 'id: 5\n\n',
    messages: [],
    state: { lastEventId: '5' },
  },
  {
    name: 'sse: empty id resets the last event ID',
    framing: SSE,
    input: 'id: 5\ndata: a\n\nid\ndata: b\n\n',
    messages: [ev('a', '5', 'message', '5'), ev('b', '', 'message', '')],
  },
  {
    name: 'sse: event type resets after dispatch',
    framing: SSE,
    input: 'event: x\ndata: 1\n\ndata: 2\n\n',
    messages: [ev('1', '', 'x'), ev('2')],
  },
  {
    name: 'sse: unknown fields ignored, not problems',
    framing: SSE,
    input: 'foo: bar\ndata: x\n\n',
    messages: [ev('x')],
    state: { unknownFields: [['foo', 1]] },
  },
  {
    name: 'sse: comments are heartbeats',
    framing: SSE,
    input: ': hb\n:\n\ndata: x\n\n: hb\n',
    messages: [{ ...ev('x'), start: 8, end: 17 }],
    state: { comments: 3 },
  },
  {
    name: 'sse: CR at the very end counts as a line ending',
    framing: SSE,
    input: 'data: x\n\r',
    messages: [ev('x')],
    state: { lineEndings: ['cr', 'lf'] },
  },

  {
    name: 'ndjson: LF, CRLF and empty heartbeat lines',
    framing: NDJSON,
    input: '{"a":1}\n\n[1,2]\r\n\r\n"s"\n',
    messages: [
      { data: '{"a":1}', start: 0, end: 8 },
      { data: '[1,2]', start: 9, end: 16 },
      { data: '"s"', start: 18, end: 22 },
    ],
    state: { lineEndings: ['crlf', 'lf'], heartbeats: 2 },
  },
  {
    name: 'ndjson: a line that is not JSON',
    framing: NDJSON,
    input: '{"a":1}\nnot json\n{"b":2}\n',
    messages: ['{"a":1}', '{"b":2}'],
    problems: [/line 2 \(byte 8\): not a JSON value .*"not json"/],
  },
  { name: 'ndjson: unterminated tail is partial', framing: NDJSON, input: '{"a":1}\n{"b"', messages: ['{"a":1}'], partial: '{"b"' },
  { name: 'ndjson: tail that parses is still partial without its LF', framing: NDJSON, input: '1\n23', messages: ['1'], partial: '23' },
  { name: 'ndjson: multi-byte UTF-8', framing: NDJSON, input: '{"s":"€𝄞"}\r\n', messages: ['{"s":"€𝄞"}'] },
  {
    name: 'ndjson: BOM ignored and reported',
    framing: NDJSON,
    input: '\uFEFF{"a":1}\n',
    messages: [{ data: '{"a":1}', start: 3, end: 11 }],
    problems: [/starts with a UTF-8 BOM/],
  },

  {
    name: 'delimiter: record separator, empty message is a heartbeat',
    framing: delim('\u001e'),
    input: 'a\u001eb\u001e\u001ec',
    messages: [
      { data: 'a', start: 0, end: 2 },
      { data: 'b', start: 2, end: 4 },
    ],
    partial: 'c',
    state: { heartbeats: 1 },
  },
  {
    name: 'delimiter: multi-character delimiter with a false start',
    framing: delim('<EOM>'),
    input: 'x<E<EOM>y<EO',
    messages: [{ data: 'x<E', start: 0, end: 8 }],
    partial: 'y<EO',
  },
  { name: 'delimiter: multi-byte UTF-8 delimiter', framing: delim('€€'), input: 'a€€b€c€€', messages: ['a', 'b€c'] },
  { name: 'delimiter: self-overlapping delimiter', framing: delim('aab'), input: 'aaabxaab', messages: ['a', 'x'] },
  {
    name: 'delimiter: blank-line delimiter',
    framing: delim('\n\n'),
    input: '{"a":1}\n\n{"b":\n2}\n\n\n',
    messages: ['{"a":1}', '{"b":\n2}'],
    partial: '\n',
  },

  {
    name: 'length-prefixed: LF and CRLF, keep-alive, empty message',
    framing: LP,
    input: '5\nhello3\r\nabc\r\n0\n',
    messages: [
      { data: 'hello', start: 0, end: 7 },
      { data: 'abc', start: 7, end: 13 },
      { data: '', start: 15, end: 17 },
    ],
    state: { heartbeats: 1 },
  },
  {
    name: 'length-prefixed: length counts bytes, payload may hold newlines',
    framing: LP,
    input: '3\n€5\na\nb\r\n\n',
    messages: ['€', 'a\nb\r\n'],
    state: { heartbeats: 1 },
  },
  {
    name: 'length-prefixed: garbage where a length belongs loses framing',
    framing: LP,
    input: '5\nhelloxyz\n3\nabc',
    messages: ['hello'],
    partial: 'xyz\n3\nabc',
    problems: [/byte 7: expected "<decimal length>\\n" before message 2, got byte 0x78/],
  },
  { name: 'length-prefixed: unfinished payload is partial', framing: LP, input: '2\nok10\nabc', messages: ['ok'], partial: '10\nabc' },
  {
    name: 'length-prefixed: CR not followed by LF',
    framing: LP,
    input: '4\rabcd',
    messages: [],
    partial: '4\rabcd',
    problems: [/byte 2: .*a CR after the length not followed by LF/],
  },

  {
    name: 'multipart: preamble, headers, close delimiter, epilogue',
    framing: MP,
    contentType: 'multipart/mixed; boundary="frontier"',
    input:
      'preamble\r\n--frontier\r\nContent-Type: text/plain\r\n\r\nhello\r\n--frontier\r\nContent-Type: application/json\r\nX-Seq: 2\r\n\r\n{"a":1}\r\n--frontier--\r\nepilogue',
    messages: [
      { data: 'hello', fields: { 'content-type': 'text/plain' }, start: 22, end: 67 },
      { data: '{"a":1}', fields: { 'content-type': 'application/json', 'x-seq': '2' }, start: 69, end: 132 },
    ],
  },
  {
    name: 'multipart: a part completes only when the next delimiter arrives',
    framing: MP,
    contentType: 'multipart/x-mixed-replace;boundary=b',
    input: '--b\r\n\r\none\r\n--b\r\n\r\ntwo',
    messages: [msg('one', {})],
    partial: '\r\ntwo',
  },
  {
    name: 'multipart: near-boundary text stays in the body',
    framing: MP,
    contentType: 'multipart/mixed; boundary=frontier',
    input: '--frontier\r\n\r\na\r\n--front\r\nb\r\n--frontier--',
    messages: [msg('a\r\n--front\r\nb', {})],
  },
  {
    name: 'multipart: empty body (blank line doubles as the delimiter CRLF)',
    framing: MP,
    contentType: 'multipart/mixed; boundary=b',
    input: '--b\r\nX: 1\r\n\r\n--b--',
    messages: [msg('', { x: '1' })],
  },
  {
    name: 'multipart: bare LF accepted and reported once',
    framing: MP,
    contentType: 'multipart/mixed; boundary=b',
    input: '--b\n\nx\n--b--\n',
    messages: [msg('x', {})],
    problems: [/byte 3: line ended with a bare LF/],
  },
  {
    name: 'multipart: no boundary parameter',
    framing: MP,
    contentType: 'multipart/mixed',
    input: '--b\r\n\r\nx\r\n--b--',
    messages: [],
    partial: '--b\r\n\r\nx\r\n--b--',
    problems: [/has no boundary parameter/],
  },
  {
    name: 'multipart: stream cut inside a boundary line',
    framing: MP,
    contentType: 'multipart/mixed; boundary=b',
    input: '--b\r\n\r\nx\r\n--b\r',
    messages: [msg('x', {})],
    partial: '--…\r',
  },
];

interface Outcome {
  messages: FramedMessage[];
  partial: string | null;
  problems: string[];
  state: Record<string, unknown>;
}

/** Splits into pieces of the given sizes (cycled), each pushed with t = offset of its first byte. */
function run(c: Case, sizes: (i: number) => number): Outcome {
  const parser = createParser(c.framing, c.contentType);
  const body = typeof c.input === 'string' ? Buffer.from(c.input, 'utf8') : c.input;
  const messages: FramedMessage[] = [];
  for (let pos = 0, i = 0; pos < body.length; i++) {
    const n = Math.max(1, sizes(i));
    messages.push(...parser.push(body.subarray(pos, pos + n), pos));
    pos += n;
  }
  const { partial } = parser.finish();
  return { messages, partial, problems: parser.problems, state: stateOf(parser) };
}

/** The parser's format-specific fields, in comparable form. */
function stateOf(parser: FramingParser): Record<string, unknown> {
  const out: Record<string, unknown> = { heartbeats: parser.heartbeatTimes.length };
  for (const key of ['lastEventId', 'retry', 'comments']) {
    if (key in parser) out[key] = Reflect.get(parser, key);
  }
  const endings: unknown = Reflect.get(parser, 'lineEndings');
  if (endings instanceof Set) out['lineEndings'] = [...endings].map(String).sort();
  const unknown: unknown = Reflect.get(parser, 'unknownFields');
  if (unknown instanceof Map) out['unknownFields'] = [...unknown.entries()];
  return out;
}

const withoutT = (ms: FramedMessage[]): Array<Omit<FramedMessage, 't'>> => ms.map(({ t: _t, ...rest }) => rest);

describe('framing parsers: same messages whatever the read boundaries', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const whole = run(c, () => Number.MAX_SAFE_INTEGER);
      const rand = mulberry32(c.name.length * 7919);
      const splits: Array<[string, Outcome]> = [
        ['1-byte pieces', run(c, () => 1)],
        ['2-byte pieces', run(c, () => 2)],
        ['3-byte pieces', run(c, () => 3)],
        ['random pieces', run(c, () => 1 + Math.floor(rand() * 5))],
      ];
      for (const [how, got] of splits) {
        expect(withoutT(got.messages), `${how}: messages`).to.deep.equal(withoutT(whole.messages));
        expect(got.partial, `${how}: partial`).to.equal(whole.partial);
        expect(got.problems, `${how}: problems`).to.deep.equal(whole.problems);
        expect(got.state, `${how}: state`).to.deep.equal(whole.state);
      }

      // With 1-byte pieces t is the offset of the byte that completed the message.
      for (const m of splits[0]?.[1].messages ?? []) expect(m.t, `t of message ending at ${m.end}`).to.equal(m.end - 1);

      const got = withoutT(whole.messages);
      expect(
        got.map((m) => m.data),
        'message data',
      ).to.deep.equal(c.messages.map((m) => (typeof m === 'string' ? m : m.data)));
      c.messages.forEach((want, i) => {
        if (typeof want === 'string') return;
        const m = got[i];
        if (want.fields !== undefined) expect(m?.fields, `message ${i} fields`).to.deep.equal(want.fields);
        if (want.start !== undefined) expect(m?.start, `message ${i} start`).to.equal(want.start);
        if (want.end !== undefined) expect(m?.end, `message ${i} end`).to.equal(want.end);
      });
      expect(whole.partial, 'partial').to.equal(c.partial ?? null);
      const patterns = c.problems ?? [];
      expect(whole.problems, 'problems').to.have.length(patterns.length);
      patterns.forEach((p, i) => expect(whole.problems[i]).to.match(p));
      for (const [key, value] of Object.entries(c.state ?? {})) expect(whole.state[key], `state ${key}`).to.deep.equal(value);
    });
  }

  it('parseWhole replays recorded reads so messages carry their arrival times', () => {
    const body = Buffer.from('data: a\n\ndata: b\n\n');
    const reads = [
      { t: 100, size: 5, offset: 0 },
      { t: 250, size: 6, offset: 5 },
      { t: 400, size: 7, offset: 11 },
    ];
    const r = parseWhole({ type: 'sse' }, body, reads);
    expect(r.messages.map((m) => [m.data, m.t])).to.deep.equal([
      ['a', 250],
      ['b', 400],
    ]);
    expect(r.partial).to.equal(null);
    expect(r.problems).to.deep.equal([]);
  });

  it('parseWhole pushes bytes no read covers with the time of the next read', () => {
    const body = Buffer.from('1\n2\n3\n');
    const r = parseWhole({ type: 'ndjson' }, body, [{ t: 7, size: 2, offset: 2 }]);
    expect(r.messages.map((m) => [m.data, m.t])).to.deep.equal([
      ['1', 7],
      ['2', 7],
      ['3', 7],
    ]);
  });

  it('parseWhole takes the multipart boundary from the Content-Type', () => {
    const r = parseWhole({ type: 'multipart' }, Buffer.from('--xy\r\n\r\nhi\r\n--xy--'), undefined, 'multipart/mixed; boundary=xy');
    expect(r.messages.map((m) => m.data)).to.deep.equal(['hi']);
    expect(r.partial).to.equal(null);
  });

  it('the same stream gives the same messages under a thousand random splits', () => {
    const input = Buffer.from('\uFEFF: hi\r\nevent: e\r\nid: 1\rdata: ä€𝄞\r\ndata:x\n\n\r\r: hb\ndata: y\r\n\r\ndata: z', 'utf8');
    const c: Case = { name: 'fuzz', framing: SSE, input, messages: [] };
    const ref = run(c, () => Number.MAX_SAFE_INTEGER);
    expect(ref.messages.map((m) => m.data)).to.deep.equal(['ä€𝄞\nx', 'y']);
    const rand = mulberry32(42);
    for (let trial = 0; trial < 1000; trial++) {
      const got = run(c, () => 1 + Math.floor(rand() * 8));
      expect(withoutT(got.messages), `trial ${trial}`).to.deep.equal(withoutT(ref.messages));
      expect(got.partial).to.equal(ref.partial);
      expect(got.state).to.deep.equal(ref.state);
    }
  });
});
