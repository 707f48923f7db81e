#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { FAULT_NAMES } from '../fixtures/faults.js';
import { startReferenceServer, type ReferenceServer } from '../fixtures/reference-server.js';
import { validateRunFlags, type RawRunFlags } from './config.js';
import { HarnessError } from './errors.js';
import { buildQuickManifest, isManifestError, loadManifestFile } from './manifest/index.js';
import type { Manifest } from './manifest/types.js';
import { loadRequirements } from './registry.js';
import { printable, renderSummary } from './reporters/console-summary.js';
import { coverageLines } from './reporters/coverage.js';
import { wantsColour } from './reporters/colour.js';
import { checkReportDir } from './reporters/report-dir.js';
import { runSuite } from './run.js';
import { RunTally } from './run-observer.js';
import { applyBaseline } from './baseline.js';
import { exitCodeFor } from './exit-code.js';
import { renderBaselineOutcome } from './reporters/console-summary.js';
import { baselineCommand, compareCommand, loadBaselineFile, reportCommand, ReportInputError } from './commands/report-commands.js';
import { BaselineError } from './baseline.js';
import { VERSION } from './version.js';
import { FIXTURE_DEFAULTS, LOAD_DEFAULTS, RUN_DEFAULTS } from './defaults.js';
import { loadCommand } from './commands/load.js';
import type { RawLoadFlags } from './load/flags.js';
import { KNOWN_PROFILES, VIA_PROFILES } from './via.js';
import { runProxyCommand } from '../proxies/index.js';
import { listCommand } from './commands/list.js';
import { fixtureCommand, parseFaults } from './commands/fixture.js';

