import { fieldList, fieldValue, fieldValues } from '../http/fields.js';
import { parseDirectives } from '../http/lists.js';
import type { WireResponse } from './types.js';

/**
 * Field lookups over a recorded response, for the judges that hold a WireResponse. Pass
 * `{ headers: res.trailers }` to read trailers. Thin faces over runner/http/fields.ts and
 * runner/http/lists.ts, so a response reads the same here as in the hops.
 */
type Fields = Pick<WireResponse, 'headers'>;

/** Every field line's value for `name`, in wire order, not split on commas. */
export function headerAll(res: Fields, name: string): string[] {
  return fieldValues(res.headers, name);
}

/** Repeated field lines combined with ", " (RFC 9110 §5.3); undefined when absent. */
export function header(res: Fields, name: string): string | undefined {
  return fieldValue(res.headers, name);
}

/** The list members of a field (RFC 9110 §5.6.1); commas inside quoted strings do not split. */
export function listElements(res: Fields, name: string): string[] {
  return fieldList(res.headers, name);
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
  return parseDirectives(fieldValue(res.headers, name)).get(directiveName.toLowerCase());
}
