import { expect } from 'chai';
import { firstByteTimeout } from '../../proxies/first-byte-timeout.js';
import type { RunningHop } from '../../proxies/hop.js';
import { RawClient, type TestServer, closeAll, dechunk, httpUpstream, now, splitResponse } from './helpers.js';

describe('proxies/first-byte-timeout', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('answers 504 when nothing arrived within firstByteMs', async () => {
    upstream = await httpUpstream(() => undefined);
    hop = await firstByteTimeout({ firstByteMs: 100 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    const sent = now();
    client.send('GET /poll HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForEnd();
    expect(client.text).to.match(/^HTTP\/1\.1 504 /);
    expect((client.reads[0]?.t ?? 0) - sent).to.be.within(95, 400);
  });

  it('uses the configured status (Heroku and Varnish: 503)', async () => {
    upstream = await httpUpstream(() => undefined);
    hop = await firstByteTimeout({ firstByteMs: 60, status: 503 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /poll HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForEnd();
    expect(client.text).to.match(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
  });

  it('never interferes once the response has started, however long it then goes silent', async () => {
    upstream = await httpUpstream((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('started');
      setTimeout(() => res.end('finished'), 250);
    });
    hop = await firstByteTimeout({ firstByteMs: 80 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await client.waitForEnd();
    const decoded = dechunk(splitResponse(client.bytes).body);
    expect(decoded.payload.toString()).to.equal('startedfinished');
    expect(decoded.complete).to.equal(true);
  });

  it('gives each request on a keep-alive connection its own clock', async () => {
    let n = 0;
    upstream = await httpUpstream((_req, res) => {
      n++;
      if (n === 1) res.end('quick');
      // the second request is never answered
    });
    hop = await firstByteTimeout({ firstByteMs: 100 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForText('quick');
    client.send('GET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForEnd();
    expect(client.text).to.match(/quickHTTP\/1\.1 504 /);
  });
});

describe('proxies/first-byte-timeout with pipelining', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('does not start the clock of a pipelined request while the response ahead of it streams', async () => {
    upstream = await httpUpstream((req, res) => {
      if (req.url === '/slow') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        const beat = setInterval(() => res.write('.'), 20);
        setTimeout(() => {
          clearInterval(beat);
          res.end('done');
        }, 200);
      } else res.end('second');
    });
    hop = await firstByteTimeout({ firstByteMs: 80 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForText('.');
    client.send('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForText('second', 2000);
    expect(client.text).not.to.include(' 504 ');
    client.close();
  });
});
