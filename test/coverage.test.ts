import { expect } from 'chai';
import { FAULT_NAMES } from '../fixtures/faults.js';
import { isValidRequirementId } from '../runner/requirement.js';
import { loadRequirements } from '../runner/registry.js';
import { REQUIREMENTS } from '../suites/index.js';

/** A check that cannot fail is a defect: every requirement names a fault that violates it. */
describe('requirement coverage', () => {
  it('the catalogue loads: unique, well-formed IDs', () => {
    expect(() => loadRequirements()).to.not.throw();
    for (const r of REQUIREMENTS) expect(isValidRequirementId(r.id), r.id).to.equal(true);
  });

  for (const r of REQUIREMENTS) {
    it(`${r.id} names at least one violating fault that exists in fixtures/`, () => {
      expect(r.faults.length, `${r.id} has no violating fault`).to.be.greaterThan(0);
      for (const f of r.faults) expect(FAULT_NAMES, `${r.id} names unknown fault ${f}`).to.include(f);
    });
  }

  it('every fault in fixtures/ is claimed by some requirement', () => {
    const claimed = new Set(REQUIREMENTS.flatMap((r) => r.faults));
    expect(FAULT_NAMES.filter((f) => !claimed.has(f)), 'faults no requirement detects').to.deep.equal([]);
  });

  it('every requirement states its section, sources, tolerance and a normative title', () => {
    for (const r of REQUIREMENTS) {
      // Bayeux 1.0 has no section numbers in the text CometD publishes: it is cited by title.
      if (r.spec === 'Bayeux 1.0') expect(r.section, r.id).to.match(/^[A-Za-z][\w -]{3,}$/);
      else expect(r.section, r.id).to.match(/^\d+(\.\d+)*$/);
      expect(r.sources.length, r.id).to.be.greaterThan(0);
      for (const s of r.sources) expect(s, r.id).to.match(/^https:\/\//);
      expect(r.tolerance.length, r.id).to.be.greaterThan(10);
      expect(r.title.length, r.id).to.be.greaterThan(20);
    }
  });
});
