import { describeVia, viaOf } from './via.js';
import { HOP_REMEDIES, profileNamed, remediesOf, rewritesRequests } from '../proxies/index.js';
import type { CaseResult } from './report.js';

/** What the harness saw of a case beyond its verdict: the status of every response it read. */
export interface CaseSightings {
  statuses: readonly number[];
}

export interface DiagnosisInput {
  result: CaseResult;
  /** the same requirement's direct result, when the plan has one */
  direct: CaseResult | null;
  sightings: CaseSightings;
  directSightings: CaseSightings | null;
  /** the requirement's own remedy (what the server changes when it is at fault) */
  requirementRemedy: string | undefined;
  /** false for requirements that only mean something behind a hop (a cache replay, a hold cut by a timeout) */
  directToo: boolean;
  /**
   * The profiles (hop units among them) where the requirement is meaningful (Requirement.via):
   * for a hop-only check, the hops of a preset that the check is about. A cache replay behind
   * varnish-default is the cache's doing, not its first-byte timeout's.
   */
  meaningfulVia?: readonly string[];
}

const violated = (v: CaseResult['verdict']): boolean => v === 'fail' || v === 'warn';
const refusals = (s: CaseSightings | null): number[] => [...new Set((s?.statuses ?? []).filter((x) => x >= 400))];

/**
 * Says whose doing a verdict is and what the server author can change. Through a profile, the
 * verdict is compared with the direct result of the same requirement: a requirement that holds
 * direct and breaks through the hop is the hop's doing, and the remedy is what the server can do
 * to survive that hop. A request the hop forwarded and the server refused (4xx/5xx only through
 * the hop) is named as such: proxies drop hop-by-hop headers the server may depend on.
 */
export function diagnose(d: DiagnosisInput): CaseResult {
  const r = d.result;
  if (r.verdict === 'error') return { ...r, cause: 'harness' };
  if (r.via === 'direct') return violated(r.verdict) ? withRemedy({ ...r, cause: 'server' }, d.requirementRemedy) : r;
  const profile = viaOf(r.via).profile;
  if (profile === null) return r;
  const direct = d.direct ? { verdict: d.direct.verdict, actual: d.direct.actual } : undefined;
  const base = direct ? { ...r, direct } : r;
  const directOk = d.direct !== null && (d.direct.verdict === 'pass' || d.direct.verdict === 'skip');
  const directRefusals = refusals(d.directSightings);
  const refused = refusals(d.sightings).filter((st) => !directRefusals.includes(st));
  // Requirements that only mean something behind a hop are the ones that wait for its timeouts.
  const hopRemedy = remedyFor(profile, d);
  // Checks that only run through hops have no direct twin; their own direct observation was 2xx.
  if ((directOk || !d.directToo) && refused.length > 0 && (violated(r.verdict) || r.verdict === 'inconclusive')) {
    // A hop that removes hop-by-hop fields does what RFC 9110 §7.6.1 requires of every proxy;
    // a server that refuses the request without them is at fault, behind any proxy.
    const rewrites = rewritesRequests(profile);
    const headers = rewrites
      ? `${r.via} forwards requests as every proxy must, without hop-by-hop headers such as TE, Connection and Keep-Alive (RFC 9110 §7.6.1), `
      : `${r.via} forwards the request, `;
    return {
      ...base,
      verdict: r.level === 'must' ? 'fail' : 'warn',
      cause: rewrites ? 'server' : 'intermediary',
      actual: `${directOk ? 'passes direct, but t' : 'T'}hrough ${r.via} the server refused the request with HTTP ${refused.join('/')}: ${headers}and a server that depends on what the hop changes fails behind every such proxy. Through ${r.via}: ${r.actual}`,
      remedy: `accept the request as a proxy forwards it (do not require TE: chunked or other hop-by-hop headers); ${hopRemedy}`,
    };
  }
  if (!violated(r.verdict)) return base;
  if (!d.directToo)
    return withRemedy({ ...base, cause: 'server' }, [d.requirementRemedy, `behind ${r.via}: ${hopRemedy}`].filter(Boolean).join('; '));
  if (directOk) {
    return {
      ...base,
      cause: 'intermediary',
      actual: `passes direct; through ${r.via} (${describeVia(r.via)}): ${r.actual}`,
      remedy: hopRemedy,
    };
  }
  if (d.direct && violated(d.direct.verdict))
    return withRemedy({ ...base, cause: 'server', actual: `${r.actual} (fails direct too)` }, d.requirementRemedy);
  return withRemedy({ ...base, cause: 'intermediary' }, hopRemedy);
}

/**
 * What the server can do about the hops of a profile. A hop-only check names only the hops it is
 * about, when the preset has any (the rest of the preset did not decide it). A profile whose only
 * hops are timeouts has nothing to say about a check that never waits for them; the
 * requirement's own remedy is then what the server can change.
 */
function remedyFor(profile: string, d: DiagnosisInput): string {
  if (!d.directToo && d.meaningfulVia) {
    const about = profileNamed(profile)
      .specs.map((s) => s.unit)
      .filter((u) => d.meaningfulVia?.includes(u));
    const only = [...new Set(about.map((u) => HOP_REMEDIES[u]))].join('; ');
    if (only) return only;
  }
  return remediesOf(profile, { timeouts: !d.directToo }).join('; ') || (d.requirementRemedy ?? '');
}

function withRemedy(r: CaseResult, remedy: string | undefined): CaseResult {
  return remedy === undefined ? r : { ...r, remedy };
}
