import { expect } from 'chai';
import { classifyShared } from '../../runner/http/cacheability.js';
import { freshness, initialAgeMs } from '../../runner/http/freshness.js';
import { storeDecision } from '../../runner/http/storability.js';
import { storability } from '../../proxies/shared-cache.js';

const DATE = 'Wed, 02 Dec 2026 04:00:00 GMT';
const NOW = Date.parse(DATE);
const fresh = (headers: Array<[string, string]>, status = 200, heuristicFraction = 0.1) =>
  freshness({ status, headers: [['Date', DATE], ...headers], responseTimeMs: NOW, heuristicFraction });

describe('runner/http freshness (RFC 9111 §4.2)', () => {
  it('takes s-maxage over max-age over Expires − Date (§4.2.1)', () => {
    expect(fresh([['Cache-Control', 'max-age=60, s-maxage=5']])).to.include({ basis: 's-maxage', lifetimeMs: 5_000 });
    expect(
      fresh([
        ['Cache-Control', 'max-age=60'],
        ['Expires', 'Wed, 02 Dec 2026 05:00:00 GMT'],
      ]),
    ).to.include({ basis: 'max-age', lifetimeMs: 60_000 });
    expect(fresh([['Expires', 'Wed, 02 Dec 2026 04:00:30 GMT']])).to.include({ basis: 'expires', lifetimeMs: 30_000 });
  });

  it('reads an invalid Expires as already expired (§5.3) and ignores a malformed max-age', () => {
    expect(fresh([['Expires', '0']])).to.include({ basis: 'expires', lifetimeMs: 0 });
    expect(
      fresh([
        ['Cache-Control', 'max-age=soon'],
        ['Expires', '0'],
      ]),
    ).to.include({ basis: 'expires' });
  });

  it('gives heuristic freshness as a share of Date − Last-Modified, only where §4.2.2 allows it', () => {
    expect(fresh([['Last-Modified', 'Wed, 02 Dec 2026 03:00:00 GMT']])).to.include({ basis: 'heuristic', lifetimeMs: 360_000 });
    expect(fresh([])).to.include({ basis: 'heuristic', lifetimeMs: null });
    expect(fresh([['Last-Modified', 'Wed, 02 Dec 2026 03:00:00 GMT']], 200, 0)).to.include({ basis: 'heuristic', lifetimeMs: null });
    // 302 is not heuristically cacheable (RFC 9110 §15.1) unless marked public.
    expect(fresh([['Last-Modified', 'Wed, 02 Dec 2026 03:00:00 GMT']], 302)).to.deep.equal({ basis: 'none' });
    expect(
      fresh(
        [
          ['Cache-Control', 'public'],
          ['Last-Modified', 'Wed, 02 Dec 2026 03:00:00 GMT'],
        ],
        302,
      ),
    ).to.include({ basis: 'heuristic', lifetimeMs: 360_000 });
  });

  it('takes the larger of Age and the apparent age as the initial age (§4.2.3)', () => {
    expect(
      initialAgeMs(
        [
          ['Date', DATE],
          ['Age', '7'],
        ],
        NOW + 2_500,
      ),
    ).to.equal(7_000);
    expect(
      initialAgeMs(
        [
          ['Date', DATE],
          ['Age', '1'],
        ],
        NOW + 2_500,
      ),
    ).to.equal(2_000);
    expect(initialAgeMs([], NOW)).to.equal(0);
  });
});

