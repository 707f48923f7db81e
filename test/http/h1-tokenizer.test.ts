import { expect } from 'chai';
import { Http1Parser, type ParseEvent } from '../../proxies/http1.js';
import {
  chunkSizeLine,
  fieldLine,
  hasBareCr,
  isToken,
  lineText,
  requestLine,
  splitLines,
  statusLine,
  unfold,
} from '../../runner/http/h1-tokenizer.js';
import { ResponseParser } from '../../runner/wire/parser.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('runner/http HTTP/1 tokenizer (RFC 9112), the one both parsers use', () => {
  describe('line terminators (§2.2)', () => {
    it('takes CRLF and a lone LF as the end of a line, flagging the lone LF', () => {
      expect(lineText(bytes('Host: a\r'))).to.deep.equal({ text: 'Host: a', bareLf: false });
      expect(lineText(bytes('Host: a'))).to.deep.equal({ text: 'Host: a', bareLf: true });
      expect(lineText(bytes(''))).to.deep.equal({ text: '', bareLf: true });
      expect(splitLines('HTTP/1.1 200 OK\r\nA: 1\nB: 2\r')).to.deep.equal(['HTTP/1.1 200 OK', 'A: 1', 'B: 2']);
    });

    it('leaves a bare CR inside a line for the caller to see', () => {
      const { text } = lineText(bytes('X: a\rb\r'));
      expect(text).to.equal('X: a\rb');
      expect(hasBareCr(text)).to.equal(true);
      expect(fieldLine(text)).to.deep.equal({ kind: 'field', name: 'X', value: 'a\rb', wsBeforeColon: false });
      expect(hasBareCr('X: ab')).to.equal(false);
    });
  });

  describe('start lines (§3, §4)', () => {
    it('reads a status line with and without a reason-phrase', () => {
      expect(statusLine('HTTP/1.1 200 OK')).to.deep.equal({
        major: '1',
        minor: '1',
        code: { digits: '200', status: 200, reason: 'OK', sp: true },
      });
      expect(statusLine('HTTP/1.0 204 ')?.code).to.deep.equal({ digits: '204', status: 204, reason: '', sp: true });
      expect(statusLine('HTTP/1.1 200')?.code).to.deep.equal({ digits: '200', status: 200, reason: '', sp: false });
      expect(statusLine('HTTP/1.1 404 Not  Found ')?.code?.reason).to.equal('Not  Found ');
    });

    it('returns any version for the caller to judge, and no code where none is', () => {
      expect(statusLine('HTTP/2.0 200 OK')).to.include({ major: '2', minor: '0' });
      expect(statusLine('HTTP/1.1 20 OK')).to.deep.equal({ major: '1', minor: '1', code: null });
      expect(statusLine('HTTP/1.1  200 OK')?.code).to.equal(null);
      expect(statusLine('HTTP/11 200 OK')).to.equal(null);
      expect(statusLine('ICY 200 OK')).to.equal(null);
    });

    it('reads a request line and refuses one with extra whitespace or a non-token method', () => {
      expect(requestLine('GET /a?b=c HTTP/1.1')).to.deep.equal({ method: 'GET', target: '/a?b=c', version: '1.1' });
      expect(requestLine('OPTIONS * HTTP/1.0')).to.deep.equal({ method: 'OPTIONS', target: '*', version: '1.0' });
      expect(requestLine('GET  /a HTTP/1.1')).to.equal(null);
      expect(requestLine('GET /a HTTP/1.1 ')).to.equal(null);
      expect(requestLine('G(T /a HTTP/1.1')).to.equal(null);
      expect(requestLine('GET /a\rb HTTP/1.1')).to.equal(null);
    });
  });

  describe('field lines (§5)', () => {
    it('splits name and value, trimming OWS (SP and HTAB) only', () => {
      expect(fieldLine('Content-Type:\t text/plain \t')).to.deep.equal({
        kind: 'field',
        name: 'Content-Type',
        value: 'text/plain',
        wsBeforeColon: false,
      });
      expect(fieldLine('X-Empty:')).to.deep.equal({ kind: 'field', name: 'X-Empty', value: '', wsBeforeColon: false });
      expect(fieldLine('X: a:b')).to.include({ name: 'X', value: 'a:b' });
      expect(fieldLine('X: \u00a0v\u00a0')).to.include({ value: '\u00a0v\u00a0' });
    });

    it('flags and removes whitespace before the colon (§5.1: 400 for a request, removed from a response)', () => {
      expect(fieldLine('X-Sp \t: v')).to.deep.equal({ kind: 'field', name: 'X-Sp', value: 'v', wsBeforeColon: true });
    });

    it('reports a whitespace-led line as obs-fold (§5.2), unfolded with one SP', () => {
      expect(fieldLine('   more text ')).to.deep.equal({ kind: 'fold', more: 'more text' });
      expect(fieldLine('\tX: y')).to.deep.equal({ kind: 'fold', more: 'X: y' });
      expect(unfold('a', 'b')).to.equal('a b');
      expect(unfold('', 'b')).to.equal('b');
    });

    it('says when there is no colon, and leaves the token check of the name to the caller', () => {
      expect(fieldLine('Not a header')).to.deep.equal({ kind: 'no-colon' });
      expect(fieldLine(': v')).to.deep.equal({ kind: 'field', name: '', value: 'v', wsBeforeColon: false });
      expect(fieldLine('X Y: v')).to.include({ name: 'X Y' });
      expect([isToken('X-Y'), isToken('X Y'), isToken(''), isToken("!#$%&'*+-.^_`|~")]).to.deep.equal([true, false, false, true]);
    });
  });

  describe('chunk-size lines (§7.1)', () => {
    it('reads the size and keeps the extensions as sent, quoted strings with ";" and "=" included', () => {
      expect(chunkSizeLine('1a')).to.deep.equal({ ok: true, size: 26, hex: '1a', ext: undefined, wsWithoutExt: false, bareCr: false });
      expect(chunkSizeLine('5;name="a;b=c"; x')).to.include({ ok: true, size: 5, ext: 'name="a;b=c"; x' });
      expect(chunkSizeLine('5 \t;q="\\"x\\""')).to.include({ ok: true, size: 5, ext: 'q="\\"x\\""', wsWithoutExt: false });
      expect(chunkSizeLine('0;')).to.include({ ok: true, size: 0, ext: '' });
    });

    it('flags whitespace after the size without an extension, and a bare CR inside one', () => {
      expect(chunkSizeLine('5  ')).to.include({ ok: true, size: 5, wsWithoutExt: true });
      expect(chunkSizeLine('5;a\rb')).to.include({ ok: true, ext: 'a\rb', bareCr: true });
    });

    it('refuses what is not a chunk-size, a bare CR before the extension, and a size past 2^52', () => {
      expect(chunkSizeLine('zz')).to.deep.equal({ ok: false, why: 'syntax' });
      expect(chunkSizeLine(' 5')).to.deep.equal({ ok: false, why: 'syntax' });
      expect(chunkSizeLine('')).to.deep.equal({ ok: false, why: 'syntax' });
      expect(chunkSizeLine('5\r')).to.deep.equal({ ok: false, why: 'bare-cr' });
      expect(chunkSizeLine('f'.repeat(13))).to.include({ ok: true, size: 2 ** 52 - 1 });
      expect(chunkSizeLine('1'.repeat(14))).to.deep.equal({ ok: false, why: 'too-large' });
      expect(chunkSizeLine(`${'1'.repeat(14)};a\rb`)).to.deep.equal({ ok: false, why: 'bare-cr' });
    });
  });
});

