import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS } from './corpus.js';

/** A corpus server without its own test file would silently never be judged. */
describe('real-world corpus: test files', () => {
  it('every corpus server has its corpus-<name>.test file', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    expect(CORPUS.map((s) => s.name).filter((n) => !existsSync(join(here, `corpus-${n}.test.js`)))).to.deep.equal([]);
  });
});
