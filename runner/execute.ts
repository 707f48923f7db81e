import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CaseContext, protocolFor, type RunEnv } from './context.js';
import { idleWindowMs } from './drivers/stream.js';
import { type OpenVia, viaIsReal } from './via.js';
import { publishesReachOthers } from './manifest/types.js';
import type { Case } from './plan.js';
import type { CaseResult } from './report.js';
import { diagnose, type CaseSightings } from './diagnose.js';
import { describe } from './publish.js';
import { byTime, Inconclusive, Lost, verdict, type Verdict } from './verdict.js';
import { reportable } from './observation.js';

export interface ExecuteOptions {
  concurrency: number;
  /** where a case's transport requests go, per `via` (direct: the target itself) */
  originFor(via: string): Promise<OpenVia>;
  onCaseStart?(key: string): void;
  onCaseDone?(result: CaseResult): void;
}

const publishes = (c: Case): boolean => c.requirement.needsPublish || c.requirement.mayPublish === true;

/**
 * A case over streams only finds its own events by their tokens, so another case's event on a
 * shared channel is one more message in the stream and changes none of its judgements; a long
 * poll, a Bayeux connect or a BOSH request would be answered by it.
 */
const streamsOnly = (c: Case): boolean => c.requirement.transports.every((t) => t === 'stream' || t === 'sse');

/** Re-runs, alone, of a case that lost events, so the verdict can give a rate. */
const LOSS_RERUNS = 2;

/** Further solo runs of a timing case whose solo measurement a stall of the harness's event loop spoiled. */
const STALL_RERUNS = 2;

/** A small counting semaphore: independent cases run side by side, at most `n` at once. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(n: number) {
    this.free = n;
  }
  async take(): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((r) => this.waiting.push(r));
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    };
  }
}

/**
 * Runs every case concurrently (fresh channel each), then re-runs timing failures alone, one
 * at a time, so a verdict about timing never rests on a measurement taken under load. "Alone"
 * allows idle watchers (`idleWatch`) still waiting out their silence.
 */
export class Executor {
  private readonly first = new Map<string, Promise<CaseResult>>();
  /** response statuses of each case's latest run, for diagnosis */
  private readonly sightings = new Map<string, CaseSightings>();
  private readonly keys: ReadonlySet<string>;
  private readonly final = new Map<string, Promise<CaseResult>>();
  /** the concurrent phase, minus idle watchers where they cannot disturb a re-run */
  private readonly busyFirst: Promise<unknown>;
  private serial: Promise<unknown> = Promise.resolve();
  /** cases whose latest solo run was spoiled by a stall of the harness's own event loop */
  private readonly stalled = new Set<string>();

  constructor(
    private readonly env: RunEnv,
    cases: readonly Case[],
    private readonly o: ExecuteOptions,
  ) {
    this.keys = new Set(cases.map((c) => c.key));
    const slots = new Slots(o.concurrency);
    const exclusive = (c: Case): boolean => this.runsAlone(c) && !c.skipReason;
    for (const c of cases) {
      if (exclusive(c)) continue;
      this.first.set(
        c.key,
        slots.take().then(async (release) => {
          try {
            return await this.runOnce(c);
          } finally {
            release();
          }
        }),
      );
    }
    // Where one publish reaches every subscriber (no channels, or a broadcast hook), a case that
    // publishes would wake a held poll and fill an idle stream's silence: once the quiet cases are
    // done, the stream-only ones run side by side (they overlap one another only), then the rest
    // alone, one after another.
    const quiet = Promise.allSettled([...this.first.values()]);
    const overlapping = cases
      .filter((c) => exclusive(c) && streamsOnly(c))
      .map((c) => {
        const mine = quiet
          .then(() => slots.take())
          .then(async (release) => {
            try {
              return await this.runOnce(c);
            } finally {
              release();
            }
          });
        this.first.set(c.key, mine);
        return mine;
      });
    let turn: Promise<unknown> = Promise.allSettled([quiet, ...overlapping]);
    for (const c of cases) {
      if (!exclusive(c) || streamsOnly(c)) continue;
      const mine = turn.then(() => this.runOnce(c, true));
      this.first.set(c.key, mine);
      turn = mine.catch(() => undefined);
    }
    // An idle watcher's sockets carry heartbeats at most, so a re-run alongside it is still alone;
    // where publishes reach every subscriber, the re-run's events would reach its streams.
    const waitFor = cases.filter((c) => publishesReachOthers(env.manifest) || c.requirement.idleWatch !== true);
    this.busyFirst = Promise.allSettled(waitFor.map((c) => this.first.get(c.key) ?? Promise.resolve(null)));
    for (const c of cases) this.final.set(c.key, this.settle(c));
  }

