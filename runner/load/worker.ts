/**
 * `load --worker i/n`: one load split over the n machines of a CI matrix. Worker i holds its share
 * of every step's N against the same target, and `pushspec merge` joins the n load.json files.
 * N is dealt as evenly as it goes, the remainder to the lowest workers, so the shares of a step
 * add up to N and differ by one at most.
 */
import { parseShard, type Shard } from '../shard.js';

/** 1-based index of count, the same `i/n` as `run --shard`. */
export type Worker = Shard;

/** null when `value` is not `i/n` with whole numbers 1 ≤ i ≤ n. */
export const parseWorker = (value: string): Worker | null => parseShard(value);

/** Worker w's share of a step of `total` held requests. */
export function shareOf(total: number, w: Worker): number {
  const base = Math.floor(total / w.count);
  return base + (w.index <= total % w.count ? 1 : 0);
}

/** Worker w's share of every step of the plan. */
export function sharesOf(steps: readonly number[], w: Worker): number[] {
  return steps.map((n) => shareOf(n, w));
}
