import { expect } from 'chai';
import type { RunningHop } from '../../proxies/hop.js';
import { http10 } from '../../proxies/http10.js';
import { RawClient, type TestServer, closeAll, dechunk, rawUpstream, readHead, splitResponse, until } from './helpers.js';

/** A server that answers chunked no matter what the request said (a 1.0 request should not get that). */
async function chunkingUpstream(heads: string[]): Promise<TestServer> {
  return rawUpstream((s) => {
    void readHead(s).then(({ head }) => {
      heads.push(head);
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\nX-Origin: yes\r\n\r\n5\r\nhello\r\n');
      setTimeout(() => s.end('6\r\n world\r\n0\r\n\r\n'), 20);
    });
  });
}

describe('proxies/http10', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('sends HTTP/1.0 upstream and turns a chunked answer into an EOF-delimited HTTP/1.0 response', async () => {
    const heads: string[] = [];
    upstream = await chunkingUpstream(heads);
    hop = await http10().start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /s HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: keep-alive\r\n\r\n');
    const end = await client.waitForEnd();
    expect(end.how).to.equal('fin');
    expect(heads[0]).to.match(/^GET \/s HTTP\/1\.0\r\n/);
    expect(heads[0]).to.match(/\r\nConnection: close$/);
    expect(heads[0]).not.to.match(/^TE:/im);
    const { head, body } = splitResponse(client.bytes);
    expect(head).to.match(/^HTTP\/1\.0 200 OK\r\n/);
    expect(head).not.to.match(/transfer-encoding/i);
    expect(head).not.to.match(/keep-alive/i);
    expect(head).to.match(/X-Origin: yes/);
    expect(body.toString()).to.equal('hello world');
  });

  it('never keeps a client connection alive: a second request is not answered', async () => {
    const heads: string[] = [];
    upstream = await chunkingUpstream(heads);
    hop = await http10().start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForEnd();
    expect(client.text.match(/HTTP\/1\.0 200/g)).to.have.length(1);
    expect(heads).to.have.length(1);
  });

  it('gives a chunked request body a Content-Length', async () => {
    const received: string[] = [];
    upstream = await rawUpstream((s) => {
      let all = '';
      s.on('data', (d: Buffer) => {
        all += d.toString('latin1');
        if (all.includes('\r\n\r\nabcdef')) {
          received.push(all);
          s.end('HTTP/1.0 204 No Content\r\n\r\n');
        }
      });
    });
    hop = await http10().start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('POST /pub HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n');
    await client.waitForEnd();
    expect(received[0]).to.match(/^POST \/pub HTTP\/1\.0\r\n/);
    expect(received[0]).to.match(/Content-Length: 6\r\n/);
    expect(client.text).to.match(/^HTTP\/1\.0 204/);
  });

  it("side 'upstream' (nginx): re-chunks an EOF-delimited body for an HTTP/1.1 client and keeps its connection", async () => {
    const heads: string[] = [];
    upstream = await rawUpstream((s) => {
      void readHead(s).then(({ head }) => {
        heads.push(head);
        s.end(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nbody for ${head.split(' ')[1] ?? ''}`);
      });
    });
    hop = await http10({ side: 'upstream' }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForText('0\r\n\r\n');
    client.send('GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => (client.text.match(/0\r\n\r\n/g) ?? []).length === 2, 2000, 'the second response');
    expect(client.end).to.equal(undefined);
    const [first, second] = client.text.split(/(?=HTTP\/1\.1 )/);
    expect(first).to.match(/^HTTP\/1\.1 200 OK\r\n/);
    expect(first).to.match(/Transfer-Encoding: chunked/);
    expect(dechunk(splitResponse(Buffer.from(first ?? '', 'latin1')).body).payload.toString()).to.equal('body for /a');
    expect(dechunk(splitResponse(Buffer.from(second ?? '', 'latin1')).body).payload.toString()).to.equal('body for /b');
    expect(heads.every((h) => / HTTP\/1\.0\r\n/.test(h))).to.equal(true);
    expect((upstream as TestServer & { connections: unknown[] }).connections).to.have.length(2);
    client.close();
  });

  it('answers 502 when the upstream refuses the connection', async () => {
    upstream = await rawUpstream(() => undefined);
    const deadUrl = upstream.url;
    await upstream.close();
    hop = await http10().start(deadUrl);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForEnd();
    expect(client.text).to.match(/^HTTP\/1\.1 502/);
  });
});
