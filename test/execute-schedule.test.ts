import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../runner/clock.js';
import { CaseContext, type RunEnv } from '../runner/context.js';
import { Executor, type ExecuteOptions } from '../runner/execute.js';
import type { Manifest, TransportName } from '../runner/manifest/types.js';
import type { Case } from '../runner/plan.js';
import { defineRequirement } from '../runner/requirement.js';
import { SharedProbes } from '../runner/shared-probes.js';
import { DEFAULT_TRUST } from '../runner/tls.js';
import { Inconclusive, verdict } from '../runner/verdict.js';

/**
 * Where one publish reaches every subscriber (`channels: false`, a broadcast hook), the executor
 * keeps publishing cases away from the quiet ones: publishing stream cases overlap one another
 * only, after the quiet phase; publishing long-poll cases run one at a time, after those.
 */
interface Span {
  key: string;
  start: number;
  end: number;
}

function fakeCase(id: string, transports: TransportName[], needsPublish: boolean, spans: Span[], ms: number): Case {
  const r = defineRequirement<{ ok: true }, Record<string, never>>({
    id,
    spec: 'RFC 6202',
    section: '2.1',
    level: 'must',
    title: `${id}: a fake requirement for the scheduler`,
    sources: ['https://example.invalid'],
    transports,
    needsPublish,
    timing: false,
    limits: {},
    tolerance: () => 'none',
    remedy: 'none needed',
    faults: ['none'],
    async scenario() {
      const start = Date.now();
      await sleep(ms);
      spans.push({ key: `${id}@direct`, start, end: Date.now() });
      return { ok: true };
    },
    evaluate: () => verdict.pass('runs', 'ran'),
  });
  return { key: `${id}@direct`, requirement: r, via: 'direct', skipReason: null };
}

function env(manifest: Manifest): RunEnv {
  const e: RunEnv = {
    manifest,
    clock: systemClock,
    options: { timeScale: 1, holdLimitSeconds: 3 },
    rttMs: 1,
    trust: DEFAULT_TRUST,
    protocol: 'http/1.1',
    publisher: { kind: 'http', publish: () => Promise.resolve({ ok: true, tStart: 0, tEnd: 0, status: 204 }) },
    publishProblem: null,
    shared: new SharedProbes(manifest, 3, () => new CaseContext(e, 'direct', new URL(manifest.baseUrl), new AbortController().signal)),
    rttFor: () => Promise.resolve(1),
    browser: null,
  };
  return e;
}

/** Every case goes straight to the (never contacted) target. */
function options(manifest: Manifest, concurrency: number): ExecuteOptions {
  return {
    concurrency,
    originFor: () =>
      Promise.resolve({
        origin: new URL(manifest.baseUrl),
        release: () => Promise.resolve(),
        events: () => [],
        arrival: () => Promise.resolve(null),
        departure: () => null,
      }),
  };
}

const overlap = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;

