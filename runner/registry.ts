import { REQUIREMENTS } from '../suites/index.js';
import { isValidRequirementId, type Requirement } from './requirement.js';

/** The catalogue, checked once: unique well-formed IDs, each with at least one violating fault. */
export function loadRequirements(all: readonly Requirement[] = REQUIREMENTS): readonly Requirement[] {
  const seen = new Set<string>();
  for (const r of all) {
    if (!isValidRequirementId(r.id)) throw new Error(`requirement id "${r.id}" does not match <area>.<slug>`);
    if (seen.has(r.id)) throw new Error(`requirement id "${r.id}" is defined twice`);
    seen.add(r.id);
  }
  return all;
}
