/**
 * Baselines: expected failures for CI, keyed `id@via`.
 *
 * Semantics:
 * - A case "fails" when its verdict is `fail`, or `warn` when warnings count (`--strict`).
 * - known       = failing cases the baseline lists;
 * - newFailures = failing cases the baseline does not list (they fail the run);
 * - stale       = listed cases that now PASS (they fail the run, so the list shrinks as fixes
 *                 land and a fixed case cannot silently regress);
 * - notJudged   = listed cases that are absent from the report or are skip / inconclusive /
 *                 error: the run could not tell, so the entry is neither confirmed nor stale.
 * - A listed case that is now `warn` without --strict is still not passing: it stays known.
 * `error` verdicts are not failures of the target; the CLI maps them to exit 2 separately.
 */
import type { Report } from './report.js';

export interface Baseline {
  schemaVersion: 1;
  /** sorted, unique `id@via` */
  expectedFailures: string[];
}

export interface BaselineOptions {
  /** Also list (or count as failing) `warn` cases; use with --strict. */
  includeWarnings?: boolean;
}

export interface BaselineOutcome {
  known: string[];
  newFailures: string[];
  stale: string[];
  notJudged: string[];
  /** false when there are new failures or stale entries */
  ok: boolean;
}

export class BaselineError extends Error {
  readonly code = 'PUSHSPEC_E_BASELINE';
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

export function caseKey(r: { id: string; via: string }): string {
  return `${r.id}@${r.via}`;
}

function isFailing(verdict: string, opts: BaselineOptions): boolean {
  return verdict === 'fail' || (opts.includeWarnings === true && verdict === 'warn');
}

export function createBaseline(report: Report, opts: BaselineOptions = {}): Baseline {
  const keys = new Set<string>();
  for (const r of report.results) if (isFailing(r.verdict, opts)) keys.add(caseKey(r));
  return { schemaVersion: 1, expectedFailures: [...keys].sort() };
}

/** `<id>@<via>`: exactly one '@', no whitespace, both sides non-empty. */
const ENTRY = /^[^@\s]+@[^@\s]+$/;

export function parseBaseline(json: unknown, source: string): Baseline {
  const fail = (what: string): never => {
    throw new BaselineError(`${source}: ${what}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail(`expected a JSON object like {"schemaVersion": 1, "expectedFailures": ["id@via", …]}, got ${describe(json)}`);
  }
  const o = json as Record<string, unknown>;
  const unknownKeys = Object.keys(o).filter((k) => !['schemaVersion', 'expectedFailures', '$schema'].includes(k));
  if (unknownKeys.length > 0) {
    fail(
      `unknown field${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map((k) => JSON.stringify(k)).join(', ')}; ` +
        'allowed: "schemaVersion", "expectedFailures", "$schema"',
    );
  }
  if (o['schemaVersion'] !== 1) {
    fail(`"schemaVersion" must be 1, got ${describe(o['schemaVersion'])}`);
  }
  const list = o['expectedFailures'];
  if (!Array.isArray(list)) {
    return fail(`"expectedFailures" must be an array of "id@via" strings, got ${describe(list)}`);
  }
  const out = new Set<string>();
  list.forEach((e: unknown, i) => {
    if (typeof e !== 'string') fail(`"expectedFailures[${i}]" must be a string "id@via", got ${describe(e)}`);
    else if (!ENTRY.test(e)) {
      fail(`"expectedFailures[${i}]" must look like "id@via" (e.g. "lp.hold@direct"), got ${JSON.stringify(e)}`);
    } else out.add(e);
  });
  return { schemaVersion: 1, expectedFailures: [...out].sort() };
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 60 ? v.slice(0, 60) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  return typeof v;
}

export function applyBaseline(report: Report, baseline: Baseline, opts: BaselineOptions = {}): BaselineOutcome {
  // One key may appear more than once (e.g. a case recorded twice); a failing record wins,
  // and a key is only "passing" when every record of it passes.
  const state = new Map<string, { failing: boolean; allPass: boolean }>();
  for (const r of report.results) {
    const k = caseKey(r);
    const s = state.get(k) ?? { failing: false, allPass: true };
    s.failing ||= isFailing(r.verdict, opts);
    s.allPass &&= r.verdict === 'pass';
    state.set(k, s);
  }
  const listed = new Set(baseline.expectedFailures);
  const known: string[] = [];
  const newFailures: string[] = [];
  const stale: string[] = [];
  const notJudged: string[] = [];
  for (const [k, s] of state) {
    if (s.failing) (listed.has(k) ? known : newFailures).push(k);
  }
  for (const k of listed) {
    const s = state.get(k);
    if (s?.failing) continue;
    if (s?.allPass) stale.push(k);
    else if (!s || !isStillNotPassing(report, k)) notJudged.push(k);
    else known.push(k);
  }
  const sort = (a: string[]): string[] => a.sort();
  return {
    known: sort(known),
    newFailures: sort(newFailures),
    stale: sort(stale),
    notJudged: sort(notJudged),
    ok: newFailures.length === 0 && stale.length === 0,
  };
}

/** A listed case that is now `warn` (warnings not counted) is still a deviation: keep it known. */
function isStillNotPassing(report: Report, key: string): boolean {
  return report.results.some((r) => caseKey(r) === key && (r.verdict === 'warn' || r.verdict === 'fail'));
}
