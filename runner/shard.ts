/**
 * `--shard i/n`: one of n machines of a CI matrix runs its share of the cases, and `pushspec
 * merge` joins the n reports. Cases are dealt by a stable hash of the requirement ID, not of
 * `id@via`: a case through a profile is read against the same requirement's direct result
 * (cause and remedy, runner/execute.ts), so every path of one requirement stays on one machine,
 * and a sharded run gives the verdicts an unsharded one does.
 */
export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

/** The most machines a matrix would use: beyond the catalogue size most shards would be empty. */
export const MAX_SHARDS = 256;

/** FNV-1a, 32 bits: the same ID lands on the same shard on every machine and Node version. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function inShard(requirementId: string, shard: Shard): boolean {
  return (fnv1a(requirementId) % shard.count) + 1 === shard.index;
}

/** null when `value` is not `i/n` with whole numbers 1 ≤ i ≤ n ≤ MAX_SHARDS. */
export function parseShard(value: string): Shard | null {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return index >= 1 && count >= 1 && index <= count && count <= MAX_SHARDS ? { index, count } : null;
}
