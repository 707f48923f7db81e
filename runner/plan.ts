import type { Manifest, TransportName } from './manifest/types.js';
import type { Level, Requirement } from './requirement.js';
import { baseProfile, describeVia, streamingPossible, viaMissing } from './via.js';
import { DEPLOYMENT_PROFILES } from '../suites/profiles.js';

export interface PlanFilter {
  only: string[];
  skip: string[];
  level: 'must' | 'should' | 'all';
  via: string[];
  /** the user named these profiles (not `all`): a deployment question, so deployment checks run through them too */
  viaNamed?: boolean;
}

export interface Case {
  /** `<id>@<via>`: the key in reports, JUnit and baselines */
  key: string;
  requirement: Requirement;
  via: string;
  /** set when the case cannot run here; it is reported as skip with this reason */
  skipReason: string | null;
}

const LEVELS: Record<PlanFilter['level'], Level[]> = { must: ['must'], should: ['must', 'should'], all: ['must', 'should', 'info'] };

export function selected(r: Requirement, f: Pick<PlanFilter, 'only' | 'skip' | 'level'>): boolean {
  if (f.only.length && !f.only.some((p) => r.id.startsWith(p))) return false;
  if (f.skip.some((p) => r.id.startsWith(p))) return false;
  return LEVELS[f.level].includes(r.level);
}

function offered(m: Manifest, t: TransportName): boolean {
  return m[t] !== undefined;
}

/** Requirements × intermediary profiles, filtered by flags and by what the target offers. */
export function plan(requirements: readonly Requirement[], manifest: Manifest, f: PlanFilter): Case[] {
  const cases: Case[] = [];
  // A real program's presence is looked up once per profile, not once per requirement.
  const missingFor = new Map(f.via.map((via) => [via, viaMissing(via)]));
  for (const r of requirements) {
    if (!selected(r, f)) continue;
    for (const via of f.via) {
      const base = baseProfile(via);
      const asked = f.viaNamed === true && r.deploymentCheck === true && (DEPLOYMENT_PROFILES as readonly string[]).includes(base);
      if (base !== 'direct' && !(r.via ?? []).includes(base) && !asked) continue;
      if (base === 'direct' && r.directToo === false) continue;
      const has = r.transports.some((t) => offered(manifest, t));
      const streaming = r.transports.every((t) => t === 'stream' || t === 'sse');
      const missing = missingFor.get(via) ?? null;
      const skipReason = missing !== null
        ? `skip: ${via} cannot run here: ${missing}`
        : !has
        ? `n/a: the target declares no ${r.transports.join(' or ')} endpoint`
        : streaming && !streamingPossible(via)
          ? `info: no server can stream through ${via} (${describeVia(via)}); RFC 9110 §7.6 allows an intermediary to do that`
          : null;
      cases.push({ key: `${r.id}@${via}`, requirement: r, via, skipReason });
    }
  }
  return cases;
}
