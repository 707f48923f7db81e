import type { CaseContext } from './context.js';
import type { Framing, ResponseEnd, WireResponse } from './wire/types.js';

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

/**
 * A response as an observation keeps it: what judgements read, not the bytes (the body's size,
 * the first parse problems), so observations stay small enough for report.json.
 */
export interface ResponseSeen {
  status: number;
  end: ResponseEnd;
  /** false when the connection ended before a status line and header section */
  gotHeaders: boolean;
  headers: Array<[string, string]>;
  framing: Framing;
  bodyBytes: number;
  /** the parser's problems, joined and cut to 200 characters */
  errors: string;
}

export function seen(res: WireResponse): ResponseSeen {
  return {
    status: res.status,
    end: res.end,
    gotHeaders: res.tHeaders !== null,
    headers: res.headers,
    framing: res.framing,
    bodyBytes: res.body.length,
    errors: res.errors.join('; ').slice(0, 200),
  };
}