  result(key: string): Promise<CaseResult> {
    const r = this.final.get(key);
    if (!r) throw new Error(`no case ${key} in this plan`);
    return r;
  }

  all(): Promise<CaseResult[]> {
    return Promise.all([...this.final.values()]);
  }

  private async settle(c: Case): Promise<CaseResult> {
    const firstResult = await this.first.get(c.key);
    if (!firstResult) throw new Error(`case ${c.key} never started`);
    // A real program in the path (nginx, Varnish…) forwards late when the machine is busy: what
    // a case measured through it under load is re-verified alone, like any timing. Any case left
    // without an observation (a setup that did not happen, an event not yet arrived when its wait
    // ended) is asked once more alone, unless it could never run (no publish hook): under load
    // that is the harness's trouble as often as the target's.
    const real = viaIsReal(c.via);
    const unpublishable = c.requirement.needsPublish && !this.env.publisher;
    const unobserved = firstResult.verdict === 'inconclusive' && !unpublishable;
    // A verdict that rests on a timing margin (excessMs) is a timing verdict whatever its requirement.
    const timed = c.requirement.timing || real || firstResult.excessMs !== undefined;
    const timingDoubt = timed && (firstResult.verdict === 'fail' || firstResult.verdict === 'warn') && !(real && firstResult.loss);
    const needsSolo = !this.ranAlone(c) && (timingDoubt || unobserved);
    let result = firstResult;
    if (needsSolo) result = { ...(await this.alone(c)), reverified: true };
    // A stall says nothing about the server either way, so the measurement is taken again.
    for (let i = 0; needsSolo && i < STALL_RERUNS && this.stalled.has(c.key); i++) result = { ...(await this.alone(c)), reverified: true };
    if (firstResult.loss) result = real ? await this.realLoss(c, firstResult) : await this.lossRate(c, firstResult);
    result = await this.diagnosed(c, result);
    this.o.onCaseDone?.(result);
    return result;
  }

  /** Cases that publish where events reach every subscriber are scheduled apart from the quiet ones. */
  private runsAlone(c: Case): boolean {
    return publishesReachOthers(this.env.manifest) && publishes(c);
  }

  /** Those of them that ran one at a time: what they measured was measured alone. */
  private ranAlone(c: Case): boolean {
    return this.runsAlone(c) && !streamsOnly(c);
  }

  /** Runs the case once more after every busy case of the concurrent phase, one at a time. */
  private alone(c: Case): Promise<CaseResult> {
    const before = this.serial;
    // What was calibrated under load (the round trip through the case's profile) is measured
    // again first, so the solo run's ε is not the busy phase's.
    const solo = this.busyFirst
      .then(() => before)
      .then(() => this.env.remeasure?.(c.via))
      .then(() => this.runOnce(c, true));
    this.serial = solo.catch(() => undefined);
    return solo;
  }

