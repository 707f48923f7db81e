/**
 * Quote-aware list syntax of RFC 9110: comma-separated lists (§5.6.1), quoted-strings with
 * backslash escapes (§5.6.4) and `name[=value]` members such as Cache-Control directives or
 * parameters (§5.6.6). Splitting on every comma would cut `no-cache="Set-Cookie, X-Trace"` in two;
 * everything here splits only outside quotes.
 */

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

/** The members of one list field value (RFC 9110 §5.6.1): trimmed, empty members dropped. */
export function listMembers(value: string): string[] {
  return splitOutsideQuotes(value, ',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
}

/** The content of a quoted-string with its escapes removed (RFC 9110 §5.6.4); other text as is. */
export function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\(.)/gs, '$1');
}

/** `name[=value]` members by lower-cased name: the unquoted value, or `true` without one. */
export type Directives = Map<string, string | true>;

/**
 * A list of `token [ "=" ( token / quoted-string ) ]` members, e.g. Cache-Control (RFC 9111
 * §5.2). The first occurrence of a name wins, as RFC 9111 §4.2.1 asks of duplicated directives.
 */
export function parseDirectives(value: string | undefined): Directives {
  const out: Directives = new Map();
  if (value === undefined) return out;
  for (const member of listMembers(value)) {
    const eq = member.indexOf('=');
    const name = (eq < 0 ? member : member.slice(0, eq)).trim().toLowerCase();
    if (name === '' || out.has(name)) continue;
    out.set(name, eq < 0 ? true : unquote(member.slice(eq + 1).trim()));
  }
  return out;
}
