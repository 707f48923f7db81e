import Mocha from 'mocha';

const { EVENT_RUN_BEGIN, EVENT_SUITE_BEGIN, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

/**
 * The default console reporter: `[done/total] section  verdict  case` as each case settles, so a
 * long run shows where it is; the verdict is read from the title the bridge sets.
 */
export class ProgressReporter extends Mocha.reporters.Base {
  static readonly description = 'pushspec progress: [done/total] section verdict case';

  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    let done = 0;
    let section = '';
    const total = runner.total;
    const width = String(total).length;
    const line = (test: Mocha.Test, fallback: string): void => {
      done += 1;
      const m = /\[(\w+):/.exec(test.title);
      const verdict = (m?.[1] ?? fallback).toUpperCase().padEnd(12);
      const key = test.title.split(' — ')[0] ?? test.title;
      process.stdout.write(`  [${String(done).padStart(width)}/${total}] ${section.padEnd(20)} ${verdict} ${key}\n`);
    };
    runner.on(EVENT_RUN_BEGIN, () => process.stdout.write(`  ${total} cases\n`));
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.title && !suite.title.startsWith('pushspec')) section = suite.title;
    });
    runner.on(EVENT_TEST_PASS, (t: Mocha.Test) => line(t, 'pass'));
    runner.on(EVENT_TEST_FAIL, (t: Mocha.Test) => line(t, 'fail'));
    runner.on(EVENT_TEST_PENDING, (t: Mocha.Test) => line(t, 'skip'));
  }
}
