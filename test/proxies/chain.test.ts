import { expect } from 'chai';
import { connect } from 'node:net';
import { startChain } from '../../proxies/chain.js';
import { direct } from '../../proxies/direct.js';
import type { Hop, RunningHop } from '../../proxies/hop.js';
import { latency } from '../../proxies/latency.js';
import { rechunkSplit } from '../../proxies/rechunk-split.js';
import { type TestServer, closeAll, dechunk, fetchVia, httpUpstream, now, RawClient, splitResponse } from './helpers.js';

describe('proxies/chain', () => {
  let upstream: TestServer;
  let chain: RunningHop | undefined;
  afterEach(async () => {
    await closeAll(chain, upstream);
    chain = undefined;
  });

  it('runs client → hops[0] → … → upstream, and each hop does its part', async () => {
    upstream = await httpUpstream((_req, res) => {
      res.writeHead(200);
      res.end('through the chain');
    });
    chain = await startChain([latency({ delayMs: 40 }), rechunkSplit(), direct()], upstream.url);
    const client = await RawClient.open(chain.url);
    const sent = now();
    client.send('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await client.waitForEnd(3000);
    const decoded = dechunk(splitResponse(client.bytes).body);
    expect(decoded.payload.toString()).to.equal('through the chain');
    expect(Math.max(...decoded.sizes)).to.be.at.most(7);
    expect((client.reads[0]?.t ?? 0) - sent, 'latency applied both ways').to.be.at.least(78);
  });

  it('merges every hop’s events into one log, tagged with the hop name', async () => {
    upstream = await httpUpstream((_req, res) => res.end('ok'));
    chain = await startChain([direct(), latency({ delayMs: 1 })], upstream.url);
    await fetchVia(chain.url);
    const names = new Set(chain.events.map((e) => e.what.split(':')[0]));
    expect([...names].sort()).to.deep.equal(['direct', 'latency(1ms)']);
  });

  it('starts hops server-side first and closes them all', async () => {
    upstream = await httpUpstream((_req, res) => res.end('ok'));
    const order: string[] = [];
    const spy = (hop: Hop): Hop => ({
      ...hop,
      start: async (up, options) => {
        order.push(`${hop.name} → ${up.port === upstream.url.port ? 'upstream' : 'hop'}`);
        return hop.start(up, options);
      },
    });
    chain = await startChain([spy(direct()), spy(latency({ delayMs: 1 }))], upstream.url);
    expect(order).to.deep.equal(['latency(1ms) → upstream', 'direct → hop']);
    const url = chain.url;
    await chain.close();
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect({ host: url.hostname, port: Number(url.port) });
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
    expect(refused).to.equal(true);
  });

  it('refuses an empty chain, and cleans up when a hop cannot start', async () => {
    upstream = await httpUpstream((_req, res) => res.end('ok'));
    let error: unknown;
    try {
      await startChain([], upstream.url);
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/at least one hop/);
    // The client-facing port is taken by the upstream itself.
    error = undefined;
    try {
      await startChain([direct(), direct()], upstream.url, { port: Number(upstream.url.port) });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/EADDRINUSE/);
  });
});
