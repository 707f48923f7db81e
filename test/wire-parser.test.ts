import { expect } from 'chai';
import { directive, hasToken, header, headerAll } from '../runner/wire/headers.js';
import { hasWireError, ResponseParser, type ParserEndHow, type ParserLimits } from '../runner/wire/parser.js';
import type { WireResponse } from '../runner/wire/types.js';

/** Feeding with one constant time makes results comparable across splits (body reads coalesce). */
const T = 5;

interface Parsed {
  responses: WireResponse[];
  strayBytes: number;
}

type Split = 'whole' | number;

function parse(input: Buffer, methods: string[], split: Split, end?: ParserEndHow, limits?: ParserLimits): Parsed {
  const parser = new ResponseParser({ connectionId: 7 });
  for (const m of methods) parser.expect(m, 1, limits);
  const responses: WireResponse[] = [];
  const step = split === 'whole' ? Math.max(input.length, 1) : split;
  // Feeding stops at a malformed or capped response: later bytes are ignored by design (tested below).
  for (let i = 0; i < input.length && !parser.broken; i += step) responses.push(...parser.feed(input.subarray(i, i + step), T));
  if (end !== undefined) responses.push(...parser.end(end, T + 1));
  return { responses, strayBytes: parser.strayBytes };
}

const SPLITS: Split[] = ['whole', 1, 2, 3, 7];

/** Parses with every split and requires identical results; returns the whole-buffer result. */
function parseAllWays(input: string | Buffer, methods: string[], end?: ParserEndHow, limits?: ParserLimits): Parsed {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const whole = parse(bytes, methods, 'whole', end, limits);
  for (const split of SPLITS.slice(1)) {
    expect(parse(bytes, methods, split, end, limits), `fed in ${split}-byte pieces`).to.deep.equal(whole);
  }
  return whole;
}

function only(p: Parsed): WireResponse {
  expect(p.responses, 'responses').to.have.length(1);
  const [res] = p.responses;
  if (res === undefined) throw new Error('expected one response, got none');
  return res;
}

function codes(res: WireResponse): string[] {
  return res.errors.map((e) => e.slice(0, e.indexOf(':')));
}

const OK_HEAD = 'HTTP/1.1 200 OK\r\n';

