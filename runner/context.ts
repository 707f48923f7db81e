import type { BrowserHost } from './clients/chromium.js';
import type { Clock } from './clock.js';
import { epsilonMs } from './epsilon.js';
import type { Manifest } from './manifest/types.js';
import type { PublishAdapter, PublishResult } from './publish.js';
import { Inconclusive, type EvidenceDetail, type EvidenceItem } from './verdict.js';
import { makeToken, newTag, randomChannel } from './tokens.js';
import { connectionEndings, header, WireConnection, type RecordedConnection, type WireProtocol, type WireResponse } from './wire/index.js';
import { H2Connection } from './h2/connection.js';
import { HOP_GENERATED_HEADER } from '../proxies/hop.js';
import type { SharedProbes } from './shared-probes.js';
import { baseProfile, openVia, profileProtocol } from './via.js';
import type { TlsTrust } from './tls.js';

export interface RunOptions {
  timeScale: number;
  /** §5.5: the longest hold that survives 30 s-class hops (Heroku, CloudFront, API Gateway) */
  holdLimitSeconds: number;
}

/** What every case of a run shares: the target, calibrated timing, the publish hook, memoized probes. */
export interface RunEnv {
  manifest: Manifest;
  clock: Clock;
  options: RunOptions;
  /** median TCP connect time to the target, ms */
  rttMs: number;
  /** how an https target's certificate is verified, on every connection of every case */
  trust: TlsTrust;
  /** what the client speaks straight to the target (--http, settled by ALPN for auto) */
  protocol: WireProtocol;
  publisher: PublishAdapter | null;
  /** why publishing is unavailable, when publisher is null or the preflight publish failed */
  publishProblem: string | null;
  shared: SharedProbes;
  /** --clients chromium: the run's browser, started on first use; null when not asked */
  browser: BrowserHost | null;
  /** the round trip through an intermediary profile, calibrated once per profile */
  rttFor(via: string): Promise<number>;
  /**
   * Before a case is re-run alone: calibrate `via`'s round trip again and keep the smaller, since
   * load only ever inflates it. Absent: nothing is re-measured.
   */
  remeasure?(via: string): Promise<void>;
}

/** The run's protocol straight to the target; a profile is entered over what its first hop speaks (h2-front: HTTP/2). */
export function protocolFor(env: Pick<RunEnv, 'protocol'>, via: string): WireProtocol {
  return via === 'direct' ? env.protocol : profileProtocol(baseProfile(via));
}

/**
 * One case's view of the world: a fresh channel, a timeline for evidence, and the only doors to
 * the network (suites never open sockets themselves).
 */
export class CaseContext {
  readonly t0: number;
  readonly timeline: EvidenceItem[] = [];
  readonly channel: string;
  private readonly tag = newTag();
  private seq = 0;
  private readonly connections = new Set<RecordedConnection>();
  /** the status of every response the case read, through any chain (for diagnosis) */
  readonly statuses: number[] = [];

  constructor(
    readonly env: RunEnv,
    readonly via: string,
    /** where transport requests go: the target itself, or the front of an intermediary chain */
    readonly origin: URL,
    readonly signal: AbortSignal,
    /** round trip on this case's path (through its intermediaries), ms */
    readonly rttMs: number = env.rttMs,
    /** false when events reach every subscriber and the case was scheduled among quiet cases */
    private readonly mayPublish = true,
    /** when a request reached the target through this case's chain (null straight to it) */
    private readonly arrival: (pathAndQuery: string, since: number, waitMs: number) => Promise<number | null> = () => Promise.resolve(null),
  ) {
    this.t0 = env.clock.now();
    this.channel = env.manifest.channels === false ? 'default' : randomChannel();
  }

  get manifest(): Manifest {
    return this.env.manifest;
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
    return Math.round((t - this.t0) * 10) / 10;
  }

  /**
   * Adds a moment to the timeline. `detail` types it (request, response head, body read, …) so
   * reports draw it without reading the text; without one it is a note.
   */
  note(what: string, t: number = this.now(), detail: EvidenceDetail = {}): void {
    if (this.parent) {
      this.parent.note(`[${this.via}] ${what}`, t, detail);
      return;
    }
    if (this.timeline.length >= 500) return;
    const item: EvidenceItem = { t: this.rel(t), kind: detail.kind ?? 'note', what };
    if (detail.conn !== undefined) item.conn = detail.conn;
    if (detail.bytes !== undefined) item.bytes = detail.bytes;
    this.timeline.push(item);
  }

