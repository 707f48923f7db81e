/**
 * RFC 6202 §5.5 for any held request (a long poll, a Bayeux /meta/connect, a BOSH request held
 * for `wait`): the hold is compared with the profile's tightest timeout, then the prediction is
 * confirmed live — through the profile as it is when the hold should survive, through the profile
 * with its timeouts scaled below the hold when it should be cut. Each protocol brings its hold
 * and its idle request; the judgement is shared.
 */
import type { CaseContext } from '../../runner/context.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { baseProfile, viaOf, viaTimeouts } from '../../runner/via.js';

const s = (x: number): string => `${(x / 1000).toFixed(1)} s`;

/** The case's profile with every timeout divided so that the tightest (now `tightestMs`) becomes `targetMs`. */
export function scaledVia(ctx: CaseContext, tightestMs: number, targetMs: number): { key: string; divisor: number } {
  const already = viaOf(ctx.via).divisor;
  const divisor = Math.round(Math.max(1, (tightestMs * already) / targetMs) * 100) / 100;
  return { key: divisor === 1 ? baseProfile(ctx.via) : `${baseProfile(ctx.via)}/${divisor}`, divisor };
}

/** A hold is predicted cut when hold + ε + marginFraction × the tightest timeout reaches it. */
export const holdSurvivalLimits = { marginFraction: 0.05 };

export interface LiveHold {
  status: number;
  end: string;
  afterMs: number;
}

/** The hold against the profile's tightest timeout, and the live idle request that confirmed the prediction. */
export interface HoldSurvivalSeen {
  via: string;
  conditions: Conditions;
  /** the profile's tightest timeout (first byte, idle or total) */
  timeoutMs: number;
  /** what the profile answers when its first-byte timeout fires, when it says */
  firstByteStatus: number | null;
  /** declared, else measured hold; null when still open after capMs */
  holdMs: number | null;
  capMs: number;
  live: LiveHold;
  /** the timeouts were divided by this for the live check (predicted cut); null: the real profile */
  divisor: number | null;
  /** what is held, for the verdict text ("poll", "/meta/connect", "BOSH request"); absent: poll */
  what?: string;
}

function holdPrediction(
  o: Pick<HoldSurvivalSeen, 'conditions' | 'timeoutMs' | 'holdMs' | 'capMs'>,
  l: typeof holdSurvivalLimits,
): { hold: number; cut: boolean } {
  const hold = o.holdMs ?? o.capMs;
  return { hold, cut: hold + o.conditions.epsilonMs + l.marginFraction * o.timeoutMs >= o.timeoutMs };
}

export interface HoldSurvivalPlan {
  /** declared, else measured hold; null when still open after capMs */
  holdMs: number | null;
  capMs: number;
  what: string;
  /**
   * One idle request held through `c`'s chain. `holdMs` is the hold to expect there: the server's
   * own, or (for a protocol where the client picks it, like BOSH's wait) a shorter one that keeps
   * the ratio to the scaled timeouts.
   */
  idle(c: CaseContext, holdMs: number): Promise<LiveHold>;
  /** the shortest hold the client can pick for the live check (BOSH wait); absent: the server's hold only */
  shortHoldMs?: number;
}

/** Predicts and confirms one held request through the case's profile. */
export async function observeHoldSurvival(ctx: CaseContext, plan: HoldSurvivalPlan): Promise<HoldSurvivalSeen> {
  const to = viaTimeouts(ctx.via);
  const timeouts = [to.firstByteMs, to.idleMs, to.totalMs].filter((x): x is number => x !== undefined);
  if (timeouts.length === 0) throw new Inconclusive(`${ctx.via} has no timeout`);
  const T = Math.min(...timeouts);
  if (plan.holdMs === null && plan.capMs < T)
    throw new Inconclusive(`the hold was not observed (still open after ${s(plan.capMs)}), so it cannot be compared with ${s(T)}`);
  const base = {
    via: ctx.via,
    conditions: conditions(ctx),
    timeoutMs: T,
    firstByteStatus: to.firstByteStatus ?? null,
    holdMs: plan.holdMs,
    capMs: plan.capMs,
    what: plan.what,
  };
  const { hold, cut } = holdPrediction(base, holdSurvivalLimits);
  const short = plan.shortHoldMs;
  if (!cut) {
    // A client-chosen hold is checked at a short length with the timeouts scaled by the same ratio.
    if (short !== undefined && short < hold) {
      const scaled = scaledVia(ctx, T, (T * short) / hold);
      return { ...base, live: await ctx.through(scaled.key, ctx.rttMs, (c) => plan.idle(c, short)), divisor: scaled.divisor };
    }
    return { ...base, live: await plan.idle(ctx, hold), divisor: null };
  }
  const liveHold = short !== undefined ? Math.min(short, hold) : hold;
  const scaled = scaledVia(ctx, T, Math.max(ctx.ms(500), Math.min(T, liveHold / 2)));
  return { ...base, live: await ctx.through(scaled.key, ctx.rttMs, (c) => plan.idle(c, liveHold)), divisor: scaled.divisor };
}

export function judgeHoldSurvival(o: HoldSurvivalSeen, l: typeof holdSurvivalLimits): Verdict {
  const { hold, cut: predictedCut } = holdPrediction(o, l);
  const T = o.timeoutMs;
  const what = o.what ?? 'poll';
  const measurements = { holdMs: o.holdMs === null ? null : Math.round(o.holdMs), timeoutMs: Math.round(T) };
  const analytic = `analytic: hold ${o.holdMs === null ? `> ${s(hold)}` : s(hold)} ${predictedCut ? '≥' : '<'} ${o.via}'s ${s(T)} timeout`;
  const expected = `the ${what} ends with the server's response before ${o.via}'s ${s(T)} timeout`;
  const { live } = o;
  const liveCut = live.status >= 500 || live.end !== 'complete';
  const scaledText = o.divisor === null ? '' : ` with the timeouts scaled ÷ ${o.divisor}`;
  if (!predictedCut) {
    if (liveCut)
      return verdict.violation(
        expected,
        `${analytic}, yet live through ${o.via}${scaledText} the ${what} ended with ${live.status || live.end} after ${s(live.afterMs)}`,
        { measurements },
      );
    return verdict.pass(
      expected,
      `${analytic}; confirmed live${scaledText}: HTTP ${live.status} after ${s(live.afterMs)} through ${o.via}`,
      { measurements },
    );
  }
  // When the hold fits but for ε (the round trip measured through the profile), the prediction
  // rests on a timing margin: the runner re-verifies it alone, with the round trip measured again.
  const margin = hold + l.marginFraction * T;
  const excess = margin < T ? margin + o.conditions.epsilonMs - T : undefined;
  return verdict.violation(
    expected,
    `${analytic}: ${o.firstByteStatus ? `the client gets ${o.firstByteStatus}` : 'the request is cut'} instead of the server's answer. ${liveCut ? `Confirmed live${scaledText}: ${live.status || live.end} after ${s(live.afterMs)}` : `Live${scaledText} the ${what} was not cut (${live.status} after ${s(live.afterMs)})`}`,
    { measurements, ...(excess === undefined ? {} : { excessMs: Math.round(excess) }) },
  );
}
