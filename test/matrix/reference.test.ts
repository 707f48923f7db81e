import { expect } from 'chai';
import type { CaseResult } from '../../runner/report.js';
import { REQUIREMENTS } from '../../suites/index.js';
import { judge, line, MATRIX_TIMEOUT_MS } from '../helpers/matrix.js';

describe('requirement × intermediary × fault matrix: the reference server', function () {
  this.timeout(MATRIX_TIMEOUT_MS);

  for (const variant of ['query', 'etag'] as const) {
    it(`the reference server (${variant} cursor) passes every requirement on every profile where it can`, async () => {
      const results = await judge([], [], variant);
      // HTTP/2 rules are n/a over HTTP/1.1 (faults-h2.test.ts judges them over HTTP/2).
      const notPass = [...results.values()].filter(
        (r) => r.verdict !== 'pass' && !(r.verdict === 'skip' && /^(info:|n\/a over HTTP\/1\.1: an HTTP\/2 rule)/.test(r.actual)),
      );
      expect(notPass.map(line), 'cases the reference server did not pass').to.deep.equal([]);
      for (const r of REQUIREMENTS)
        expect(
          [...results.values()].some((x) => x.id === r.id),
          `${r.id} never ran`,
        ).to.equal(true);
      const infos = [...results.values()].filter((r) => r.verdict === 'skip' && !r.id.startsWith('h2.'));
      for (const r of infos) expect(r.actual, line(r)).to.match(/^info: no server can stream through buffer-full/);
    });
  }

  it('asked about deployment profiles by name, the reference server also passes the deployment checks through each', async () => {
    const results = await judge([], [], 'query', true);
    const extra = [...results.values()].filter(
      (r) => r.via !== 'direct' && REQUIREMENTS.find((q) => q.id === r.id)?.via?.includes(r.via) !== true,
    );
    expect(extra.filter((r) => r.verdict === 'pass').length, 'deployment checks added through named profiles').to.be.greaterThan(500);
    const notPass = extra.filter((r) => r.verdict !== 'pass' && !(r.verdict === 'skip' && /^(info|n\/a behind)/.test(r.actual)));
    expect(notPass.map(line), 'deployment cases the reference server did not pass').to.deep.equal([]);
  });

  it('faults that only show behind a hop are flagged there and only there', async () => {
    const cache = await judge(['cache-public'], ['lp.cache-replay', 'lp.not-storable']);
    expect(cache.get('lp.cache-replay@shared-cache')?.verdict).to.equal('fail');
    expect(cache.get('lp.cache-replay@varnish-default')?.verdict).to.equal('fail');
    expect([...cache.keys()].filter((k) => k.startsWith('lp.cache-replay@')).sort()).to.deep.equal([
      'lp.cache-replay@shared-cache',
      'lp.cache-replay@varnish-default',
    ]);
    const idle = await judge(['no-heartbeat'], ['st.idle-survives']);
    for (const r of idle.values()) expect(r.verdict, line(r)).to.equal('fail');
    expect(idle.size).to.be.greaterThan(3);
    const hold = await judge(['long-hold'], ['lp.hold-survives']);
    expect(
      hold.get('lp.hold-survives@first-byte-timeout/10')?.verdict,
      line(hold.get('lp.hold-survives@first-byte-timeout/10') as CaseResult),
    ).to.equal('warn');
    expect(hold.get('lp.hold-survives@first-byte-timeout/10')?.actual).to.match(/Confirmed live with the timeouts scaled/);
    // The undeclared 5 s hold was observed only up to the 4 s cap: against Heroku's 30 s it cannot be judged.
    expect(hold.get('lp.hold-survives@heroku')?.verdict).to.equal('inconclusive');
    expect(hold.get('lp.hold-survives@heroku')?.actual).to.match(/not observed/);
  });

  it('two consecutive runs against the same server give identical verdicts', async () => {
    for (const faults of [[], ['one-per-response', 'no-heartbeat']]) {
      const a = await judge(faults, [], 'query', false, '1.1', false);
      const b = await judge(faults, [], 'query', false, '1.1', false);
      const verdicts = (m: Map<string, CaseResult>): string[] => [...m.values()].map((r) => `${r.id}@${r.via}=${r.verdict}`);
      expect(verdicts(b)).to.deep.equal(verdicts(a));
    }
  });
});
