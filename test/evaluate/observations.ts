import type { Conditions, ResponseSeen } from '../../runner/observation.js';

/** Conditions of a direct run on loopback at --time-scale 1 (ε ≈ 102 ms). */
export const LOOPBACK: Conditions = { timeScale: 1, epsilonMs: 102, rttMs: 1 };

/** A complete response as the observation keeps it; fields overridable per case. */
export function response(status: number, headers: Array<[string, string]> = [], over: Partial<ResponseSeen> = {}): ResponseSeen {
  return { status, end: 'complete', gotHeaders: true, headers, framing: 'content-length', bodyBytes: 2, errors: '', ...over };
}
