/**
 * The judge's face of the storability model (storability.ts): would a shared cache replay this
 * response? Adds only the wording a verdict needs; every rule is storeDecision's, the same
 * function the simulated cache hop (proxies/shared-cache.ts) stores by.
 */
import { fieldValue } from './fields.js';
import { storeDecision } from './storability.js';

export type Storability =
  | { storable: false; why: string; control: 'no-store' | 'private' | 'no-cache' | 'method' | 'status' | 'authorization' | 'vary' }
  | { storable: true; why: string; basis: 'explicit' | 'heuristic'; freshForMs: number | null };

export interface CacheInput {
  method: string;
  status: number;
  /** response headers, names in any case */
  headers: Array<[string, string]>;
  requestHasAuthorization: boolean;
  /** when the response arrived, standing in for a missing Date in Expires arithmetic; defaults to now */
  nowMs?: number;
}

export { parseCacheControl } from './cache-control.js';

export function classifyShared(input: CacheInput): Storability {
  const { status, headers } = input;
  // The judge does not know a cache's heuristic share, so heuristic freshness stays null (0 here).
  const d = storeDecision(
    { method: input.method, authorization: input.requestHasAuthorization },
    { status, headers },
    { responseTimeMs: input.nowMs ?? Date.now(), heuristicFraction: 0 },
  );
  if (!d.store) {
    const control = d.rule === 'no-freshness' || d.rule === 'request-no-store' ? 'status' : d.rule;
    return { storable: false, control, why: d.why };
  }
  const f = d.freshness;
  if (f.basis === 'heuristic') {
    const because =
      fieldValue(headers, 'last-modified') !== undefined
        ? 'Last-Modified without Cache-Control lets caches compute heuristic freshness (RFC 9111 §4.2.2)'
        : fieldValue(headers, 'cache-control') === undefined
          ? 'no Cache-Control at all: caches may store it heuristically (RFC 9111 §4.2.2; Varnish stores it for its default_ttl of 120 s)'
          : 'nothing in Cache-Control gives it a lifetime, so caches may store it heuristically (RFC 9111 §4.2.2)';
    return {
      storable: true,
      basis: 'heuristic',
      freshForMs: null,
      why: `status ${status} is heuristically cacheable (RFC 9110 §15.1, or marked public) and ${because}`,
    };
  }
  const stale = f.lifetimeMs === 0 ? ' (already stale, but caches configured to serve stale, e.g. Varnish grace, replay it)' : '';
  const withheld =
    d.withheld.length > 0
      ? `; ${d.withheld.join(', ')} only withheld from a reused response by a qualified no-cache/private (RFC 9111 §5.2.2.4, §5.2.2.7), which does not stop the reuse`
      : '';
  return {
    storable: true,
    basis: 'explicit',
    freshForMs: f.lifetimeMs,
    why: `Cache-Control/Expires give it explicit freshness (${f.detail})${stale}: a shared cache may replay it (RFC 9111 §4.2.1)${withheld}`,
  };
}