describe('executor: scheduling where one publish reaches every subscriber', function () {
  this.timeout(20_000);

  it('quiet cases first; then publishing stream cases side by side; then publishing long polls one at a time', async () => {
    const spans: Span[] = [];
    const manifest: Manifest = {
      name: 'shared',
      baseUrl: 'http://127.0.0.1:9',
      channels: false,
      publish: { url: '/pub' },
      longPoll: { url: '/lp', holdSeconds: 1 },
      sse: { url: '/sse' },
    };
    const cases = [
      fakeCase('lp.pub-a', ['longPoll'], true, spans, 150),
      fakeCase('sse.pub-a', ['sse'], true, spans, 300),
      fakeCase('lp.quiet', ['longPoll'], false, spans, 300),
      fakeCase('sse.pub-b', ['sse'], true, spans, 300),
      fakeCase('lp.pub-b', ['longPoll'], true, spans, 150),
      fakeCase('sse.quiet', ['sse'], false, spans, 300),
    ];
    const exec = new Executor(env(manifest), cases, options(manifest, 8));
    const results = await exec.all();
    expect(results.map((r) => r.verdict)).to.deep.equal(cases.map(() => 'pass'));
    const span = (k: string): Span => spans.find((s) => s.key === `${k}@direct`) ?? { key: k, start: NaN, end: NaN };
    const quiet = ['lp.quiet', 'sse.quiet'].map(span);
    const streams = ['sse.pub-a', 'sse.pub-b'].map(span);
    const polls = ['lp.pub-a', 'lp.pub-b'].map(span);
    // The quiet cases overlap each other, and nothing that publishes overlaps them.
    expect(overlap(quiet[0] as Span, quiet[1] as Span)).to.equal(true);
    for (const q of quiet) for (const p of [...streams, ...polls]) expect(overlap(q, p), `${q.key} vs ${p.key}`).to.equal(false);
    // Publishing stream cases tell their own events by token: they run side by side.
    expect(overlap(streams[0] as Span, streams[1] as Span), 'the two stream cases overlap').to.equal(true);
    // A publish would answer a held poll: each publishing long poll runs alone, after the streams.
    expect(overlap(polls[0] as Span, polls[1] as Span)).to.equal(false);
    for (const p of polls) for (const s of streams) expect(p.start >= s.end, `${p.key} after ${s.key}`).to.equal(true);
  });

  it('with no publishing stream case, publishing long polls still wait for the quiet cases', async () => {
    const spans: Span[] = [];
    const manifest: Manifest = {
      name: 'broadcast',
      baseUrl: 'http://127.0.0.1:9',
      publish: { url: '/pub', broadcast: true },
      longPoll: { url: '/lp', holdSeconds: 1 },
    };
    const cases = [fakeCase('lp.pub-a', ['longPoll'], true, spans, 100), fakeCase('lp.quiet', ['longPoll'], false, spans, 300)];
    const exec = new Executor(env(manifest), cases, options(manifest, 8));
    await exec.all();
    const [pub, quiet] = ['lp.pub-a', 'lp.quiet'].map((k) => spans.find((x) => x.key === `${k}@direct`) as Span);
    expect((pub as Span).start >= (quiet as Span).end, 'the publishing poll starts after the quiet one ended').to.equal(true);
  });
});

/** A timing case past its tolerance by `excessMs`, whose listed runs block the event loop for 120 ms. */
function stallingCase(stallOnRuns: readonly number[], runs: { n: number }): Case {
  const r = defineRequirement<{ run: number }, Record<string, never>>({
    id: 'lp.timed',
    spec: 'RFC 6202',
    section: '2.2',
    level: 'must',
    title: 'a fake timing requirement',
    sources: ['https://example.invalid'],
    transports: ['longPoll'],
    needsPublish: false,
    timing: true,
    limits: {},
    tolerance: () => 'none',
    remedy: 'none needed',
    faults: ['none'],
    async scenario() {
      runs.n += 1;
      // The stall comes mid-measurement, once the harness's delay monitor is ticking.
      await sleep(30);
      if (stallOnRuns.includes(runs.n)) {
        const until = Date.now() + 120;
        let spins = 0;
        while (Date.now() < until) spins += 1;
        expect(spins).to.be.greaterThan(0);
      }
      await sleep(30);
      return { run: runs.n };
    },
    evaluate: (o) => verdict.violation('on time', `late by 30 ms (run ${o.run})`, { excessMs: 30 }),
  });
  return { key: 'lp.timed@direct', requirement: r, via: 'direct', skipReason: null };
}

describe('executor: a timing failure spoiled by a stall of the harness is measured again', function () {
  this.timeout(20_000);
  const manifest: Manifest = { name: 'stall', baseUrl: 'http://127.0.0.1:9', longPoll: { url: '/lp', holdSeconds: 1 } };

  it('a solo run that stalled is run again, and a clean solo run decides', async () => {
    const runs = { n: 0 };
    const [result] = await new Executor(env(manifest), [stallingCase([1, 2], runs)], options(manifest, 4)).all();
    expect(runs.n).to.equal(3);
    expect(result?.verdict).to.equal('fail');
    expect(result?.actual).to.contain('run 3');
  });

  it('a case that stalls on every solo run stays inconclusive after two more tries', async () => {
    const runs = { n: 0 };
    const [result] = await new Executor(env(manifest), [stallingCase([1, 2, 3, 4, 5], runs)], options(manifest, 4)).all();
    expect(runs.n).to.equal(4);
    expect(result?.verdict).to.equal('inconclusive');
    expect(result?.actual).to.match(/event loop stalled \d+ ms/);
  });
});