  /**
   * Lost events are the server's failure whatever the load, but a rate says more than one
   * sighting: the case is re-run alone LOSS_RERUNS times and the verdict reports every run.
   * It stays a failure when a re-run delivers everything: the server did accept and drop events.
   */
  private async lossRate(c: Case, first: CaseResult, solos?: readonly CaseResult[]): Promise<CaseResult> {
    const runs: CaseResult[] = [first];
    if (solos) runs.push(...solos);
    else for (let i = 0; i < LOSS_RERUNS; i++) runs.push(await this.alone(c));
    const published = runs.reduce((n, r) => n + (r.loss?.published ?? 0), 0);
    const lost = runs.reduce((n, r) => n + (r.loss?.lost ?? 0), 0);
    const runsWithLoss = runs.filter((r) => r.loss).length;
    const worst = runs.find((r) => r.loss) ?? first;
    const clean = runs.filter((r) => !r.loss).map((r) => r.verdict);
    return {
      ...worst,
      verdict: 'fail',
      reverified: true,
      loss: { published, lost },
      actual: `${worst.actual}. Loss in ${runsWithLoss} of ${runs.length} runs (the first concurrent, ${LOSS_RERUNS} alone): ${lost} of ${published} accepted events never delivered${clean.length ? `; the other runs ended ${clean.join(', ')}` : ''}`,
      measurements: { ...worst.measurements, published, lost, runs: runs.length, runsWithLoss },
    };
  }

  /**
   * An event "lost" through a real program under load was published before the program had
   * forwarded the poll that should have carried it: a poll without a cursor asks for what comes
   * after it reaches the server, so the server was right not to deliver it. Alone, the case says
   * whether events are really lost; when no solo run loses one, the solo verdict stands and says
   * what happened under load.
   */
  private async realLoss(c: Case, first: CaseResult): Promise<CaseResult> {
    const solos: CaseResult[] = [];
    for (let i = 0; i < LOSS_RERUNS; i++) solos.push(await this.alone(c));
    if (solos.some((r) => r.loss)) return this.lossRate(c, first, solos);
    const last = solos[solos.length - 1] ?? first;
    return {
      ...last,
      reverified: true,
      actual: `${last.actual} (alone, ${LOSS_RERUNS} of ${LOSS_RERUNS} runs lost nothing; the first run, under concurrent load, missed ${first.loss?.lost ?? 0} event(s) that ${c.via} had not forwarded a poll for in time)`,
    };
  }

  /** Attributes the verdict to server, hop or harness, comparing a profile's result with direct. */
  private async diagnosed(c: Case, result: CaseResult): Promise<CaseResult> {
    if (c.skipReason) return result;
    const directKey = `${c.requirement.id}@direct`;
    const direct = c.via !== 'direct' && this.keys.has(directKey) ? await this.result(directKey) : null;
    return diagnose({
      result,
      direct,
      sightings: this.sightings.get(c.key) ?? { statuses: [] },
      directSightings: direct ? (this.sightings.get(directKey) ?? null) : null,
      requirementRemedy: c.requirement.remedy,
      directToo: c.requirement.directToo !== false,
      ...(c.requirement.via ? { meaningfulVia: c.requirement.via } : {}),
    });
  }

