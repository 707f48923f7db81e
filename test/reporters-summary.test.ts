import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../runner/report.js';
import { renderSummary } from '../runner/reporters/console-summary.js';
import { ROOT } from './helpers/cli.js';

/** The end-of-run summary on a report recorded from a real run: every fail and warn says what to change. */
describe('console summary', () => {
  let report: Report;

  before(async () => {
    report = JSON.parse(await readFile(join(ROOT, 'test', 'fixtures', 'reports', 'full-run.json'), 'utf8')) as Report;
  });

  it('prints expected, actual, cause and remedy under every fail and warn, and nothing for passes', () => {
    const out = renderSummary(report, []);
    const blocks = out.split('\n').reduce<string[][]>((acc, line) => {
      if (/^ {2}(FAIL|WARN|ERROR)\s/.test(line)) acc.push([line]);
      else if (/^ {8}\S/.test(line)) acc.at(-1)?.push(line);
      return acc;
    }, []);
    const notable = report.results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn');
    expect(blocks).to.have.length(notable.length);
    for (const b of blocks) {
      expect(
        b.some((l) => l.startsWith('        remedy:   ')),
        b[0],
      ).to.equal(true);
      expect(
        b.some((l) => l.startsWith('        cause:    ')),
        b[0],
      ).to.equal(true);
    }
    expect(out).to.match(/^ {2}behind nginx-default: breaks .*; fix: /m);
  });

  it('keeps a hostile remedy from driving the terminal', () => {
    const first = report.results.find((r) => r.verdict === 'fail');
    if (!first) throw new Error('fixture has no failure');
    const out = renderSummary({ ...report, results: [{ ...first, remedy: 'x\u001b[2J\u0007\u202Ey' }] }, []);
    // eslint-disable-next-line no-control-regex -- ESC, BEL and RLO are what must not reach the terminal
    expect(out).to.not.match(/[\u001b\u0007\u202E]/);
    expect(out).to.include('remedy:   x\uFFFD[2J\uFFFD\uFFFDy');
  });
});