describe('wire/parser: ResponseParser', () => {
  describe('framing (RFC 9112 §6.3)', () => {
    it('reads a Content-Length body and counts the header section exactly', () => {
      const head = `${OK_HEAD}Content-Length: 5\r\nX-A: 1\r\n\r\n`;
      const res = only(parseAllWays(`${head}hello`, ['GET']));
      expect(res).to.include({
        status: 200,
        reason: 'OK',
        httpVersion: '1.1',
        framing: 'content-length',
        end: 'complete',
        headerBytes: head.length,
        connectionId: 7,
      });
      expect(res.headers).to.deep.equal([
        ['Content-Length', '5'],
        ['X-A', '1'],
      ]);
      expect(res.body.toString()).to.equal('hello');
      expect(res.errors).to.deep.equal([]);
    });

    it('de-chunks a body, recording each chunk with its extensions, and the trailers', () => {
      const wire = `${OK_HEAD}Transfer-Encoding: chunked\r\n\r\n5;foo=bar\r\nhello\r\n6\r\n world\r\n0;last\r\nX-Trailer: 1\r\nX-T2: two\r\n\r\n`;
      const res = only(parseAllWays(wire, ['GET']));
      expect(res).to.include({ framing: 'chunked', end: 'complete' });
      expect(res.body.toString()).to.equal('hello world');
      expect(res.chunks).to.deep.equal([
        { size: 5, ext: 'foo=bar', t: T },
        { size: 6, t: T },
        { size: 0, ext: 'last', t: T },
      ]);
      expect(res.trailers).to.deep.equal([
        ['X-Trailer', '1'],
        ['X-T2', 'two'],
      ]);
      expect(res.errors).to.deep.equal([]);
    });

    it('ends a close-delimited body as complete at FIN', () => {
      const res = only(parseAllWays(`${OK_HEAD}\r\nstream data`, ['GET'], 'fin'));
      expect(res).to.include({ framing: 'close', end: 'complete' });
      expect(res.body.toString()).to.equal('stream data');
    });

    it('ends a close-delimited body as rst at RST, keeping the bytes received', () => {
      const res = only(parseAllWays(`${OK_HEAD}\r\nstream data`, ['GET'], 'rst'));
      expect(res).to.include({ framing: 'close', end: 'rst' });
      expect(res.body.toString()).to.equal('stream data');
      expect(codes(res)).to.deep.equal(['incomplete']);
    });

    it('reports a short Content-Length body at FIN as fin, saying how much arrived', () => {
      const res = only(parseAllWays(`${OK_HEAD}Content-Length: 10\r\n\r\nabc`, ['GET'], 'fin'));
      expect(res.end).to.equal('fin');
      expect(res.errors).to.deep.equal([
        'incomplete: response ended after 3 of 10 Content-Length body bytes when the peer closed the connection (FIN)',
      ]);
    });

    it('reports a chunked body without its last chunk at FIN as fin', () => {
      const res = only(parseAllWays(`${OK_HEAD}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n`, ['GET'], 'fin'));
      expect(res.end).to.equal('fin');
      expect(res.errors[0]).to.match(/^incomplete: .*before the last chunk \(after 1 chunks, 3 body bytes\)/);
    });

    for (const [label, first, methods] of [
      ['204', 'HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n', ['GET', 'GET']],
      ['304', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n', ['GET', 'GET']],
      ['HEAD', `${OK_HEAD}Content-Length: 99\r\n\r\n`, ['HEAD', 'GET']],
    ] as const) {
      it(`ends a ${label} response at its header section, so a pipelined response follows in the same buffer`, () => {
        const p = parseAllWays(`${first}${OK_HEAD}Content-Length: 2\r\n\r\nok`, [...methods]);
        expect(p.responses.map((r) => [r.framing, r.end, r.body.toString()])).to.deep.equal([
          ['none', 'complete', ''],
          ['content-length', 'complete', 'ok'],
        ]);
        expect(p.strayBytes).to.equal(0);
      });
    }

    it('skips 1xx interim responses and records them', () => {
      const wire = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' + `${OK_HEAD}Content-Length: 1\r\n\r\nx`;
      const res = only(parseAllWays(wire, ['POST']));
      expect(res).to.include({ status: 200, end: 'complete', headerBytes: `${OK_HEAD}Content-Length: 1\r\n\r\n`.length });
      expect(res.interim).to.deep.equal([
        { status: 100, reason: 'Continue', headers: [], t: T },
        { status: 103, reason: 'Early Hints', headers: [['Link', '</a>']], t: T },
      ]);
    });

    it('prefers chunked over Content-Length and says so', () => {
      const res = only(parseAllWays(`${OK_HEAD}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n`, ['GET']));
      expect(res).to.include({ framing: 'chunked', end: 'complete' });
      expect(codes(res)).to.deep.equal(['te-and-cl']);
    });

    it('reads until close when chunked is not the final coding', () => {
      const res = only(parseAllWays(`${OK_HEAD}Transfer-Encoding: chunked, gzip\r\n\r\nxyz`, ['GET'], 'fin'));
      expect(res).to.include({ framing: 'close', end: 'complete' });
      expect(codes(res)).to.deep.equal(['te-chunked-not-last']);
    });

    it('treats conflicting Content-Length values as malformed and identical repeats as tolerated', () => {
      const conflict = only(parseAllWays(`${OK_HEAD}Content-Length: 2\r\nContent-Length: 3\r\n\r\nabc`, ['GET']));
      expect(conflict.end).to.equal('malformed');
      expect(conflict.errors).to.deep.equal(['cl-conflict: expected one Content-Length value, got 2 and 3']);
      const repeat = only(parseAllWays(`${OK_HEAD}Content-Length: 2, 2\r\n\r\nab`, ['GET']));
      expect(repeat).to.include({ end: 'complete' });
      expect(codes(repeat)).to.deep.equal(['cl-duplicate']);
      const invalid = only(parseAllWays(`${OK_HEAD}Content-Length: -1\r\n\r\n`, ['GET']));
      expect(invalid.errors).to.deep.equal(['cl-invalid: expected Content-Length as decimal digits, got "-1"']);
    });
  });

  describe('chunk syntax (RFC 9112 §7.1)', () => {
    const chunked = `${OK_HEAD}Transfer-Encoding: chunked\r\n\r\n`;

    it('treats a bad chunk-size as malformed, naming the offset and the bytes', () => {
      const res = only(parseAllWays(`${chunked}2\r\nab\r\nzz\r\nmore`, ['GET']));
      expect(res.end).to.equal('malformed');
      expect(res.errors).to.deep.equal(['bad-chunk-size: expected chunk-size (hex digits) [;ext] at decoded body offset 2, got "zz"']);
      expect(res.body.toString()).to.equal('ab');
    });

    it('treats chunk data longer than its size (no CRLF after it) as malformed', () => {
      const res = only(parseAllWays(`${chunked}3\r\nabcd\r\n0\r\n\r\n`, ['GET']));
      expect(res.end).to.equal('malformed');
      expect(res.errors).to.deep.equal([
        'missing-chunk-crlf: expected CRLF after 3 bytes of chunk data (chunk-size 3), got "d": the chunk is longer than its declared size',
      ]);
    });

    it('keeps parsing bare-LF line endings but records them', () => {
      const res = only(parseAllWays(`${chunked}3\nabc\n0\n\n`, ['GET']));
      expect(res).to.include({ end: 'complete' });
      expect(res.body.toString()).to.equal('abc');
      expect(res.errors).to.deep.equal([
        'bare-lf: chunk-size line ended with bare LF (expected CRLF)',
        'bare-lf: chunk data ended with bare LF (expected CRLF)',
        'bare-lf: trailer line ended with bare LF (expected CRLF)',
      ]);
    });

    it('rejects a CR after chunk data that is not followed by LF', () => {
      const res = only(parseAllWays(`${chunked}1\r\na\rX`, ['GET']));
      expect(res.errors).to.deep.equal([
        'missing-chunk-crlf: expected LF after the CR after 1 bytes of chunk data (chunk-size 1), got "X": the chunk is longer than its declared size',
      ]);
    });

    it('caps an endless chunk extension', () => {
      const res = only(parseAllWays(`${chunked}1;${'e'.repeat(5000)}`, ['GET']));
      expect(res.end).to.equal('cap');
      expect(codes(res)).to.deep.equal(['chunk-line-cap']);
    });
  });

  describe('status line and header syntax', () => {
    it('declares non-HTTP bytes malformed from the first wrong byte', () => {
      const parser = new ResponseParser();
      parser.expect('GET', 0);
      const [res] = parser.feed(Buffer.from('<'), T);
      expect(res?.end).to.equal('malformed');
      expect(res?.errors).to.deep.equal(['not-http: expected a status line starting with "HTTP/", got "<"']);
      const garbage = only(parseAllWays('SSH-2.0-OpenSSH_9.6\r\n', ['GET']));
      expect(garbage.errors).to.deep.equal(['not-http: expected a status line starting with "HTTP/", got "S"']);
    });

    it('rejects HTTP/2 and malformed status codes', () => {
      expect(only(parseAllWays('HTTP/2.0 200 OK\r\n\r\n', ['GET'])).errors).to.deep.equal([
        'bad-status-line: expected HTTP/1.x, got HTTP/2.0',
      ]);
      expect(only(parseAllWays('HTTP/1.1 20 OK\r\n\r\n', ['GET'])).errors).to.deep.equal([
        'bad-status-line: expected SP and a 3-digit status code after HTTP/1.1, got "HTTP/1.1 20 OK"',
      ]);
      expect(only(parseAllWays('HTTP/1.1 099 X\r\n\r\n', ['GET'])).errors).to.deep.equal([
        'bad-status-line: expected a status code in 100..599, got 099',
      ]);
    });

    it('tolerates a missing reason phrase separator and an empty line before the status line', () => {
      const res = only(parseAllWays(`\r\nHTTP/1.0 200\r\nContent-Length: 0\r\n\r\n`, ['GET']));
      expect(res).to.include({
        status: 200,
        reason: '',
        httpVersion: '1.0',
        end: 'complete',
        headerBytes: 'HTTP/1.0 200\r\nContent-Length: 0\r\n\r\n'.length,
      });
      expect(codes(res)).to.deep.equal(['empty-line-before-status', 'status-line-no-sp']);
    });

    it('replaces a bare CR in a header with SP and records it', () => {
      const res = only(parseAllWays(`${OK_HEAD}X-Bad: a\rb\r\nContent-Length: 0\r\n\r\n`, ['GET']));
      expect(res.end).to.equal('complete');
      expect(res.headers[0]).to.deep.equal(['X-Bad', 'a b']);
      expect(res.errors).to.deep.equal(['bare-cr: bare CR in a header field "X-Bad: a\\rb"; replaced with SP']);
    });

    it('unfolds obs-fold and strips whitespace before the colon', () => {
      const res = only(parseAllWays(`${OK_HEAD}X-Long: a\r\n  b\r\nX-Sp : v\r\nContent-Length: 0\r\n\r\n`, ['GET']));
      expect(res.headers).to.deep.equal([
        ['X-Long', 'a b'],
        ['X-Sp', 'v'],
        ['Content-Length', '0'],
      ]);
      expect(codes(res)).to.deep.equal(['obs-fold', 'ws-before-colon']);
    });

    it('marks errors with stable codes', () => {
      const res = only(parseAllWays(`${OK_HEAD}X-Bad: a\rb\r\nContent-Length: 0\r\n\r\n`, ['GET']));
      expect([hasWireError(res, 'bare-cr'), hasWireError(res, 'bare-lf')]).to.deep.equal([true, false]);
    });

    it('treats a header line without a colon as malformed', () => {
      const res = only(parseAllWays(`${OK_HEAD}Not a header\r\n\r\n`, ['GET']));
      expect(res.end).to.equal('malformed');
      expect(res.errors).to.deep.equal(['missing-colon: expected "name: value" in the header section, got "Not a header" (no colon)']);
    });
  });

  describe('caps', () => {
    it('caps 2 MB of headers at maxHeaderBytes without buffering them', function () {
      this.timeout(10_000);
      const huge = Buffer.from(
        OK_HEAD + 'X-Pad: ' + 'p'.repeat(100) + '\r\n'.repeat(1) + ('X-Pad: ' + 'p'.repeat(100) + '\r\n').repeat(20_000),
        'latin1',
      );
      expect(huge.length).to.be.greaterThan(2_000_000);
      const res = only(parseAllWays(huge, ['GET']));
      expect(res).to.include({ end: 'cap', tHeaders: null });
      expect(res.errors).to.deep.equal(['header-cap: header section exceeds maxHeaderBytes (65536)']);
      // Fed as a socket would feed it, the cap must come within one piece of the limit.
      const parser = new ResponseParser();
      parser.expect('GET', 0);
      let fed = 0;
      while (fed < huge.length && parser.feed(huge.subarray(fed, fed + 1024), T).length === 0) fed += 1024;
      expect(fed).to.be.at.most(65_536);
      const endless = only(parseAllWays(Buffer.concat([Buffer.from(`${OK_HEAD}X: `), Buffer.alloc(2_000_000, 0x61)]), ['GET']));
      expect(endless.end).to.equal('cap');
    });

    it('caps the decoded body at maxBodyBytes, keeping exactly that many bytes', () => {
      const res = only(
        parseAllWays(
          `${OK_HEAD}Transfer-Encoding: chunked\r\n\r\n400\r\n${'b'.repeat(1024)}\r\n400\r\n${'c'.repeat(1024)}\r\n0\r\n\r\n`,
          ['GET'],
          undefined,
          { maxBodyBytes: 1500 },
        ),
      );
      expect(res.end).to.equal('cap');
      expect(res.body.length).to.equal(1500);
      expect(res.errors).to.deep.equal(['body-cap: decoded body exceeds maxBodyBytes (1500)']);
      const exact = only(
        parseAllWays(`${OK_HEAD}Content-Length: 1500\r\n\r\n${'x'.repeat(1500)}`, ['GET'], undefined, { maxBodyBytes: 1500 }),
      );
      expect(exact.end).to.equal('complete');
    });
  });

  describe('connection-level behaviour', () => {
    it('counts bytes after a complete response as stray when no request is outstanding', () => {
      const p = parseAllWays(`${OK_HEAD}Content-Length: 2\r\n\r\nokEXTRA`, ['GET']);
      expect(only(p).end).to.equal('complete');
      expect(p.strayBytes).to.equal(5);
    });

    it('ends a response that never started with no-response, and queued ones likewise', () => {
      const p = parseAllWays('', ['GET', 'GET'], 'timeout');
      expect(p.responses.map((r) => [r.end, r.status, r.tHeaders])).to.deep.equal([
        ['timeout', 0, null],
        ['timeout', 0, null],
      ]);
      expect(p.responses[0]?.errors).to.deep.equal(['no-response: no byte of the response arrived before our deadline passed']);
    });

    it('finalises a response expected after the end at once', () => {
      const parser = new ResponseParser();
      parser.end('fin', 3);
      const exp = parser.expect('GET', 4);
      expect(exp.response?.end).to.equal('fin');
      expect(exp.response?.errors).to.deep.equal(['no-response: the connection had already ended (fin) when this response was expected']);
    });

    it('ignores bytes after a malformed response instead of parsing them', () => {
      const p = parseAllWays('garbage HTTP/1.1 200 OK\r\n\r\n', ['GET', 'GET']);
      expect(p.responses.map((r) => r.end)).to.deep.equal(['malformed']);
      expect(p.strayBytes).to.equal(0);
    });
  });

  describe('timing', () => {
    it('timestamps headers, first body byte, chunks and body reads by the feed that carried them', () => {
      const parser = new ResponseParser();
      const seen: Array<[string, number]> = [];
      const hooked = new ResponseParser({ hooks: { onBody: (_r, chunk, t) => seen.push([chunk.toString(), t]) } });
      for (const p of [parser, hooked]) {
        p.expect('GET', 1);
        p.feed(Buffer.from(`${OK_HEAD}Transfer-Encoding: chunked\r\n\r\n3\r\nab`), 10);
        p.feed(Buffer.from('c\r\n2\r\nde\r\n'), 20);
        p.feed(Buffer.from('0\r\n'), 30);
      }
      const [res] = parser.feed(Buffer.from('\r\n'), 40);
      expect(res).to.include({ tSent: 1, tHeaders: 10, tFirstBodyByte: 10, tEnd: 40 });
      expect(res?.chunks).to.deep.equal([
        { size: 3, t: 20 },
        { size: 2, t: 20 },
        { size: 0, t: 30 },
      ]);
      expect(res?.bodyReads).to.deep.equal([
        { t: 10, size: 2, offset: 0 },
        { t: 20, size: 3, offset: 2 },
      ]);
      expect(seen).to.deep.equal([
        ['ab', 10],
        ['c', 20],
        ['de', 20],
      ]);
    });
  });

  describe('header lookups', () => {
    const res = {
      headers: [
        ['Connection', 'Keep-Alive, close'],
        ['cache-control', 'no-cache="set-cookie, x", max-age=0'],
        ['Cache-Control', 'private, s-maxage="60"'],
        ['Set-Cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ] as Array<[string, string]>,
    };

    it('joins repeated fields case-insensitively', () => {
      expect(header(res, 'SET-COOKIE')).to.equal('a=1, b=2');
      expect(headerAll(res, 'set-cookie')).to.deep.equal(['a=1', 'b=2']);
      expect(header(res, 'x-missing')).to.equal(undefined);
    });

    it('finds list tokens and directive values, respecting quoted commas', () => {
      expect(hasToken(res, 'connection', 'CLOSE')).to.equal(true);
      expect(hasToken(res, 'connection', 'upgrade')).to.equal(false);
      expect(hasToken(res, 'cache-control', 'x')).to.equal(false);
      expect(directive(res, 'Cache-Control', 'no-cache')).to.equal('set-cookie, x');
      expect(directive(res, 'cache-control', 'max-age')).to.equal('0');
      expect(directive(res, 'cache-control', 's-maxage')).to.equal('60');
      expect(directive(res, 'cache-control', 'private')).to.equal(true);
      expect(directive(res, 'cache-control', 'no-store')).to.equal(undefined);
    });
  });
});
