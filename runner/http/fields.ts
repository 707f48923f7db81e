/**
 * Field access over a header or trailer section kept as received: [name, value] pairs in wire
 * order, names as sent. Names compare case-insensitively (RFC 9110 §5.1); values come back as
 * received. The one implementation behind the wire recorder, the judges in suites/ and the hops
 * in proxies/, so none of them can disagree about what a message says.
 */
import { listMembers } from './lists.js';

/** One field line, [name, value]. */
export type Field = [string, string];
/** A header or trailer section in wire order. Readonly so callers can pass any pair list. */
export type Fields = ReadonlyArray<readonly [string, string]>;

/** Every field line's value for `name`, in wire order, not split on commas. */
export function fieldValues(fields: Fields, name: string): string[] {
  const wanted = name.toLowerCase();
  return fields.filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
}

/** Repeated field lines combined with ", " (RFC 9110 §5.3); undefined when absent. */
export function fieldValue(fields: Fields, name: string): string | undefined {
  const values = fieldValues(fields, name);
  return values.length === 0 ? undefined : values.join(', ');
}

export function hasField(fields: Fields, name: string): boolean {
  const wanted = name.toLowerCase();
  return fields.some(([n]) => n.toLowerCase() === wanted);
}

/**
 * The list members of a field across all its lines (RFC 9110 §5.6.1), trimmed, empty ones
 * dropped, commas inside quoted strings kept.
 */
export function fieldList(fields: Fields, name: string): string[] {
  return fieldValues(fields, name).flatMap(listMembers);
}

/** List members lower-cased: for token lists such as Connection, Transfer-Encoding and Vary. */
export function fieldTokens(fields: Fields, name: string): string[] {
  return fieldList(fields, name).map((t) => t.toLowerCase());
}

/** The fields without any line named one of `names`; keeps the caller's pair type. */
export function withoutFields<F extends readonly [string, string]>(fields: readonly F[], ...names: string[]): F[] {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  return fields.filter(([name]) => !drop.has(name.toLowerCase()));
}
