/**
 * The bench's load figures: `pushspec load`'s ramp (runner/load/) against the reference server,
 * in this process and small enough to share it with the hop measurements (1,000 held polls; the
 * 10,000 of `pushspec load --fixture` need the server in its own process for the open-file limit).
 */
import { DEFAULT_TRUST } from '../runner/tls.js';
import { startReferenceServer } from '../fixtures/reference-server.js';
import { systemClock } from '../runner/clock.js';
import { epsilonMs } from '../runner/epsilon.js';
import { preflightPublish } from '../runner/preflight.js';
import { createPublishAdapter } from '../runner/publish.js';
import { runRamp, type StepResult } from '../runner/load/ramp.js';
import { readSystemLimits } from '../runner/load/system.js';

export const LOAD_STEPS = [100, 1000];
const HOLD_MS = 30_000;

export async function measureLoad(): Promise<StepResult[]> {
  const server = await startReferenceServer({ holdMs: HOLD_MS });
  try {
    const manifest = server.manifest();
    const publisher = createPublishAdapter(manifest, { clock: systemClock, deadlineMs: 10_000 });
    // Warms the hook's connection, so the first step's fan-out is not a cold publish's cost.
    await preflightPublish(manifest, publisher);
    const r = await runRamp({
      manifest,
      transport: 'longPoll',
      steps: LOAD_STEPS,
      sourceAddresses: null,
      // No wait: the ordinary samples, sent after every poll, are the barrier before the publish.
      timing: { holdMs: HOLD_MS, epsilonMs: epsilonMs(1, 1), waitMs: 0, heartbeatMs: null, connectTimeoutMs: 5000 },
      trust: DEFAULT_TRUST,
      limits: readSystemLimits(),
      publisher,
      now: () => systemClock.now(),
      notice: (l) => process.stderr.write(`bench: ${l}\n`),
      progress: () => undefined,
    });
    if (r.stopped !== null) process.stderr.write(`bench: load ramp stopped: ${r.stopped}\n`);
    return r.steps;
  } finally {
    await server.close();
  }
}

const ms = (v: number | undefined): string => (v === undefined ? '–' : v.toFixed(v < 10 ? 2 : 0));

export function loadMarkdown(steps: readonly StepResult[]): string {
  const lines = [
    '| held polls | fan-out p50 ms | fan-out p99 ms | missed | ordinary p95 ms | client + server RSS | CPU |',
    '|--:|--:|--:|--:|--:|--:|--:|',
    ...steps.map(
      (s) =>
        `| ${s.heldAtPublish} of ${s.n} | ${ms(s.fanOut?.p50Ms)} | ${ms(s.fanOut?.p99Ms)} | ${s.missed} | ${ms(s.ordinary.latency?.p95Ms)} | ${Math.round(s.client.rssBytes / 1048576)} MiB | ${(s.client.cpuMs / 1000).toFixed(1)} s |`,
    ),
  ];
  return lines.join('\n');
}
