import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLoadInputs } from '../runner/commands/load-merge.js';
import { mergeLoadReports, type LoadInput } from '../runner/load/merge.js';
import type { LoadReport } from '../runner/load/report.js';
import { percentiles, percentilesOrNull } from '../runner/load/stats.js';
import type { StepResult } from '../runner/load/types.js';
import { parseWorker, shareOf, sharesOf } from '../runner/load/worker.js';
import { ROOT } from './helpers/cli.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function ordinary(samplesMs: number[]): StepResult['ordinary'] {
  return { latency: percentilesOrNull(samplesMs), failed: 0, problems: [], samplesMs };
}

/** A worker's step as `load --worker` writes it: every held request got the event, the given latencies. */
function step(n: number, fanOutMs: number[], o: Partial<StepResult> = {}): StepResult {
  return {
    n,
    sourceAddresses: ['127.0.0.2'],
    opened: n,
    heldAtPublish: n,
    early: 0,
    capped: 0,
    failed: 0,
    reasons: [],
    rampMs: 10,
    waitMs: 1000,
    publish: { ok: true, status: 200, ms: 1.5 },
    fanOut: percentilesOrNull(fanOutMs),
    fanOutSamplesMs: fanOutMs,
    heldWindow: { fromEpochMs: 1_000_000, toEpochMs: 1_001_000 },
    fanOutDeadlineMs: 30_100,
    missed: 0,
    ordinary: ordinary(range(1, 20)),
    otherClient: { address: '127.0.0.1', state: 'got', why: null, latencyMs: 2 },
    clientLoopDelayP99Ms: 5,
    client: { rssBytes: 100 * 1048576, heapUsedBytes: 20 * 1048576, cpuMs: 300, cpuPercent: 30 },
    serverRssBytes: null,
    sustained: fanOutMs.length === n,
    ...o,
  };
}

function workerReport(index: number, count: number, steps: StepResult[], o: Partial<LoadReport> = {}): LoadReport {
  const plan = [10, 100];
  return {
    schemaVersion: 1,
    kind: 'pushspec-load',
    tool: { name: 'pushspec', version: '1.0.0' },
    target: { name: 'srv', baseUrl: 'http://10.0.0.5:8080', fixture: false },
    transport: 'longPoll',
    startedAt: new Date(1_000_000 - 500 + index * 100).toISOString(),
    durationMs: 3000,
    environment: {
      node: 'v22',
      platform: 'linux',
      cpus: 2,
      openFileLimit: 1024,
      ephemeralPorts: '32768–60999',
      rttMs: 0.5,
      epsilonMs: 101,
      holdMs: 30_000,
      holdSource: 'declared',
      ordinaryRequest: 'GET / on a fresh connection',
    },
    steps: plan,
    worker: { index, count, shares: sharesOf(plan, { index, count }), host: `runner-${index}` },
    result: { baseline: ordinary(range(1, 20)), steps, stopped: null, otherClient: '127.0.0.1' },
    verdicts: [],
    exitCode: 0,
    ...o,
  };
}

function withoutSamples(s: StepResult): StepResult {
  const { fanOutSamplesMs: _samples, ...rest } = s;
  return rest;
}

/** Worker i of 2 with the plan 10,100 (shares 5,50): latencies as given per step. */
const two = (i: number, lat: [number[], number[]], o: Partial<StepResult> = {}): LoadInput => ({
  file: `w${i}.json`,
  report: workerReport(i, 2, [step(5, lat[0], o), step(50, lat[1], o)]),
});

