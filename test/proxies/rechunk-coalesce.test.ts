import { expect } from 'chai';
import type { RunningHop } from '../../proxies/hop.js';
import { rechunkCoalesce } from '../../proxies/rechunk-coalesce.js';
import { RawClient, type TestServer, closeAll, dechunk, httpUpstream, now, splitResponse } from './helpers.js';

describe('proxies/rechunk-coalesce', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('joins chunks arriving within the window into one, and keeps later ones apart', async () => {
    const windowMs = 150;
    let burstAt = 0;
    upstream = await httpUpstream((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      burstAt = now();
      res.write('a');
      setTimeout(() => res.write('b'), 10);
      setTimeout(() => res.write('c'), 20);
      // Well after the window closed: a chunk of its own.
      setTimeout(() => res.end('d'), windowMs + 150);
    });
    hop = await rechunkCoalesce({ windowMs }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await client.waitForText('1\r\nd\r\n', 3000);
    await client.waitForEnd();
    const decoded = dechunk(splitResponse(client.bytes).body);
    expect(decoded.complete).to.equal(true);
    expect(decoded.payload.toString()).to.equal('abcd');
    expect(decoded.sizes).to.deep.equal([3, 1]);
    const firstBody = client.timeOfByte(client.text.indexOf('3\r\nabc') + 1) ?? Number.NaN;
    expect(firstBody - burstAt, 'released when the window closed').to.be.within(windowMs - 5, windowMs + 150);
  });
});
