import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CaseContext, type RunEnv } from './context.js';
import type { Case } from './plan.js';
import type { CaseResult } from './report.js';
import { describe } from './publish.js';
import { Inconclusive, verdict, type Verdict } from './verdict.js';

export interface ExecuteOptions {
  concurrency: number;
  /** where a case's transport requests go, per `via` (direct: the target itself) */
  originFor(via: string): Promise<{ origin: URL; release(): Promise<void> }>;
  onCaseDone?(result: CaseResult): void;
}

/** A small counting semaphore: independent cases run side by side, at most `n` at once. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(n: number) {
    this.free = n;
  }
  async take(): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((r) => this.waiting.push(r));
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    };
  }
}

/**
 * Runs every case concurrently (fresh channel each), then re-runs timing failures alone, one
 * at a time, so a verdict about timing never rests on a measurement taken under load.
 */
export class Executor {
  private readonly first = new Map<string, Promise<CaseResult>>();
  private readonly final = new Map<string, Promise<CaseResult>>();
  private readonly allFirst: Promise<unknown>;
  private serial: Promise<unknown> = Promise.resolve();

  constructor(private readonly env: RunEnv, cases: readonly Case[], private readonly o: ExecuteOptions) {
    const slots = new Slots(env.manifest.channels === false ? 1 : o.concurrency);
    for (const c of cases) {
      this.first.set(c.key, slots.take().then(async (release) => {
        try {
          return await this.runOnce(c);
        } finally {
          release();
        }
      }));
    }
    this.allFirst = Promise.allSettled([...this.first.values()]);
    for (const c of cases) this.final.set(c.key, this.settle(c));
  }

  result(key: string): Promise<CaseResult> {
    const r = this.final.get(key);
    if (!r) throw new Error(`no case ${key} in this plan`);
    return r;
  }

  all(): Promise<CaseResult[]> {
    return Promise.all([...this.final.values()]);
  }

  private async settle(c: Case): Promise<CaseResult> {
    const firstResult = await this.first.get(c.key);
    if (!firstResult) throw new Error(`case ${c.key} never started`);
    const needsSolo = c.requirement.timing && (firstResult.verdict === 'fail' || firstResult.verdict === 'warn');
    let result = firstResult;
    if (needsSolo) {
      await this.allFirst;
      const solo = this.serial.then(() => this.runOnce(c, true));
      this.serial = solo.catch(() => undefined);
      result = { ...(await solo), reverified: true };
    }
    this.o.onCaseDone?.(result);
    return result;
  }

  private async runOnce(c: Case, solo = false): Promise<CaseResult> {
    const r = c.requirement;
    const started = this.env.clock.now();
    const base = { id: r.id, section: r.section, spec: r.spec, level: r.level, title: r.title, via: c.via };
    const finish = (v: Verdict): CaseResult => ({
      ...base,
      verdict: v.outcome === 'fail' && r.level !== 'must' ? 'warn' : v.outcome,
      expected: v.expected,
      actual: v.actual,
      durationMs: Math.round(this.env.clock.now() - started),
      measurements: v.measurements,
      evidence: v.evidence,
    });
    if (c.skipReason) return finish(verdict.skip(c.skipReason));
    if (r.needsPublish && !this.env.publisher) {
      return finish(verdict.inconclusive('an event can be published to the target', this.env.publishProblem ?? 'no publish hook in the manifest: this check needs a way to make an event happen'));
    }
    const abort = new AbortController();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const rtt = await this.env.rttFor(c.via);
    const { origin, release } = await this.o.originFor(c.via);
    const ctx = new CaseContext(this.env, c.via, origin, abort.signal, rtt);
    const deadlineMs = await this.caseDeadlineMs(ctx);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Verdict>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve(verdict.error('the case finishes within its deadline', `the case did not finish within ${Math.round(deadlineMs)} ms; the harness gave up on it`));
      }, deadlineMs);
    });
    let v: Verdict;
    try {
      v = await Promise.race([r.run(ctx).catch((e: unknown) => fromError(e)), deadline]);
    } finally {
      clearTimeout(timer);
      abort.abort();
      ctx.dispose();
      lag.disable();
      await release();
    }
    // A timing violation no larger than a stall of the harness's own event loop says nothing
    // about the server: `excessMs` (how far past its tolerance the measurement was) must exceed it.
    const lagMs = lag.max / 1e6;
    const excess = v.measurements['excessMs'];
    if (solo && r.timing && (v.outcome === 'fail' || v.outcome === 'warn') && typeof excess === 'number' && lagMs >= excess) {
      v = verdict.inconclusive(v.expected, `${v.actual} — but the harness's event loop stalled ${lagMs.toFixed(0)} ms during the measurement, so the timing is not trustworthy`, v);
    }
    if (v.evidence.length === 0) v = { ...v, evidence: ctx.timeline };
    return finish(v);
  }

  /** A backstop only: every exchange has its own deadline well inside this one. */
  private async caseDeadlineMs(ctx: CaseContext): Promise<number> {
    const hold = ctx.manifest.longPoll ? await this.env.shared.planningHoldMs() : 0;
    return (hold * 1.5 + ctx.ms(2000)) * 10 + ctx.ms(15000);
  }
}

function fromError(e: unknown): Verdict {
  if (e instanceof Inconclusive) return verdict.inconclusive('the scenario can be carried out against the target', e.message, e.details);
  const stack = e instanceof Error && e.stack ? e.stack.split('\n').slice(0, 4).join(' | ') : '';
  return verdict.error('the harness runs the scenario', `harness error: ${describe(e)}${stack ? ` (${stack})` : ''}`);
}