describe('load --worker i/n: splitting a step over workers', () => {
  it('deals N as evenly as it goes, the remainder to the lowest workers, and the shares add up to N', () => {
    expect([1, 2, 3].map((index) => shareOf(10, { index, count: 3 }))).to.deep.equal([4, 3, 3]);
    expect([1, 2, 3, 4].map((index) => shareOf(1001, { index, count: 4 }))).to.deep.equal([251, 250, 250, 250]);
    expect([1, 2].map((index) => shareOf(7, { index, count: 2 }))).to.deep.equal([4, 3]);
    expect(shareOf(100, { index: 1, count: 1 })).to.equal(100);
    for (const n of [5, 17, 100, 999, 10_000])
      for (const count of [1, 2, 3, 7]) {
        if (n < count) continue;
        const shares = range(1, count).map((index) => shareOf(n, { index, count }));
        expect(
          shares.reduce((a, b) => a + b, 0),
          `${n} over ${count}`,
        ).to.equal(n);
        expect(Math.max(...shares) - Math.min(...shares)).to.be.at.most(1);
        expect([...shares].sort((a, b) => b - a)).to.deep.equal(shares);
      }
    expect(sharesOf([10, 100, 1000], { index: 3, count: 3 })).to.deep.equal([3, 33, 333]);
  });

  it('reads i/n with 1 ≤ i ≤ n, and nothing else', () => {
    expect(parseWorker('2/4')).to.deep.equal({ index: 2, count: 4 });
    expect(parseWorker(' 1/1 ')).to.deep.equal({ index: 1, count: 1 });
    for (const bad of ['0/2', '3/2', '2', '1/0', 'a/b', '1/2/3', '-1/2', '1.5/2', '', '1/257'])
      expect(parseWorker(bad), bad).to.equal(null);
  });
});

