import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FAULT_NAMES } from '../fixtures/faults.js';
import { catalogMarkdown, coverageCommand } from '../runner/commands/list.js';
import { REQUIREMENTS } from '../suites/index.js';
import { cli, ROOT } from './helpers/cli.js';
import { VIA_PROFILES } from '../runner/via.js';
import { RUN_DEFAULTS } from '../runner/defaults.js';

/** The README is part of the product: it must say what the code does. */
describe('README stays true', function () {
  // Two of these run the CLI, which takes seconds when the parallel test phase fills the machine.
  this.timeout(30_000);
  let readme: string;
  before(async () => {
    readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  });

  it('carries the current requirement table', () => {
    const m = /<!-- catalog:start -->\n([\s\S]*?)<!-- catalog:end -->/.exec(readme);
    expect(m, 'catalog markers missing').to.not.equal(null);
    expect(m?.[1], 'README requirement table is stale: run `pushspec list --markdown`').to.equal(catalogMarkdown(REQUIREMENTS));
  });

  it('carries the current catalogue coverage', () => {
    const m = /<!-- coverage:start -->\n([\s\S]*?)<!-- coverage:end -->/.exec(readme);
    expect(m, 'coverage markers missing').to.not.equal(null);
    expect(m?.[1], 'README coverage table is stale: run `pushspec list --coverage --markdown`').to.equal(
      coverageCommand(REQUIREMENTS, 'markdown'),
    );
  });

  it('describes every intermediary profile', () => {
    for (const p of VIA_PROFILES) expect(readme, p).to.include(`\`${p}\``);
  });

  it('names every fault of the reference server', () => {
    for (const f of FAULT_NAMES) expect(readme, f).to.include(`\`${f}\``);
  });

  it('documents every flag of `pushspec run` and the two set-up commands', async () => {
    const help = (await cli(['run', '--help'])).stdout;
    const flags = [...help.matchAll(/^\s+(--[a-z-]+)/gm)].map((x) => x[1]).filter((f) => f !== '--help');
    expect(flags.length).to.be.greaterThan(10);
    for (const f of flags) expect(readme, `README does not mention ${f}`).to.include(f ?? '');
    expect(readme).to.include('npm ci && npm start');
    expect(readme).to.include('npm ci && npm test');
  });

  it('states the same defaults as --help, both taken from runner/defaults.ts', async () => {
    const help = (await cli(['run', '--help'])).stdout.replace(/\s+/g, ' ');
    const shown: Array<[string, string | number]> = [
      ['--level', RUN_DEFAULTS.level],
      ['--via', RUN_DEFAULTS.via],
      ['--time-scale', RUN_DEFAULTS.timeScale],
      ['--concurrency', RUN_DEFAULTS.concurrency],
      ['--hold-limit', RUN_DEFAULTS.holdLimitSeconds],
      ['--report-dir', RUN_DEFAULTS.reportDir],
    ];
    for (const [flag, value] of shown) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${flag} `));
      expect(row?.split(/(?<!\\)\|/)[2], `README row of ${flag}`).to.include(`\`${value}\``);
      expect(help, `--help of ${flag}`).to.include(`(default: "${value}")`);
    }
    const reporterRow = readme.split('\n').find((l) => l.startsWith('| `--reporter '));
    expect(reporterRow?.split(/(?<!\\)\|/)[2]).to.include(`\`${RUN_DEFAULTS.reporter}\` (\`${RUN_DEFAULTS.ciReporter}\` when \`CI=true\`)`);
    expect(help).to.include(`default ${RUN_DEFAULTS.reporter}, or ${RUN_DEFAULTS.ciReporter} when CI=true`);
  });

  it('the CI script runs exactly the README test command', async () => {
    const ci = await readFile(join(ROOT, '.ci', 'run'), 'utf8');
    expect(ci).to.match(/^npm ci && npm test$/m);
  });
});
