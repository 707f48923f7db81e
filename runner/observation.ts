import type { CaseContext } from './context.js';

/**
 * The run's conditions an observation was made under: `evaluate` scales its limits with them, so
 * a recorded observation is judged as it was at run time (--time-scale, measured round trip).
 */
export interface Conditions {
  /** --time-scale: every wait and allowance is multiplied by it */
  timeScale: number;
  /** slack for "as soon as": 100 ms × time scale + 2 × RTT (CaseContext.epsilonMs) */
  epsilonMs: number;
  rttMs: number;
}

export function conditions(ctx: CaseContext): Conditions {
  return { timeScale: ctx.env.options.timeScale, epsilonMs: ctx.epsilonMs, rttMs: ctx.rttMs };
}

/** A report keeps an observation only when it is small: it is for reading and re-judging, not a dump. */
export const OBSERVATION_MAX_CHARS = 8000;

export function reportable(observation: object): object | undefined {
  const text = JSON.stringify(observation);
  return text.length <= OBSERVATION_MAX_CHARS ? observation : undefined;
}
