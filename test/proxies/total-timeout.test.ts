import { expect } from 'chai';
import type { RunningHop } from '../../proxies/hop.js';
import { totalTimeout } from '../../proxies/total-timeout.js';
import { RawClient, type TestServer, closeAll, dechunk, httpUpstream, now, splitResponse } from './helpers.js';

describe('proxies/total-timeout', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('cuts a lively stream at totalMs, however much flows', async () => {
    const totalMs = 200;
    upstream = await httpUpstream((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const beat = setInterval(() => res.write('beat\n'), 20);
      res.once('close', () => clearInterval(beat));
    });
    hop = await totalTimeout({ totalMs }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    const sent = now();
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const end = await client.waitForEnd(2000);
    expect(end.how).to.equal('fin');
    expect(end.t - sent).to.be.within(totalMs - 5, totalMs + 200);
    const decoded = dechunk(splitResponse(client.bytes).body);
    expect(decoded.sizes.length, 'beats arrived').to.be.greaterThan(3);
    expect(decoded.complete).to.equal(false);
  });

  it('answers 504 when the response has not started by totalMs', async () => {
    upstream = await httpUpstream(() => undefined);
    hop = await totalTimeout({ totalMs: 100 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /poll HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForEnd();
    expect(client.text).to.match(/^HTTP\/1\.1 504 /);
  });
});
