/**
 * Grammar checks for the response fields RFC 9110 defines and push servers get wrong: entity-tags
 * (§8.8.3), HTTP-dates (§5.6.7), media types (§8.3.1). Pure: a field value in, a problem (or
 * null) out. Every function names what it expected, so the message can go straight to a report.
 */
import { splitOutsideQuotes } from './lists.js';

const TCHAR = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** RFC 9110 §8.8.3: `[W/] DQUOTE *etagc DQUOTE`, etagc = %x21 / %x23-7E / obs-text. */
export function entityTagProblem(value: string): string | null {
  const v = value.trim();
  const opaque = v.startsWith('W/') ? v.slice(2) : v;
  if (opaque.length < 2 || !opaque.startsWith('"') || !opaque.endsWith('"')) {
    const bare = v.replace(/"/g, '');
    return `the value ${value} is not an entity-tag: RFC 9110 §8.8.3 puts the opaque tag in double quotes ("${bare}", or W/"${bare}" for a weak tag)`;
  }
  const inner = opaque.slice(1, -1);
  for (const ch of inner) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0x22 || c < 0x21 || c === 0x7f)
      return `the value ${value} is not an entity-tag: character U+${c.toString(16).padStart(4, '0').toUpperCase()} is not allowed inside the quotes (RFC 9110 §8.8.3 etagc)`;
  }
  return null;
}

const DAY = '(Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`);

/** RFC 9110 §5.6.7: a sender MUST generate HTTP-dates in IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function httpDateProblem(value: string): string | null {
  const m = IMF_FIXDATE.exec(value);
  if (!m) return `"${value}" is not an IMF-fixdate (RFC 9110 §5.6.7 requires e.g. "Sun, 06 Nov 1994 08:49:37 GMT")`;
  const [, , day, , , hh, mm, ss] = m;
  if (Number(day) < 1 || Number(day) > 31 || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60)
    return `"${value}" is not a valid date and time`;
  return null;
}

/**
 * RFC 9110 §8.3.1: `type "/" subtype *( OWS ";" OWS [ name "=" ( token / quoted-string ) ] )`.
 * Returns the first problem, e.g. a parameter value with a "/" that is not quoted.
 */
export function mediaTypeProblem(value: string): string | null {
  const [essence = '', ...params] = splitOutsideQuotes(value, ';');
  const [type, subtype, ...extra] = essence.trim().split('/');
  if (type === undefined || subtype === undefined || extra.length > 0 || !TCHAR.test(type) || !TCHAR.test(subtype)) {
    return `"${value}" is not a media type: expected type "/" subtype, both tokens (RFC 9110 §8.3.1)`;
  }
  for (const raw of params) {
    const p = raw.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const name = eq < 0 ? p : p.slice(0, eq);
    const val = eq < 0 ? '' : p.slice(eq + 1);
    if (!TCHAR.test(name) || eq < 0) return `"${value}": parameter "${p}" is not name=value (RFC 9110 §5.6.6)`;
    if (val.startsWith('"')) {
      if (!/^"(?:[^"\\]|\\.)*"$/.test(val)) return `"${value}": parameter ${name} has an unterminated quoted-string`;
    } else if (!TCHAR.test(val)) {
      return `"${value}": the value of parameter ${name} must be a token or a quoted-string (RFC 9110 §5.6.6); "${val}" contains characters a token cannot, so it must be quoted`;
    }
  }
  return null;
}
