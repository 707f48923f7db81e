import { classifyShared } from '../../runner/http/cacheability.js';
import { IDLE_LIMIT_MS } from '../../runner/drivers/stream.js';
import { verdict, type Measurements, type Verdict } from '../../runner/verdict.js';
import { ms } from '../format.js';
import { stallExplains, type IdleObservation } from './streaming-idle.js';
import { cutBy } from './streaming.js';

/** Judgements shared by the stream and SSE requirements (pure: evaluate calls them). */

const s = (x: number): string => `${(x / 1000).toFixed(1)} s`;

/** The heartbeat tolerance: largest silence ≤ declared heartbeat + ε, at most IDLE_LIMIT_MS; watched over 1.5× that. */
export const HEARTBEAT_TOLERANCE = `largest silence ≤ the declared heartbeat + ε (undeclared: ≤ ${IDLE_LIMIT_MS / 1000} s), observed over 1.5× that; an undeclared heartbeat is watched until 4 beats came at a regular pace (periods within ε or 25 % of each other)`;

// RFC 6202 §5.5 and WHATWG HTML §9.2.7: idle connections are cut by intermediaries' timeouts.
export function evaluateHeartbeat(o: IdleObservation): Verdict {
  const measurements = {
    largestGapMs: Math.round(o.gapMs),
    observedMs: Math.round(o.established ? o.elapsedMs : o.windowMs),
    declaredHeartbeatMs: o.declaredMs,
  };
  const expected = `no silence longer than ${s(o.limitMs)} on an idle stream`;
  if (o.declaredMs !== null && o.declaredMs > IDLE_LIMIT_MS)
    return verdict.violation(expected, `the declared heartbeat is ${s(o.declaredMs)}: ${cutBy(o.declaredMs)}`, { measurements });
  if (o.ended)
    return verdict.unobservable(`the idle stream ended by itself after ${ms(o.elapsedMs)} (${o.endHow}); silence cannot be judged`);
  if (stallExplains(o))
    return verdict.inconclusive(
      expected,
      `silent for ${s(o.gapMs)}, past the limit by no more than the harness's own ${s(o.stallMs ?? 0)} event-loop stall (${(o.discarded ?? 0) + 1} observations): the silence cannot be blamed on the server`,
      { measurements },
    );
  if (o.gapMs > o.limitMs) {
    const none = o.heartbeats === 0;
    return verdict.violation(
      expected,
      `silent for ${s(o.gapMs)}${none ? ' (the whole observation)' : ''}; ${o.declaredMs !== null ? `the declared heartbeat is ${s(o.declaredMs)}; ` : ''}${none ? 'a stream with no heartbeat at all is cut by every idle timeout (nginx/ELB 60 s, Heroku 55 s, Cloudflare 100 s)' : cutBy(o.gapMs)}`,
      { measurements },
    );
  }
  const over = o.established
    ? `${s(o.elapsedMs)} (an undeclared heartbeat, regular over ${o.established.beats} beats: watching stopped before the ${s(o.windowMs)} window)`
    : s(o.windowMs);
  return verdict.pass(expected, `largest silence ${s(o.gapMs)} over ${over}; ${cutBy(o.gapMs)}`, { measurements });
}

/** A stream's response head as RFC 9111 §3 storability needs it. */
export interface StorableHead {
  status: number;
  headers: Array<[string, string]>;
  requestHasAuthorization: boolean;
}

export function evaluateStorable(head: StorableHead, kind: string): Verdict {
  const c = classifyShared({
    method: 'GET',
    status: head.status,
    headers: head.headers,
    requestHasAuthorization: head.requestHasAuthorization,
  });
  const expected = `the ${kind} response forbids storage by shared caches (Cache-Control: no-store, or no-cache/private)`;
  if (c.storable)
    return verdict.violation(expected, `${c.why}: a cache can hand a late joiner a stored copy of the stream instead of live events`);
  return verdict.pass(expected, c.why);
}

/**
 * RFC 10036 (INCR-01): the Incremental field of a push response, reported and never judged (the
 * RFC is new and advisory); undefined in observations recorded before it was kept.
 */
export const incrementalOf = (o: { incremental?: string | null }): Measurements => ({ incremental: o.incremental ?? null });
