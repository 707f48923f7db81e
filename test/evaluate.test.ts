import { expect } from 'chai';
import { REQUIREMENTS } from '../suites/index.js';
import type { CannedSet } from './evaluate/canned.js';
import { http1Cases } from './evaluate/rfc9112-http1.js';
import { pipeliningCases } from './evaluate/rfc9112-pipelining.js';
import { http2Cases } from './evaluate/rfc9113-http2.js';
import { bestPracticeCases } from './evaluate/rfc6202-5-best-practices.js';
import { longPollingCases } from './evaluate/rfc6202-2-long-polling.js';
import { idleRepollCases } from './evaluate/rfc6202-2-idle-repoll.js';
import { gapLatencyCases } from './evaluate/rfc6202-2-gap-latency.js';
import { streamingCases } from './evaluate/rfc6202-3-streaming.js';
import { intermediaryCases } from './evaluate/rfc6202-5-intermediaries.js';
import { securityCases } from './evaluate/rfc6202-6-security.js';
import { jsonpScriptCases } from './evaluate/rfc6202-6-jsonp-script.js';
import { semanticsCases } from './evaluate/rfc9110-semantics.js';
import { sseCases } from './evaluate/whatwg-sse.js';
import { sseDataCases } from './evaluate/whatwg-sse-data.js';
import { sseStopCases } from './evaluate/whatwg-sse-stop.js';
import { bayeuxCases } from './evaluate/bayeux-1.0.js';
import { boshCases } from './evaluate/xep0124-bosh.js';
import { clientCases } from './evaluate/clients.js';

/** Every requirement's evaluate, judged on canned (some recorded) observations: no server needed. */
const SETS: readonly CannedSet[] = [
  ...longPollingCases,
  ...idleRepollCases,
  ...gapLatencyCases,
  ...streamingCases,
  ...bestPracticeCases,
  ...intermediaryCases,
  ...securityCases,
  ...jsonpScriptCases,
  ...semanticsCases,
  ...http1Cases,
  ...pipeliningCases,
  ...http2Cases,
  ...sseCases,
  ...sseDataCases,
  ...sseStopCases,
  ...bayeuxCases,
  ...boshCases,
  ...clientCases,
];

describe('evaluate on canned observations', () => {
  for (const set of SETS) {
    describe(set.requirement.id, () => {
      for (const r of set.run()) {
        it(`${r.c.name} → ${r.c.outcome}${r.c.recorded ? ` (recorded: ${r.c.recorded})` : ''}`, () => {
          expect(r.outcome, r.actual).to.equal(r.c.outcome);
          if (r.c.actual !== undefined) expect(r.actual).to.contain(r.c.actual);
          if (r.c.excessMs === null) expect(r.excessMs).to.equal(undefined);
          else if (r.c.excessMs !== undefined) expect(r.excessMs).to.equal(r.c.excessMs);
          expect(r.again, 'the JSON copy of the observation is judged the same').to.equal(r.outcome);
        });
      }
    });
  }

  it('dependsOn names requirements that exist, and every requirement a verdict names is in it', () => {
    const ids = new Set(REQUIREMENTS.map((r) => r.id));
    for (const r of REQUIREMENTS) for (const d of r.dependsOn) expect(ids.has(d), `${r.id} depends on ${d}`).to.equal(true);
    for (const set of SETS) {
      for (const { actual } of set.run()) {
        const named = [...ids].filter((id) => id !== set.requirement.id && new RegExp(`\\b${id.replace(/\./g, '\\.')}\\b`).test(actual));
        for (const id of named) expect(set.requirement.dependsOn, `${set.requirement.id}'s verdict names ${id}`).to.include(id);
      }
    }
  });

  it('every requirement has a passing and a failing canned observation', () => {
    for (const r of REQUIREMENTS) {
      const outcomes = SETS.filter((s) => s.requirement.id === r.id).flatMap((s) => s.cases.map((c) => c.outcome));
      expect(outcomes, r.id).to.include('pass');
      expect(
        outcomes.some((o) => o === 'fail' || o === 'warn'),
        `${r.id} has a failing case`,
      ).to.equal(true);
    }
  });
});
