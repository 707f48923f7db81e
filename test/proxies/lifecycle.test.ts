import { expect } from 'chai';
import { startChain } from '../../proxies/chain.js';
import { PROFILES } from '../../proxies/profiles.js';
import { WARMUP_PATH } from '../../proxies/real-program.js';
import { H2Connection } from '../../runner/h2/connection.js';
import { RawClient, closeAll, httpUpstream, now, until } from './helpers.js';

/** The same few calls over HTTP/2: one GET /stream, then wait for the connection to end. */
async function h2Client(url: URL): Promise<{ send(raw: string): void; waitForEnd(ms: number): Promise<void> }> {
  const conn = await H2Connection.open(url, { connectTimeoutMs: 2000 });
  return {
    send: () => void conn.send({ method: 'GET', path: '/stream' }, url.host),
    waitForEnd: async (ms) => {
      const closed = await conn.waitForClose(ms);
      expect(closed.how, 'the HTTP/2 connection ended').to.not.equal('timeout');
    },
  };
}

// The contract every hop shares: close() destroys every socket and clears every timer, promptly,
// even with a stream in flight and 60 s timers armed.
describe('proxies: close() with a stream in flight', () => {
  for (const [name, profile] of Object.entries(PROFILES)) {
    it(`${name}: resolves promptly and ends the client connection`, async function () {
      // A real program's warm-up request waits up to 1.5 s where every path is a buffered stream.
      if (profile.real) this.timeout(6000);
      const upstream = await httpUpstream((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write('data: open\n\n');
      });
      const chain = await startChain(profile.hops(), upstream.url);
      try {
        // An h2 front is entered over HTTP/2 (prior knowledge), every other profile over HTTP/1.1.
        const client = profile.specs[0]?.unit === 'h2-front' ? await h2Client(chain.url) : await RawClient.open(chain.url);
        client.send(`GET /stream HTTP/1.1\r\nHost: ${chain.url.host}\r\n\r\n`);
        await until(() => upstream.requests.filter((r) => r.url !== WARMUP_PATH).length === 1, 2000, 'the request upstream');
        const t = now();
        await chain.close();
        expect(now() - t, 'close() duration').to.be.below(500);
        await client.waitForEnd(1000);
      } finally {
        await closeAll(chain, upstream);
      }
    });
  }
});
