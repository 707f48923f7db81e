/**
 * May a shared cache store this response and reuse it without asking the origin? RFC 9111 §3
 * (storing), §3.5 (Authorization), §4.1 (Vary: *), §5.2 (directives), RFC 9110 §9.2.3 and
 * §9.3.3 (cacheable methods, POST). The one model behind the judge (runner/http/cacheability.ts,
 * used by lp.not-storable and the streaming checks) and the simulated cache hop
 * (proxies/shared-cache.ts), which only adds its own policy on top (GET only, default TTL,
 * Varnish quirks), so the two cannot disagree about what RFC 9111 says.
 */
import { cacheControlOf } from './cache-control.js';
import { type Fields, fieldValue } from './fields.js';
import { type Freshness, freshness } from './freshness.js';
import { listMembers } from './lists.js';

export interface StoreRequest {
  method: string;
  /** the request carried Authorization (RFC 9111 §3.5) */
  authorization: boolean;
  /** the request said Cache-Control: no-store (RFC 9111 §5.2.1.5) */
  noStore?: boolean;
}

export interface StoreResponse {
  status: number;
  headers: Fields;
}

export type NotStoredRule =
  'request-no-store' | 'method' | 'status' | 'no-store' | 'private' | 'no-cache' | 'authorization' | 'vary' | 'no-freshness';

export type StoreDecision =
  | { store: false; rule: NotStoredRule; why: string }
  /** `withheld`: fields a qualified no-cache/private keeps out of a reused response (§5.2.2.4, §5.2.2.7) */
  | { store: true; freshness: Exclude<Freshness, { basis: 'none' }>; withheld: string[] };

export interface StoreOptions {
  responseTimeMs: number;
  /** RFC 9111 §4.2.2 heuristic share of (Date − Last-Modified); 0 leaves the lifetime to the cache */
  heuristicFraction: number;
}

export function storeDecision(request: StoreRequest, response: StoreResponse, options: StoreOptions): StoreDecision {
  const no = (rule: NotStoredRule, why: string): StoreDecision => ({ store: false, rule, why });
  const { status, headers } = response;
  const method = request.method.toUpperCase();
  const cc = cacheControlOf(headers);
  if (request.noStore === true) return no('request-no-store', 'the request said Cache-Control: no-store (RFC 9111 §5.2.1.5)');
  if (status < 200) return no('status', `status ${status} is not final (RFC 9111 §3)`);
  // §3: 206 and 304 only for a cache that understands them; this model does not combine ranges
  // (§3.3) and a 304 updates a stored response rather than being one (§4.3.4).
  if (status === 206 || status === 304)
    return no(
      'status',
      `status ${status} is not stored by a cache that does not combine partial content or treat 304 as an update (RFC 9111 §3)`,
    );
  if (cc.has('no-store')) return no('no-store', 'Cache-Control: no-store forbids storing it (RFC 9111 §5.2.2.5)');
  // private="X" only keeps field X out of a shared cache (§5.2.2.7); the unqualified form keeps it all out.
  if (cc.get('private') === true) return no('private', 'Cache-Control: private keeps it out of shared caches (RFC 9111 §5.2.2.7)');
  // Unqualified no-cache: stored or not, it is never reused without revalidation (§5.2.2.4);
  // for a client that is the same as not stored. no-cache="Set-Cookie" only withholds that field.
  if (cc.get('no-cache') === true)
    return no('no-cache', 'Cache-Control: no-cache forces revalidation before any reuse (RFC 9111 §5.2.2.4)');
  if (request.authorization && !cc.has('public') && !cc.has('s-maxage') && !cc.has('must-revalidate')) {
    return no('authorization', 'the request carried Authorization and nothing allows a shared cache to reuse it (RFC 9111 §3.5)');
  }
  if (fieldValue(headers, 'vary')?.trim() === '*') return no('vary', 'Vary: * never matches a later request (RFC 9111 §4.1)');
  const fresh = freshness({ status, headers, responseTimeMs: options.responseTimeMs, heuristicFraction: options.heuristicFraction });
  const explicit = fresh.basis !== 'none' && fresh.basis !== 'heuristic';
  if (method !== 'GET' && method !== 'HEAD') {
    // RFC 9110 §9.3.3: a POST response is reusable only with explicit freshness and a Content-Location.
    if (!(method === 'POST' && explicit && fieldValue(headers, 'content-location') !== undefined)) {
      return no('method', `${method} responses are not reusable without explicit freshness and Content-Location (RFC 9110 §9.3.3)`);
    }
  }
  if (fresh.basis === 'none')
    return no('no-freshness', `status ${status} is not heuristically cacheable (RFC 9110 §15.1) and carries no explicit freshness`);
  const withheld = [cc.get('no-cache'), cc.get('private')].flatMap((v) => (typeof v === 'string' ? listMembers(v) : []));
  return { store: true, freshness: fresh, withheld };
}
