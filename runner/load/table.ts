/** The console side of `pushspec load`: a progress line on stderr while ramping, a table per step and the verdicts on stdout. */
import { painter } from '../reporters/colour.js';
import type { RampProgress, StepResult } from './ramp.js';
import type { LoadReport } from './report.js';
import { slowdownLimitMs } from './verdicts.js';

/** Without a terminal, a line at most this often (a CI log is not a screen to redraw). */
const PLAIN_LINE_MS = 5000;

export function mib(bytes: number | null): string {
  return bytes === null ? '–' : `${Math.round(bytes / 1048576)} MiB`;
}

function progressText(p: RampProgress): string {
  return `step ${p.step}/${p.steps} N=${p.n}: ${p.phase}, ${p.opened}/${p.n} opened, ${p.held} held, ${p.early} ended early, ${p.failed} failed, ${p.capped} capped (${(p.elapsedMs / 1000).toFixed(1)} s)`;
}

/** A TTY gets one line redrawn in place; a pipe gets a line per phase and at most one per PLAIN_LINE_MS. */
export function progressPrinter(
  stream: { isTTY?: boolean; columns?: number; write(s: string): unknown },
  now: () => number,
): { update(p: RampProgress): void; line(s: string): void; done(): void } {
  const tty = stream.isTTY === true;
  let drawn = false;
  let last = Number.NEGATIVE_INFINITY;
  let lastKey = '';
  return {
    update(p) {
      if (tty) {
        // A wrapped line cannot be redrawn with \r: cut it to the terminal's width.
        stream.write(`\r\u001b[K${`  ${progressText(p)}`.slice(0, Math.max(20, (stream.columns ?? 200) - 1))}`);
        drawn = true;
        return;
      }
      const key = `${p.step}:${p.phase}`;
      if (key === lastKey && now() - last < PLAIN_LINE_MS) return;
      lastKey = key;
      last = now();
      stream.write(`  ${progressText(p)}\n`);
    },
    line(s) {
      if (drawn) stream.write('\r\u001b[K');
      drawn = false;
      stream.write(`pushspec: ${s}\n`);
    },
    done() {
      if (drawn) stream.write('\r\u001b[K');
      drawn = false;
    },
  };
}

const ms = (v: number | undefined): string => (v === undefined ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(0));

function row(s: StepResult, baseP95: number | null): string[] {
  const f = s.fanOut;
  const o = s.ordinary.latency;
  const rise = o && baseP95 ? ` (${(o.p95Ms / baseP95).toFixed(1)}×)` : '';
  return [
    String(s.n),
    String(s.heldAtPublish),
    String(s.early),
    String(s.failed),
    String(s.capped),
    f
      ? `${ms(f.p50Ms)} / ${ms(f.p99Ms)} / ${ms(f.maxMs)}`
      : s.publish === null
        ? 'no publish'
        : `none (${s.publish.error ?? 'not delivered'})`,
    String(s.missed),
    o ? `${ms(o.p50Ms)} / ${ms(o.p95Ms)}${rise}` : `no answer (${s.ordinary.failed})`,
    mib(s.client.rssBytes),
    `${(s.client.cpuMs / 1000).toFixed(1)} s (${s.client.cpuPercent.toFixed(0)} %)`,
    mib(s.serverRssBytes),
    `${(s.rampMs / 1000).toFixed(1)} s`,
  ];
}

const HEAD = [
  'N',
  'held',
  'ended early',
  'failed',
  'capped',
  'fan-out p50/p99/max ms',
  'missed',
  'ordinary p50/p95 ms',
  'client RSS',
  'client CPU',
  'server RSS',
  'ramp',
];

