/**
 * `npm run fidelity`: prints the fidelity table (simulated preset × real program × requirement,
 * per fault) as Markdown, the same comparison test/fidelity.test.ts asserts.
 */
import { FIDELITY_FAULTS, FIDELITY_PAIRS, compare, differing, table, verdictsThrough, type FidelityRow } from './helpers/fidelity.js';

const rows: FidelityRow[] = [];
const profiles = FIDELITY_PAIRS.flatMap((p) => [p.simulated, p.real]);
const t0 = Date.now();
for (const fault of process.argv.length > 2 ? process.argv.slice(2).map((f) => (f === 'none' ? null : f)) : FIDELITY_FAULTS) {
  const results = await verdictsThrough(profiles, fault);
  for (const pair of FIDELITY_PAIRS) rows.push(...compare(results, pair, fault));
}
console.log(table(rows));
for (const d of differing(rows))
  console.log(`\n≠ ${d.fault} ${d.requirement}\n  ${d.simulated}: ${d.simActual}\n  ${d.real}: ${d.realActual}`);
console.log(`\n${rows.length} comparisons, ${differing(rows).length} differing, in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