interface RunFlags extends RawRunFlags {
  target?: string;
  longPoll?: string;
  publish?: string;
  cursor?: string;
  hold?: string;
  header?: string[];
  name?: string;
  fixture?: boolean;
  fault?: string;
  baseline?: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

async function runAction(flags: RunFlags): Promise<number> {
  const requirements = loadRequirements();
  const validated = validateRunFlags(flags, requirements, VIA_PROFILES);
  const quick = flags.longPoll !== undefined || flags.publish !== undefined;
  if (flags.target !== undefined && quick) throw new HarnessError('PUSHSPEC_E_USAGE', '--target cannot be combined with --long-poll/--publish: describe the target in one place');
  if (flags.fixture && (flags.target !== undefined || quick)) throw new HarnessError('PUSHSPEC_E_USAGE', '--fixture runs the bundled reference server; it cannot be combined with --target or --long-poll');
  if (flags.fault !== undefined && (flags.target !== undefined || quick)) throw new HarnessError('PUSHSPEC_E_USAGE', `--fault ${flags.fault}: faults are injected into the bundled reference server; expected --fault without --target/--long-poll (a third-party target runs as it is)`);
  if (flags.fault !== undefined) flags.fixture = true;
  if (validated.reportDir !== null) await checkReportDir(validated.reportDir);
  // Read the baseline first: a bad file should cost nothing but the error message.
  const baseline = flags.baseline === undefined ? null : await loadBaselineFile(flags.baseline);
  let server: ReferenceServer | null = null;
  let manifest: Manifest;
  if (flags.target !== undefined) manifest = await loadManifestFile(flags.target);
  else if (quick) {
    manifest = buildQuickManifest({
      ...(flags.longPoll !== undefined ? { longPoll: flags.longPoll } : {}),
      ...(flags.publish !== undefined ? { publish: flags.publish } : {}),
      ...(flags.cursor !== undefined ? { cursor: flags.cursor } : {}),
      ...(flags.hold !== undefined ? { hold: flags.hold } : {}),
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.header !== undefined ? { header: flags.header } : {}),
    });
  } else {
    const faults = parseFaults(flags.fault);
    server = await startReferenceServer({ faults });
    manifest = server.manifest();
    process.stderr.write(`pushspec: no --target given, running against the bundled reference server${faults.length ? ` with faults ${faults.join(', ')}` : ''} at ${server.url}\n`);
  }
  // An interrupt says what was cut short; the report files are only written at the very end (and
  // atomically), so nothing half-written is left behind.
  const tally = new RunTally(() => Date.now());
  const onInterrupt = (signal: NodeJS.Signals): void => {
    const { done, total, running } = tally.open();
    process.stderr.write(`\npushspec: interrupted (${signal}) during the run against ${manifest.baseUrl}: ${done} of ${total} cases had finished${running.length ? `, ${running.length} were running (${running.slice(0, 5).join(', ')}${running.length > 5 ? ', …' : ''})` : ''}; no report was written\n`);
    void (server?.close() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  try {
    const { report, exitCode: plainExit, files } = await runSuite({ ...validated, manifest, observer: tally });
    process.stdout.write(renderSummary(report, files, wantsColour(process.stdout)));
    // Asked about named profiles: what was judged behind each, and what was not applicable there.
    process.stdout.write(coverageLines(report, printable).map((l) => `${l}\n`).join(''));
    let exitCode = plainExit;
    if (baseline) {
      const b = applyBaseline(report, baseline, { includeWarnings: validated.strict });
      process.stdout.write(renderBaselineOutcome(b, flags.baseline ?? ''));
      exitCode = exitCodeFor(report.summary, { strict: validated.strict, newFailures: b.newFailures.length, staleBaseline: b.stale.length });
    }
    if (exitCode === 2 && report.summary.error === 0) process.stderr.write(`pushspec: nothing could be judged against ${manifest.baseUrl} (every case was inconclusive or skipped); exit 2\n`);
    return exitCode;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGTERM', onInterrupt);
    await server?.close();
  }
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('pushspec')
    .description('Conformance suite for HTTP long polling and streaming servers (RFC 6202), run directly and through simulated intermediaries')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program
    .command('run', { isDefault: true })
    .description('judge a target (default: the bundled reference server)')
    .option('--target <file>', 'target manifest (JSON, comments allowed)')
    .option('--long-poll <url>', 'quick mode: the long-poll URL ({channel} placeholder allowed)')
    .option('--publish <spec>', "quick mode: how to publish, 'METHOD URL [BODY]' ({channel}, {payload})")
    .option('--cursor <spec>', 'quick mode: etag | none | session | last-event-id | query:PARAM:/json/pointer | query:PARAM:header:Name')
    .option('--hold <seconds>', 'quick mode: the declared hold (measured when omitted)')
    .option('--header <line>', "quick mode: 'Name: value' sent on every request (repeatable)", collect)
    .option('--name <name>', 'quick mode: the target name shown in reports')
    .option('--fixture', 'run against the bundled reference server')
    .option('--fault <names>', `with --fixture: faults to inject (${FAULT_NAMES.join(', ')})`)
    .option('--via <profiles>', `intermediary profiles, comma-separated, or all (each requirement runs where it is meaningful; all,NAME adds NAME); NAME/N divides the profile's timeouts by N. Simulated: ${VIA_PROFILES.join(', ')}. Real programs, by name only: ${KNOWN_PROFILES.filter((n) => !VIA_PROFILES.includes(n)).join(', ')}`, RUN_DEFAULTS.via)
    .option('--only <prefixes>', 'run only requirement IDs starting with these (comma-separated)')
    .option('--skip <prefixes>', 'skip requirement IDs starting with these (comma-separated)')
    .addOption(new Option('--level <level>', 'which levels to run').choices(['must', 'should', 'all']).default(RUN_DEFAULTS.level))
    .option('--strict', 'warnings count as failures for the exit code and in junit.xml')
    .option('--time-scale <n>', 'multiply every wait and tolerance (slow machines)', String(RUN_DEFAULTS.timeScale))
    .option('--concurrency <n>', 'cases run at once (targets with "channels": false run one at a time)', String(RUN_DEFAULTS.concurrency))
    .option('--hold-limit <seconds>', 'longest acceptable long-poll hold (RFC 6202 §5.5)', String(RUN_DEFAULTS.holdLimitSeconds))
    .option('--report-dir <dir>', 'where report.json, junit.xml and report.html are written', RUN_DEFAULTS.reportDir)
    .option('--no-report', 'write no report files')
    .option('--reporter <name>', `console progress: progress ([done/total] per case), any mocha reporter (spec, dot, list, tap, …) or none (just the summary); default ${RUN_DEFAULTS.reporter}, or ${RUN_DEFAULTS.ciReporter} when CI=true`)
    .option('--baseline <file>', 'expected failures (id@via); only new failures or stale entries fail the run')
    .action(async (flags: RunFlags) => setExit(await runAction(flags)));
  program
    .command('list')
    .description('print the requirement catalogue')
    .option('--json', 'as JSON')
    .option('--markdown', 'as the Markdown table in the README')
    .action((flags: { json?: boolean; markdown?: boolean }) => {
      process.stdout.write(listCommand(loadRequirements(), flags.json ? 'json' : flags.markdown ? 'markdown' : 'text'));
    });
  program
    .command('report')
    .description('render report.html from a stored report.json')
    .argument('<report.json>')
    .requiredOption('-o, --out <file>', 'the HTML file to write')
    .action(async (input: string, flags: { out: string }) => {
      await reportCommand(input, flags.out);
      process.stdout.write(`report: ${flags.out}\n`);
    });
  program
    .command('compare')
    .description('several reports side by side, differing cells highlighted')
    .argument('<reports...>', 'two or more report.json files')
    .requiredOption('-o, --out <file>', 'the HTML file to write')
    .action(async (inputs: string[], flags: { out: string }) => {
      await compareCommand(inputs, flags.out);
      process.stdout.write(`comparison: ${flags.out}\n`);
    });
  program
    .command('baseline')
    .description('print a baseline (the current failures) for run --baseline')
    .argument('<report.json>')
    .option('--include-warnings', 'also list warnings (for use with --strict)')
    .action(async (input: string, flags: { includeWarnings?: boolean }) => {
      process.stdout.write(await baselineCommand(input, { includeWarnings: flags.includeWarnings === true }));
    });
  program
    .command('proxy')
    .description('run one intermediary profile standalone in front of a server, printing what it does, until interrupted')
    .argument('<profile>', `one of ${KNOWN_PROFILES.filter((p) => p !== 'direct').join(', ')}, or direct (a raw TCP pipe)`)
    .requiredOption('--upstream <url>', 'the server to put behind it, e.g. http://127.0.0.1:8080')
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)')
    .action(async (profile: string, flags: { upstream: string; port?: string }) => {
      const port = flags.port === undefined ? undefined : Number(flags.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new HarnessError('PUSHSPEC_E_USAGE', `--port ${JSON.stringify(flags.port)}: expected a port number 0–65535`);
      let running;
      try {
        running = await runProxyCommand({ profile, upstream: flags.upstream, ...(port !== undefined ? { port } : {}), out: (line) => process.stdout.write(`${line}\n`) });
      } catch (e) {
        throw new HarnessError('PUSHSPEC_E_USAGE', e instanceof Error ? e.message : String(e));
      }
      const stop = (): void => {
        void running.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      setExit(-1);
    });
  program
    .command('fixture')
    .description('run the bundled reference server (optionally with faults) until interrupted')
    .option('--fault <names>', `faults to inject (${FAULT_NAMES.join(', ')})`)
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)')
    .option('--hold-ms <ms>', 'long-poll hold', String(FIXTURE_DEFAULTS.holdMs))
    .option('--heartbeat-ms <ms>', 'stream/SSE heartbeat interval', String(FIXTURE_DEFAULTS.heartbeatMs))
    .action(async (flags: { fault?: string; port?: string; holdMs: string; heartbeatMs: string }) => {
      await fixtureCommand(flags);
      setExit(-1); // keeps running until a signal
    });
  program
    .command('load')
    .description('ramp N held long polls (or streams, SSE connections) against a target and judge LP-RES-01 (what N it sustains) and SEC-DOS-01 (a per-client cap)')
    .option('--target <file>', 'target manifest (JSON, comments allowed)')
    .option('--fixture', `run against the bundled reference server, started in a child process with a ${LOAD_DEFAULTS.fixtureHoldMs / 1000} s hold`)
    .option('--transport <name>', 'what each held request is: longPoll, stream or sse', LOAD_DEFAULTS.transport)
    .option('--steps <list>', 'how many held at once, step by step (comma-separated, increasing)', LOAD_DEFAULTS.steps)
    .option('--hold-steps <seconds>', 'wait with all N held before the event is published (default: long polls until the first has been held half its hold, streams two heartbeats)')
    .option('--source-addresses <n>', 'spread the load over 127.0.0.2 … 127.0.0.(n+1) (default: as many as the ephemeral ports require, 1 up to ~25,000)')
    .option('--report-dir <dir>', 'where load.json and load.html are written', LOAD_DEFAULTS.reportDir)
    .option('--no-report', 'write no report files')
    .action(async (flags: RawLoadFlags) => setExit(await loadCommand(flags)));
  return program;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  // `run` is the default command, so commander would read an unknown word as an argument of run.
  const word = argv[2];
  const commands = [...program.commands.map((c) => c.name()), 'help'];
  if (word !== undefined && !word.startsWith('-') && !commands.includes(word)) {
    process.stderr.write(`pushspec: unknown command '${word}'; expected one of ${commands.join(', ')}, or run's options (pushspec --help)\n`);
    return 2;
  }
  // `pushspec help frobnicate` would print the whole usage and exit 2 without saying why.
  const asked = argv[3];
  if (word === 'help' && asked !== undefined && !commands.includes(asked)) {
    process.stderr.write(`pushspec: unknown command '${asked}'; expected one of ${commands.join(', ')} (pushspec help)\n`);
    return 2;
  }
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version are not errors; everything else commander rejects is a usage error.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isManifestError(e) || e instanceof HarnessError || e instanceof ReportInputError || e instanceof BaselineError) {
      process.stderr.write(`pushspec: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`pushspec: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

// A stray rejection from a hostile exchange must not take the whole run down with it.
process.on('unhandledRejection', (e) => {
  process.stderr.write(`pushspec: internal error (unhandled rejection, run continues): ${e instanceof Error ? e.message : String(e)}\n`);
});
const code = await main(process.argv);
if (code >= 0) process.exit(code);
