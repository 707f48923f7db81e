import Mocha from 'mocha';
import type { Executor } from './execute.js';
import type { Case } from './plan.js';
import { wantsColour } from './reporters/colour.js';
import { printable } from './reporters/console-summary.js';

/**
 * Presents the cases to mocha so any mocha reporter can show progress: one describe per RFC
 * section, one it() per (requirement, via). Cases already run concurrently in the Executor;
 * each it() only awaits its own result, so the reporter sees them in catalogue order.
 * Verdicts stay the result model: pass/warn pass (warn fails under --strict), fail/error throw,
 * skip/inconclusive are pending.
 */
export function runWithMocha(
  cases: readonly Case[],
  exec: Executor,
  opts: { reporter: string; strict: boolean; title: string },
): Promise<void> {
  const mocha = new Mocha({ reporter: opts.reporter, timeout: 0, color: wantsColour(process.stdout) });
  const root = Mocha.Suite.create(mocha.suite, opts.title);
  const sections = new Map<string, Mocha.Suite>();
  for (const c of cases) {
    const r = c.requirement;
    const name = `${r.spec} §${r.section}`;
    let suite = sections.get(name);
    if (!suite) {
      suite = Mocha.Suite.create(root, name);
      sections.set(name, suite);
    }
    suite.addTest(
      new Mocha.Test(`${c.key} — ${r.title}`, async function (this: Mocha.Context) {
        const res = await exec.result(c.key);
        const test = this.test;
        const tag = res.verdict === 'pass' ? '' : ` [${res.verdict}: ${printable(res.actual).slice(0, 160)}]`;
        if (test) test.title = `${c.key} — ${r.title}${tag}`;
        if (res.verdict === 'skip' || res.verdict === 'inconclusive') this.skip();
        if (res.verdict === 'fail' || res.verdict === 'error' || (opts.strict && res.verdict === 'warn')) {
          const err = new Error(`${c.key} (${res.verdict}): expected ${printable(res.expected)}; actual ${printable(res.actual)}`);
          Object.assign(err, { showDiff: false });
          throw err;
        }
      }),
    );
  }
  return new Promise((resolve) => {
    mocha.run(() => {
      mocha.dispose();
      resolve();
    });
  });
}
