import { REQUIREMENTS } from '../../suites/index.js';
/**
 * Fidelity of the simulated profiles (issue 10): the same reference server, with a fault or
 * none, judged through a simulated preset and through the real program it models. Where both
 * run a requirement, the verdicts must agree; a difference is a model that drifted from the
 * program (or a documented limit of the model, listed in KNOWN_DIFFERENCES with its reason).
 */
import { startReferenceServer } from '../../fixtures/reference-server.js';
import type { CaseResult } from '../../runner/report.js';
import { runSuite } from '../../runner/run.js';

export interface FidelityPair {
  simulated: string;
  real: string;
  /** '≡' the verdicts must be equal; '≈' equal on the requirements the pair is known to share */
  relation: '≡' | '≈';
}

export const FIDELITY_PAIRS: readonly FidelityPair[] = [
  { simulated: 'nginx-default', real: 'real-nginx', relation: '≡' },
  { simulated: 'nginx-http11', real: 'real-nginx-http11', relation: '≡' },
  { simulated: 'varnish-default', real: 'real-varnish', relation: '≡' },
  { simulated: 'rechunk-coalesce', real: 'real-haproxy', relation: '≈' },
];

/** The faults each pair is compared on (none = the compliant reference server). */
export const FIDELITY_FAULTS: readonly (string | null)[] = [
  null,
  'chunked-to-http10',
  'cache-public',
  'last-modified-only',
  'no-heartbeat',
  'stream-buffer-8k',
];

export interface FidelityRow {
  fault: string;
  requirement: string;
  simulated: string;
  real: string;
  simVerdict: string;
  realVerdict: string;
  /** what each side observed, to explain a difference */
  simActual: string;
  realActual: string;
}

/**
 * The requirements compared: those declared for a compared profile, and the delivery checks
 * (`deploymentCheck`). Named profiles now judge most of the catalogue (runner/applicability.ts),
 * but under the load of every real program at once some of the added long-poll cases were not
 * stable (lp.complete / lp.repoll through the simulated nginx presets, issue 11 report), so the
 * comparison keeps its earlier scope.
 */
function fidelityScope(profiles: readonly string[]): string[] {
  return REQUIREMENTS.filter((r) => r.deploymentCheck === true || (r.via ?? []).some((v) => profiles.includes(v))).map((r) => r.id);
}

/** The verdict of each requirement through each profile, for one server (fault or none). */
export async function verdictsThrough(profiles: readonly string[], fault: string | null): Promise<Map<string, CaseResult>> {
  const server = await startReferenceServer({ holdMs: 1000, faults: fault === null ? [] : [fault] });
  try {
    const { report } = await runSuite({
      manifest: server.manifest(),
      only: fidelityScope(profiles),
      skip: [],
      level: 'all',
      via: ['direct', ...profiles],
      viaNamed: true,
      strict: false,
      timeScale: 1,
      concurrency: 32,
      holdLimitSeconds: 30,
      reportDir: null,
      reporter: 'none',
    });
    return new Map(report.results.map((r) => [`${r.id}@${r.via}`, r]));
  } finally {
    await server.close();
  }
}

/** One row per requirement judged through both profiles of a pair. */
export function compare(results: ReadonlyMap<string, CaseResult>, pair: FidelityPair, fault: string | null): FidelityRow[] {
  const rows: FidelityRow[] = [];
  for (const r of results.values()) {
    if (r.via !== pair.simulated) continue;
    const twin = results.get(`${r.id}@${pair.real}`);
    if (twin === undefined || twin.verdict === 'skip' || r.verdict === 'skip') continue;
    rows.push({
      fault: fault ?? '(none)',
      requirement: r.id,
      simulated: pair.simulated,
      real: pair.real,
      simVerdict: r.verdict,
      realVerdict: twin.verdict,
      simActual: r.actual,
      realActual: twin.actual,
    });
  }
  return rows.sort((a, b) => a.requirement.localeCompare(b.requirement));
}

export function differing(rows: readonly FidelityRow[]): FidelityRow[] {
  return rows.filter((row) => row.simVerdict !== row.realVerdict);
}

export function table(rows: readonly FidelityRow[]): string {
  const lines = rows.map(
    (r) =>
      `| ${r.fault} | ${r.requirement} | ${r.simulated} ${r.simVerdict} | ${r.real} ${r.realVerdict} | ${r.simVerdict === r.realVerdict ? '=' : '≠'} |`,
  );
  return ['| fault | requirement | simulated | real | |', '|---|---|---|---|---|', ...lines].join('\n');
}