  /**
   * Drivers report each response they read, so a refusal by the server is visible to diagnosis;
   * an error page a simulated hop wrote itself (its timeout answers) is not the server's.
   */
  sawResponse(res: Pick<WireResponse, 'status' | 'headers'>): void {
    if (this.parent) return this.parent.sawResponse(res);
    if (header(res, HOP_GENERATED_HEADER) !== undefined) return;
    if (this.statuses.length < 100) this.statuses.push(res.status);
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
    return this.env.manifest.channels === false ? 'default' : randomChannel();
  }

  nextToken(): string {
    if (this.parent) return this.parent.nextToken();
    this.seq += 1;
    return makeToken(this.tag, this.seq);
  }

  /** Publishes or throws Inconclusive: no hook, or a failing hook, is never the server's verdict. */
  async publish(channel: string, payload: string): Promise<PublishResult> {
    // A harness bug, not a verdict: a quiet case's publish would wake other cases' polls.
    if (!(this.parent ?? this).mayPublish)
      throw new Error(
        `harness: ${this.via} case publishes but was scheduled as not publishing (mark its requirement needsPublish or mayPublish)`,
      );
    const p = this.env.publisher;
    if (!p) throw new Inconclusive(this.env.publishProblem ?? 'no publish hook in the manifest: cannot make an event happen');
    const r = await p.publish(channel, payload, this.signal);
    this.note(
      `publish ${payload.slice(0, 40)}${payload.length > 40 ? '…' : ''} → ${r.ok ? `ok (${r.status})` : 'failed'} in ${(r.tEnd - r.tStart).toFixed(1)} ms`,
      r.tStart,
      { kind: 'publish' },
    );
    if (!r.ok) throw new Inconclusive(r.error ?? 'publish failed');
    return r;
  }

  /** What this case's client speaks on its first leg (protocolFor). */
  get protocol(): WireProtocol {
    return protocolFor(this.env, this.via);
  }

  /** `streamWindowBytes`: over HTTP/2, the stream window we advertise (a check that leaves a stream unread). */
  async connect(o: { streamWindowBytes?: number } = {}): Promise<RecordedConnection> {
    const opts = { connectTimeoutMs: this.ms(5000), clock: this.env.clock, trust: this.env.trust, ...o };
    const c = this.protocol === 'h2' ? await H2Connection.open(this.origin, opts) : await WireConnection.open(this.origin, opts);
    this.connections.add(c);
    this.note(
      `connection #${c.id} opened (local port ${c.localPort}${c.protocol === 'h2' ? ', HTTP/2' : ''})`,
      c.events[0]?.t ?? this.now(),
      {
        kind: 'connection-open',
        conn: c.id,
      },
    );
    return c;
  }

  /** Resolves after ms, or early when the case is aborted. Used to pace a scenario, never to assert timing. */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.signal;
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * When the request for `pathAndQuery` sent at `since` reached the target, waiting up to
   * `waitMs`; null when it has not yet, and at once when the case goes straight to the target.
   */
  reachedTarget(pathAndQuery: string, since: number, waitMs: number): Promise<number | null> {
    return this.arrival(pathAndQuery, since, waitMs);
  }

  /**
   * Runs `fn` with a context whose requests go through another intermediary chain (e.g. the same
   * profile with scaled timeouts), sharing this case's timeline, channel tokens and deadline.
   */
  async through<T>(via: string, rttMs: number, fn: (c: CaseContext) => Promise<T>): Promise<T> {
    const chain = await openVia(via, new URL(this.manifest.baseUrl), this.env.trust);
    const child = new CaseContext(this.env, via, chain.origin, this.signal, rttMs, this.mayPublish, chain.arrival);
    child.parent = this;
    try {
      return await fn(child);
    } finally {
      child.dispose();
      await chain.release();
    }
  }

  private parent: CaseContext | null = null;

  dispose(): void {
    // How each connection ended belongs on the timeline; read before our own closing below,
    // which is cleanup, not something the target did.
    for (const c of this.connections) for (const m of connectionEndings(c.events)) this.note(m.what, m.t, m.detail);
    for (const c of this.connections) c.close();
    this.connections.clear();
  }
}
