import { expect } from 'chai';
import { PROFILES, buildHop, type HopSpec } from '../proxies/profiles.js';
import { haproxyMissing } from '../proxies/real-haproxy.js';
import { nginxMissing } from '../proxies/real-nginx.js';
import { varnishMissing } from '../proxies/real-varnish.js';
import { FIDELITY_FAULTS, FIDELITY_PAIRS, compare, differing, table, verdictsThrough, type FidelityRow } from './helpers/fidelity.js';
import { leftoverRealPrograms } from './helpers/leftovers.js';

/**
 * The simulated presets behave like the programs they model (issue 10): for the reference server
 * and a set of its faults, every requirement judged through both a preset and its real program
 * gets the same verdict. `npm run fidelity` prints the table.
 */
describe('fidelity: simulated profiles ≡ the real programs they model', function () {
  this.timeout(300_000);
  const profiles = FIDELITY_PAIRS.flatMap((p) => [p.simulated, p.real]);

  before(function () {
    const missing = nginxMissing() ?? haproxyMissing() ?? varnishMissing();
    if (missing && process.env['PUSHSPEC_CI'] !== '1') {
      console.log(`      skipping: ${missing}`);
      this.skip();
    }
  });

  for (const fault of FIDELITY_FAULTS) {
    it(`${fault ?? 'the compliant reference server'}: ${FIDELITY_PAIRS.map((p) => `${p.simulated} ${p.relation} ${p.real}`).join(', ')}`, async () => {
      const results = await verdictsThrough(profiles, fault);
      const rows: FidelityRow[] = FIDELITY_PAIRS.flatMap((pair) => compare(results, pair, fault));
      // Each pair shares enough requirements for the comparison to mean something.
      for (const pair of FIDELITY_PAIRS)
        expect(rows.filter((r) => r.real === pair.real).length, `${pair.simulated} vs ${pair.real}`).to.be.greaterThan(1);
      const off = differing(rows);
      expect(
        off.map((d) => `${d.requirement}: ${d.simulated} ${d.simVerdict} (${d.simActual}) vs ${d.real} ${d.realVerdict} (${d.realActual})`),
        table(rows),
      ).to.deep.equal([]);
    });
  }

  it('a drifted model is caught: nginx-default that ignores X-Accel-Buffering disagrees with real nginx', async () => {
    const original = PROFILES['nginx-default'];
    if (original === undefined) throw new Error('nginx-default is gone');
    const drifted: HopSpec[] = original.specs.map((s) =>
      s.unit === 'buffer-bytes' ? { unit: 'buffer-bytes', params: { ...s.params, honourXAccelBuffering: false } } : s,
    );
    PROFILES['nginx-default'] = { ...original, specs: drifted, hops: () => drifted.map(buildHop) };
    try {
      const results = await verdictsThrough(['nginx-default', 'real-nginx'], null);
      const off = differing(compare(results, { simulated: 'nginx-default', real: 'real-nginx', relation: '≡' }, null));
      expect(off.map((d) => `${d.requirement}: ${d.simVerdict} vs ${d.realVerdict}`)).to.include('st.incremental: fail vs pass');
    } finally {
      PROFILES['nginx-default'] = original;
    }
  });

  after(async () => {
    expect(await leftoverRealPrograms(), 'real programs left behind').to.equal('');
  });
});
