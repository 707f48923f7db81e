import type { WireResponse } from './types.js';

/**
 * Field lookups over a recorded header list. Pass `{ headers: res.trailers }` to read trailers.
 * Names compare case-insensitively (RFC 9110 §5.1); values are returned as received.
 */
type Fields = Pick<WireResponse, 'headers'>;

/** Every field line's value for `name`, in wire order, not split on commas. */
export function headerAll(res: Fields, name: string): string[] {
  const wanted = name.toLowerCase();
  return res.headers.filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
}

/** Repeated field lines combined with ", " (RFC 9110 §5.3); undefined when absent. */
export function header(res: Fields, name: string): string | undefined {
  const values = headerAll(res, name);
  return values.length === 0 ? undefined : values.join(', ');
}

/**
 * The comma-separated list elements of a field (RFC 9110 §5.6.1), trimmed, empty ones dropped.
 * Commas inside quoted strings do not split (`no-cache="a, b"` is one element).
 */
export function listElements(res: Fields, name: string): string[] {
  return headerAll(res, name).flatMap((v) => splitOutsideQuotes(v, ',')).map((e) => e.trim()).filter((e) => e !== '');
}

/** Splits on `sep` where it is not inside a quoted-string (RFC 9110 §5.6.4; backslash escapes). */
export function splitOutsideQuotes(value: string, sep: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (quoted && c === '\\') {
      current += c + value.charAt(i + 1);
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === sep && !quoted) {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  return out;
}

/**
 * Whether a list field contains `token` (case-insensitive), e.g. `Connection: close`.
 * An element with a value (`no-cache="set-cookie"`) counts by its name.
 */
export function hasToken(res: Fields, name: string, token: string): boolean {
  return directive(res, name, token) !== undefined;
}

/**
 * A `name[=value]` element of a list field such as Cache-Control: the unquoted value, `true` when
 * present without a value, undefined when absent. The first occurrence wins.
 */
export function directive(res: Fields, name: string, directiveName: string): string | true | undefined {
  const wanted = directiveName.toLowerCase();
  for (const element of listElements(res, name)) {
    const eq = element.indexOf('=');
    const key = (eq === -1 ? element : element.slice(0, eq)).trim().toLowerCase();
    if (key !== wanted) continue;
    if (eq === -1) return true;
    return unquote(element.slice(eq + 1).trim());
  }
  return undefined;
}

function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}
