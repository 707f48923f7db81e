import type { IncomingMessage } from 'node:http';
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import nock from 'nock';
import type { RunningHop } from '../../proxies/hop.js';
import { type SharedCacheParams, sharedCache, storability } from '../../proxies/shared-cache.js';
import {
  RawClient,
  type TestServer,
  closeAll,
  fetchVia,
  httpUpstream,
  now,
  rawUpstream,
  readHead,
  until,
  waitForEvent,
} from './helpers.js';

// nock patches node:http as soon as it is imported; only the tests that use it may see it.
nock.restore();

const VARNISH: SharedCacheParams = { defaultTtlMs: 120_000, heuristicFraction: 0, coalesce: true };

describe('proxies/shared-cache', () => {
  let upstream: (TestServer & { requests: IncomingMessage[] }) | undefined;
  let hop: RunningHop | undefined;
  let clock = Date.now();
  const nowMs = (): number => clock;
  beforeEach(() => {
    clock = Date.now();
  });
  afterEach(async () => {
    await closeAll(hop, upstream);
    hop = undefined;
    upstream = undefined;
  });

  const start = async (params: Partial<SharedCacheParams>, handler: Parameters<typeof httpUpstream>[0]): Promise<RunningHop> => {
    upstream = await httpUpstream(handler);
    hop = await sharedCache({ ...VARNISH, nowMs, ...params }).start(upstream.url);
    return hop;
  };
  const upstreamCount = (): number => upstream?.requests.length ?? 0;

  it('stores a 200 without Cache-Control for the default TTL and replays it instantly, with Age', async () => {
    const h = await start({}, (_req, res) => setTimeout(() => res.end('{"events":[]}'), 150));
    const first = await fetchVia(h.url, '/poll?id=1');
    expect(first.headers['x-cache']).to.equal('MISS');
    clock += 5_000;
    const t = now();
    const second = await fetchVia(h.url, '/poll?id=1');
    expect(second.tEnd - t, 'no hold: answered from cache').to.be.below(100);
    expect(second.body.toString()).to.equal('{"events":[]}');
    expect(second.headers.age).to.equal('5');
    expect(second.headers['x-cache']).to.equal('HIT');
    expect(upstreamCount()).to.equal(1);
    clock += 120_000;
    await fetchVia(h.url, '/poll?id=1');
    expect(upstreamCount(), 'expired after the TTL').to.equal(2);
  });

  it('gives a Last-Modified response heuristic freshness of 10 % of its age', async () => {
    const h = await start({ defaultTtlMs: 0, heuristicFraction: 0.1 }, (_req, res) => {
      const date = Date.now();
      res.setHeader('Date', new Date(date).toUTCString());
      res.setHeader('Last-Modified', new Date(date - 100_000).toUTCString());
      res.end('doc');
    });
    await fetchVia(h.url, '/doc');
    clock += 9_000;
    expect((await fetchVia(h.url, '/doc')).headers['x-cache']).to.equal('HIT');
    clock += 2_000;
    await fetchVia(h.url, '/doc');
    expect(upstreamCount()).to.equal(2);
    await waitForEvent(h, /heuristic 0\.1/);
  });

  for (const directive of ['no-store', 'private', 'no-cache']) {
    it(`never serves a ${directive} response from cache`, async () => {
      const h = await start({}, (_req, res) => {
        res.setHeader('Cache-Control', directive);
        res.end('fresh');
      });
      await fetchVia(h.url, '/x');
      await fetchVia(h.url, '/x');
      expect(upstreamCount()).to.equal(2);
    });
  }

  it('honours max-age, prefers s-maxage, and honours Expires', async () => {
    const h = await start({ defaultTtlMs: 0 }, (req, res) => {
      if (req.url === '/max-age') res.setHeader('Cache-Control', 'max-age=2');
      if (req.url === '/s-maxage') res.setHeader('Cache-Control', 'max-age=100, s-maxage=1');
      if (req.url === '/expires') {
        const date = Date.now();
        res.setHeader('Date', new Date(date).toUTCString());
        res.setHeader('Expires', new Date(date + 3_000).toUTCString());
      }
      res.end(req.url);
    });
    const base = clock;
    for (const path of ['/max-age', '/s-maxage', '/expires']) await fetchVia(h.url, path);
    clock = base + 1_500;
    const hits = await Promise.all(['/max-age', '/expires'].map(async (p) => (await fetchVia(h.url, p)).headers['x-cache']));
    expect(hits).to.deep.equal(['HIT', 'HIT']);
    expect((await fetchVia(h.url, '/s-maxage')).headers['x-cache'], 's-maxage=1 wins over max-age=100').to.equal('MISS');
    clock = base + 4_500;
    expect((await fetchVia(h.url, '/max-age')).headers['x-cache']).to.equal('MISS');
    expect((await fetchVia(h.url, '/expires')).headers['x-cache']).to.equal('MISS');
  });

  it('coalesces concurrent identical GETs into one upstream fetch', async () => {
    const h = await start({}, (_req, res) => setTimeout(() => res.end('one answer'), 100));
    const all = await Promise.all([1, 2, 3].map(() => fetchVia(h.url, '/poll')));
    expect(all.map((r) => r.body.toString())).to.deep.equal(['one answer', 'one answer', 'one answer']);
    expect(upstreamCount()).to.equal(1);
    expect(h.events.filter((e) => /coalesced/.test(e.what))).to.have.length(2);
  });

  it('without coalescing, concurrent misses each go upstream', async () => {
    const h = await start({ coalesce: false }, (_req, res) => setTimeout(() => res.end('answer'), 60));
    await Promise.all([1, 2, 3].map(() => fetchVia(h.url, '/poll')));
    expect(upstreamCount()).to.equal(3);
  });

  it('sends waiters upstream on their own when the coalesced fetch is not cacheable', async () => {
    const h = await start({}, (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      setTimeout(() => res.end('personal'), 60);
    });
    await Promise.all([1, 2, 3].map(() => fetchVia(h.url, '/poll')));
    expect(upstreamCount()).to.equal(3);
  });

  it('answers If-None-Match from a stored response with 304', async () => {
    const h = await start({}, (_req, res) => {
      res.setHeader('ETag', '"v1"');
      res.end('message 1');
    });
    await fetchVia(h.url, '/lp');
    const conditional = await fetchVia(h.url, '/lp', { 'If-None-Match': '"v1"' });
    expect(conditional.status).to.equal(304);
    expect(conditional.headers.etag).to.equal('"v1"');
    expect(upstreamCount()).to.equal(1);
  });

  it('answers If-Modified-Since from a stored response with 304 when nothing changed since', async () => {
    const lastModified = new Date(Date.now() - 60_000).toUTCString();
    const h = await start({}, (_req, res) => {
      res.setHeader('Last-Modified', lastModified);
      res.end('doc');
    });
    await fetchVia(h.url, '/doc');
    expect((await fetchVia(h.url, '/doc', { 'If-Modified-Since': lastModified })).status).to.equal(304);
    const older = new Date(Date.now() - 120_000).toUTCString();
    expect((await fetchVia(h.url, '/doc', { 'If-Modified-Since': older })).status).to.equal(200);
    expect(upstreamCount()).to.equal(1);
  });

  it('does not forward a client cursor on a miss, and answers it 304 itself (Varnish)', async () => {
    const h = await start({}, (_req, res) => {
      res.setHeader('ETag', '"oldest"');
      res.end('oldest message');
    });
    const r = await fetchVia(h.url, '/lp', { 'If-None-Match': '"oldest"' });
    expect(upstream?.requests[0]?.headers['if-none-match']).to.equal(undefined);
    expect(r.status).to.equal(304);
  });

  it('revalidates a stale response that has a validator', async () => {
    const h = await start({ defaultTtlMs: 0 }, (req, res) => {
      res.setHeader('Cache-Control', 'max-age=1');
      res.setHeader('ETag', '"e"');
      if (req.headers['if-none-match'] === '"e"') {
        res.statusCode = 304;
        res.end();
      } else res.end('body');
    });
    await fetchVia(h.url, '/r');
    clock += 2_000;
    const again = await fetchVia(h.url, '/r');
    expect(again.body.toString()).to.equal('body');
    expect(upstream?.requests[1]?.headers['if-none-match']).to.equal('"e"');
    await waitForEvent(h, /304 from upstream/);
  });

  it('keeps Vary variants apart', async () => {
    const h = await start({}, (req, res) => {
      res.setHeader('Vary', 'Accept-Language');
      res.end(req.headers['accept-language'] ?? 'none');
    });
    await fetchVia(h.url, '/v', { 'Accept-Language': 'en' });
    const fr = await fetchVia(h.url, '/v', { 'Accept-Language': 'fr' });
    const en = await fetchVia(h.url, '/v', { 'Accept-Language': 'en' });
    expect([fr.body.toString(), fr.headers['x-cache']]).to.deep.equal(['fr', 'MISS']);
    expect([en.body.toString(), en.headers['x-cache']]).to.deep.equal(['en', 'HIT']);
  });

  it('shares a stream that is still arriving: a late joiner is replayed it from the start', async () => {
    let res: ServerResponse | undefined;
    const h = await start({}, (_req, r) => {
      res = r;
      r.writeHead(200, { 'Content-Type': 'text/event-stream' });
      r.write('id: 1\ndata: first\n\n');
    });
    const early = fetchVia(h.url, '/events');
    await waitForEvent(h, /stored 200/);
    const late = new RawClient(h.url);
    late.send(`GET /events HTTP/1.1\r\nHost: ${h.url.host}\r\nLast-Event-ID: 1\r\n\r\n`);
    await late.waitForText('data: first');
    expect(late.text).to.match(/X-Cache: HIT/i);
    res?.end('id: 2\ndata: second\n\n');
    await late.waitForText('data: second');
    expect((await early).body.toString()).to.equal('id: 1\ndata: first\n\nid: 2\ndata: second\n\n');
    expect(upstreamCount()).to.equal(1);
    late.close();
  });

  it('invalidates a stored response after a successful POST to the same URI', async () => {
    const h = await start({}, (req, res) => {
      req.resume();
      res.end(req.method);
    });
    await fetchVia(h.url, '/channel');
    await fetchVia(h.url, '/channel', {}, 'POST');
    const after = await fetchVia(h.url, '/channel');
    expect(after.headers['x-cache']).to.equal('MISS');
    expect(upstreamCount()).to.equal(3);
  });

  it('with Varnish quirks, reads an unframed keep-alive body as empty and stores that', async () => {
    const raw = await rawUpstream(
      (s) => void readHead(s).then(() => s.write('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nlost body')),
    );
    hop = await sharedCache({ ...VARNISH, quirks: 'varnish', nowMs }).start(raw.url);
    try {
      const first = await fetchVia(hop.url, '/s');
      expect(first.headers['content-length']).to.equal('0');
      expect(first.body.length).to.equal(0);
      const second = await fetchVia(hop.url, '/s');
      expect(second.headers['x-cache']).to.equal('HIT');
    } finally {
      await raw.close();
    }
  });

  describe('storability rules (RFC 9111 §3)', () => {
    const rules = { defaultTtlMs: 0, heuristicFraction: 0.1 };
    const t = Date.now();
    it('refuses a request with Authorization unless the response allows it', () => {
      const req = { method: 'GET', headers: [['Authorization', 'Bearer x']] as [string, string][] };
      expect(storability(req, { status: 200, headers: [['Cache-Control', 'max-age=60']] }, rules, t).store).to.equal(false);
      expect(storability(req, { status: 200, headers: [['Cache-Control', 'public, max-age=60']] }, rules, t).store).to.equal(true);
    });
    it('refuses Vary: * and, with Varnish quirks only, Set-Cookie', () => {
      const req = { method: 'GET', headers: [] };
      expect(
        storability(
          req,
          {
            status: 200,
            headers: [
              ['Cache-Control', 'max-age=60'],
              ['Vary', '*'],
            ],
          },
          rules,
          t,
        ).store,
      ).to.equal(false);
      const cookie = {
        status: 200,
        headers: [
          ['Cache-Control', 'max-age=60'],
          ['Set-Cookie', 'a=b'],
        ] as [string, string][],
      };
      expect(storability(req, cookie, rules, t).store).to.equal(true);
      expect(storability(req, cookie, { ...rules, quirks: 'varnish' }, t).store).to.equal(false);
    });
    it('does not give a default TTL to an error status', () => {
      const req = { method: 'GET', headers: [] };
      expect(storability(req, { status: 503, headers: [] }, { ...rules, defaultTtlMs: 120_000 }, t).store).to.equal(false);
      expect(storability(req, { status: 404, headers: [] }, { ...rules, defaultTtlMs: 120_000 }, t).lifetimeMs).to.equal(120_000);
    });
  });

  describe('against a nock-mocked origin', () => {
    before(() => {
      if (!nock.isActive()) nock.activate();
    });
    after(() => {
      nock.cleanAll();
      nock.restore();
    });

    it('fetches a max-age response exactly once for two clients', async () => {
      const scope = nock('http://origin.test').get('/n').once().reply(200, 'cached', { 'Cache-Control': 'max-age=60' });
      hop = await sharedCache({ ...VARNISH, nowMs }).start(new URL('http://origin.test/'));
      const a = await fetchVia(hop.url, '/n');
      const b = await fetchVia(hop.url, '/n');
      expect([a.body.toString(), b.body.toString()]).to.deep.equal(['cached', 'cached']);
      expect(b.headers['x-cache']).to.equal('HIT');
      scope.done();
    });

    it('fetches a no-store response for every client', async () => {
      const scope = nock('http://origin.test').get('/ns').twice().reply(200, 'mine', { 'Cache-Control': 'no-store' });
      hop = await sharedCache({ ...VARNISH, nowMs }).start(new URL('http://origin.test/'));
      await fetchVia(hop.url, '/ns');
      await fetchVia(hop.url, '/ns');
      await until(() => scope.isDone(), 1000, 'both upstream fetches');
      scope.done();
    });
  });
});
