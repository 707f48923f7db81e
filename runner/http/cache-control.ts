import { splitOutsideQuotes } from '../wire/headers.js';

/** Cache-Control directives by lower-cased name: the unquoted argument, or `true` without one. */
export type Directives = Map<string, string | true>;

/**
 * RFC 9111 §5.2: a comma-separated list of `token [ "=" ( token / quoted-string ) ]`. Commas
 * inside a quoted argument do not split (`no-cache="Set-Cookie, X-Trace"` is one directive), and
 * the quoted-string is unescaped. The first occurrence of a directive wins. One parser for the
 * judge (runner/http/cacheability.ts) and the simulated caches (proxies/shared-cache.ts), so the
 * two can never disagree about what a response says.
 */
export function parseCacheControl(value: string | undefined): Directives {
  const out: Directives = new Map();
  if (value === undefined) return out;
  for (const part of splitOutsideQuotes(value, ',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '' || out.has(name)) continue;
    if (eq < 0) {
      out.set(name, true);
      continue;
    }
    const raw = part.slice(eq + 1).trim();
    out.set(name, /^".*"$/s.test(raw) ? raw.slice(1, -1).replace(/\\(.)/gs, '$1') : raw);
  }
  return out;
}
