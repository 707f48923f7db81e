/**
 * The load command's two verdicts, from the catalogue (../shared requirements): LP-RES-01
 * (RFC 6202 §2.2, §5.3 folded in: what N the server sustains, and whether other requests slow
 * down or held ones give way) and SEC-DOS-01 (§6, RFC 9112 §9.4: does the server cap one client
 * while others are still served).
 */
import type { Outcome } from '../verdict.js';
import { ORDINARY_SAMPLES, type RampResult, type StepResult } from './ramp.js';
import { round } from './stats.js';

export interface LoadVerdict {
  id: 'LP-RES-01' | 'SEC-DOS-01';
  section: string;
  title: string;
  outcome: Outcome;
  expected: string;
  actual: string;
  tolerance: string;
  /** the figure the catalogue asks for beside the verdict (LP-RES-01: the largest N sustained) */
  info?: string;
}

/** The catalogue's p95 rise that counts as the server slowing everyone down. */
export const SLOWDOWN_FACTOR = 10;
/** SEC-DOS-01: other clients locked out below this many held requests is a fail (the catalogue's default global N). */
export const GLOBAL_N = 1000;

/** The ordinary request's p95 allowed at a step: 10 × the baseline p95, plus our own event-loop delay then. */
export function slowdownLimitMs(baselineP95: number, step: StepResult): number {
  return round(SLOWDOWN_FACTOR * baselineP95 + step.clientLoopDelayP99Ms, 3);
}

/**
 * A merged load (`load --worker i/n`, `pushspec merge`): each worker's own ramp, judged on its own
 * figures where they are relative to its own machine (the ordinary request against its own
 * baseline, its own other client), while the counts are judged on the merged totals.
 */
export interface WorkerPart {
  label: string;
  result: RampResult;
  /** the worker's machine: workers on one host load from the same source address */
  host: string;
}

/** The steps as each machine saw step k: one view for a single run, one per worker for a merge. */
function viewsAt(
  r: RampResult,
  k: number,
  parts: readonly WorkerPart[] | undefined,
): Array<{ label: string; step: StepResult; baseline: RampResult['baseline'] }> {
  if (parts === undefined) {
    const step = r.steps[k];
    return step ? [{ label: '', step, baseline: r.baseline }] : [];
  }
  return parts.flatMap((p) => {
    const step = p.result.steps[k];
    return step ? [{ label: `${p.label}: `, step, baseline: p.result.baseline }] : [];
  });
}

/** Refused (429/503, refused, reset, 5xx) on its own push request, or on most ordinary requests. */
function lockedOut(step: StepResult): boolean {
  return step.otherClient.state === 'capped' || step.otherClient.state === 'failed' || step.ordinary.failed * 2 > ORDINARY_SAMPLES;
}

function otherClientText(step: StepResult): string {
  const o = step.otherClient;
  const push =
    o.state === 'got'
      ? `its own ${o.latencyMs === null ? '' : `event in ${o.latencyMs} ms`}`
      : o.state === 'held'
        ? 'held'
        : `${o.state}${o.why ? ` (${o.why})` : ''}`;
  return `push request ${push.trim()}, ${ORDINARY_SAMPLES - step.ordinary.failed} of ${ORDINARY_SAMPLES} ordinary requests answered${step.ordinary.problems.length ? ` (${step.ordinary.problems.join('; ')})` : ''}`;
}

export function judgeResources(r: RampResult, merged?: { parts: readonly WorkerPart[]; notes: readonly string[] }): LoadVerdict {
  const base = {
    id: 'LP-RES-01' as const,
    section: 'RFC 6202 §2.2 (and §5.3)',
    title: 'held requests cost the server resources: how many it sustains, and what that does to other requests',
    expected: `every step's N held until the publish and given the event, and the ordinary request's p95 within ${SLOWDOWN_FACTOR}× its baseline`,
    tolerance: `p95 ≤ ${SLOWDOWN_FACTOR} × baseline p95 + the client's own event-loop delay p99 at the step; a poll answered without the event sooner than the hold less ε ended early`,
  };
  const own = merged?.parts ?? [{ label: '', result: r }];
  if (r.steps.length === 0 || own.some((p) => p.result.baseline.latency === null)) {
    return { ...base, outcome: 'inconclusive', actual: r.stopped ?? 'no step ran' };
  }
  const problems: string[] = [];
  // Each machine's ordinary request against its own baseline: the workers' paths to the target differ.
  for (const [k, total] of r.steps.entries()) {
    for (const { label, step: s, baseline } of viewsAt(r, k, merged?.parts)) {
      const basePct = baseline.latency;
      if (basePct === null) continue;
      const limit = slowdownLimitMs(basePct.p95Ms, s);
      const p95 = s.ordinary.latency?.p95Ms;
      if (p95 !== undefined && p95 > limit)
        problems.push(
          `${label}at N=${total.n} the ordinary request's p95 was ${p95} ms, over ${limit} ms (${SLOWDOWN_FACTOR}× the baseline ${basePct.p95Ms} ms)`,
        );
      if (s.ordinary.latency === null)
        problems.push(`${label}at N=${total.n} no ordinary request was answered (${s.ordinary.problems.join('; ')})`);
    }
  }
  for (const s of r.steps) {
    const gaveWay = s.early + s.failed + s.missed;
    if (gaveWay > 0)
      problems.push(
        `at N=${s.n} ${s.early} ended early, ${s.failed} failed, ${s.missed} of ${s.heldAtPublish} held never got the event within ${s.fanOutDeadlineMs} ms${s.reasons.length ? ` (${s.reasons.map((x) => `${x.count}× ${x.why}`).join('; ')})` : ''}`,
      );
  }
  const sustained = r.steps.filter((s) => s.sustained).map((s) => s.n);
  const largest = sustained.length ? Math.max(...sustained) : null;
  const capped = r.steps.find((s) => s.capped > 0);
  const notes = merged?.notes.length ? `; ${merged.notes.join('; ')}` : '';
  const info =
    (largest === null
      ? 'no step was sustained'
      : `largest N sustained: ${largest}${merged ? ` over ${merged.parts.length} workers` : ''}${capped ? ` (the per-client cap stopped the ramp at ${capped.n}: see SEC-DOS-01)` : ''}${r.stopped && !capped ? `; the ramp stopped: ${r.stopped}` : ''}`) +
    notes;
  const basePct = r.baseline.latency;
  if (problems.length > 0 || basePct === null) return { ...base, outcome: 'warn', actual: problems.join('; '), info };
  return {
    ...base,
    outcome: 'pass',
    actual: `${r.steps.map((s) => s.n).join(', ')} held${merged ? ` over ${merged.parts.length} workers` : ''}: none gave way, the ordinary request's p95 stayed within ${SLOWDOWN_FACTOR}× its baseline (${merged ? `each worker's own; pooled ${basePct.p95Ms} ms` : `${basePct.p95Ms} ms`})`,
    info,
  };
}

