import { expect } from 'chai';
import { firstByteTimeout } from '../../proxies/first-byte-timeout.js';
import type { RunningHop } from '../../proxies/hop.js';
import { RawClient, type TestServer, closeAll, httpUpstream, now } from './helpers.js';

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
});
