/**
 * `pushspec load`: RFC 6202 §2.2's "allocated resources" and §6's denial of service, measured.
 * Flags are checked before anything runs; then the target (a manifest, or the reference server in
 * a child process), its RTT and hold, the ramp, the verdicts, the table and load.json/load.html.
 */
import { availableParallelism, hostname, platform, release } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../clock.js';
import { LOAD_DEFAULTS, RUN_DEFAULTS } from '../defaults.js';
import { requestFor } from '../drivers/request.js';
import { epsilonMs } from '../epsilon.js';
import { HarnessError } from '../errors.js';
import { loadManifestFile } from '../manifest/index.js';
import type { Manifest } from '../manifest/types.js';
import { calibrateRtt, preflightPublish } from '../preflight.js';
import { createPublishAdapter } from '../publish.js';
import { wantsColour } from '../reporters/colour.js';
import { checkReportDir } from '../reporters/report-dir.js';
import { writeFileAtomic } from '../reporters/write-file.js';
import { randomChannel } from '../tokens.js';
import { VERSION } from '../version.js';
import { loadTrust } from '../config.js';
import { ordinaryAgent } from '../ordinary-http.js';
import type { TlsTrust } from '../tls.js';
import { startFixtureProcess, type FixtureProcess } from '../load/fixture-process.js';
import { validateLoadFlags, type RawLoadFlags } from '../load/flags.js';
import { renderLoadHtml } from '../load/html.js';
import { headExchange } from '../load/probes.js';
import { ORDINARY_SAMPLES, runRamp } from '../load/ramp.js';
import { loadExitCode, type LoadReport } from '../load/report.js';
import type { LoadTransport } from '../load/subscriber.js';
import { readSystemLimits } from '../load/system.js';
import { progressPrinter, renderTable } from '../load/table.js';
import { judgePerClientCap, judgeResources } from '../load/verdicts.js';
import { sharesOf } from '../load/worker.js';

const now = (): number => systemClock.now();

function declared(m: Manifest): LoadTransport[] {
  return (['longPoll', 'stream', 'sse'] as const).filter((t) => m[t] !== undefined);
}

/** The declared hold, or one idle poll's answer time on a fresh channel (up to the 30 s limit + 5 %). */
async function holdOf(
  m: Manifest,
  trust: TlsTrust,
  say: (s: string) => void,
): Promise<{ holdMs: number; source: 'declared' | 'measured' }> {
  const lp = m.longPoll;
  if (lp === undefined) throw new Error('no longPoll block');
  if (lp.holdSeconds !== undefined) return { holdMs: lp.holdSeconds * 1000, source: 'declared' };
  const limitMs = LOAD_DEFAULTS.holdLimitSeconds * 1000 * 1.05;
  say(`the manifest declares no longPoll.holdSeconds: measuring the hold with one idle poll (up to ${limitMs / 1000} s)`);
  const { url, req } = requestFor(m, lp, randomChannel());
  const r = await headExchange(url, req, undefined, limitMs, now, trust);
  return { holdMs: Math.round(r.ms ?? limitMs), source: 'measured' };
}