export function judgePerClientCap(r: RampResult, parts?: readonly WorkerPart[]): LoadVerdict {
  const base = {
    id: 'SEC-DOS-01' as const,
    section: 'RFC 6202 §6 (RFC 9112 §9.4)',
    title: 'one client holding many requests is capped (429/503) while other clients are still served',
    expected: 'the server caps one client identity with 429 or 503 while another client is still served',
    tolerance: `one identity = one source address; another client (127.0.0.1) is locked out when its own push request on a fresh channel is refused (429/503, refused, reset, 5xx) or more than half of its ${ORDINARY_SAMPLES} ordinary requests get no answer; a lock-out is a fail up to N=${GLOBAL_N}`,
  };
  // Spread over several addresses, the load is several clients: no cap per client can be asked of it.
  const single = r.steps.map((_, k) => k).filter((k) => viewsAt(r, k, parts).every((v) => v.step.sourceAddresses.length === 1));
  if (single.length === 0) return { ...base, outcome: 'inconclusive', actual: r.stopped ?? 'no step ran from a single source address' };
  const cappedAt = single.find((k) => (r.steps[k]?.capped ?? 0) > 0);
  const total = (k: number): number => r.steps[k]?.n ?? 0;
  if (cappedAt !== undefined) {
    const views = viewsAt(r, cappedAt, parts);
    const n = total(cappedAt);
    const capped = r.steps[cappedAt]?.capped ?? 0;
    if (r.otherClient === null)
      return {
        ...base,
        outcome: 'inconclusive',
        actual: `capped at N=${n} (${capped} answered 429/503), but the target is not on loopback, so no other client address could be tried`,
      };
    const out = views.find((v) => lockedOut(v.step));
    if (out)
      return {
        ...base,
        outcome: 'fail',
        actual: `at N=${n} the load's client was capped (${capped}× 429/503) and another client (${r.otherClient}) was refused too: ${out.label}${otherClientText(out.step)}`,
      };
    const c = views.find((v) => v.step.capped > 0)?.step ?? views[0]?.step;
    const served = views.map((v) => `${v.label}${otherClientText(v.step)}`).join('; ');
    return {
      ...base,
      outcome: 'pass',
      actual: `at N=${n} the server capped the client at ${c?.sourceAddresses[0] ?? ''} (${c?.capped ?? 0} of ${c?.n ?? 0} answered 429/503, ${(c?.opened ?? 0) - (c?.capped ?? 0) - (c?.failed ?? 0)} held) while another client (${r.otherClient}) was served: ${served}`,
    };
  }
  const outAt = single.find((k) => viewsAt(r, k, parts).some((v) => lockedOut(v.step)));
  if (outAt !== undefined) {
    const v = viewsAt(r, outAt, parts).find((x) => lockedOut(x.step));
    const n = total(outAt);
    const what = `no per-client cap, and at N=${n} another client (${r.otherClient ?? 'the same address'}) was locked out: ${v?.label ?? ''}${v ? otherClientText(v.step) : ''}`;
    return {
      ...base,
      outcome: n <= GLOBAL_N ? 'fail' : 'warn',
      actual: n <= GLOBAL_N ? what : `${what}; above N=${GLOBAL_N}, so a global ceiling rather than a lock-out`,
    };
  }
  const largest = Math.max(...single.map(total));
  // Split over workers, each machine is one client holding its share: the cap is asked of that share.
  const oneHost = parts !== undefined && new Set(parts.map((p) => p.host)).size < parts.length;
  const share =
    parts === undefined
      ? `one client held up to ${largest} requests`
      : oneHost
        ? `one client held up to ${largest} requests (${parts.length} workers, some on one machine, from the same source address)`
        : `each of ${parts.length} workers' clients held up to ${Math.max(...single.flatMap((k) => viewsAt(r, k, parts).map((v) => v.step.n)))} requests (${largest} in all)`;
  const spread =
    r.steps.length > single.length ? ` (larger steps were spread over several source addresses, so they are several clients)` : '';
  return {
    ...base,
    outcome: 'warn',
    actual: `no cap: ${share} at once without a 429 or 503${spread}${r.stopped ? `; the ramp stopped: ${r.stopped}` : ''}`,
  };
}