describe('executor: a case left without an observation is asked once more alone', function () {
  this.timeout(20_000);
  const manifest: Manifest = { name: 'setup', baseUrl: 'http://127.0.0.1:9', longPoll: { url: '/lp', holdSeconds: 1 } };

  function flakySetup(failRuns: number, runs: { n: number }): Case {
    const r = defineRequirement<{ run: number }, Record<string, never>>({
      id: 'lp.setup',
      spec: 'RFC 6202',
      section: '2.2',
      level: 'must',
      title: 'a fake requirement whose setup can fail under load',
      sources: ['https://example.invalid'],
      transports: ['longPoll'],
      needsPublish: false,
      timing: false,
      limits: {},
      tolerance: () => 'none',
      remedy: 'none needed',
      faults: ['none'],
      scenario() {
        runs.n += 1;
        if (runs.n <= failRuns)
          return Promise.reject(new Inconclusive('setup: the first poll did not deliver the event that should wake it'));
        return Promise.resolve({ run: runs.n });
      },
      evaluate: (o) => verdict.pass('set up', `ran (run ${o.run})`),
    });
    return { key: 'lp.setup@direct', requirement: r, via: 'direct', skipReason: null };
  }

  it('a setup that failed under load and works alone gives the verdict of the solo run', async () => {
    const runs = { n: 0 };
    const [result] = await new Executor(env(manifest), [flakySetup(1, runs)], options(manifest, 4)).all();
    expect(runs.n).to.equal(2);
    expect(result?.verdict).to.equal('pass');
  });

  it('a setup that fails alone too stays inconclusive, after one solo run only', async () => {
    const runs = { n: 0 };
    const [result] = await new Executor(env(manifest), [flakySetup(5, runs)], options(manifest, 4)).all();
    expect(runs.n).to.equal(2);
    expect(result?.verdict).to.equal('inconclusive');
  });
});

describe('executor: a verdict resting on a timing margin is re-verified alone, with the round trip measured again', function () {
  this.timeout(20_000);
  const manifest: Manifest = { name: 'margin', baseUrl: 'http://127.0.0.1:9', longPoll: { url: '/lp', holdSeconds: 1 } };

  it('the solo run sees the re-measured round trip and decides (a timing: false requirement)', async () => {
    const seen: number[] = [];
    const remeasured: string[] = [];
    let rtt = 900;
    const r = defineRequirement<{ rttMs: number }, Record<string, never>>({
      id: 'lp.margin',
      spec: 'RFC 6202',
      section: '5.5',
      level: 'should',
      title: 'a fake prediction that an inflated round trip tips over',
      sources: ['https://example.invalid'],
      transports: ['longPoll'],
      needsPublish: false,
      timing: false,
      limits: {},
      tolerance: () => 'none',
      remedy: 'none needed',
      faults: ['none'],
      scenario: (ctx) => Promise.resolve({ rttMs: ctx.rttMs }),
      evaluate: (o) => {
        seen.push(o.rttMs);
        return o.rttMs > 100 ? verdict.violation('fits', `tipped by ε (rtt ${o.rttMs})`, { excessMs: 50 }) : verdict.pass('fits', 'fits');
      },
    });
    const e: RunEnv = {
      ...env(manifest),
      rttFor: () => Promise.resolve(rtt),
      remeasure: (via) => {
        remeasured.push(via);
        rtt = 2;
        return Promise.resolve();
      },
    };
    const [result] = await new Executor(
      e,
      [{ key: 'lp.margin@latency', requirement: r, via: 'latency', skipReason: null }],
      options(manifest, 4),
    ).all();
    expect(seen).to.deep.equal([900, 2]);
    expect(remeasured).to.deep.equal(['latency']);
    expect(result?.verdict).to.equal('pass');
    expect(result?.reverified).to.equal(true);
  });
});
