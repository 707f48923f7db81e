/**
 * Cache-Control (RFC 9111 §5.2): directives by lower-cased name. One parser for the judge
 * (runner/http/storability.ts via the suites) and the simulated caches (proxies/shared-cache.ts),
 * so the two can never disagree about what a response says. Commas inside a quoted argument do
 * not split (`no-cache="Set-Cookie, X-Trace"` is one directive) and the argument is unescaped.
 */
import { type Fields, fieldValue } from './fields.js';
import { type Directives, parseDirectives } from './lists.js';

export type { Directives } from './lists.js';

/** Parses one (possibly combined) Cache-Control value; undefined gives no directives. */
export function parseCacheControl(value: string | undefined): Directives {
  return parseDirectives(value);
}

/** The Cache-Control directives of a whole section, every field line combined (RFC 9110 §5.3). */
export function cacheControlOf(fields: Fields): Directives {
  return parseDirectives(fieldValue(fields, 'cache-control'));
}

/** A delta-seconds argument (RFC 9111 §1.2.2): digits only, else undefined (invalid is ignored). */
export function deltaSeconds(value: string | true | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
