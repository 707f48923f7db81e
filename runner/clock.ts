import { performance } from 'node:perf_hooks';

/**
 * One monotonic clock for everything a case records (sends, reads, publishes), so offsets
 * between them are meaningful. Captured at module load so fake timers installed by tests
 * cannot corrupt the harness's own durations (mocha GH-237).
 */
const now = performance.now.bind(performance);

export interface Clock {
  /** Milliseconds on a monotonic clock; only differences are meaningful. */
  now(): number;
}

export const systemClock: Clock = { now };
