import { expect } from 'chai';
import { importCycles, importGraph, RUNTIME_DIRS } from './helpers/imports.js';
import { ROOT } from './helpers/cli.js';

/**
 * Import cycles among the runtime folders that exist today, as strongly connected components of
 * the source graph (type-only imports included). The list may only shrink: a new cycle, or a
 * module joining one, fails; a listed cycle that is gone fails too, so the entry gets deleted.
 * The last one (context ↔ shared-probes ↔ drivers) went with the context split (issue 9 §4):
 * drivers and shared probes take the narrow doors of runner/drivers/door.ts.
 */
const KNOWN_CYCLES: readonly (readonly string[])[] = [];

describe(`import cycles among ${RUNTIME_DIRS.join('/, ')}/`, () => {
  it('none at run time (compiled JavaScript, type imports erased)', async () => {
    const { edges } = await importGraph(ROOT, 'runtime');
    expect(edges.size, 'dist/ is built').to.be.greaterThan(50);
    expect(importCycles(edges)).to.deep.equal([]);
  });

  it('in the sources, only the known cycles, and each of them still there (the list only shrinks)', async () => {
    const { edges } = await importGraph(ROOT, 'source');
    const found = importCycles(edges);
    const known = KNOWN_CYCLES.map((c) => [...c].sort().join(' ↔ '));
    const actual = found.map((c) => c.join(' ↔ '));
    expect(
      actual.filter((c) => !known.includes(c)),
      'new or grown import cycles',
    ).to.deep.equal([]);
    expect(
      known.filter((c) => !actual.includes(c)),
      'cycles gone or shrunk: update KNOWN_CYCLES',
    ).to.deep.equal([]);
  });
});
