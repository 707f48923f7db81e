import { expect } from 'chai';
import { classifyShared } from '../runner/http/cacheability.js';
import { parseCacheControl } from '../runner/http/cache-control.js';
import { storability } from '../proxies/shared-cache.js';

const judge = (headers: Array<[string, string]>, over: Partial<Parameters<typeof classifyShared>[0]> = {}) =>
  classifyShared({ method: 'GET', status: 200, headers, requestHasAuthorization: false, ...over });

describe('shared-cache storability (RFC 9111 §3)', () => {
  const cases: Array<[string, Array<[string, string]>, boolean, RegExp]> = [
    ['no-store', [['Cache-Control', 'no-store']], false, /no-store/],
    ['no-cache', [['cache-control', 'no-cache']], false, /no-cache/],
    ['private', [['Cache-Control', 'private, max-age=60']], false, /private/],
    ['public max-age', [['Cache-Control', 'public, max-age=60']], true, /max-age=60/],
    ['s-maxage wins', [['Cache-Control', 's-maxage=5, max-age=60']], true, /s-maxage=5/],
    ['max-age=0 still storable (grace)', [['Cache-Control', 'max-age=0']], true, /already stale/],
    ['Expires in the future', [['Expires', new Date(Date.now() + 60_000).toUTCString()]], true, /Expires/],
    ['invalid Expires means expired but storable', [['Expires', '0']], true, /already stale/],
    ['Last-Modified only → heuristic', [['Last-Modified', 'Tue, 01 Jan 2030 00:00:00 GMT']], true, /Last-Modified without Cache-Control/],
    ['nothing at all → heuristic', [], true, /no Cache-Control at all/],
    ['Pragma only is not a control', [['Pragma', 'no-cache']], true, /heuristic|no Cache-Control/],
  ];
  for (const [name, headers, storable, why] of cases) {
    it(`${name}: ${storable ? 'storable' : 'not storable'}`, () => {
      const r = judge(headers);
      expect(r.storable).to.equal(storable);
      expect(r.why).to.match(why);
    });
  }

  it('POST is not storable without explicit freshness and Content-Location', () => {
    expect(judge([], { method: 'POST' }).storable).to.equal(false);
    expect(
      judge(
        [
          ['Cache-Control', 'max-age=60'],
          ['Content-Location', '/x'],
        ],
        { method: 'POST' },
      ).storable,
    ).to.equal(true);
  });

  it('Authorization keeps it out of shared caches unless public', () => {
    expect(judge([['Cache-Control', 'max-age=60']], { requestHasAuthorization: true }).storable).to.equal(false);
    expect(judge([['Cache-Control', 'public, max-age=60']], { requestHasAuthorization: true }).storable).to.equal(true);
  });

  it('408 has no heuristic freshness, but explicit freshness still makes it storable', () => {
    expect(judge([], { status: 408 }).storable).to.equal(false);
    expect(judge([['Cache-Control', 'max-age=10']], { status: 408 }).storable).to.equal(true);
  });
});

describe('one reading of Cache-Control for the judge and the simulated caches', () => {
  const DATE = 'Wed, 02 Dec 2026 04:00:00 GMT';
  const store = (cc: string, quirks: 'none' | 'varnish' = 'none') =>
    storability(
      { method: 'GET', headers: [] },
      {
        status: 200,
        headers: [
          ['Date', DATE],
          ['Cache-Control', cc],
        ],
      },
      { defaultTtlMs: 0, heuristicFraction: 0.1, quirks },
      Date.parse(DATE),
    );

  it('parses quoted arguments with commas as one directive', () => {
    const d = parseCacheControl('no-cache="Set-Cookie, X-Trace", max-age=60, private="a\\"b"');
    expect([...d]).to.deep.equal([
      ['no-cache', 'Set-Cookie, X-Trace'],
      ['max-age', '60'],
      ['private', 'a"b'],
    ]);
  });

  // Each row: the header, whether the judge (lp.not-storable) calls it storable, what the
  // RFC-following shared cache and the Varnish-like one store it for (0: not stored).
  const rows: Array<[string, boolean, number, number]> = [
    ['no-cache="Set-Cookie, X-Trace", max-age=60', true, 60_000, 0],
    ['no-cache, max-age=60', false, 0, 0],
    ['private="Set-Cookie", max-age=30', true, 30_000, 0],
    ['private, max-age=30', false, 0, 0],
    ['no-store, max-age=60', false, 0, 0],
    ['public, max-age=5', true, 5_000, 5_000],
  ];
  for (const [cc, judged, rfcMs, varnishMs] of rows) {
    it(`${cc}: judge ${judged ? 'storable' : 'not storable'}, shared cache ${rfcMs} ms, varnish ${varnishMs} ms`, () => {
      const j = classifyShared({
        method: 'GET',
        status: 200,
        headers: [
          ['Date', DATE],
          ['Cache-Control', cc],
        ],
        requestHasAuthorization: false,
        nowMs: Date.parse(DATE),
      });
      expect(j.storable, j.why).to.equal(judged);
      const rfc = store(cc);
      const varnish = store(cc, 'varnish');
      expect(rfc.store ? rfc.lifetimeMs : 0, rfc.reason).to.equal(rfcMs);
      expect(varnish.store ? varnish.lifetimeMs : 0, varnish.reason).to.equal(varnishMs);
      // Where the judge says "not storable", no simulated cache stores it either.
      if (!judged) expect(rfc.store || varnish.store).to.equal(false);
      if (j.storable && j.freshForMs !== null && rfc.store) expect(rfc.lifetimeMs).to.equal(j.freshForMs);
    });
  }
});
