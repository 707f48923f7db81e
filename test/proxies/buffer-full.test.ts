import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { bufferFull } from '../../proxies/buffer-full.js';
import type { RunningHop } from '../../proxies/hop.js';
import { RawClient, type TestServer, closeAll, dechunk, httpUpstream, now, splitResponse, waitForEvent } from './helpers.js';

describe('proxies/buffer-full', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('releases a stream, headers included, only when it has ended', async () => {
    let res: ServerResponse | undefined;
    upstream = await httpUpstream((_req, r) => {
      res = r;
      r.writeHead(200, { 'Content-Type': 'text/event-stream' });
      r.write('data: one\n\n');
    });
    hop = await bufferFull().start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitForEvent(hop, /holding response 200/);
    res?.write('data: two\n\n');
    const endedAt = now();
    res?.end();
    await client.waitForText('0\r\n\r\n');
    expect(client.reads[0]?.t, 'first byte after the end').to.be.at.least(endedAt);
    const { head, body } = splitResponse(client.bytes);
    expect(head).to.match(/^HTTP\/1\.1 200/);
    expect(dechunk(body).payload.toString()).to.equal('data: one\n\ndata: two\n\n');
  });

  it('lets a complete long-poll answer through, and keeps the connection usable', async () => {
    upstream = await httpUpstream((req, res) => res.end(`answer to ${req.url ?? ''}`));
    hop = await bufferFull().start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForText('answer to /1');
    client.send('GET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForText('answer to /2');
    client.close();
  });
});
