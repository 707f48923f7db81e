import { expect } from 'chai';
import { FAULTS, FAULT_NAMES } from '../../fixtures/faults.js';
import { startReferenceServer } from '../../fixtures/reference-server.js';
import type { TransportName } from '../../runner/manifest/types.js';
import type { CaseResult } from '../../runner/report.js';
import { runSuite } from '../../runner/run.js';
import { chromiumMissing } from '../../runner/clients/chromium.js';
import { VIA_PROFILES } from '../../runner/via.js';
import { REQUIREMENTS } from '../../suites/index.js';

/**
 * The suite's own proof (DESIGN §5), shared by the files under test/matrix/ (one per transport,
 * so mocha's parallel workers share the matrix instead of one worker running all of it): the
 * reference server passes every requirement on every profile where a compliant server can pass,
 * and every fault makes exactly the requirements that name it fail or warn — on the profiles
 * where it shows — and nothing else.
 */
const HOLD_MS = 1000;
// Below the long-hold fault's 5 s hold and above the reference's 1 s.
const HOLD_LIMIT_S = 3;
// Every profile, plus one with a short timeout the long-hold fault runs into (first byte 3 s).
const VIA = [...VIA_PROFILES, 'first-byte-timeout/10'];
const FAMILY: Record<TransportName, string> = { longPoll: 'lp.', stream: 'st.', sse: 'sse.', bayeux: 'bay.', bosh: 'bosh.' };
/** A matrix run, like a full one, is far longer than mocha's default 2 s. */
export const MATRIX_TIMEOUT_MS = 180_000;

export async function judge(
  faults: string[],
  only: string[] = [],
  variant: 'query' | 'etag' = 'query',
  viaNamed = false,
  /** '2': the reference server speaks HTTP/2 too and the run speaks it straight to the server */
  http: '1.1' | '2' = '1.1',
  /** false: no real browser even where installed (the run only compares verdicts between runs) */
  browser = true,
): Promise<Map<string, CaseResult>> {
  // A Chromium session costs ~5 s of CPU: started only where a client.* case can run (direct, asked).
  const clientAsked = only.length === 0 || only.some((p) => p.startsWith('client.') || 'client.'.startsWith(p));
  const clients = browser && !viaNamed && clientAsked && chromiumMissing() === null ? (['chromium'] as const) : [];
  const server = await startReferenceServer({ holdMs: HOLD_MS, faults, http2: http === '2' });
  try {
    const { report } = await runSuite({
      manifest: server.manifest(variant),
      only,
      skip: [],
      level: 'all',
      via: VIA,
      viaNamed,
      strict: false,
      timeScale: 1,
      concurrency: 32,
      holdLimitSeconds: HOLD_LIMIT_S,
      reportDir: null,
      reporter: 'none',
      http,
      // The client.* requirements run in Debian's Chromium where it is installed (CI installs it).
      clients: [...clients],
    });
    return new Map(report.results.map((r) => [`${r.id}@${r.via}`, r]));
  } finally {
    await server.close();
  }
}

export const line = (r: CaseResult): string => `${r.id}@${r.via}: ${r.verdict} — ${r.actual}`;

/**
 * One it() per fault of the transport: flagged by the requirements that name it, and by nothing
 * else in their areas. `part` deals the faults into `of` files (every `of`-th fault), so mocha's
 * parallel workers share a transport with many faults.
 */
export function faultCases(
  transport: TransportName,
  http: '1.1' | '2' = '1.1',
  part: { index: number; of: number } = { index: 0, of: 1 },
): void {
  const faults = FAULT_NAMES.filter((f) => FAULTS[f]?.transport === transport && (FAULTS[f]?.protocol === 'h2') === (http === '2')).filter(
    (_f, i) => i % part.of === part.index,
  );
  it(`the ${transport} faults${http === '2' ? ' over HTTP/2' : ''}${part.of > 1 ? ` (part ${part.index + 1} of ${part.of})` : ''} exist`, () =>
    expect(faults.length).to.be.greaterThan(0));
  for (const fault of faults) {
    const targets = REQUIREMENTS.filter((r) => r.faults.includes(fault)).map((r) => r.id);
    // Every requirement of the fault's transport, plus the areas of the requirements that name it.
    const families = [...new Set([FAMILY[transport], ...targets.map((id) => `${id.split('.')[0] ?? ''}.`)])];
    it(`fault ${fault} is flagged by ${targets.join(', ')} and by nothing else among ${families.map((f) => `${f}*`).join(', ')}`, async () => {
      const results = await judge([fault], families, 'query', false, http);
      const flagged = [...results.values()].filter((r) => ['fail', 'warn'].includes(r.verdict));
      for (const id of targets) {
        expect(
          flagged.some((r) => r.id === id),
          `${fault} should be flagged by ${id}: ${[...results.values()]
            .filter((r) => r.id === id)
            .map(line)
            .join(' | ')}`,
        ).to.equal(true);
      }
      const collateral = [...results.values()].filter(
        (r) => r.verdict === 'error' || (!targets.includes(r.id) && ['fail', 'warn'].includes(r.verdict)),
      );
      expect(collateral.map(line), `${fault} should flag only ${targets.join(', ')}`).to.deep.equal([]);
    });
  }
}
