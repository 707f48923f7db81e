/** Numbers a load step reports: latency percentiles and what the client process itself cost. */

export interface Percentiles {
  n: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

/** Nearest-rank percentiles (an observed value, never an interpolation between two). */
export function percentiles(samples: readonly number[]): Percentiles {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  return {
    n: sorted.length,
    p50Ms: rank(50),
    p95Ms: rank(95),
    p99Ms: rank(99),
    meanMs: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Percentiles, or null for no samples (a step where nothing was held has no fan-out). */
export function percentilesOrNull(samples: readonly number[]): Percentiles | null {
  return samples.length === 0 ? null : percentiles(samples);
}

export interface ProcessCost {
  rssBytes: number;
  heapUsedBytes: number;
  /** user + system CPU over the interval */
  cpuMs: number;
  /** cpuMs over the interval's wall time: 100 is one core busy */
  cpuPercent: number;
}

/** Starts a CPU interval; the returned function reads RSS now and the CPU spent since. */
export function startCost(now: () => number): () => ProcessCost {
  const cpu0 = process.cpuUsage();
  const t0 = now();
  return () => {
    const cpu = process.cpuUsage(cpu0);
    const mem = process.memoryUsage();
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const wall = Math.max(now() - t0, 1);
    return { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, cpuMs: round(cpuMs), cpuPercent: round((100 * cpuMs) / wall) };
  };
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
