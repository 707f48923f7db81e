import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { RunningHop } from '../../proxies/hop.js';
import { latency } from '../../proxies/latency.js';
import { RawClient, type TestServer, closeAll, now, rawUpstream, sha256 } from './helpers.js';

describe('proxies/latency', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('is byte-exact for 64 KiB of random data through an echo server', async () => {
    upstream = await rawUpstream((s) => s.pipe(s));
    hop = await latency({ delayMs: 5 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    const data = randomBytes(64 * 1024);
    client.send(data);
    client.socket.end();
    await client.waitForEnd(3000);
    expect(sha256(client.bytes)).to.equal(sha256(data));
  });

  it('adds about delayMs each way: a round trip costs about twice delayMs more', async () => {
    const delayMs = 80;
    let serverGot = 0;
    upstream = await rawUpstream((s) =>
      s.on('data', (d: Buffer) => {
        serverGot = now();
        s.write(d);
      }),
    );
    hop = await latency({ delayMs }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    const sent = now();
    client.send('ping');
    await client.waitForText('ping', 2000);
    const tRead = client.reads[0]?.t ?? Number.NaN;
    const up = serverGot - sent;
    const down = tRead - serverGot;
    expect(up, 'client → server').to.be.within(delayMs - 2, delayMs + 150);
    expect(down, 'server → client').to.be.within(delayMs - 2, delayMs + 150);
    client.close();
  });

  it('delays the FIN too, so an end never overtakes the last bytes', async () => {
    upstream = await rawUpstream((s) => s.end('last words'));
    hop = await latency({ delayMs: 30 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    const end = await client.waitForEnd();
    expect(client.text).to.equal('last words');
    expect(end.t).to.be.at.least(client.reads[client.reads.length - 1]?.t ?? Infinity);
  });
});
