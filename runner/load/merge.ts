/**
 * `pushspec merge` for load reports: the n load.json files of one `load --worker i/n` split joined
 * into one, as if one client had held every step's N. Counts are summed; latency percentiles are
 * taken again over the pooled samples (a p99 cannot be averaged); each worker keeps its own RSS,
 * CPU, baseline and other client, and the verdicts are judged again on the merged figures.
 * Every input problem names the file (exit 2) before anything is written.
 */
import { ReportInputError } from '../commands/report-commands.js';
import type { SubscriberState } from './subscriber.js';
import type { LoadReport, MergedWorker } from './report.js';
import { loadExitCode } from './report.js';
import { percentilesOrNull, round } from './stats.js';
import type { OrdinaryStats, RampResult, StepResult } from './types.js';
import { judgePerClientCap, judgeResources, type WorkerPart } from './verdicts.js';
import { sharesOf } from './worker.js';

export interface LoadInput {
  file: string;
  report: LoadReport;
}

const label = (w: { index: number; count: number }): string => `worker ${w.index}/${w.count}`;

function refuse(message: string): never {
  throw new ReportInputError(message);
}

/** One split: every input a worker's share of the same plan against the same target, each worker once. */
function checkSplit(inputs: readonly LoadInput[]): void {
  const [first, ...rest] = inputs;
  if (first === undefined) return refuse('merge: no reports');
  for (const { file, report } of inputs)
    if (report.worker === undefined)
      refuse(`${file}: a load report of the whole load (no "worker"); expected the load.json of each \`load --worker i/n\` of one split`);
  const f = first.report;
  for (const { file, report } of rest) {
    const same: Array<[string, unknown, unknown]> = [
      ['target', `${report.target.name} at ${report.target.baseUrl}`, `${f.target.name} at ${f.target.baseUrl}`],
      ['transport', report.transport, f.transport],
      ['step plan (--steps)', report.steps.join(','), f.steps.join(',')],
      ['worker count n', report.worker?.count, f.worker?.count],
      ['pushspec version', report.tool.version, f.tool.version],
    ];
    for (const [what, mine, theirs] of same)
      if (mine !== theirs)
        refuse(
          `${file}: ${what} ${JSON.stringify(mine)}, while ${first.file} has ${JSON.stringify(theirs)}; expected the workers of one load split (one target, one plan, one n)`,
        );
  }
  const count = f.worker?.count ?? 0;
  const seen = new Map<number, string>();
  for (const { file, report } of inputs) {
    const w = report.worker;
    if (w === undefined) continue;
    const twin = seen.get(w.index);
    if (twin !== undefined) refuse(`${file}: ${label(w)} again (also ${twin}); expected each worker once`);
    seen.set(w.index, file);
    const expected = sharesOf(report.steps, w);
    if (w.shares.join(',') !== expected.join(','))
      refuse(`${file}: ${label(w)} held shares ${w.shares.join(',')} of steps ${report.steps.join(',')}; expected ${expected.join(',')}`);
    for (const [k, s] of report.result.steps.entries()) {
      if (s.n !== w.shares[k])
        refuse(
          `${file}: step ${k + 1} held ${s.n}, while the ${label(w)} share of ${report.steps[k] ?? '?'} is ${w.shares[k] ?? '?'}; expected each step to hold its share`,
        );
      if (s.fanOutSamplesMs === undefined || s.ordinary.samplesMs === undefined || s.heldWindow === undefined)
        refuse(
          `${file}: step N=${s.n} has no latency samples or hold window; expected a load.json written by \`load --worker\` (percentiles cannot be merged without their samples)`,
        );
    }
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length)
    refuse(
      `worker${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: the merged steps would hold less than their N; expected all ${count} load.json files of the split`,
    );
}

function pooledOrdinary(parts: readonly OrdinaryStats[]): OrdinaryStats {
  const samplesMs = parts.flatMap((o) => o.samplesMs ?? []);
  return {
    latency: percentilesOrNull(samplesMs),
    failed: parts.reduce((sum, o) => sum + o.failed, 0),
    problems: [...new Set(parts.flatMap((o) => o.problems))].slice(0, 3),
    samplesMs,
  };
}

/** The other client that fared worst speaks for the step: a lock-out anywhere is a lock-out. */
const WORST: readonly SubscriberState[] = ['failed', 'capped', 'early', 'held', 'opening', 'got'];

function sum(views: readonly StepResult[], f: (s: StepResult) => number): number {
  return views.reduce((acc, s) => acc + f(s), 0);
}

