import type { ClientName } from './clients/chromium.js';
import type { Manifest, TransportName } from './manifest/types.js';
import type { Level, Requirement } from './requirement.js';
import { baseProfile, describeVia, profileProtocol, streamingPossible, viaMissing } from './via.js';
import { applicability, protocolMismatch } from './applicability.js';
import type { WireProtocol } from './wire/recorded.js';

export interface PlanFilter {
  only: string[];
  skip: string[];
  level: 'must' | 'should' | 'all';
  via: string[];
  /**
   * the user named these profiles (not `all`): a deployment question, so every requirement that
   * means something behind each runs through it (applicability.ts), and those that do not are
   * listed as skips with the reason (the coverage statement)
   */
  viaNamed?: boolean;
  /** --clients: the real clients asked for; requirements judged in one run only then */
  clients?: readonly ClientName[];
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
export function plan(
  requirements: readonly Requirement[],
  manifest: Manifest,
  f: PlanFilter,
  /** what the client speaks straight to the target (a profile is entered over what its first hop speaks) */
  directProtocol: WireProtocol = 'http/1.1',
): Case[] {
  const cases: Case[] = [];
  // A real program's presence is looked up once per profile, not once per requirement.
  const missingFor = new Map(f.via.map((via) => [via, viaMissing(via)]));
  for (const r of requirements) {
    if (!selected(r, f)) continue;
    for (const via of f.via) {
      const base = baseProfile(via);
      if (base === 'direct' && r.directToo === false) continue;
      const key = `${r.id}@${via}`;
      if (base !== 'direct' && f.viaNamed === true) {
        const a = applicability(r, base);
        // A requirement that only means something behind other kinds of hop is left out, as in
        // any run without them; any other that does not apply here is listed with the reason.
        if (!a.applies && a.elsewhere === true) continue;
        if (!a.applies) {
          cases.push({ key, requirement: r, via, skipReason: `n/a behind ${via}: ${a.reason}` });
          continue;
        }
      } else if (base !== 'direct' && !(r.via ?? []).includes(base)) continue;
      const has = r.transports.some((t) => offered(manifest, t));
      const streaming = r.transports.every((t) => t === 'stream' || t === 'sse');
      const missing = missingFor.get(via) ?? null;
      const mismatch = protocolMismatch(r, base === 'direct' ? directProtocol : profileProtocol(base));
      const noClient =
        r.client !== undefined && !(f.clients ?? []).includes(r.client)
          ? `n/a: judged in a real ${r.client} only when asked (--clients ${r.client})`
          : null;
      // One row says a client was not asked for; repeating it behind every profile says nothing more.
      if (noClient !== null && base !== 'direct') continue;
      const skipReason =
        noClient !== null
          ? noClient
          : missing !== null
            ? `skip: ${via} cannot run here: ${missing}`
            : mismatch !== null
              ? mismatch
              : !has
                ? `n/a: the target declares no ${r.transports.join(' or ')} endpoint`
                : streaming && !streamingPossible(via)
                  ? `info: no server can stream through ${via} (${describeVia(via)}); RFC 9110 §7.6 allows an intermediary to do that`
                  : null;
      cases.push({ key, requirement: r, via, skipReason });
    }
  }
  return cases;
}