describe('one storability model for the judge and the shared-cache hop (RFC 9111 §3)', () => {
  const rfcCache = { defaultTtlMs: 0, heuristicFraction: 0.1, quirks: 'none' as const };
  // [response headers, storable per RFC 9111, explicit lifetime in ms (null: heuristic, 0: stale on arrival)]
  const rows: Array<[string, Array<[string, string]>, boolean, number | null]> = [
    // §5.2.2.4: the qualified form names fields to withhold; the response is reusable for 60 s.
    ['no-cache="Set-Cookie, X-Trace", max-age=60', [['Cache-Control', 'no-cache="Set-Cookie, X-Trace", max-age=60']], true, 60_000],
    [
      'no-cache split across lines',
      [
        ['Cache-Control', 'no-cache="Set-Cookie,'],
        ['Cache-Control', ' X-Trace", max-age=60'],
      ],
      true,
      60_000,
    ],
    ['no-cache, max-age=60', [['Cache-Control', 'no-cache, max-age=60']], false, 0],
    ['private="Set-Cookie", s-maxage=30', [['Cache-Control', 'private="Set-Cookie", s-maxage=30']], true, 30_000],
    ['private, max-age=30', [['Cache-Control', 'private, max-age=30']], false, 0],
    ['no-store inside a list', [['Cache-Control', 'public, no-store, max-age=60']], false, 0],
    [
      'Vary: *',
      [
        ['Cache-Control', 'max-age=60'],
        ['Vary', '*'],
      ],
      false,
      0,
    ],
    ['max-age=0', [['Cache-Control', 'max-age=0']], true, 0],
    ['Last-Modified only', [['Last-Modified', 'Wed, 02 Dec 2026 03:00:00 GMT']], true, null],
  ];
  for (const [name, headers, storable, lifetime] of rows) {
    it(`${name}: ${storable ? 'storable' : 'not storable'} for the judge, the model and the hop alike`, () => {
      const all: Array<[string, string]> = [['Date', DATE], ...headers];
      const model = storeDecision(
        { method: 'GET', authorization: false },
        { status: 200, headers: all },
        { responseTimeMs: NOW, heuristicFraction: 0.1 },
      );
      const judge = classifyShared({ method: 'GET', status: 200, headers: all, requestHasAuthorization: false, nowMs: NOW });
      const hop = storability({ method: 'GET', headers: [] }, { status: 200, headers: all }, rfcCache, NOW);
      expect(model.store, 'model').to.equal(storable);
      expect(judge.storable, judge.why).to.equal(storable);
      if (!storable || lifetime === 0) {
        // Stale on arrival or not storable: the hop keeps nothing to replay.
        expect(hop.store, hop.reason).to.equal(false);
        return;
      }
      expect(hop.store, hop.reason).to.equal(true);
      if (lifetime !== null && judge.storable) {
        expect(judge.freshForMs).to.equal(lifetime);
        expect(hop.lifetimeMs).to.equal(lifetime);
      }
    });
  }

  it('names the withheld fields of a qualified no-cache, and the judge says the reuse still happens', () => {
    const headers: Array<[string, string]> = [['Cache-Control', 'no-cache="Set-Cookie, X-Trace", max-age=60']];
    const model = storeDecision(
      { method: 'GET', authorization: false },
      { status: 200, headers },
      { responseTimeMs: NOW, heuristicFraction: 0 },
    );
    expect(model.store && model.withheld).to.deep.equal(['Set-Cookie', 'X-Trace']);
    expect(classifyShared({ method: 'GET', status: 200, headers, requestHasAuthorization: false }).why).to.match(
      /Set-Cookie, X-Trace only withheld .*does not stop the reuse/,
    );
  });

  it('keeps the hop policy on top of the model: GET only, default TTL where the RFC leaves the lifetime open, Varnish quirks', () => {
    const headers: Array<[string, string]> = [['Cache-Control', 'no-cache="Set-Cookie", max-age=60']];
    expect(storability({ method: 'GET', headers: [] }, { status: 200, headers }, { ...rfcCache, quirks: 'varnish' }, NOW).store).to.equal(
      false,
    );
    expect(storability({ method: 'HEAD', headers: [] }, { status: 200, headers }, rfcCache, NOW).store).to.equal(false);
    expect(
      storability({ method: 'GET', headers: [] }, { status: 302, headers: [] }, { ...rfcCache, defaultTtlMs: 120_000 }, NOW).lifetimeMs,
    ).to.equal(120_000);
    expect(
      storability({ method: 'GET', headers: [['Cache-Control', 'no-store']] }, { status: 200, headers }, rfcCache, NOW).reason,
    ).to.match(/§5\.2\.1\.5/);
  });

  it('refuses non-final, 206 and 304 statuses and keeps POST to explicit freshness with Content-Location', () => {
    const decide = (method: string, status: number, headers: Array<[string, string]>) =>
      storeDecision({ method, authorization: false }, { status, headers }, { responseTimeMs: NOW, heuristicFraction: 0.1 });
    for (const status of [100, 206, 304])
      expect(decide('GET', status, [['Cache-Control', 'max-age=60']])).to.include({ store: false, rule: 'status' });
    expect(decide('POST', 200, [['Cache-Control', 'max-age=60']])).to.include({ store: false, rule: 'method' });
    expect(
      decide('POST', 200, [
        ['Cache-Control', 'max-age=60'],
        ['Content-Location', '/x'],
      ]),
    ).to.include({ store: true });
    expect(decide('GET', 418, [])).to.include({ store: false, rule: 'no-freshness' });
  });
});