/** The deliberate differences: the judge records each deviation, a hop forwards it. */
describe('the two faces of the tokenizer: the judge records, the hop forwards', () => {
  function judge(wire: string): { headers: Array<[string, string]>; errors: string[]; end: string } {
    const parser = new ResponseParser();
    const exp = parser.expect('GET', 0);
    parser.feed(bytes(wire), 1);
    parser.end('fin', 2);
    const res = exp.response;
    if (res === null) throw new Error('no response');
    return { headers: res.headers, errors: res.errors.map((e) => e.slice(0, e.indexOf(':'))), end: res.end };
  }
  function hop(wire: string): { headers: Array<[string, string]>; events: ParseEvent[] } {
    const parser = new Http1Parser('response');
    parser.expectResponseTo('GET');
    const events = [...parser.push(bytes(wire)), ...parser.finish()];
    const head = events.find((e) => e.type === 'head');
    return { headers: head?.type === 'head' ? head.head.headers : [], events };
  }
  const types = (events: ParseEvent[]): string[] => events.map((e) => e.type);

  it('obs-fold and whitespace before the colon: both unfold and remove, only the judge records', () => {
    const wire = 'HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\nX-Sp : v\r\nContent-Length: 0\r\n\r\n';
    const expected = [
      ['X-Long', 'a b'],
      ['X-Sp', 'v'],
      ['Content-Length', '0'],
    ];
    expect(judge(wire)).to.deep.include({ headers: expected, errors: ['obs-fold', 'ws-before-colon'], end: 'complete' });
    expect(hop(wire).headers).to.deep.equal(expected);
  });

  it('a line without a colon: the judge stops (malformed), the hop skips it and goes on', () => {
    const wire = 'HTTP/1.1 200 OK\r\nNot a header\r\nContent-Length: 0\r\n\r\n';
    expect(judge(wire)).to.deep.include({ errors: ['missing-colon'], end: 'malformed' });
    const h = hop(wire);
    expect(h.headers).to.deep.equal([['Content-Length', '0']]);
    expect(types(h.events)).to.deep.equal(['head', 'end']);
  });

  it('lone LF line endings: both read the message, only the judge records them', () => {
    const wire = 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3;e="x;y"\nabc\n0\nT: 1\n\n';
    const j = judge(wire);
    expect(j).to.deep.include({ end: 'complete' });
    expect(j.errors).to.deep.equal(['bare-lf', 'bare-lf', 'bare-lf', 'bare-lf', 'bare-lf']);
    const h = hop(wire).events;
    expect(h.flatMap((e) => (e.type === 'chunk' ? [[e.size, e.ext]] : []))).to.deep.equal([[3, 'e="x;y"']]);
    expect(h.flatMap((e) => (e.type === 'end' ? [e.trailers] : []))).to.deep.equal([[['T', '1']]]);
  });

  it('a bare CR in a chunk extension: the judge refuses the line, the hop forwards it', () => {
    const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;a\rb\r\nabc\r\n0\r\n\r\n';
    expect(judge(wire)).to.deep.include({ errors: ['bad-chunk-size'], end: 'malformed' });
    expect(types(hop(wire).events)).to.deep.equal(['head', 'chunk', 'data', 'framing', 'end']);
  });
});
