/**
 * target-edge: a passive tap on the last link of a chain, just in front of the target. It moves
 * bytes unchanged and remembers when each request head reached the target's socket. A client
 * knows when it sent a request, not when an intermediary delivered it; a scenario that must
 * publish only after the target has its poll (a cursorless poll asks for what comes after it
 * arrives) asks the edge, instead of guessing from the round trip on a busy machine. It also
 * remembers when each response's first byte left the target, so a scenario can tell an answer
 * the target gave before a publish from one the publish caused, which on loopback arrive at the
 * client within the same round trip.
 */
import { performance } from 'node:perf_hooks';
import { ExchangeWatch, watchedPassThrough } from './exchange-watch.js';
import { type RunningHop, Scope } from './hop.js';
import { type Link, startTcpHop } from './link.js';
import type { TlsTrust } from '../runner/tls.js';

export interface Arrival {
  /** on the harness clock (performance.now) */
  t: number;
  method: string;
  /** the request target as the last hop sent it (origin or absolute form) */
  target: string;
}

export interface TargetEdge extends RunningHop {
  /**
   * When the first request whose target ends with `pathAndQuery` reached the target at or after
   * `since`; waits up to `waitMs` for it, then null.
   */
  arrival(pathAndQuery: string, since: number, waitMs: number): Promise<number | null>;
  /** When the first byte of the response to the first request for `pathAndQuery` at or after `since` left the target; null if none yet. */
  departure(pathAndQuery: string, since: number): number | null;
}

/** The request target's origin-form, whatever form the last hop used. */
function originForm(target: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(target);
  return m ? m[1] || '/' : target;
}

/** For an https upstream the edge opens TLS with `trust` (the chain's TLS-terminating last hop). */
export async function startTargetEdge(upstream: URL, trust?: TlsTrust): Promise<TargetEdge> {
  const arrivals: Arrival[] = [];
  const departures: Arrival[] = [];
  // Each pending arrival() is woken on every request head, and told to give up at close.
  const waiters = new Set<(closing: boolean) => void>();
  const running = await startTcpHop({
    scope: new Scope(),
    upstream,
    ...(trust === undefined ? {} : { trust }),
    hooks: (link: Link) => {
      const watch = new ExchangeWatch({
        requestHead: (method, target) => {
          arrivals.push({ t: performance.now(), method, target: originForm(target) });
          for (const wake of [...waiters]) wake(false);
        },
        responseStart: (request) => {
          if (request) departures.push({ t: performance.now(), method: request.method, target: originForm(request.target) });
        },
      });
      return watchedPassThrough(link, watch, () => undefined);
    },
  });
  const find = (pathAndQuery: string, since: number): number | null =>
    arrivals.find((a) => a.t >= since && a.target === pathAndQuery)?.t ?? null;
  return {
    ...running,
    departure: (pathAndQuery, since) => {
      // The response to the first request for it that reached the target at or after `since`.
      const asked = find(pathAndQuery, since);
      return asked === null ? null : (departures.find((d) => d.t >= asked && d.target === pathAndQuery)?.t ?? null);
    },
    arrival: (pathAndQuery, since, waitMs) => {
      const seen = find(pathAndQuery, since);
      if (seen !== null || waitMs <= 0) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const done = (t: number | null): void => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(t);
        };
        const check = (closing: boolean): void => {
          const t = find(pathAndQuery, since);
          if (t !== null || closing) done(t);
        };
        const timer = setTimeout(() => done(null), waitMs);
        waiters.add(check);
      });
    },
    close: async () => {
      for (const wake of [...waiters]) wake(true);
      await running.close();
    },
  };
}
