/**
 * What a conformance run costs in wall time against the longest wait it must observe (issue 15):
 * the whole matrix against the reference server at two holds, so k = Δwall / Δhold says how
 * many times the run pays for one second more of hold (target ≤ 3), and each run is checked
 * against 3 × max(hold, heartbeat) + 10 s. Both holds are measured twice, interleaved, in the
 * same process, so a busy machine shifts both alike.
 */
import { performance } from 'node:perf_hooks';
import { startReferenceServer } from '../fixtures/reference-server.js';
import { runSuite } from '../runner/run.js';
import { VIA_PROFILES } from '../runner/via.js';

export interface RunCost {
  heartbeatMs: number;
  runs: Array<{ holdMs: number; wallMs: number; cases: number; boundMs: number }>;
  /** Δ median wall / Δ hold */
  k: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function measureRunCost(holds: readonly [number, number] = [2000, 4000], heartbeatMs = 1000, repeats = 2): Promise<RunCost> {
  const runs: RunCost['runs'] = [];
  for (let i = 0; i < repeats; i++) {
    for (const holdMs of holds) {
      const server = await startReferenceServer({ holdMs, heartbeatMs });
      try {
        const t0 = performance.now();
        const { report } = await runSuite({
          manifest: server.manifest(),
          only: [],
          skip: [],
          level: 'all',
          via: [...VIA_PROFILES],
          viaNamed: false,
          strict: false,
          timeScale: 1,
          concurrency: 32,
          holdLimitSeconds: 30,
          reportDir: null,
          reporter: 'none',
        });
        runs.push({
          holdMs,
          wallMs: Math.round(performance.now() - t0),
          cases: report.results.length,
          boundMs: 3 * Math.max(holdMs, heartbeatMs) + 10_000,
        });
      } finally {
        await server.close();
      }
    }
  }
  const wall = (h: number): number => median(runs.filter((r) => r.holdMs === h).map((r) => r.wallMs));
  const k = (wall(holds[1]) - wall(holds[0])) / (holds[1] - holds[0]);
  return { heartbeatMs, runs, k: Math.round(k * 100) / 100 };
}

export function runCostLines(c: RunCost): string[] {
  return [
    '### Run cost against the longest wait',
    '',
    '| hold | wall | cases | bound 3 × max(hold, heartbeat) + 10 s | within |',
    '|---:|---:|---:|---:|:--|',
    ...c.runs.map(
      (r) =>
        `| ${r.holdMs / 1000} s | ${(r.wallMs / 1000).toFixed(1)} s | ${r.cases} | ${(r.boundMs / 1000).toFixed(0)} s | ${r.wallMs <= r.boundMs ? 'yes' : '**no**'} |`,
    ),
    '',
    `k = Δwall / Δhold = ${c.k} (target ≤ 3): the whole matrix against the reference server (heartbeat ${c.heartbeatMs / 1000} s), every profile, medians of the runs above.`,
  ];
}
