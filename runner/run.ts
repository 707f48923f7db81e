import { systemClock } from './clock.js';
import { CaseContext, type RunEnv, type RunOptions } from './context.js';
import { Executor } from './execute.js';
import { exitCodeFor } from './exit-code.js';
import type { Manifest } from './manifest/types.js';
import { runWithMocha } from './mocha-bridge.js';
import { plan, type PlanFilter } from './plan.js';
import { calibrateRtt, preflightPublish, probeHttp } from './preflight.js';
import { ordinaryAgent } from './ordinary-http.js';
import { DEFAULT_TRUST, type TlsTrust } from './tls.js';
import { negotiateProtocol } from './h2/negotiate.js';
import type { HttpChoice } from './config.js';
import { createPublishAdapter } from './publish.js';
import { BrowserHost } from './clients/chromium.js';
import { RUN_DEFAULTS } from './defaults.js';
import { loadRequirements } from './registry.js';
import { summarize, type CaseResult, type Report } from './report.js';
import { profileVerdicts } from './reporters/profile-summary.js';
import { writeReports } from './reporters/write-reports.js';
import { wantsColour } from './reporters/colour.js';
import { LiveProgress } from './reporters/progress.js';
import type { RunObserver } from './run-observer.js';
import { SharedProbes } from './shared-probes.js';
import { VERSION } from './version.js';
import { calibrateViaRtt, openVia } from './via.js';
import { inShard, type Shard } from './shard.js';

export interface RunConfig extends PlanFilter, RunOptions {
  manifest: Manifest;
  strict: boolean;
  concurrency: number;
  /** null: write no files */
  reportDir: string | null;
  /** 'progress' (lines on stderr as cases settle), a mocha reporter name, or 'none' */
  reporter: string;
  /** told about the plan and every case as it starts and settles (the CLI's interrupt message) */
  observer?: RunObserver;
  /** run only this share of the cases (a CI matrix; `pushspec merge` joins the reports) */
  shard?: Shard | null;
  /** --ca / --insecure for an https target (default: Node's roots, verified) */
  trust?: TlsTrust;
  /** --http: what to speak straight to the target (default 1.1) */
  http?: HttpChoice;
}

export type { RunObserver } from './run-observer.js';

export interface RunOutcome {
  report: Report;
  exitCode: 0 | 1 | 2;
  files: string[];
}

export async function runSuite(cfg: RunConfig): Promise<RunOutcome> {
  const clock = systemClock;
  const started = clock.now();
  const startedAt = new Date().toISOString();
  const m = cfg.manifest;
  const trust = cfg.trust ?? DEFAULT_TRUST;
  const rttMs = await calibrateRtt(m.baseUrl, clock, cfg.timeScale);
  const http = cfg.http ?? RUN_DEFAULTS.http;
  const { protocol, tls: tlsFacts } = await negotiateProtocol(m.baseUrl, http, trust, cfg.timeScale, clock);
  const dispatcher = ordinaryAgent(trust);
  await probeHttp(m.baseUrl, cfg.timeScale, dispatcher);
  const adapter = createPublishAdapter(m, { clock, deadlineMs: RUN_DEFAULTS.publishDeadlineMs * cfg.timeScale, dispatcher });
  const publishProblem = await preflightPublish(m, adapter);
  const direct = new URL(m.baseUrl);
  const viaRtt = new Map<string, Promise<number>>();
  const env: RunEnv = {
    manifest: m,
    clock,
    options: { timeScale: cfg.timeScale, holdLimitSeconds: cfg.holdLimitSeconds },
    rttMs,
    trust,
    protocol,
    publisher: publishProblem === null ? adapter : null,
    publishProblem,
    shared: new SharedProbes(m, cfg.holdLimitSeconds, () => new CaseContext(env, 'direct', direct, new AbortController().signal)),
    browser: (cfg.clients ?? []).includes('chromium') ? new BrowserHost(trust.insecure || trust.ca !== undefined) : null,
    rttFor(via) {
      if (via === 'direct') return Promise.resolve(rttMs);
      let p = viaRtt.get(via);
      if (!p) viaRtt.set(via, (p = calibrateViaRtt(via, direct, clock, cfg.timeScale, trust).then((r) => Math.max(r, rttMs))));
      return p;
    },
    async remeasure(via) {
      if (via === 'direct') return;
      const before = await env.rttFor(via);
      const again = Math.max(await calibrateViaRtt(via, direct, clock, cfg.timeScale, trust), rttMs);
      if (again < before) viaRtt.set(via, Promise.resolve(again));
    },
  };
  const shard = cfg.shard ?? null;
  const cases = plan(loadRequirements(), m, cfg, protocol).filter((c) => shard === null || inShard(c.requirement.id, shard));
  const progress =
    cfg.reporter === 'progress'
      ? new LiveProgress(
          cases.length,
          (line) => process.stderr.write(`${line}\n`),
          wantsColour(process.stderr),
          () => clock.now(),
        )
      : null;
  const observers = [progress, cfg.observer].filter((o): o is RunObserver => o !== null && o !== undefined);
  for (const o of observers) o.planned?.(cases.length);
  const exec = new Executor(env, cases, {
    concurrency: cfg.concurrency,
    originFor: (via) => openVia(via, direct, trust),
    onCaseStart: (key) => observers.forEach((o) => o.caseStarted?.(key)),
    onCaseDone: (r) => observers.forEach((o) => o.caseDone?.(r)),
  });
  if (cfg.reporter !== 'none' && cfg.reporter !== 'progress')
    await runWithMocha(cases, exec, { reporter: cfg.reporter, strict: cfg.strict, title: `pushspec → ${m.name} (${m.baseUrl})` });
  let results: CaseResult[];
  try {
    results = await Promise.all(cases.map((c) => exec.result(c.key)));
  } finally {
    progress?.stop();
    await env.browser?.close();
  }
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'pushspec', version: VERSION },
    target: { name: m.name, baseUrl: m.baseUrl },
    startedAt,
    durationMs: Math.round(clock.now() - started),
    environment: {
      rttMs,
      timeScale: cfg.timeScale,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      concurrency: cfg.concurrency,
      publish: adapter ? adapter.kind : 'none',
      http: { asked: http, direct: protocol },
      ...((cfg.clients ?? []).length > 0 ? { clients: [...(cfg.clients ?? [])] } : {}),
      ...(shard !== null ? { shard } : {}),
      ...(tlsFacts === null && !trust.insecure && trust.caPath === undefined && trust.client === undefined
        ? {}
        : {
            tls: {
              insecure: trust.insecure,
              ...(trust.caPath === undefined ? {} : { ca: trust.caPath }),
              ...(trust.client === undefined ? {} : { clientCert: trust.client.certPath }),
              ...(tlsFacts ?? {}),
            },
          }),
    },
    results,
    summary: summarize(results),
    profiles: profileVerdicts(results),
  };
  const files = cfg.reportDir !== null ? await writeReports(report, cfg.reportDir, cfg.strict) : [];
  return { report, exitCode: exitCodeFor(report.summary, { strict: cfg.strict }), files };
}
