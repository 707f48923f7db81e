import { expect } from 'chai';
import { Http1Parser, type ParseEvent } from '../../proxies/http1.js';

function feed(parser: Http1Parser, input: Buffer, cut: (i: number) => number): ParseEvent[] {
  const events: ParseEvent[] = [];
  for (let i = 0; i < input.length;) {
    const n = Math.max(1, cut(i));
    events.push(...parser.push(input.subarray(i, i + n)));
    i += n;
  }
  return events;
}

const rawOf = (events: ParseEvent[]): Buffer => Buffer.concat(events.map((e) => ('raw' in e ? e.raw : Buffer.alloc(0))));

describe('proxies/http1 parser', () => {
  const responses = Buffer.from(
    [
      'HTTP/1.1 100 Continue\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc',
      'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n',
      'HTTP/1.0 200 OK\r\n\r\nuntil the end',
    ].join(''),
    'latin1',
  );

  it('reproduces its input byte for byte from the raw of its events, however the input is split', () => {
    for (const cut of [() => 1, () => 7, () => 1 << 20, (i: number) => (i * 7919) % 13]) {
      const parser = new Http1Parser('response');
      for (const m of ['GET', 'GET', 'GET', 'HEAD', 'GET']) parser.expectResponseTo(m);
      const events = [...feed(parser, responses, cut), ...parser.finish()];
      expect(rawOf(events).equals(responses)).to.equal(true);
      expect(events.filter((e) => e.type === 'error')).to.deep.equal([]);
    }
  });

  it('decodes chunks, extensions and trailers, and knows HEAD and 304 have no body', () => {
    const parser = new Http1Parser('response');
    for (const m of ['GET', 'GET', 'GET', 'HEAD', 'GET']) parser.expectResponseTo(m);
    const events = [...parser.push(responses), ...parser.finish()];
    const heads = events.filter((e) => e.type === 'head');
    expect(heads.map((e) => (e.head.kind === 'response' ? e.head.status : 0))).to.deep.equal([100, 200, 200, 304, 200, 200]);
    expect(heads.map((e) => e.framing.type)).to.deep.equal(['none', 'chunked', 'length', 'none', 'none', 'close']);
    const chunks = events.filter((e) => e.type === 'chunk');
    expect(chunks.map((e) => [e.size, e.ext])).to.deep.equal([
      [5, 'ext=1'],
      [6, ''],
    ]);
    const ends = events.filter((e) => e.type === 'end');
    expect(ends).to.have.length(6);
    expect(ends[1]?.trailers).to.deep.equal([['X-Trailer', 't']]);
    const data = events.filter((e) => e.type === 'data').map((e) => e.raw.toString('latin1'));
    expect(data.join('|')).to.equal('hello| world|abc|until the end');
  });

  it('parses pipelined requests with bodies, and tolerates an empty line before a request', () => {
    const parser = new Http1Parser('request');
    const input = Buffer.from(
      '\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiPUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n',
      'latin1',
    );
    const events = parser.push(input);
    const heads = events.flatMap((e) => (e.type === 'head' && e.head.kind === 'request' ? [`${e.head.method} ${e.head.target}`] : []));
    expect(heads).to.deep.equal(['GET /a', 'POST /b', 'PUT /c']);
    expect(events.filter((e) => e.type === 'end')).to.have.length(3);
    expect(rawOf(events).equals(input)).to.equal(true);
    expect(parser.idle).to.equal(true);
  });

  it('turns garbage into opaque bytes instead of dropping them', () => {
    const parser = new Http1Parser('response');
    const input = Buffer.from('SSH-2.0-OpenSSH\r\n\r\nmore', 'latin1');
    const events = parser.push(input);
    expect(events[0]?.type).to.equal('error');
    expect(rawOf(events).equals(input)).to.equal(true);
    expect(parser.push(Buffer.from('x')).map((e) => e.type)).to.deep.equal(['opaque']);
  });

  it('reports a body cut short by EOF as an error, and a close-delimited one as complete', () => {
    const cut = new Http1Parser('response');
    cut.expectResponseTo('GET');
    cut.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', 'latin1'));
    expect(cut.finish().map((e) => e.type)).to.deep.equal(['error']);
    const eof = new Http1Parser('response');
    eof.expectResponseTo('GET');
    eof.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\nhel', 'latin1'));
    expect(eof.finish().map((e) => e.type)).to.deep.equal(['end']);
  });
});