export async function loadCommand(raw: RawLoadFlags): Promise<number> {
  const flags = validateLoadFlags(raw);
  if (flags.reportDir !== null) await checkReportDir(flags.reportDir);
  const trust = await loadTrust({ caPath: flags.caPath, insecure: flags.insecure });
  const started = new Date();
  const t0 = now();
  const progress = progressPrinter(process.stderr, now);
  let fixture: FixtureProcess | null = null;
  const onInterrupt = (signal: NodeJS.Signals): void => {
    progress.done();
    process.stderr.write(`\npushspec: load interrupted (${signal}); every held connection closed, no report written\n`);
    void (fixture?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  try {
    let manifest: Manifest;
    if (flags.target !== null) manifest = await loadManifestFile(flags.target);
    else {
      fixture = await startFixtureProcess(LOAD_DEFAULTS.fixtureHoldMs);
      manifest = fixture.manifest;
      progress.line(
        `the bundled reference server (pid ${fixture.pid}, hold ${LOAD_DEFAULTS.fixtureHoldMs / 1000} s) at ${manifest.baseUrl}`,
      );
    }
    const block = manifest[flags.transport];
    if (block === undefined)
      throw new HarnessError(
        'PUSHSPEC_E_USAGE',
        `--transport ${flags.transport}: the target ${manifest.name} declares no ${flags.transport} block; expected one of ${declared(manifest).join(', ') || '(none: the manifest declares no longPoll, stream or sse)'}`,
      );
    const base = new URL(manifest.baseUrl);
    const rttMs = await calibrateRtt(manifest.baseUrl, systemClock, 1);
    const eps = epsilonMs(1, rttMs);
    const adapter = createPublishAdapter(manifest, {
      clock: systemClock,
      deadlineMs: RUN_DEFAULTS.publishDeadlineMs,
      dispatcher: ordinaryAgent(trust),
    });
    // Tried once on a throwaway channel, which also warms the hook's connection: the first step's
    // fan-out is then not the cost of a cold publish.
    const hookProblem = await preflightPublish(manifest, adapter);
    const publisher = hookProblem === null ? adapter : null;
    if (hookProblem !== null) progress.line(`${hookProblem}; the ramp runs, but no fan-out latency is measured`);
    const hold = flags.transport === 'longPoll' ? await holdOf(manifest, trust, (s) => progress.line(s)) : null;
    const heartbeatS = flags.transport === 'longPoll' ? undefined : manifest[flags.transport]?.heartbeatSeconds;
    const limits = readSystemLimits();
    const worker = flags.worker === null ? null : { ...flags.worker, shares: sharesOf(flags.steps, flags.worker), host: hostname() };
    if (worker !== null)
      progress.line(
        `worker ${worker.index}/${worker.count}: holding ${worker.shares.join(', ')} of steps ${flags.steps.join(', ')} (pushspec merge joins the workers' load.json)`,
      );
    const result = await runRamp({
      manifest,
      transport: flags.transport,
      steps: worker?.shares ?? flags.steps,
      sourceAddresses: flags.sourceAddresses,
      trust,
      timing: {
        holdMs: hold?.holdMs ?? 0,
        epsilonMs: eps,
        waitMs: flags.holdStepsS === null ? null : flags.holdStepsS * 1000,
        heartbeatMs: heartbeatS === undefined ? null : heartbeatS * 1000,
        connectTimeoutMs: LOAD_DEFAULTS.connectTimeoutMs,
      },
      limits,
      publisher,
      now,
      notice: (s) => progress.line(s),
      progress: (p) => progress.update(p),
      ...(fixture ? { serverRss: () => fixture?.rss() ?? null } : {}),
    });
    progress.done();
    if (result.baseline.latency === null) {
      throw new HarnessError(
        'PUSHSPEC_E_UNREACHABLE',
        `target ${base.origin} answered none of the ordinary requests (GET ${base.pathname}) before any load: ${result.baseline.problems.join('; ')}; expected any HTTP response`,
      );
    }
    const verdicts = [judgeResources(result), judgePerClientCap(result)];
    const exitCode = loadExitCode(verdicts);
    const report: LoadReport = {
      schemaVersion: 1,
      kind: 'pushspec-load',
      tool: { name: 'pushspec', version: VERSION },
      target: { name: manifest.name, baseUrl: manifest.baseUrl, fixture: fixture !== null },
      transport: flags.transport,
      startedAt: started.toISOString(),
      durationMs: Math.round(now() - t0),
      environment: {
        node: process.version,
        platform: `${platform()} ${release()}`,
        cpus: availableParallelism(),
        openFileLimit: limits.openFiles,
        ephemeralPorts: `${limits.portRange.low}–${limits.portRange.high} (${limits.portRangeSource})`,
        rttMs,
        epsilonMs: eps,
        holdMs: hold?.holdMs ?? null,
        holdSource: hold?.source ?? null,
        ...(base.protocol === 'https:' ? { tls: { insecure: trust.insecure, caPath: trust.caPath ?? null } } : {}),
        ordinaryRequest: `GET ${base.pathname}${base.search} on a fresh connection${result.otherClient ? ` from ${result.otherClient} (another client than the load's)` : ''}, timed from connect to the response head, ${ORDINARY_SAMPLES} in a row`,
      },
      steps: flags.steps,
      ...(worker === null ? {} : { worker }),
      result,
      verdicts,
      exitCode,
    };
    process.stdout.write(renderTable(report, wantsColour(process.stdout)));
    if (flags.reportDir !== null) {
      await writeFileAtomic(join(flags.reportDir, 'load.json'), `${JSON.stringify(report, null, 2)}\n`);
      await writeFileAtomic(join(flags.reportDir, 'load.html'), renderLoadHtml(report));
      process.stdout.write(`  reports: ${join(flags.reportDir, 'load.json')}, ${join(flags.reportDir, 'load.html')}\n`);
    }
    return exitCode;
  } finally {
    progress.done();
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGTERM', onInterrupt);
    await fixture?.stop();
  }
}
