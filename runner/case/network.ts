import type { Clock } from '../clock.js';
import { H2Connection } from '../h2/connection.js';
import type { TlsTrust } from '../tls.js';
import { connectionEndings, WireConnection, type RecordedConnection, type WireProtocol } from '../wire/index.js';
import type { Recorder } from './recorder.js';

/** What the edge of a case's chain saw at the target: requests arriving, responses leaving (null straight to it). */
export interface EdgeTap {
  arrival(pathAndQuery: string, since: number, waitMs: number): Promise<number | null>;
  departure(pathAndQuery: string, since: number): number | null;
}

const NO_EDGE: EdgeTap = { arrival: () => Promise.resolve(null), departure: () => null };

/**
 * A case's only door to the network (suites never open sockets themselves): connections to the
 * target or the front of its intermediary chain, each recorded, each closed when the case ends.
 */
export class CaseNetwork {
  private readonly connections = new Set<RecordedConnection>();

  constructor(
    /** where transport requests go: the target itself, or the front of an intermediary chain */
    readonly origin: URL,
    /** what the client speaks on the first leg */
    readonly protocol: WireProtocol,
    private readonly clock: Clock,
    private readonly trust: TlsTrust,
    private readonly connectTimeoutMs: number,
    private readonly recorder: Recorder,
    private readonly edge: EdgeTap = NO_EDGE,
  ) {}

  /** `streamWindowBytes`: over HTTP/2, the stream window we advertise (a check that leaves a stream unread). */
  async connect(o: { streamWindowBytes?: number } = {}): Promise<RecordedConnection> {
    const opts = { connectTimeoutMs: this.connectTimeoutMs, clock: this.clock, trust: this.trust, ...o };
    const c = this.protocol === 'h2' ? await H2Connection.open(this.origin, opts) : await WireConnection.open(this.origin, opts);
    this.connections.add(c);
    this.recorder.note(
      `connection #${c.id} opened (local port ${c.localPort}${c.protocol === 'h2' ? ', HTTP/2' : ''})`,
      c.events[0]?.t ?? this.clock.now(),
      { kind: 'connection-open', conn: c.id },
    );
    return c;
  }

  /** When the request for `pathAndQuery` sent at `since` reached the target, waiting up to `waitMs`. */
  reachedTarget(pathAndQuery: string, since: number, waitMs: number): Promise<number | null> {
    return this.edge.arrival(pathAndQuery, since, waitMs);
  }

  /** When the response to that request left the target, seen at the chain's edge; null straight to the target. */
  leftTarget(pathAndQuery: string, since: number): number | null {
    return this.edge.departure(pathAndQuery, since);
  }

  /** Records how each connection ended, then closes it (our close is cleanup, not the target's doing). */
  dispose(): void {
    for (const c of this.connections) for (const m of connectionEndings(c.events)) this.recorder.note(m.what, m.t, m.detail);
    for (const c of this.connections) c.close();
    this.connections.clear();
  }
}