describe('pushspec merge of load reports', () => {
  it('takes the fan-out percentiles over the pooled samples, never an average of the workers’ percentiles', () => {
    // Worker 1's 50 subscribers all got the event fast; worker 2's 50 slowly (it is further from the server).
    const merged = mergeLoadReports([two(2, [range(51, 55), range(101, 150)]), two(1, [range(1, 5), range(1, 50)])]);
    const s = merged.result.steps[1];
    expect(s?.n).to.equal(100);
    expect(s?.fanOut).to.deep.equal(percentiles([...range(1, 50), ...range(101, 150)]));
    expect(s?.fanOut?.p50Ms).to.equal(50);
    expect(s?.fanOut?.p99Ms).to.equal(149);
    // What averaging would have said: (p50 25 + p50 125) / 2 = 75, a latency nobody saw.
    expect([
      merged.merged?.workers[0]?.result.steps[1]?.fanOut?.p50Ms,
      merged.merged?.workers[1]?.result.steps[1]?.fanOut?.p50Ms,
    ]).to.deep.equal([25, 125]);
    expect(s?.fanOutSamplesMs).to.have.length(100);
    // Groups weigh by their size: 50 fast samples and 5 slow ones (45 never got it) are a p50 of the
    // fast, where the mean of the two workers' p50s would be 451 ms.
    const uneven = mergeLoadReports([
      { file: 'a.json', report: workerReport(1, 2, [step(5, range(1, 5)), step(50, Array<number>(50).fill(2))]) },
      { file: 'b.json', report: workerReport(2, 2, [step(5, range(1, 5)), step(50, Array<number>(5).fill(900), { missed: 45 })]) },
    ]);
    expect(uneven.result.steps[1]?.fanOut?.n).to.equal(55);
    expect(uneven.result.steps[1]?.missed).to.equal(45);
    expect(uneven.result.steps[1]?.fanOut?.p50Ms).to.equal(2);
    expect(uneven.result.steps[1]?.fanOut?.p95Ms).to.equal(900);
  });

  it('sums the counts and the clients’ RSS/CPU, keeps each worker’s own, and judges the merged totals', () => {
    const merged = mergeLoadReports([two(1, [range(1, 5), range(1, 50)]), two(2, [range(1, 5), range(1, 50)])]);
    expect(merged.result.steps.map((s) => [s.n, s.opened, s.heldAtPublish, s.missed, s.sustained])).to.deep.equal([
      [10, 10, 10, 0, true],
      [100, 100, 100, 0, true],
    ]);
    expect(merged.result.steps[0]?.client.rssBytes).to.equal(200 * 1048576);
    expect(merged.result.steps[0]?.client.cpuMs).to.equal(600);
    expect(merged.merged?.workers.map((w) => [w.file, w.index, w.result.steps[1]?.client.rssBytes])).to.deep.equal([
      ['w1.json', 1, 100 * 1048576],
      ['w2.json', 2, 100 * 1048576],
    ]);
    // The workers' samples live once, in the merged step.
    expect(merged.merged?.workers[0]?.result.steps[0]?.fanOutSamplesMs).to.equal(undefined);
    expect(merged.result.baseline.samplesMs).to.have.length(40);
    expect(merged.merged?.overlapMs).to.deep.equal([1000, 1000]);
    expect(merged.worker).to.equal(undefined);
    const [res, dos] = merged.verdicts;
    expect(res?.outcome).to.equal('pass');
    expect(res?.info).to.equal('largest N sustained: 100 over 2 workers');
    expect(dos?.outcome).to.equal('warn');
    expect(dos?.actual).to.match(/no cap: each of 2 workers' clients held up to 50 requests \(100 in all\)/);
    expect(merged.exitCode).to.equal(0);
  });

  it('workers on one machine load from one source address: SEC-DOS-01 counts them as one client', () => {
    const onCi = (x: LoadInput): LoadInput => ({
      ...x,
      report: { ...x.report, worker: { index: x.report.worker?.index ?? 0, count: 2, shares: [5, 50], host: 'ci' } },
    });
    const merged = mergeLoadReports([onCi(two(1, [range(1, 5), range(1, 50)])), onCi(two(2, [range(1, 5), range(1, 50)]))]);
    expect(merged.verdicts[1]?.actual).to.match(
      /^no cap: one client held up to 100 requests \(2 workers, some on one machine, from the same source address\) at once/,
    );
  });

  it('a merged step is only sustained when every worker held its share at the same time (their windows overlap)', () => {
    const late = two(2, [range(1, 5), range(1, 50)], { heldWindow: { fromEpochMs: 1_003_000, toEpochMs: 1_004_000 } });
    const merged = mergeLoadReports([two(1, [range(1, 5), range(1, 50)]), late]);
    expect(merged.merged?.overlapMs).to.deep.equal([-2000, -2000]);
    expect(merged.result.steps.every((s) => !s.sustained)).to.equal(true);
    expect(merged.verdicts[0]?.info).to.match(/^no step was sustained; at N=10 the workers' holds did not overlap \(2000 ms apart/);
  });

  it('judges each worker’s ordinary request against its own baseline, and a give-way on one worker on the totals', () => {
    const slow = two(2, [range(1, 5), range(1, 49)], {
      ordinary: ordinary(Array<number>(20).fill(500)),
      early: 1,
      reasons: [{ why: 'early: HTTP 200 without the event after … ms', count: 1 }],
      sustained: false,
    });
    const merged = mergeLoadReports([two(1, [range(1, 5), range(1, 50)]), slow]);
    const res = merged.verdicts[0];
    expect(res?.outcome).to.equal('warn');
    expect(res?.actual).to.include("worker 2/2: at N=10 the ordinary request's p95 was 500 ms, over 195 ms");
    expect(res?.actual).to.include('at N=100 1 ended early, 0 failed');
    expect(res?.actual).not.to.include('worker 1/2');
    expect(merged.exitCode).to.equal(0);
  });

  it('SEC-DOS-01: another client locked out on any worker is a lock-out of the merged load', () => {
    const locked = two(2, [range(1, 5), range(1, 50)], {
      otherClient: { address: '127.0.0.1', state: 'capped', why: 'HTTP 503', latencyMs: null },
    });
    const merged = mergeLoadReports([two(1, [range(1, 5), range(1, 50)]), locked]);
    expect(merged.verdicts[1]?.outcome).to.equal('fail');
    expect(merged.verdicts[1]?.actual).to.match(
      /^no per-client cap, and at N=10 another client \(127\.0\.0\.1\) was locked out: worker 2\/2: push request capped/,
    );
    expect(merged.exitCode).to.equal(1);
  });

  it('the merged load.json is valid against schema/load.schema.json, and so is a worker’s', async () => {
    const schema = JSON.parse(await readFile(join(ROOT, 'schema', 'load.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
    const w1 = two(1, [range(1, 5), range(1, 50)]);
    const merged = mergeLoadReports([w1, two(2, [range(1, 5), range(1, 50)])]);
    for (const r of [w1.report, merged])
      expect(validate(JSON.parse(JSON.stringify(r))), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true);
  });

  describe('refuses inputs that are not one split (exit 2, naming the file)', () => {
    const ok = (i: number): LoadInput => two(i, [range(1, 5), range(1, 50)]);
    const cases: Array<[string, () => LoadInput[], RegExp]> = [
      [
        'another target',
        () => [
          ok(1),
          { file: 'w2.json', report: { ...ok(2).report, target: { name: 'srv', baseUrl: 'http://10.0.0.6:8080', fixture: false } } },
        ],
        /^w2\.json: target "srv at http:\/\/10\.0\.0\.6:8080", while w1\.json has "srv at http:\/\/10\.0\.0\.5:8080"; expected the workers of one load split/,
      ],
      [
        'another n',
        () => [ok(1), { file: 'w3.json', report: workerReport(2, 3, [step(3, range(1, 3)), step(33, range(1, 33))]) }],
        /^w3\.json: worker count n 3, while w1\.json has 2/,
      ],
      [
        'another step plan',
        () => [ok(1), { file: 'w2.json', report: { ...ok(2).report, steps: [10, 200] } }],
        /^w2\.json: step plan \(--steps\) "10,200", while w1\.json has "10,100"/,
      ],
      [
        'a duplicate worker',
        () => [ok(1), { ...ok(1), file: 'again.json' }],
        /^again\.json: worker 1\/2 again \(also w1\.json\); expected each worker once$/,
      ],
      [
        'a missing worker',
        () =>
          [ok(1), { file: 'w3.json', report: workerReport(3, 3, [step(3, range(1, 3)), step(33, range(1, 33))]) }].map((x, i) =>
            i === 0 ? { file: 'w1.json', report: workerReport(1, 3, [step(4, range(1, 4)), step(34, range(1, 34))]) } : x,
          ),
        /^worker 2\/3 missing: the merged steps would hold less than their N; expected all 3 load\.json files of the split$/,
      ],
      [
        'a whole (unsplit) load',
        () => {
          const { worker: _w, ...whole } = ok(2).report;
          return [ok(1), { file: 'whole.json', report: whole }];
        },
        /^whole\.json: a load report of the whole load \(no "worker"\)/,
      ],
      [
        'shares that are not the split’s',
        () => [ok(1), { file: 'w2.json', report: { ...ok(2).report, worker: { index: 2, count: 2, shares: [4, 50], host: 'runner-2' } } }],
        /^w2\.json: worker 2\/2 held shares 4,50 of steps 10,100; expected 5,50$/,
      ],
      [
        'no samples to merge',
        () => [ok(1), { file: 'w2.json', report: workerReport(2, 2, [withoutSamples(step(5, range(1, 5))), step(50, range(1, 50))]) }],
        /^w2\.json: step N=5 has no latency samples or hold window; .*percentiles cannot be merged without their samples/,
      ],
      [
        'a step that did not hold its share',
        () => [ok(1), { file: 'w2.json', report: workerReport(2, 2, [step(4, range(1, 4)), step(50, range(1, 50))]) }],
        /^w2\.json: step 1 held 4, while the worker 2\/2 share of 10 is 5; expected each step to hold its share$/,
      ],
    ];
    for (const [what, inputs, message] of cases)
      it(what, () => {
        expect(() => mergeLoadReports(inputs())).to.throw(message);
      });

    it('a conformance report beside a load report, and a load.json that is not valid', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pushspec-load-merge-'));
      try {
        const load = join(dir, 'load.json');
        const run = join(dir, 'report.json');
        const broken = join(dir, 'broken.json');
        await writeFile(load, JSON.stringify(ok(1).report));
        await writeFile(run, JSON.stringify({ schemaVersion: 1, results: [] }));
        await writeFile(broken, JSON.stringify({ ...ok(2).report, steps: 'ten' }));
        const err = async (files: string[]): Promise<string> => {
          try {
            await readLoadInputs(files);
            return 'no error';
          } catch (e) {
            return e instanceof Error ? e.message : String(e);
          }
        };
        expect(await err([load, run])).to.match(
          /report\.json: not a load report \(no "kind": "pushspec-load"\), while .*load\.json is one/,
        );
        expect(await err([run, load])).to.match(/report\.json: not a load report/);
        expect(await err([load, broken])).to.match(/broken\.json: not a valid load report: \/steps must be array/);
        expect(await readLoadInputs([run, run])).to.equal(null);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
