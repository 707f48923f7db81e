/**
 * Freshness of a stored response (RFC 9111 §4.2): its lifetime from the explicit directives or
 * Expires (§4.2.1), heuristic freshness (§4.2.2) and its age on arrival (§4.2.3). Pure: fields
 * and times in, numbers out. Shared by the judge (storability.ts) and the simulated cache hop.
 */
import { cacheControlOf, deltaSeconds } from './cache-control.js';
import { type Fields, fieldValue } from './fields.js';

/** RFC 9110 §15.1: status codes a cache may give heuristic freshness to. */
export const HEURISTIC_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);

export type Freshness =
  /** §4.2.1: s-maxage over max-age over Expires − Date; 0 means stale on arrival. */
  | { basis: 's-maxage' | 'max-age' | 'expires'; lifetimeMs: number; detail: string }
  /**
   * §4.2.2: no explicit lifetime, so a cache may pick one; `lifetimeMs` is `fraction` ×
   * (Date − Last-Modified) when there is a Last-Modified and a fraction, else null (the cache's
   * own default, e.g. Varnish default_ttl).
   */
  | { basis: 'heuristic'; lifetimeMs: number | null; detail: string }
  | { basis: 'none' };

/** An HTTP-date in ms, undefined when absent or not a date. */
export function httpDateMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

export interface FreshnessInput {
  status: number;
  headers: Fields;
  /** when the response arrived (wall clock ms), standing in for a missing or invalid Date */
  responseTimeMs: number;
  /** share of (Date − Last-Modified) a heuristic gives; RFC 9111 §4.2.2 suggests 0.1; 0 = none */
  heuristicFraction: number;
}

/** The freshness lifetime per RFC 9111 §4.2.1, or what §4.2.2 allows when there is none. */
export function freshness(input: FreshnessInput): Freshness {
  const { headers, status } = input;
  const cc = cacheControlOf(headers);
  // §4.2.1: a shared cache uses s-maxage first, then max-age, then Expires.
  for (const name of ['s-maxage', 'max-age'] as const) {
    const seconds = deltaSeconds(cc.get(name));
    if (seconds !== undefined) return { basis: name, lifetimeMs: seconds * 1000, detail: `${name}=${seconds}` };
  }
  const expires = fieldValue(headers, 'expires');
  if (expires !== undefined) {
    const date = httpDateMs(fieldValue(headers, 'date')) ?? input.responseTimeMs;
    const t = httpDateMs(expires);
    // §5.3: an invalid Expires (e.g. "0") means already expired.
    return { basis: 'expires', lifetimeMs: t === undefined ? 0 : Math.max(0, t - date), detail: `Expires: ${expires}` };
  }
  // §4.2.2: heuristics only for heuristically cacheable statuses or responses marked public.
  if (!HEURISTIC_STATUSES.has(status) && !cc.has('public')) return { basis: 'none' };
  const lastModified = httpDateMs(fieldValue(headers, 'last-modified'));
  if (lastModified === undefined || input.heuristicFraction <= 0) {
    const detail = lastModified === undefined ? 'no Last-Modified' : 'Last-Modified, no heuristic fraction';
    return { basis: 'heuristic', lifetimeMs: null, detail };
  }
  const date = httpDateMs(fieldValue(headers, 'date')) ?? input.responseTimeMs;
  const lifetimeMs = Math.floor(input.heuristicFraction * Math.max(0, date - lastModified));
  return { basis: 'heuristic', lifetimeMs, detail: `heuristic ${input.heuristicFraction} × (Date − Last-Modified)` };
}

/**
 * RFC 9111 §4.2.3 corrected_initial_age: the larger of the Age the response carried and its
 * apparent age (arrival − Date, whole seconds), in ms.
 */
export function initialAgeMs(headers: Fields, responseTimeMs: number): number {
  const ageSeconds = deltaSeconds(fieldValue(headers, 'age')?.trim()) ?? 0;
  const date = httpDateMs(fieldValue(headers, 'date'));
  const apparent = date === undefined ? 0 : Math.max(0, Math.floor((responseTimeMs - date) / 1000) * 1000);
  return Math.max(ageSeconds * 1000, apparent);
}
