import type { CaseContext } from './context.js';
import type { Requirement } from './requirement.js';
import type { Verdict } from './verdict.js';

/**
 * A requirement not yet split into scenario and evaluate (issue 9): its observation is the
 * verdict `run` reached. Temporary, while suites are converted one file at a time.
 */
export type LegacyRequirement = Omit<Requirement<{ legacyVerdict: Verdict }, Record<string, never>>, 'scenario' | 'evaluate' | 'limits' | 'dependsOn'> & {
  run(ctx: CaseContext): Promise<Verdict>;
};

const legacyIds = new Set<string>();

/** True for a requirement still judged inside `run` (the evaluate tests skip it until converted). */
export const isLegacy = (id: string): boolean => legacyIds.has(id);

export function fromRun(r: LegacyRequirement): Requirement<{ legacyVerdict: Verdict }, Record<string, never>> {
  const { run, ...meta } = r;
  legacyIds.add(r.id);
  return {
    ...meta,
    limits: {},
    dependsOn: [],
    scenario: async (ctx) => ({ legacyVerdict: await run(ctx) }),
    evaluate: (o) => o.legacyVerdict,
  };
}