export function renderTable(r: LoadReport, colour: boolean): string {
  const paint = painter(colour);
  const base = r.result.baseline.latency;
  const rows = [HEAD, ...r.result.steps.map((s) => row(s, base?.p95Ms ?? null))];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((cells) => (cells[i] ?? '').length)));
  const fmt = (cells: string[]): string =>
    `  ${cells.map((c, i) => (i === 0 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd();
  const out = [
    `pushspec load: ${r.target.name} (${r.target.baseUrl}), ${r.transport}, steps ${r.steps.join(', ')}`,
    `  ordinary request: ${r.environment.ordinaryRequest}; baseline at N=0: ${base ? `p50 ${ms(base.p50Ms)} ms, p95 ${ms(base.p95Ms)} ms` : 'no answer'}`,
    `  hold: ${r.environment.holdMs === null ? 'n/a (streams)' : `${r.environment.holdMs} ms (${r.environment.holdSource ?? ''})`}; RTT ${r.environment.rttMs} ms, ε ${r.environment.epsilonMs} ms`,
    ...splitLines(r),
    fmt(rows[0] ?? []),
    ...rows.slice(1).map(fmt),
  ];
  for (const [k, s] of r.result.steps.entries()) {
    // Merged, each worker's ordinary request is held to its own baseline (its line below), not the pooled one.
    const limit = base && !r.merged ? slowdownLimitMs(base.p95Ms, s) : null;
    const notes = [
      s.sourceAddresses.length > 1 ? `from ${s.sourceAddresses.length} source addresses` : '',
      s.reasons.length ? s.reasons.map((x) => `${x.count}× ${x.why}`).join('; ') : '',
      limit !== null ? `ordinary p95 limit ${limit} ms` : '',
      `${r.merged ? "the worst-served worker's other client" : "another client's push request"}: ${s.otherClient.state === 'got' ? `its event in ${s.otherClient.latencyMs ?? '?'} ms` : `${s.otherClient.state}${s.otherClient.why ? ` (${s.otherClient.why})` : ''}`}`,
      `waited ${(s.waitMs / 1000).toFixed(1)} s held, fan-out deadline ${(s.fanOutDeadlineMs / 1000).toFixed(1)} s`,
    ].filter(Boolean);
    out.push(`  N=${s.n}: ${notes.join('; ')}`);
    out.push(...workerLines(r, k));
  }
  if (r.result.stopped) out.push(`  ramp stopped: ${r.result.stopped}`);
  out.push('');
  for (const v of r.verdicts) {
    out.push(`  ${paint(v.outcome, v.outcome.toUpperCase().padEnd(12))} ${v.id} ${v.section}: ${v.actual}`);
    if (v.info) out.push(`  ${' '.repeat(12)} info: ${v.info}`);
  }
  return `${out.join('\n')}\n`;
}

/** The split a report belongs to: a worker's share, or the workers a merge joined. */
function splitLines(r: LoadReport): string[] {
  if (r.worker)
    return [
      `  worker ${r.worker.index}/${r.worker.count}: this machine held ${r.worker.shares.join(', ')} of steps ${r.steps.join(', ')} (its own event, timed on its own clock); pushspec merge joins the workers' load.json`,
    ];
  if (r.merged)
    return [
      `  merged from ${r.merged.workers.length} workers (${r.merged.workers.map((w) => w.file).join(', ')}): counts summed, fan-out and ordinary percentiles over the pooled samples, client RSS/CPU summed over the workers`,
    ];
  return [];
}

/** A merged step's figures per worker: each machine's own share, fan-out, RSS and CPU, and how long all held at once. */
function workerLines(r: LoadReport, k: number): string[] {
  if (!r.merged) return [];
  const count = r.merged.workers.length;
  const each = r.merged.workers.map((w) => {
    const s = w.result.steps[k];
    if (!s) return `worker ${w.index}/${count}: no step`;
    const f = s.fanOut ? `fan-out ${ms(s.fanOut.p50Ms)} / ${ms(s.fanOut.p99Ms)} ms` : 'no fan-out';
    const base = w.result.baseline.latency;
    const o = s.ordinary.latency
      ? `ordinary p95 ${ms(s.ordinary.latency.p95Ms)} ms${base ? ` (limit ${slowdownLimitMs(base.p95Ms, s)} ms)` : ''}`
      : 'no ordinary answer';
    return `worker ${w.index}/${count}: ${s.heldAtPublish} of ${s.n} held, ${f}, ${o}, RSS ${mib(s.client.rssBytes)}, CPU ${(s.client.cpuMs / 1000).toFixed(1)} s (${s.client.cpuPercent.toFixed(0)} %)`;
  });
  const overlap = r.merged.overlapMs[k] ?? 0;
  const together = overlap > 0 ? `all held at once for ${(overlap / 1000).toFixed(1)} s` : `never all held at once (${-overlap} ms apart)`;
  return [`    ${each.join('; ')}; ${together}`];
}
