import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { RunningHop } from '../../proxies/hop.js';
import { rechunkSplit } from '../../proxies/rechunk-split.js';
import { RawClient, type TestServer, closeAll, dechunk, httpUpstream, rawUpstream, readHead, sha256, splitResponse } from './helpers.js';

describe('proxies/rechunk-split', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('re-chunks a 64 KiB chunked body into 1–7 byte chunks with an identical payload', async () => {
    const body = randomBytes(64 * 1024);
    upstream = await httpUpstream((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      for (let i = 0; i < body.length; i += 10_000) res.write(body.subarray(i, i + 10_000));
      res.end();
    });
    hop = await rechunkSplit().start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await client.waitForEnd(10_000);
    const { head, body: wire } = splitResponse(client.bytes);
    expect(head).to.match(/transfer-encoding: chunked/i);
    const decoded = dechunk(wire);
    expect(decoded.complete).to.equal(true);
    expect(sha256(decoded.payload)).to.equal(sha256(body));
    expect(Math.min(...decoded.sizes)).to.be.at.least(1);
    expect(Math.max(...decoded.sizes)).to.be.at.most(7);
    expect(new Set(decoded.sizes).size, 'sizes vary').to.be.greaterThan(3);
  });

  it('keeps trailers, drops chunk extensions, and leaves the head alone', async () => {
    upstream = await rawUpstream((s) => {
      void readHead(s).then(() =>
        s.end(
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n10;name=value\r\n0123456789abcdef\r\n0\r\nX-Sum: 42\r\n\r\n',
        ),
      );
    });
    hop = await rechunkSplit().start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForEnd();
    const { head, body } = splitResponse(client.bytes);
    expect(head).to.equal('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum');
    const decoded = dechunk(body);
    expect(decoded.payload.toString()).to.equal('0123456789abcdef');
    expect(decoded.trailers).to.equal('X-Sum: 42');
    expect(body.toString('latin1')).not.to.include('name=value');
  });

  it('writes a Content-Length body in small pieces without changing a byte', async () => {
    const body = randomBytes(3000);
    upstream = await httpUpstream((_req, res) => {
      res.writeHead(200, { 'Content-Length': body.length });
      res.end(body);
    });
    hop = await rechunkSplit({ random: () => 0.5 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await client.waitForEnd(5000);
    const { head, body: got } = splitResponse(client.bytes);
    expect(head).to.match(/content-length: 3000/i);
    expect(sha256(got)).to.equal(sha256(body));
    expect(client.reads.length, 'reads').to.be.greaterThan(2);
  });
});
