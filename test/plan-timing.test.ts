import { expect } from 'chai';
import { exitCodeFor } from '../runner/exit-code.js';
import type { Manifest } from '../runner/manifest/types.js';
import { applicability } from '../runner/applicability.js';
import { plan } from '../runner/plan.js';
import type { Summary } from '../runner/report.js';
import { parseVia, viaTimeouts, VIA_PROFILES } from '../runner/via.js';
import { fitSlope } from '../suites/scenarios/long-polling.js';
import { REQUIREMENTS } from '../suites/index.js';

const summary = (s: Partial<Summary>): Summary => ({ pass: 0, fail: 0, warn: 0, inconclusive: 0, skip: 0, error: 0, ...s });

describe('timing classification: held vs timer-driven', () => {
  it('a poll woken by its event tracks the publish offset (slope ≈ 1)', () => {
    const fit = fitSlope([
      [300, 302],
      [500, 503],
      [700, 701],
      [900, 904],
    ]);
    expect(fit?.slope).to.be.within(0.95, 1.05);
    expect(fit?.intercept).to.be.within(-5, 10);
  });
  it('a poll answered by its timer does not (slope ≈ 0)', () => {
    const fit = fitSlope([
      [300, 2001],
      [500, 2003],
      [700, 2000],
      [900, 2002],
    ]);
    expect(Math.abs(fit?.slope ?? 1)).to.be.below(0.05);
  });
  it('needs two distinct offsets', () => {
    expect(fitSlope([[1, 2]])).to.equal(null);
    expect(
      fitSlope([
        [1, 2],
        [1, 3],
      ]),
    ).to.equal(null);
  });
});

describe('exit codes', () => {
  it('0 when nothing failed, warnings allowed', () => expect(exitCodeFor(summary({ pass: 3, warn: 1 }), { strict: false })).to.equal(0));
  it('1 on a failure, or a warning under --strict', () => {
    expect(exitCodeFor(summary({ pass: 3, fail: 1 }), { strict: false })).to.equal(1);
    expect(exitCodeFor(summary({ pass: 3, warn: 1 }), { strict: true })).to.equal(1);
  });
  it('2 when the harness broke or nothing could be judged', () => {
    expect(exitCodeFor(summary({ pass: 3, error: 1 }), { strict: false })).to.equal(2);
    expect(exitCodeFor(summary({ inconclusive: 5, skip: 2 }), { strict: false })).to.equal(2);
  });
  it('with a baseline, only new failures and stale entries count', () => {
    expect(exitCodeFor(summary({ pass: 3, fail: 2 }), { strict: false, newFailures: 0, staleBaseline: 0 })).to.equal(0);
    expect(exitCodeFor(summary({ pass: 3, fail: 2 }), { strict: false, newFailures: 1, staleBaseline: 0 })).to.equal(1);
    expect(exitCodeFor(summary({ pass: 3 }), { strict: false, newFailures: 0, staleBaseline: 1 })).to.equal(1);
  });
});

