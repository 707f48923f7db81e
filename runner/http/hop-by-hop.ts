/**
 * Hop-by-hop fields (RFC 9110 §7.6.1): a proxy removes Connection, the fields it names, and the
 * fields that only make sense on one connection, before forwarding. One list for every hop.
 */
import { fieldTokens } from './fields.js';

/** The fields RFC 9110 §7.6.1 and RFC 9112 name as connection-specific (Proxy-Connection: legacy). */
export const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'] as const;

/** The fields without hop-by-hop ones, the Connection-named ones, and `alsoDrop`; order kept. */
export function endToEnd<F extends readonly [string, string]>(fields: readonly F[], ...alsoDrop: string[]): F[] {
  const drop = new Set<string>([...HOP_BY_HOP, ...fieldTokens(fields, 'connection'), ...alsoDrop.map((n) => n.toLowerCase())]);
  return fields.filter(([name]) => !drop.has(name.toLowerCase()));
}
