/**
 * Verdict model (DESIGN.md §2). A failed `should` is a warn; `error` means the harness broke;
 * `inconclusive` means no stimulus, a noisy measurement, or an unreachable/garbled target:
 * never evidence of non-conformance.
 */

export type Outcome = 'pass' | 'fail' | 'warn' | 'inconclusive' | 'skip' | 'error';

export const OUTCOMES: readonly Outcome[] = ['pass', 'fail', 'warn', 'inconclusive', 'skip', 'error'];

/** One line of evidence: a moment on the case's timeline, in ms from the case start. */
export interface EvidenceItem {
  t: number;
  what: string;
}

export type Measurements = Record<string, number | string | boolean | null>;

export interface Verdict {
  outcome: Outcome;
  expected: string;
  actual: string;
  measurements: Measurements;
  evidence: EvidenceItem[];
}

export interface VerdictDetails {
  measurements?: Measurements;
  evidence?: EvidenceItem[];
}

function make(outcome: Outcome, expected: string, actual: string, d: VerdictDetails = {}): Verdict {
  return { outcome, expected, actual, measurements: d.measurements ?? {}, evidence: d.evidence ?? [] };
}

export const verdict = {
  pass: (expected: string, actual: string, d?: VerdictDetails) => make('pass', expected, actual, d),
  /** A violation; the runner turns it into `warn` for `should` requirements. */
  violation: (expected: string, actual: string, d?: VerdictDetails) => make('fail', expected, actual, d),
  /** A violation that is only ever a warning, whatever the requirement's level. */
  warn: (expected: string, actual: string, d?: VerdictDetails) => make('warn', expected, actual, d),
  inconclusive: (expected: string, actual: string, d?: VerdictDetails) => make('inconclusive', expected, actual, d),
  skip: (reason: string) => make('skip', 'n/a', reason),
  error: (expected: string, actual: string, d?: VerdictDetails) => make('error', expected, actual, d),
};

/** Thrown inside a scenario when the stimulus or target makes the case impossible to judge. */
export class Inconclusive extends Error {
  constructor(message: string, readonly details: VerdictDetails = {}) {
    super(message);
    this.name = 'Inconclusive';
  }
}
