import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './helpers/cli.js';
import { importGraph } from './helpers/imports.js';

describe('npm package', function () {
  this.timeout(60_000);

  it('npm pack ships the runtime only: the CLI, suites, fixtures, proxies, schema — no tests, no bench', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) =>
        err ? reject(new Error(err.message)) : resolve(stdout),
      );
    });
    const [pack] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
    const files = (pack?.files ?? []).map((f) => f.path);
    expect(files).to.include.members([
      'dist/runner/cli.js',
      'dist/suites/index.js',
      'dist/fixtures/reference-server.js',
      'schema/target.schema.json',
      'README.md',
      'package.json',
    ]);
    expect(files.filter((f) => f.startsWith('dist/test/') || f.startsWith('dist/bench/') || f.endsWith('.test.js'))).to.deep.equal([]);
    expect(
      files.filter((f) => f.endsWith('.ts')),
      'no TypeScript sources',
    ).to.deep.equal([]);
  });

  it('dependencies are exactly the packages the shipped code imports; everything else is a devDependency', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const { packages } = await importGraph(ROOT, 'runtime');
    const imported = [...packages.keys()].sort();
    expect(Object.keys(pkg.dependencies ?? {}).sort(), 'dependencies vs what dist/{runner,suites,proxies,fixtures} import').to.deep.equal(
      imported,
    );
    expect(
      Object.keys(pkg.devDependencies ?? {}).filter((d) => imported.includes(d)),
      'runtime packages listed as dev',
    ).to.deep.equal([]);
  });
});
