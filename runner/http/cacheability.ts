/**
 * Would a shared cache store this response? RFC 9111 §3 (storing), §4.2.1–4.2.2 (explicit and
 * heuristic freshness), §5.2.2 (response directives), §3.5 (Authorization), RFC 9110 §9.3.3
 * (POST) and §15.1 (heuristically cacheable status codes). Pure: headers in, finding out.
 */
import { parseCacheControl } from './cache-control.js';
import { fieldValue } from './fields.js';

export type Storability =
  | { storable: false; why: string; control: 'no-store' | 'private' | 'no-cache' | 'method' | 'status' | 'authorization' }
  | { storable: true; why: string; basis: 'explicit' | 'heuristic'; freshForMs: number | null };

/** RFC 9110 §15.1: status codes a cache may store without explicit freshness. */
const HEURISTIC_STATUS = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);
/** Statuses a cache understands well enough to store at all when explicit freshness allows. */
const UNDERSTOOD = new Set([...HEURISTIC_STATUS, 302, 303, 307, 400, 401, 403, 408, 409, 429, 500, 502, 503, 504]);

export interface CacheInput {
  method: string;
  status: number;
  /** response headers, names in any case */
  headers: Array<[string, string]>;
  requestHasAuthorization: boolean;
  /** the response's Date, for Expires arithmetic; defaults to now */
  nowMs?: number;
}

export { parseCacheControl } from './cache-control.js';


export function classifyShared(input: CacheInput): Storability {
  const { method, status, headers } = input;
  const cc = parseCacheControl(fieldValue(headers, 'cache-control'));
  if (cc.has('no-store')) return { storable: false, control: 'no-store', why: 'Cache-Control: no-store forbids storing it (RFC 9111 §5.2.2.5)' };
  // Likewise private="X" only keeps field X out of a shared cache (RFC 9111 §5.2.2.7).
  if (cc.get('private') === true) return { storable: false, control: 'private', why: 'Cache-Control: private keeps it out of shared caches (RFC 9111 §5.2.2.7)' };
  // Only the unqualified form forbids reuse without revalidation; no-cache="Set-Cookie" just keeps
  // the named fields out of a reused response (RFC 9111 §5.2.2.4), so the rest may be replayed.
  const noCache = cc.get('no-cache');
  if (noCache === true) return { storable: false, control: 'no-cache', why: 'Cache-Control: no-cache forces revalidation before any reuse (RFC 9111 §5.2.2.4)' };

  const maxAge = num(cc.get('s-maxage')) ?? num(cc.get('max-age'));
  const expires = fieldValue(headers, 'expires');
  const explicit = cc.has('public') || maxAge !== undefined || expires !== undefined;

  if (method !== 'GET' && method !== 'HEAD') {
    const contentLocation = fieldValue(headers, 'content-location');
    if (!(method === 'POST' && explicit && contentLocation)) {
      return { storable: false, control: 'method', why: `${method} responses are not reusable without explicit freshness and Content-Location (RFC 9110 §9.3.3)` };
    }
  }
  if (input.requestHasAuthorization && !cc.has('public') && !cc.has('s-maxage') && !cc.has('must-revalidate')) {
    return { storable: false, control: 'authorization', why: 'the request carried Authorization and nothing allows a shared cache to reuse it (RFC 9111 §3.5)' };
  }
  if (!UNDERSTOOD.has(status)) return { storable: false, control: 'status', why: `status ${status} is not stored by caches` };

  if (explicit) {
    let freshForMs: number | null = null;
    let basis = '';
    if (maxAge !== undefined) {
      freshForMs = maxAge * 1000;
      basis = `${cc.has('s-maxage') ? 's-maxage' : 'max-age'}=${maxAge}`;
    } else if (expires !== undefined) {
      const t = Date.parse(expires);
      const date = Date.parse(fieldValue(headers, 'date') ?? '');
      const now = input.nowMs ?? (Number.isNaN(date) ? Date.now() : date);
      // An invalid Expires (e.g. "0") means already expired (RFC 9111 §5.3).
      freshForMs = Number.isNaN(t) ? 0 : Math.max(0, t - now);
      basis = `Expires: ${expires}`;
    } else basis = 'public';
    const stale = freshForMs === 0 ? ' (already stale, but caches configured to serve stale, e.g. Varnish grace, replay it)' : '';
    const qualified = typeof noCache === 'string' ? `; no-cache="${noCache}" only withholds those fields from a reused response (RFC 9111 §5.2.2.4), it does not stop the reuse` : '';
    return { storable: true, basis: 'explicit', freshForMs, why: `Cache-Control/Expires give it explicit freshness (${basis})${stale}: a shared cache may replay it (RFC 9111 §4.2.1)${qualified}` };
  }
  if (HEURISTIC_STATUS.has(status)) {
    const lm = fieldValue(headers, 'last-modified');
    const because = lm ? `Last-Modified without Cache-Control lets caches compute heuristic freshness (RFC 9111 §4.2.2)` : 'no Cache-Control at all: caches may store it heuristically (RFC 9111 §4.2.2; Varnish stores it for its default_ttl of 120 s)';
    return { storable: true, basis: 'heuristic', freshForMs: null, why: `status ${status} is heuristically cacheable (RFC 9110 §15.1) and ${because}` };
  }
  return { storable: false, control: 'status', why: `status ${status} is not heuristically cacheable and carries no explicit freshness` };
}

function num(v: string | true | undefined): number | undefined {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}