function mergeStep(views: readonly StepResult[], labels: readonly string[]): { step: StepResult; overlapMs: number } {
  const reasons = new Map<string, number>();
  for (const s of views) for (const r of s.reasons) reasons.set(r.why, (reasons.get(r.why) ?? 0) + r.count);
  const fanOutSamplesMs = views.flatMap((s) => s.fanOutSamplesMs ?? []);
  const publishes = views.map((s, i) => ({ p: s.publish, who: labels[i] ?? '' }));
  const failedPublish = publishes.find((x) => x.p !== null && !x.p.ok);
  const anyPublish = publishes.find((x) => x.p !== null)?.p ?? null;
  const worst = [...views].sort((a, b) => WORST.indexOf(a.otherClient.state) - WORST.indexOf(b.otherClient.state))[0];
  // Every worker held its share from its own `from` to its own `to`: all of them at once from the latest start to the earliest publish.
  const from = Math.max(...views.map((s) => s.heldWindow?.fromEpochMs ?? Number.POSITIVE_INFINITY));
  const to = Math.min(...views.map((s) => s.heldWindow?.toEpochMs ?? Number.NEGATIVE_INFINITY));
  const overlapMs = Math.round(to - from);
  const serverRss = views.map((s) => s.serverRssBytes).filter((v): v is number => v !== null);
  const step: StepResult = {
    n: sum(views, (s) => s.n),
    sourceAddresses: [...new Set(views.flatMap((s) => s.sourceAddresses))],
    opened: sum(views, (s) => s.opened),
    heldAtPublish: sum(views, (s) => s.heldAtPublish),
    early: sum(views, (s) => s.early),
    capped: sum(views, (s) => s.capped),
    failed: sum(views, (s) => s.failed),
    reasons: [...reasons]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([why, count]) => ({ why, count })),
    rampMs: Math.max(...views.map((s) => s.rampMs)),
    waitMs: Math.max(...views.map((s) => s.waitMs)),
    publish:
      anyPublish === null
        ? null
        : {
            ok: failedPublish === undefined,
            status: (failedPublish?.p ?? anyPublish).status,
            // each worker published its own event: the slowest publish
            ms: Math.max(...views.map((s) => s.publish?.ms ?? 0)),
            ...(failedPublish?.p?.error === undefined ? {} : { error: `${failedPublish.who}: ${failedPublish.p.error}` }),
          },
    fanOut: percentilesOrNull(fanOutSamplesMs),
    fanOutSamplesMs,
    heldWindow: { fromEpochMs: from, toEpochMs: to },
    fanOutDeadlineMs: Math.max(...views.map((s) => s.fanOutDeadlineMs)),
    missed: sum(views, (s) => s.missed),
    ordinary: pooledOrdinary(views.map((s) => s.ordinary)),
    otherClient: worst?.otherClient ?? { address: null, state: 'opening', why: null, latencyMs: null },
    clientLoopDelayP99Ms: Math.max(...views.map((s) => s.clientLoopDelayP99Ms)),
    // The clients' machines together: RSS and CPU add up (each worker's own stays in merged.workers).
    client: {
      rssBytes: sum(views, (s) => s.client.rssBytes),
      heapUsedBytes: sum(views, (s) => s.client.heapUsedBytes),
      cpuMs: round(sum(views, (s) => s.client.cpuMs)),
      cpuPercent: round(sum(views, (s) => s.client.cpuPercent)),
    },
    serverRssBytes: serverRss.length ? Math.max(...serverRss) : null,
    sustained: views.every((s) => s.sustained) && overlapMs > 0,
  };
  return { step, overlapMs };
}

/** A worker's result as kept beside the merge: its fan-out samples live in the pooled steps. */
function withoutFanOutSamples(r: RampResult): RampResult {
  return { ...r, steps: r.steps.map(({ fanOutSamplesMs: _samples, ...s }) => s) };
}

export function mergeLoadReports(unordered: readonly LoadInput[]): LoadReport {
  checkSplit(unordered);
  const inputs = [...unordered].sort((a, b) => (a.report.worker?.index ?? 0) - (b.report.worker?.index ?? 0));
  const first = inputs[0]?.report;
  if (first === undefined) return refuse('merge: no reports');
  const labels = inputs.map((i) => label(i.report.worker ?? { index: 0, count: 0 }));
  // A step counts only if every worker ran it: one that stopped earlier left the later totals short.
  const common = Math.min(...inputs.map((i) => i.report.result.steps.length));
  const steps: StepResult[] = [];
  const overlapMs: number[] = [];
  for (let k = 0; k < common; k++) {
    const m = mergeStep(
      inputs.map((i) => i.report.result.steps[k]).filter((s): s is StepResult => s !== undefined),
      labels,
    );
    steps.push(m.step);
    overlapMs.push(m.overlapMs);
  }
  const stops = inputs.flatMap((i, w) => (i.report.result.stopped === null ? [] : [`${labels[w] ?? ''}: ${i.report.result.stopped}`]));
  const result: RampResult = {
    baseline: pooledOrdinary(inputs.map((i) => i.report.result.baseline)),
    steps,
    stopped: stops.length ? stops.join('; ') : null,
    otherClient: first.result.otherClient,
  };
  const parts: WorkerPart[] = inputs.map((i, w) => ({
    label: labels[w] ?? '',
    result: i.report.result,
    host: i.report.worker?.host ?? '',
  }));
  const notes = steps.flatMap((s, k) =>
    (overlapMs[k] ?? 0) > 0
      ? []
      : [
          `at N=${s.n} the workers' holds did not overlap (${-(overlapMs[k] ?? 0)} ms apart on their wall clocks): the ${s.n} were never held at once, so the step is not counted as sustained; start the workers together or lengthen --hold-steps`,
        ],
  );
  const verdicts = [judgeResources(result, { parts, notes }), judgePerClientCap(result, parts)];
  const starts = inputs.map((i) => Date.parse(i.report.startedAt));
  const start = Math.min(...starts);
  const end = Math.max(...inputs.map((i, w) => (starts[w] ?? start) + i.report.durationMs));
  const workers: MergedWorker[] = inputs.map((i) => ({
    file: i.file,
    index: i.report.worker?.index ?? 0,
    startedAt: i.report.startedAt,
    durationMs: i.report.durationMs,
    environment: i.report.environment,
    result: withoutFanOutSamples(i.report.result),
    verdicts: i.report.verdicts,
  }));
  return {
    schemaVersion: 1,
    kind: 'pushspec-load',
    tool: first.tool,
    target: first.target,
    transport: first.transport,
    startedAt: new Date(start).toISOString(),
    durationMs: Math.max(0, end - start),
    environment: { ...first.environment, ordinaryRequest: `on each worker: ${first.environment.ordinaryRequest}` },
    steps: first.steps,
    merged: { workers, overlapMs },
    result,
    verdicts,
    exitCode: loadExitCode(verdicts),
  };
}
