import { expect } from 'chai';
import { FAULTS, FAULT_NAMES } from '../fixtures/faults.js';
import { startReferenceServer } from '../fixtures/reference-server.js';
import type { CaseResult } from '../runner/report.js';
import { runSuite } from '../runner/run.js';
import { REQUIREMENTS } from '../suites/index.js';

/**
 * The suite's own proof (DESIGN §5): the reference server passes every requirement, and every
 * fault makes exactly the requirements that name it fail or warn — and no other.
 */
const HOLD_MS = 1000;
// Below the long-hold fault's 5 s hold and above the reference's 1 s.
const HOLD_LIMIT_S = 3;

async function judge(faults: string[], variant: 'query' | 'etag' = 'query'): Promise<Map<string, CaseResult>> {
  const server = await startReferenceServer({ holdMs: HOLD_MS, faults });
  try {
    const { report } = await runSuite({
      manifest: server.manifest(variant),
      only: [], skip: [], level: 'all', via: ['direct'], strict: false,
      timeScale: 1, concurrency: 32, holdLimitSeconds: HOLD_LIMIT_S, reportDir: null, reporter: 'none',
    });
    return new Map(report.results.map((r) => [r.id, r]));
  } finally {
    await server.close();
  }
}

const line = (r: CaseResult): string => `${r.id}: ${r.verdict} — ${r.actual}`;

describe('requirement × fault matrix', function () {
  this.timeout(120_000);

  for (const variant of ['query', 'etag'] as const) {
    it(`the reference server (${variant} cursor) passes every long-poll requirement`, async () => {
      const results = await judge([], variant);
      const notPass = [...results.values()].filter((r) => r.verdict !== 'pass');
      expect(notPass.map(line), 'requirements the reference server did not pass').to.deep.equal([]);
      expect(results.size).to.equal(REQUIREMENTS.filter((r) => r.transports.includes('longPoll')).length);
    });
  }

  for (const fault of FAULT_NAMES.filter((f) => FAULTS[f]?.transport === 'longPoll')) {
    const targets = REQUIREMENTS.filter((r) => r.faults.includes(fault)).map((r) => r.id);
    it(`fault ${fault} is flagged by ${targets.join(', ')} and by nothing else`, async () => {
      const results = await judge([fault]);
      for (const id of targets) {
        const r = results.get(id);
        expect(r, `${id} was not run`).to.not.equal(undefined);
        if (r) expect(['fail', 'warn'], `${fault} should be flagged by ${line(r)}`).to.include(r.verdict);
      }
      const collateral = [...results.values()].filter((r) => !targets.includes(r.id) && ['fail', 'warn', 'error'].includes(r.verdict));
      expect(collateral.map(line), `${fault} should flag only ${targets.join(', ')}`).to.deep.equal([]);
    });
  }

  it('two consecutive runs against the same server give identical verdicts', async () => {
    for (const faults of [[], ['one-per-response']]) {
      const a = await judge(faults);
      const b = await judge(faults);
      const verdicts = (m: Map<string, CaseResult>): string[] => [...m.values()].map((r) => `${r.id}=${r.verdict}`);
      expect(verdicts(b)).to.deep.equal(verdicts(a));
    }
  });
});
