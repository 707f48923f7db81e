import { expect } from 'chai';
import { FAULT_NAMES } from '../fixtures/faults.js';
import { isValidRequirementId } from '../runner/requirement.js';
import { loadRequirements } from '../runner/registry.js';
import { REQUIREMENTS } from '../suites/index.js';
import { PROFILE_NAMES, remediesOf } from '../proxies/index.js';

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
    expect(
      FAULT_NAMES.filter((f) => !claimed.has(f)),
      'faults no requirement detects',
    ).to.deep.equal([]);
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

  it('every requirement says what a server author changes when it fails or warns (remedy)', () => {
    const without = REQUIREMENTS.filter((r) => typeof r.remedy !== 'string' || r.remedy.trim().length < 12).map((r) => r.id);
    expect(without, 'requirements without a remedy').to.deep.equal([]);
    // A remedy is an instruction, not a restated title or a cross-reference.
    for (const r of REQUIREMENTS) expect(r.remedy, r.id).to.not.match(/^(see|cf\.)\s/i);
  });

  it('every intermediary profile says what the server can do about it, whatever the check', () => {
    const silent = PROFILE_NAMES.filter((p) => p !== 'direct' && remediesOf(p, { timeouts: true }).length === 0);
    expect(silent, 'profiles without a remedy').to.deep.equal([]);
  });
});
