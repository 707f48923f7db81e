import { expect } from 'chai';
import { latency } from '../../proxies/latency.js';
import { startChain } from '../../proxies/chain.js';
import { startTargetEdge, type TargetEdge } from '../../proxies/target-edge.js';
import type { RunningHop } from '../../proxies/hop.js';
import { type TestServer, closeAll, fetchVia, httpUpstream, now } from './helpers.js';
import { startReferenceServer } from '../../fixtures/reference-server.js';

describe('proxies/target-edge', () => {
  let upstream: TestServer;
  let edge: TargetEdge;
  let chain: RunningHop | undefined;
  afterEach(() => closeAll(chain, edge, upstream));

  it('passes requests unchanged and says when each reached the target, after the hops in front of it', async () => {
    const seen: string[] = [];
    upstream = await httpUpstream((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.host}`);
      res.end('ok');
    });
    edge = await startTargetEdge(upstream.url);
    chain = await startChain([latency({ delayMs: 150 })], edge.url);
    const sent = now();
    const answer = fetchVia(chain.url, '/lp?ch=a&since=3', { host: 'target.example' });
    const reached = await edge.arrival('/lp?ch=a&since=3', sent, 2000);
    expect((await answer).body.toString()).to.equal('ok');
    expect(seen).to.deep.equal(['GET /lp?ch=a&since=3 target.example']);
    expect(reached, 'arrival').to.not.equal(null);
    // The latency hop held the request ~150 ms on its way: the edge saw it then, not at the send.
    expect((reached ?? 0) - sent).to.be.within(140, 1500);
  });

  it('answers null when no such request arrives in time, and at once for one that already did', async () => {
    upstream = await httpUpstream((_req, res) => res.end('ok'));
    edge = await startTargetEdge(upstream.url);
    const t0 = now();
    expect(await edge.arrival('/never', t0, 100)).to.equal(null);
    expect(now() - t0).to.be.within(90, 1000);
    await fetchVia(edge.url, '/once');
    const t1 = now();
    expect(await edge.arrival('/once', t0, 5000)).to.be.a('number');
    expect(now() - t1).to.be.below(50);
    // Only requests at or after `since` count.
    expect(await edge.arrival('/once', now(), 0)).to.equal(null);
  });

  it('treats an absolute-form target (a forward proxy in front) as its path', async () => {
    upstream = await httpUpstream((_req, res) => res.end('ok'));
    edge = await startTargetEdge(upstream.url);
    const t0 = now();
    const net = await import('node:net');
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(Number(edge.url.port), '127.0.0.1', () =>
        s.write(`GET http://${upstream.url.host}/abs?x=1 HTTP/1.1\r\nHost: ${upstream.url.host}\r\nConnection: close\r\n\r\n`),
      );
      s.on('data', () => undefined);
      s.on('close', () => resolve());
      s.on('error', reject);
    });
    expect(await edge.arrival('/abs?x=1', t0, 1000)).to.be.a('number');
  });

  it('gives up a pending wait when it is closed', async () => {
    upstream = await httpUpstream((_req, res) => res.end('ok'));
    edge = await startTargetEdge(upstream.url);
    const waiting = edge.arrival('/later', now(), 10_000);
    const t0 = now();
    await edge.close();
    expect(await waiting).to.equal(null);
    expect(now() - t0).to.be.below(500);
  });

  it('opens TLS to an https target with the trust it is given, plain HTTP toward the hops; without a trust it refuses https', async () => {
    const server = await startReferenceServer({ tls: true });
    try {
      let message = '';
      await startTargetEdge(new URL(server.url)).catch((e: Error) => (message = e.message));
      expect(message).to.include('upstream must be an http:// URL');
      edge = await startTargetEdge(new URL(server.url), { insecure: false, ca: server.caPem ?? '' });
      chain = await startChain([latency({ delayMs: 20 })], edge.url);
      expect(chain.url.protocol).to.equal('http:');
      const sent = now();
      const answer = await fetchVia(chain.url, '/', { host: new URL(server.url).host });
      expect(answer.body.toString()).to.equal('pushspec reference server\n');
      expect(await edge.arrival('/', sent, 0)).to.not.equal(null);
    } finally {
      await closeAll(chain, edge);
      chain = undefined;
      await server.close();
    }
  });
});
