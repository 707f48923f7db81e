import { expect } from 'chai';
import { startReferenceServer } from '../fixtures/reference-server.js';
import type { Manifest } from '../runner/manifest/types.js';
import { runSuite } from '../runner/run.js';
import { establishedPeriod } from '../suites/scenarios/streaming-idle.js';

describe('idle observation: an undeclared heartbeat', function () {
  this.timeout(60_000);
  const EPS = 100;
  const LIMIT = 20_000;

  it('is established after four beats at a regular pace, reads within ε counting as one beat', () => {
    expect(establishedPeriod([1000, 2000, 3000], EPS, LIMIT)).to.equal(null);
    expect(establishedPeriod([1000, 2000, 3000, 4000], EPS, LIMIT)).to.deep.equal({ beats: 4, periodMs: 1000 });
    expect(establishedPeriod([1000, 1010, 2000, 3000, 3050, 4020], EPS, LIMIT)).to.deep.equal({ beats: 4, periodMs: 1020 });
  });

  it('is not established by an irregular pace or by periods past the limit', () => {
    expect(establishedPeriod([1000, 2000, 3000, 6000], EPS, LIMIT)).to.equal(null);
    expect(establishedPeriod([0, 21_000, 42_000, 63_000], EPS, LIMIT)).to.equal(null);
  });

  it('ends the heartbeat observation early, says so, and still judges the silence', async () => {
    const server = await startReferenceServer({ holdMs: 1000, heartbeatMs: 300 });
    try {
      const m = server.manifest();
      const undeclared: Manifest = {
        ...m,
        ...(m.sse ? { sse: { url: m.sse.url } } : {}),
        ...(m.stream ? { stream: { url: m.stream.url, ...(m.stream.framing ? { framing: m.stream.framing } : {}) } } : {}),
      };
      const started = Date.now();
      const { report } = await runSuite({
        manifest: undeclared,
        only: ['sse.heartbeat', 'st.heartbeat'],
        skip: [],
        level: 'all',
        via: ['direct'],
        viaNamed: false,
        strict: false,
        timeScale: 1,
        concurrency: 8,
        holdLimitSeconds: 3,
        reportDir: null,
        reporter: 'none',
      });
      const took = Date.now() - started;
      for (const id of ['sse.heartbeat', 'st.heartbeat']) {
        const r = report.results.find((x) => x.id === id);
        expect(r?.verdict, `${id}: ${r?.actual ?? 'no result'}`).to.equal('pass');
        expect(r?.actual).to.match(/undeclared heartbeat, regular over 4 beats: watching stopped before the 30\.0 s window/);
      }
      // Four beats at 300 ms, not the 30 s window of an undeclared heartbeat.
      expect(took).to.be.lessThan(10_000);
    } finally {
      await server.close();
    }
  });
});