describe('plan: requirements × intermediary profiles', () => {
  const lpOnly: Manifest = { name: 't', baseUrl: 'http://127.0.0.1:1', longPoll: { url: '/lp?c={channel}' } };
  const everything: Manifest = { ...lpOnly, stream: { url: '/s?c={channel}' }, sse: { url: '/e?c={channel}' } };
  const all = { only: [], skip: [], level: 'all' as const, via: [...VIA_PROFILES] };

  it('crosses each requirement only with the profiles it declares, plus direct unless it opts out', () => {
    const cases = plan(REQUIREMENTS, everything, all);
    for (const c of cases) {
      const r = c.requirement;
      if (c.via === 'direct') expect(r.directToo, c.key).to.not.equal(false);
      else expect(r.via ?? [], c.key).to.include(c.via);
    }
    expect(cases.some((c) => c.key === 'lp.cache-replay@shared-cache')).to.equal(true);
    expect(cases.some((c) => c.key === 'lp.cache-replay@direct')).to.equal(false);
    expect(new Set(cases.map((c) => c.key)).size).to.equal(cases.length);
  });

  it('marks transports the target lacks n/a, and streaming through buffer-full info', () => {
    const cases = plan(REQUIREMENTS, lpOnly, all);
    expect(cases.find((c) => c.key === 'st.incremental@direct')?.skipReason).to.match(/^n\/a/);
    const full = plan(REQUIREMENTS, everything, all).find((c) => c.key === 'st.incremental@buffer-full');
    expect(full?.skipReason).to.match(/^info: no server can stream through buffer-full/);
  });

  it('a profile asked about by name (a deployment question) runs every requirement that means something behind it, and direct', () => {
    const named = plan(REQUIREMENTS, everything, { ...all, via: ['direct', 'nginx-default'], viaNamed: true });
    const matrix = plan(REQUIREMENTS, everything, { ...all, via: ['direct', 'nginx-default'] });
    const through = (cs: typeof named, judged: boolean): string[] =>
      cs
        .filter((c) => c.via === 'nginx-default' && (c.skipReason === null) === judged)
        .map((c) => c.requirement.id)
        .sort();
    // The full matrix keeps its curated lists.
    expect(through(matrix, true)).to.deep.equal(['lp.hold-survives', 'lp.held', 'lp.wake', 'st.incremental'].sort());
    // Named: SSE, gap and idle checks too (the idle timeout is one of nginx-default's hops).
    expect(through(named, true)).to.include.members([
      'lp.gap-no-loss',
      'lp.order',
      'lp.no-duplicates',
      'st.stays-open',
      'st.app-framing',
      'st.idle-survives',
      'sse.dispatch',
      'sse.resume',
      'sse.retry',
      'lp.hold-survives',
    ]);
    // Message-syntax checks are listed as not applicable, with the reason; a cache-only check is left out.
    const na = named.filter((c) => c.via === 'nginx-default' && c.skipReason?.startsWith('n/a behind nginx-default: '));
    expect(na.map((c) => c.requirement.id).sort()).to.deep.equal([
      'h1.connection-close',
      'h1.host-required',
      'h1.http10-close',
      'h1.http10-no-chunked',
      'h1.idle-close',
      'h1.no-stray-bytes',
      'h1.pipeline-order',
      'h1.response-version',
      'h1.self-delimited',
      'h1.te-without-cl',
      'h2.cancel-isolated',
      'h2.concurrent-streams',
      'h2.no-connection-fields',
      'h2.slow-reader-isolated',
      'http.content-type',
      'http.date',
      'http.etag-syntax',
      'http.head',
      'sec.cors-credentials',
      'sec.jsonp-callback',
      'sec.jsonp-separators',
      'sec.last-event-id-oversized',
      'sec.nosniff',
      'st.chunk-syntax',
      'st.http10-eof',
      'st.no-content-length',
    ]);
    expect(na[0]?.skipReason).to.match(/judges the server's own message syntax/);
    expect(named.some((c) => c.key === 'lp.cache-replay@nginx-default')).to.equal(false);
    // Every requirement either runs behind it or says why not; only the cache-only check and the
    // real-client one (not asked for: one n/a row, direct) are absent.
    const behind = new Set(named.filter((c) => c.via === 'nginx-default').map((c) => c.requirement.id));
    expect([...REQUIREMENTS.map((r) => r.id)].filter((id) => !behind.has(id)).sort()).to.deep.equal([
      'client.eventsource',
      'lp.cache-replay',
    ]);
  });

  it('applicability behind a named profile follows what its hops change', () => {
    const ids = (via: string): string[] =>
      plan(REQUIREMENTS, everything, { ...all, via: [via], viaNamed: true })
        .filter((c) => c.skipReason === null)
        .map((c) => c.requirement.id);
    // rechunking touches bodies that are read as they arrive: streams and SSE, not long polls.
    expect(ids('rechunk-split').every((id) => id.startsWith('st.') || id.startsWith('sse.'))).to.equal(true);
    // the server's answer to what a client sends is forwarded unchanged by every hop
    expect(
      ids('shared-cache')
        .concat(ids('nginx-default'))
        .some((id) => id.startsWith('sec.')),
    ).to.equal(false);
    expect(ids('rechunk-split')).to.include('sse.dispatch');
    // a cache changes long polls (replays) as well as streams
    expect(ids('shared-cache')).to.include.members(['lp.cache-replay', 'lp.gap-no-loss', 'sse.not-storable']);
    // a chain inherits what its hops are declared for: varnish-default has a shared cache
    expect(ids('varnish-default')).to.include('lp.cache-replay');
    // serialising pipelined requests matters to BOSH only
    expect(REQUIREMENTS.filter((r) => applicability(r, 'no-pipeline').applies).every((r) => r.id.startsWith('bosh.'))).to.equal(true);
    const noPipe = plan(REQUIREMENTS, everything, { ...all, via: ['no-pipeline'], viaNamed: true }).find(
      (c) => c.key === 'lp.held@no-pipeline',
    );
    expect(noPipe?.skipReason).to.match(
      /^n\/a behind no-pipeline: no-pipeline only serialises pipelined requests, and the check depends on none of that/,
    );
    // a hop that holds every write for its window decides st.incremental whatever the server does
    const joined = plan(REQUIREMENTS, everything, { ...all, via: ['rechunk-coalesce'], viaNamed: true }).find(
      (c) => c.key === 'st.incremental@rechunk-coalesce',
    );
    expect(joined?.skipReason).to.match(/^n\/a behind rechunk-coalesce: rechunk-coalesce holds every piece of a body for a fixed window/);
    expect(
      applicability(REQUIREMENTS.find((r) => r.id === 'st.incremental') as (typeof REQUIREMENTS)[number], 'real-haproxy').applies,
    ).to.equal(true);
  });

  it('filters by ID prefix and level', () => {
    const only = plan(REQUIREMENTS, everything, { ...all, only: ['lp.gap-no'], via: ['direct'] });
    expect(only.map((c) => c.key)).to.deep.equal(['lp.gap-no-loss@direct']);
    const must = plan(REQUIREMENTS, everything, { ...all, level: 'must', via: ['direct'] });
    expect(must.every((c) => c.requirement.level === 'must')).to.equal(true);
    const skipped = plan(REQUIREMENTS, everything, { ...all, skip: ['sse.'], via: ['direct'] });
    expect(skipped.some((c) => c.requirement.id.startsWith('sse.'))).to.equal(false);
  });

  it('parses scaled profiles and divides their timeouts', () => {
    expect(parseVia('heroku/10')).to.deep.equal({ key: 'heroku/10', profile: 'heroku', divisor: 10 });
    expect(viaTimeouts('heroku/10').firstByteMs).to.equal(3000);
    expect(viaTimeouts('heroku').firstByteMs).to.equal(30_000);
    expect(parseVia('direct/2')).to.equal(null);
    expect(parseVia('nowhere')).to.equal(null);
    expect(parseVia('heroku/0')).to.equal(null);
  });
});
