import type { ProbeDoor } from './drivers/door.js';
import type { Manifest } from './manifest/types.js';
import { LongPollClient, type PollResult } from './drivers/long-poll.js';
import type { EvidenceItem } from './verdict.js';
import { describe } from './publish.js';

/**
 * How long the shared idle poll is watched: a declared hold × declaredFactor + declaredSlackMs,
 * else the hold limit + limitFraction of it (at least limitMinMs); waits × time scale.
 * lp.timeout-status states it as its tolerance.
 */
export const HOLD_CAP = { declaredFactor: 1.25, declaredSlackMs: 1000, limitFraction: 0.05, limitMinMs: 1000 } as const;

export interface HoldObservation {
  declaredMs: number | null;
  /** send → end of an idle poll on a fresh channel; null when it did not end within capMs */
  measuredMs: number | null;
  capMs: number;
  result: PollResult | null;
  timeline: EvidenceItem[];
  /** why nothing could be observed (connect failed, ...) */
  problem: string | null;
}

/** A shared observation with the timeline it was taken on (absolute clock of its start). */
export interface SharedObservation<T> {
  value: T;
  t0: number;
  timeline: EvidenceItem[];
}

/**
 * Measurements several cases need, taken once per run and shared: an idle long poll is a wait
 * of a whole hold, and paying it once keeps a run close to its longest necessary wait.
 */
/** When a declared hold's measurement is checked again: longer than declared × factor + slack. */
const HOLD_RECHECK = { factor: 1.1, slackMs: 500, tries: 2 };

export class SharedProbes<C extends ProbeDoor = ProbeDoor> {
  private holdPromise: Promise<HoldObservation> | null = null;
  private readonly memos = new Map<string, Promise<SharedObservation<unknown>>>();

  /** the hold the manifest promises, ms (null: undeclared, so it is measured) */
  private readonly declaredMs: number | null;

  constructor(
    manifest: Manifest,
    /** the §5.5 hold limit (--hold-limit), s: an undeclared hold is observed a little past it */
    private readonly holdLimitSeconds: number,
    private readonly makeContext: () => C,
  ) {
    const s = manifest.longPoll?.holdSeconds;
    this.declaredMs = s === undefined ? null : s * 1000;
  }

  hold(): Promise<HoldObservation> {
    this.holdPromise ??= this.steadyHold();
    return this.holdPromise;
  }

  /**
   * A declared hold measured much longer (the answer read seconds late on a loaded machine) is
   * measured again, at most twice, and the shortest measurement stands: a server that really
   * holds longer than it declares does so every time.
   */
  private async steadyHold(): Promise<HoldObservation> {
    let best = await this.measureHold();
    const declared = this.declaredMs;
    const late = (h: HoldObservation): boolean =>
      declared !== null && h.measuredMs !== null && h.measuredMs > declared * HOLD_RECHECK.factor + HOLD_RECHECK.slackMs;
    for (let i = 0; i < HOLD_RECHECK.tries && late(best); i++) {
      const again = await this.measureHold();
      if (again.measuredMs !== null && best.measuredMs !== null && again.measuredMs < best.measuredMs) best = again;
    }
    return best;
  }

  private async measureHold(): Promise<HoldObservation> {
    const ctx = this.makeContext();
    const declaredMs = this.declaredMs;
    const limitMs = this.holdLimitSeconds * 1000;
    // Past the §5.5 limit the verdict is a warning whatever the exact value, so an undeclared
    // hold is only observed up to just beyond that limit.
    const c = HOLD_CAP;
    const capMs =
      declaredMs !== null
        ? declaredMs * c.declaredFactor + ctx.ms(c.declaredSlackMs)
        : limitMs + ctx.ms(Math.max(c.limitMinMs, limitMs * c.limitFraction));
    try {
      const client = new LongPollClient(ctx, ctx.channel, 'idle');
      const pending = await client.start(capMs);
      const result = await pending.done;
      const res = result.res;
      if (res.end === 'malformed' || res.end === 'cap' || res.end === 'error') {
        return {
          declaredMs,
          measuredMs: null,
          capMs,
          result,
          timeline: ctx.timeline,
          problem: `the idle poll's answer could not be read (${res.end}: ${res.errors.slice(0, 2).join('; ')})`,
        };
      }
      const measuredMs = res.end !== 'timeout' && res.tEnd !== null ? res.tEnd - result.tSent : null;
      return { declaredMs, measuredMs, capMs, result, timeline: ctx.timeline, problem: null };
    } catch (e) {
      return { declaredMs, measuredMs: null, capMs, result: null, timeline: ctx.timeline, problem: describe(e) };
    } finally {
      ctx.dispose();
    }
  }

  /**
   * One observation per key for the whole run, taken directly on a context of its own: several
   * cases (a heartbeat check and every idle-timeout profile) judge the same idle stream, and
   * watching it once keeps the run close to its longest wait. A failed observation fails alike
   * for every case that asked.
   */
  memo<T>(key: string, observe: (ctx: C) => Promise<T>): Promise<SharedObservation<T>> {
    let p = this.memos.get(key) as Promise<SharedObservation<T>> | undefined;
    if (!p) {
      const ctx = this.makeContext();
      p = observe(ctx)
        .then((value) => ({ value, t0: ctx.t0, timeline: ctx.timeline }))
        .finally(() => ctx.dispose());
      this.memos.set(key, p);
    }
    return p;
  }

  /** The hold to plan waits around: declared, else measured, else the observation cap. */
  async planningHoldMs(): Promise<number> {
    if (this.declaredMs !== null) return this.declaredMs;
    const h = await this.hold();
    return h.declaredMs ?? h.measuredMs ?? h.capMs;
  }
}
