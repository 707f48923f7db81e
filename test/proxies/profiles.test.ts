import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { startChain } from '../../proxies/chain.js';
import type { RunningHop } from '../../proxies/hop.js';
import { PROFILES, PROFILE_NAMES, scaledHops, timeoutsOf } from '../../proxies/profiles.js';
import {
  RawClient,
  type TestServer,
  closeAll,
  dechunk,
  fetchVia,
  httpUpstream,
  now,
  splitResponse,
  until,
  waitForEvent,
} from './helpers.js';

describe('proxies/profiles', () => {
  it('has every unit and every preset the design names', () => {
    const units = [
      'direct',
      'latency',
      'buffer-full',
      'buffer-bytes',
      'rechunk-split',
      'rechunk-coalesce',
      'http10',
      'idle-timeout',
      'first-byte-timeout',
      'total-timeout',
      'shared-cache',
      'gzip',
      'conn-pool',
      'client-pool',
      'no-pipeline',
    ];
    const presets = ['nginx-default', 'elb-60s', 'heroku', 'cloudflare', 'cloudfront', 'app-runner', 'envoy-default', 'varnish-default'];
    expect(PROFILE_NAMES).to.include.members([...units, ...presets]);
  });

  it('builds fresh, named, described hops for every profile', () => {
    for (const [name, profile] of Object.entries(PROFILES)) {
      const hops = profile.hops();
      expect(hops.length, name).to.be.greaterThan(0);
      expect(profile.hops()[0], `${name}: fresh instances`).not.to.equal(hops[0]);
      for (const hop of hops) {
        expect(hop.name, name).to.match(/^[a-z0-9-]+(\(.*\))?$/);
        expect(hop.describe.length, `${name}: ${hop.name}`).to.be.greaterThan(20);
      }
      expect(profile.description.length, name).to.be.greaterThan(10);
    }
    expect(PROFILES['buffer-full']?.streamingPossible).to.equal(false);
    expect(
      Object.entries(PROFILES)
        .filter(([, p]) => !p.streamingPossible)
        .map(([n]) => n),
    ).to.deep.equal(['buffer-full']);
  });

  it('every preset names its source', () => {
    for (const name of [
      'nginx-default',
      'nginx-http11',
      'elb-60s',
      'heroku',
      'cloudflare',
      'cloudfront',
      'app-runner',
      'envoy-default',
      'varnish-default',
    ]) {
      expect(PROFILES[name]?.realWorld, name).to.match(/measured|docs|guide|Dev Center|developers\.cloudflare\.com|HttpConnectionManager/);
    }
  });

  it('reports the timeouts of each preset', () => {
    expect(timeoutsOf('nginx-default')).to.deep.equal({ idleMs: 60_000, firstByteMs: 60_000, firstByteStatus: 504 });
    expect(timeoutsOf('elb-60s')).to.deep.equal({ idleMs: 60_000, firstByteMs: 60_000, firstByteStatus: 504 });
    expect(timeoutsOf('heroku')).to.deep.equal({ idleMs: 55_000, firstByteMs: 30_000, firstByteStatus: 503 });
    expect(timeoutsOf('cloudflare')).to.deep.equal({ idleMs: 125_000, firstByteMs: 125_000, firstByteStatus: 524 });
    expect(timeoutsOf('cloudfront')).to.deep.equal({ idleMs: 30_000, firstByteMs: 30_000, firstByteStatus: 504 });
    expect(timeoutsOf('app-runner')).to.deep.equal({ totalMs: 120_000 });
    expect(timeoutsOf('varnish-default')).to.deep.equal({ idleMs: 60_000, firstByteMs: 60_000, firstByteStatus: 503 });
    expect(timeoutsOf('envoy-default')).to.deep.equal({ totalMs: 15_000, idleMs: 300_000 });
    expect(timeoutsOf('direct')).to.deep.equal({});
    expect(() => timeoutsOf('nope')).to.throw(/unknown profile "nope" \(allowed: direct,/);
  });

  it('scales every timeout, and nothing else', () => {
    const heroku = scaledHops('heroku', 100);
    expect(heroku.map((h) => h.name)).to.deep.equal(['first-byte-timeout(300ms, 503)', 'idle-timeout(550ms)']);
    expect(scaledHops('latency', 100).map((h) => h.name)).to.deep.equal(['latency(150ms)']);
    expect(scaledHops('varnish-default', 1000).map((h) => h.name)).to.deep.equal([
      'shared-cache(ttl 120000ms, coalesce)',
      'first-byte-timeout(60ms, 503)',
      'idle-timeout(60ms)',
    ]);
  });

  describe('live presets', () => {
    let upstream: TestServer;
    let chain: RunningHop;
    afterEach(() => closeAll(chain, upstream));

    it('heroku, scaled ×100: 503 after 300 ms without a first byte', async () => {
      upstream = await httpUpstream(() => undefined);
      chain = await startChain(scaledHops('heroku', 100), upstream.url);
      const sent = now();
      const res = await fetchVia(chain.url, '/poll');
      expect(res.status).to.equal(503);
      expect(res.tHead - sent).to.be.within(295, 800);
    });

    it('cloudflare, scaled ×1000: 524 for a poll held past 125 ms', async () => {
      upstream = await httpUpstream(() => undefined);
      chain = await startChain(scaledHops('cloudflare', 1000), upstream.url);
      expect((await fetchVia(chain.url, '/poll')).status).to.equal(524);
    });

    it('nginx-default: a stream stalls, headers included, until 4 KiB (HTTP/1.0 upstream makes it close-delimited)', async () => {
      let res: ServerResponse | undefined;
      upstream = await httpUpstream((req, r) => {
        res = r;
        expect(req.httpVersion).to.equal('1.0');
        r.writeHead(200, { 'Content-Type': 'text/plain' });
        r.write('event 1\n');
      });
      chain = await startChain(PROFILES['nginx-default']?.hops() ?? [], upstream.url);
      const client = await RawClient.open(chain.url);
      client.send('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
      await waitForEvent(chain, /\(close\): holding until 4096/);
      const fillAt = now();
      res?.write('x'.repeat(4096));
      await client.waitForText('event 1');
      expect(client.reads[0]?.t).to.be.at.least(fillAt);
      expect(splitResponse(client.bytes).head).to.match(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Transfer-Encoding: chunked/);
      res?.end();
      await client.waitForText('0\r\n\r\n');
      expect(dechunk(splitResponse(client.bytes).body).payload.length).to.equal(8 + 4096);
      client.close();
    });

    it('nginx-default: X-Accel-Buffering: no streams through', async () => {
      let res: ServerResponse | undefined;
      upstream = await httpUpstream((_req, r) => {
        res = r;
        r.writeHead(200, { 'Content-Type': 'text/plain', 'X-Accel-Buffering': 'no' });
        r.write('event 1\n');
      });
      chain = await startChain(PROFILES['nginx-default']?.hops() ?? [], upstream.url);
      const client = await RawClient.open(chain.url);
      client.send('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
      await client.waitForText('event 1');
      res?.end();
      client.close();
    });

    it('nginx-default, scaled ×600: 504 for a poll held past 100 ms', async () => {
      upstream = await httpUpstream(() => undefined);
      chain = await startChain(scaledHops('nginx-default', 600), upstream.url);
      const res = await fetchVia(chain.url, '/poll');
      expect(res.status).to.equal(504);
    });

    it('varnish-default: the stored "no news" answer of a poll is replayed instantly to the next client', async () => {
      upstream = await httpUpstream((_req, r) => setTimeout(() => r.end('{"messages":[]}'), 120));
      chain = await startChain(PROFILES['varnish-default']?.hops() ?? [], upstream.url);
      await fetchVia(chain.url, '/poll?channel=a');
      const t = now();
      const second = await fetchVia(chain.url, '/poll?channel=a');
      expect(second.tEnd - t).to.be.below(80);
      expect(second.headers.age).to.match(/^\d+$/);
      await until(() => (upstream as TestServer & { requests: unknown[] }).requests.length === 1, 100, 'a single upstream request');
    });
  });
});
