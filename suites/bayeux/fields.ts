/**
 * Bayeux 1.0 field grammar the requirements share when judging what a server said: the advice
 * object ("advice", "reconnect advice", "interval advice") and the error string ("error").
 */

export const RECONNECT_VALUES = ['retry', 'handshake', 'none'] as const;

/** Bayeux "error": error_code ":" error_args ":" error_message, the code three digits, the args comma-separated. */
export const ERROR_FORMAT = /^\d{3}:[^:]*:[\s\S]*$/;

/** What is wrong with an advice value, one phrase per field; empty when it is valid. */
export function adviceProblems(advice: unknown): string[] {
  if (typeof advice !== 'object' || advice === null || Array.isArray(advice)) return [`advice is ${JSON.stringify(advice)}, not an object`];
  const a = advice as Record<string, unknown>;
  const problems: string[] = [];
  if ('reconnect' in a && !RECONNECT_VALUES.includes(a.reconnect as (typeof RECONNECT_VALUES)[number]))
    problems.push(`reconnect ${JSON.stringify(a.reconnect)} is not one of ${RECONNECT_VALUES.join(', ')}`);
  // Both are milliseconds and integers in the grammar; a negative interval means "do not retry".
  for (const field of ['interval', 'timeout'] as const)
    if (field in a && !Number.isInteger(a[field])) problems.push(`${field} ${JSON.stringify(a[field])} is not an integer number of ms`);
  if ('multiple-clients' in a && typeof a['multiple-clients'] !== 'boolean')
    problems.push(`multiple-clients ${JSON.stringify(a['multiple-clients'])} is not a boolean`);
  if ('hosts' in a && !(Array.isArray(a.hosts) && a.hosts.every((h) => typeof h === 'string')))
    problems.push(`hosts ${JSON.stringify(a.hosts)} is not an array of host names`);
  return problems;
}
