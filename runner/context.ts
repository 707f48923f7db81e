import { CaseNetwork, type EdgeTap } from './case/network.js';
import { CaseRecorder, ChainRecorderView, type Recorder } from './case/recorder.js';
import { Stimulus } from './case/stimulus.js';
import type { Clock } from './clock.js';
import type { ProbeDoor } from './drivers/door.js';
import { epsilonMs } from './epsilon.js';
import type { Manifest } from './manifest/types.js';
import type { PublishResult } from './publish.js';
import { protocolFor, type RunEnvOf } from './run-env.js';
import { openVia } from './via.js';
import type { EvidenceDetail, EvidenceItem } from './verdict.js';
import type { RecordedConnection, WireProtocol, WireResponse } from './wire/index.js';

export type { RunOptions } from './run-env.js';
export { protocolFor } from './run-env.js';

/** What every case of a run shares (runner/run-env.ts), its shared probes observing on case contexts. */
export type RunEnv = RunEnvOf<CaseContext>;

/**
 * One case's view of the world, made of small parts it hands on: a recorder (the timeline), a
 * network (the only door to sockets), a stimulus (channel, tokens, publish) and the run's clock.
 * Drivers take the narrow `CaseDoor` of runner/drivers/door.ts, not this class; the methods here
 * are the parts' own, so a suite reads `ctx.note(…)` rather than `ctx.recorder.note(…)`.
 */
export class CaseContext implements ProbeDoor {
  readonly recorder: Recorder;
  readonly net: CaseNetwork;
  readonly stimulus: Stimulus;

  constructor(
    readonly env: RunEnv,
    readonly via: string,
    /** where transport requests go: the target itself, or the front of an intermediary chain */
    origin: URL,
    readonly signal: AbortSignal,
    /** round trip on this case's path (through its intermediaries), ms */
    readonly rttMs: number = env.rttMs,
    /** false when events reach every subscriber and the case was scheduled among quiet cases */
    mayPublish = true,
    /** what the edge of this case's chain saw at the target (absent straight to it) */
    edge?: EdgeTap,
    /** a child context (another chain) records into its parent's timeline and shares its tokens */
    parent?: { recorder: Recorder; stimulus: Stimulus },
  ) {
    this.recorder = parent ? new ChainRecorderView(parent.recorder, `[${via}]`) : new CaseRecorder(env.clock);
    this.stimulus = parent?.stimulus.forChain() ?? new Stimulus(env.manifest, env.publisher, env.publishProblem, mayPublish, signal);
    this.net = new CaseNetwork(origin, protocolFor(env, via), env.clock, env.trust, this.ms(5000), this.recorder, edge);
  }

  get clock(): Clock {
    return this.env.clock;
  }

  get manifest(): Manifest {
    return this.env.manifest;
  }

  get origin(): URL {
    return this.net.origin;
  }

  get t0(): number {
    return this.recorder.t0;
  }

  get timeline(): EvidenceItem[] {
    return this.recorder.timeline;
  }

  /** the status of every response the case read, through any chain (for diagnosis) */
  get statuses(): number[] {
    return this.recorder.statuses;
  }

  get channel(): string {
    return this.stimulus.channel;
  }

  now(): number {
    return this.env.clock.now();
  }

  /** the Host header value the target expects, whatever chain the case goes through */
  get host(): string {
    return new URL(this.env.manifest.baseUrl).host;
  }

  /** ms since the case started */
  rel(t: number): number {
    return this.recorder.rel(t);
  }

  /** Adds a moment to the timeline; `detail` types it so reports draw it without reading the text. */
  note(what: string, t?: number, detail?: EvidenceDetail): void {
    this.recorder.note(what, t, detail);
  }

  /** Drivers report each response they read, so a refusal by the server is visible to diagnosis. */
  sawResponse(res: Pick<WireResponse, 'status' | 'headers'>): void {
    this.recorder.sawResponse(res);
  }

  /** Scale a wait by --time-scale: slow environments multiply every wait. */
  ms(base: number): number {
    return base * this.env.options.timeScale;
  }

  /** Slack for "as soon as": local scheduling noise, scaled, plus the measured round trip. */
  get epsilonMs(): number {
    return epsilonMs(this.env.options.timeScale, this.rttMs);
  }

  newChannel(): string {
    return this.stimulus.newChannel();
  }

  nextToken(): string {
    return this.stimulus.nextToken();
  }

  /** Publishes or throws Inconclusive: no hook, or a failing hook, is never the server's verdict. */
  publish(channel: string, payload: string): Promise<PublishResult> {
    return this.stimulus.publish(channel, payload, this.recorder, this.via);
  }

  /** What this case's client speaks on its first leg (protocolFor). */
  get protocol(): WireProtocol {
    return this.net.protocol;
  }

  /** `streamWindowBytes`: over HTTP/2, the stream window we advertise (a check that leaves a stream unread). */
  connect(o: { streamWindowBytes?: number } = {}): Promise<RecordedConnection> {
    return this.net.connect(o);
  }

  /** Resolves after ms, or early when the case is aborted. Used to pace a scenario, never to assert timing. */
  pause(ms: number): Promise<void> {
    return this.env.clock.sleep(ms, this.signal);
  }

  /**
   * When the request for `pathAndQuery` sent at `since` reached the target, waiting up to
   * `waitMs`; null when it has not yet, and at once when the case goes straight to the target.
   */
  reachedTarget(pathAndQuery: string, since: number, waitMs: number): Promise<number | null> {
    return this.net.reachedTarget(pathAndQuery, since, waitMs);
  }

  /** When the response to the request for `pathAndQuery` sent at `since` left the target; null straight to it. */
  leftTarget(pathAndQuery: string, since: number): number | null {
    return this.net.leftTarget(pathAndQuery, since);
  }

  /**
   * Runs `fn` with a context whose requests go through another intermediary chain (e.g. the same
   * profile with scaled timeouts), sharing this case's timeline, channel tokens and deadline.
   */
  async through<T>(via: string, rttMs: number, fn: (c: CaseContext) => Promise<T>): Promise<T> {
    const chain = await openVia(via, new URL(this.manifest.baseUrl), this.env.trust);
    const child = new CaseContext(this.env, via, chain.origin, this.signal, rttMs, true, chain, this);
    try {
      return await fn(child);
    } finally {
      child.dispose();
      await chain.release();
    }
  }

  dispose(): void {
    this.net.dispose();
  }
}
