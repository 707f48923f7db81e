/**
 * ε, the slack of every "as soon as" judgement (DESIGN.md §2): local scheduling noise, scaled by
 * --time-scale, plus the measured round trip twice (there and back through any hop). One datum,
 * so the case context's epsilon and every tolerance text that states it cannot disagree.
 */
export const EPSILON = { slackMs: 100, rtts: 2 } as const;

/** ε as tolerance texts state it (before "(× time scale)"). */
export const EPSILON_TEXT = `${EPSILON.rtts}·RTT + ${EPSILON.slackMs} ms`;

export function epsilonMs(timeScale: number, rttMs: number, e: { slackMs: number; rtts: number } = EPSILON): number {
  return e.slackMs * timeScale + e.rtts * rttMs;
}
