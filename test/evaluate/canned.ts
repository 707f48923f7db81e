import type { Limits, Requirement } from '../../runner/requirement.js';
import type { Outcome } from '../../runner/verdict.js';

/** One canned observation of a requirement and what evaluate must make of it. */
export interface CannedCase<O extends object> {
  name: string;
  observation: O;
  outcome: Outcome;
  /** a phrase the verdict's `actual` must contain */
  actual?: string;
  /** the timing excess the verdict must carry; null: it must carry none */
  excessMs?: number | null;
  /** where the observation came from when it was recorded from a real run (report.json) */
  recorded?: string;
}

/** A requirement with its canned cases, typed together so an observation cannot drift from its type. */
export interface CannedSet {
  requirement: Requirement;
  cases: ReadonlyArray<CannedCase<object>>;
  run(): Array<{ c: CannedCase<object>; outcome: Outcome; actual: string; excessMs: number | undefined; again: Outcome }>;
}

export function canned<O extends object, T extends Limits>(requirement: Requirement<O, T>, cases: ReadonlyArray<CannedCase<O>>): CannedSet {
  return {
    requirement,
    cases,
    run: () =>
      cases.map((c) => {
        const v = requirement.evaluate(c.observation, requirement.limits);
        // Observations are serialisable: the parsed copy (what report.json holds) is judged the same.
        const copy = JSON.parse(JSON.stringify(c.observation)) as O;
        return {
          c,
          outcome: v.outcome,
          actual: v.actual,
          excessMs: v.excessMs,
          again: requirement.evaluate(copy, requirement.limits).outcome,
        };
      }),
  };
}
