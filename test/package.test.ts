import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { ROOT } from './helpers/cli.js';

describe('npm package', function () {
  this.timeout(60_000);

  it('npm pack ships the runtime only: the CLI, suites, fixtures, proxies, schema — no tests, no bench', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    const [pack] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
    const files = (pack?.files ?? []).map((f) => f.path);
    expect(files).to.include.members(['dist/runner/cli.js', 'dist/suites/index.js', 'dist/fixtures/reference-server.js', 'schema/target.schema.json', 'README.md', 'package.json']);
    expect(files.filter((f) => f.startsWith('dist/test/') || f.startsWith('dist/bench/') || f.endsWith('.test.js'))).to.deep.equal([]);
  });
});