  private async runOnce(c: Case, solo = false): Promise<CaseResult> {
    const r = c.requirement;
    const started = this.env.clock.now();
    const base = {
      id: r.id,
      section: r.section,
      spec: r.spec,
      level: r.level,
      title: r.title,
      via: c.via,
      protocol: protocolFor(this.env, c.via),
    };
    const finish = (v: Verdict, observation?: object): CaseResult => ({
      ...base,
      verdict: v.outcome === 'fail' && r.level !== 'must' ? 'warn' : v.outcome,
      expected: v.expected,
      actual: v.actual,
      durationMs: Math.round(this.env.clock.now() - started),
      measurements: v.measurements,
      evidence: byTime(v.evidence),
      ...(v.loss ? { loss: v.loss } : {}),
      ...(v.excessMs === undefined ? {} : { excessMs: v.excessMs }),
      ...(observation ? { observation } : {}),
    });
    if (c.skipReason) return finish(verdict.skip(c.skipReason));
    this.o.onCaseStart?.(c.key);
    if (r.needsPublish && !this.env.publisher) {
      return finish(
        verdict.inconclusive(
          'an event can be published to the target',
          this.env.publishProblem ?? 'no publish hook in the manifest: this check needs a way to make an event happen',
        ),
      );
    }
    const abort = new AbortController();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const rtt = await this.env.rttFor(c.via);
    const chain = await this.o.originFor(c.via);
    const { origin, release, events } = chain;
    const ctx = new CaseContext(
      this.env,
      c.via,
      origin,
      abort.signal,
      rtt,
      !publishesReachOthers(this.env.manifest) || publishes(c),
      chain,
    );
    const deadlineMs = await this.caseDeadlineMs(ctx);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Verdict>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve(
          verdict.error(
            'the case finishes within its deadline',
            `the case did not finish within ${Math.round(deadlineMs)} ms; the harness gave up on it`,
          ),
        );
      }, deadlineMs);
    });
    let v: Verdict;
    let observation: object | undefined;
    // The scenario drives the exchange; the judgement is evaluate's alone (issue 9).
    const judged = r.scenario(ctx).then((o) => {
      observation = o;
      return r.evaluate(o, r.limits);
    });
    try {
      v = await Promise.race([judged.catch((e: unknown) => fromError(e)), deadline]);
    } finally {
      clearTimeout(timer);
      abort.abort();
      ctx.dispose();
      lag.disable();
      // What the hop did (headers held, chunks joined, timeouts fired) belongs in the evidence;
      // read after release, since a real program's own log is collected when it stops.
      await release();
      for (const e of events()) ctx.note(`[${c.via}] ${e.what}`, e.t, { kind: 'hop' });
    }
    this.sightings.set(c.key, { statuses: ctx.statuses });
    // A timing violation no larger than a stall of the harness's own event loop says nothing
    // about the server: `excessMs` (how far past its tolerance the measurement was) must exceed it.
    const lagMs = lag.max / 1e6;
    const excess = v.excessMs;
    this.stalled.delete(c.key);
    if (solo && (v.outcome === 'fail' || v.outcome === 'warn') && excess !== undefined && lagMs >= excess) {
      v = verdict.inconclusive(
        v.expected,
        `${v.actual} — but the harness's event loop stalled ${lagMs.toFixed(0)} ms during the measurement, so the timing is not trustworthy`,
        v,
      );
      this.stalled.add(c.key);
    }
    if (v.evidence.length === 0) v = { ...v, evidence: ctx.timeline };
    else if (v.evidence !== ctx.timeline)
      v = { ...v, evidence: [...v.evidence, ...ctx.timeline.filter((e) => e.what.startsWith(`[${c.via}] `))] };
    const kept = observation ? reportable(observation) : undefined;
    return finish(v, kept);
  }

  /**
   * A backstop only: every exchange has its own deadline well inside this one. Derived from the
   * longest waits the plan can choose: a long-poll case runs up to ten polls of a hold each, a
   * stream case watches an idle stream for up to 1.5× the heartbeat limit (shared) and then
   * confirms live through a profile for at most as long again; a Bayeux or BOSH case waits for at
   * most three holds the server chose, each capped by --hold-limit (bosh.inactivity: two quiet
   * periods and a held request).
   */
  private async caseDeadlineMs(ctx: CaseContext): Promise<number> {
    const m = ctx.manifest;
    const hold = m.longPoll ? await this.env.shared.planningHoldMs() : 0;
    const pollMs = m.longPoll ? (hold * 1.5 + ctx.ms(2000)) * 10 : 0;
    const windows = [m.stream, m.sse]
      .filter((b) => b !== undefined)
      .map((b) => idleWindowMs(b.heartbeatSeconds === undefined ? null : b.heartbeatSeconds * 1000, ctx.epsilonMs).windowMs);
    const streamMs = windows.length > 0 ? 3 * (ctx.ms(Math.max(...windows)) + ctx.ms(5000)) : 0;
    const heldMs = m.bayeux || m.bosh ? 3 * (this.env.options.holdLimitSeconds * 1000 * 1.5 + ctx.ms(2000)) : 0;
    return Math.max(pollMs, streamMs, heldMs) + ctx.ms(15000);
  }
}

function fromError(e: unknown): Verdict {
  if (e instanceof Inconclusive) return verdict.unobservable(e.message, e.details);
  if (e instanceof Lost) return verdict.loss('every event the publish hook accepted is delivered', e.message, e.loss, e.details);
  const stack = e instanceof Error && e.stack ? e.stack.split('\n').slice(0, 4).join(' | ') : '';
  return verdict.error('the harness runs the scenario', `harness error: ${describe(e)}${stack ? ` (${stack})` : ''}`);
}
