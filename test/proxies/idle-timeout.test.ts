import { expect } from 'chai';
import type { RunningHop } from '../../proxies/hop.js';
import { idleTimeout } from '../../proxies/idle-timeout.js';
import { RawClient, type TestServer, closeAll, dechunk, httpUpstream, splitResponse, waitForEvent } from './helpers.js';

describe('proxies/idle-timeout', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('cuts a silent chunked stream with a FIN and without the terminating 0-chunk', async () => {
    const idleMs = 120;
    upstream = await httpUpstream((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: 1\n\n');
      // …and then nothing, ever.
    });
    hop = await idleTimeout({ idleMs }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForText('data: 1');
    const lastByte = client.reads[client.reads.length - 1]?.t ?? 0;
    const end = await client.waitForEnd(2000);
    expect(end.how).to.equal('fin');
    expect(end.t - lastByte, 'cut after idleMs of silence').to.be.within(idleMs - 5, idleMs + 200);
    const decoded = dechunk(splitResponse(client.bytes).body);
    expect(decoded.payload.toString()).to.equal('data: 1\n\n');
    expect(decoded.complete, 'no last chunk').to.equal(false);
    await waitForEvent(hop, /cut \(fin\) after 120 ms idle in the middle of a response/);
  });

  it('answers its status when a request got no response byte at all (nginx 504)', async () => {
    upstream = await httpUpstream(() => undefined);
    hop = await idleTimeout({ idleMs: 100, status: 504 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /poll HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForEnd();
    expect(client.text).to.match(/^HTTP\/1\.1 504 Gateway Time-out\r\n/);
    expect(client.text).to.match(/Connection: close/);
  });

  it('without a status, a request that got nothing is just closed', async () => {
    upstream = await httpUpstream(() => undefined);
    hop = await idleTimeout({ idleMs: 80 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /poll HTTP/1.1\r\nHost: x\r\n\r\n');
    const end = await client.waitForEnd();
    expect(end.how).to.equal('fin');
    expect(client.bytes.length).to.equal(0);
  });

  it('can reset instead of closing', async () => {
    upstream = await httpUpstream((_req, res) => {
      res.writeHead(200);
      res.write('x');
    });
    hop = await idleTimeout({ idleMs: 80, cutWith: 'rst' }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const end = await client.waitForEnd();
    expect(end.how).to.equal('rst');
  });
});
