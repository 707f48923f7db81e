import { performance } from 'node:perf_hooks';

/**
 * One monotonic clock for everything a case records (sends, reads, publishes) and every wait it
 * paces, so offsets between them are meaningful. Captured at module load so fake timers installed
 * by tests cannot corrupt the harness's own durations (mocha GH-237); a test that wants time to
 * pass on its own terms hands a fake Clock in instead (test/helpers/fake-clock.ts).
 */
const now = performance.now.bind(performance);

export interface Clock {
  /** Milliseconds on a monotonic clock; only differences are meaningful. */
  now(): number;
  /** Runs `fn` once after `ms`; returns its cancel function. */
  timer(ms: number, fn: () => void): () => void;
  /** Resolves after `ms`, or at once when `signal` aborts (never rejects: pacing, not a deadline). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** `sleep` built on a clock's `timer`, so a fake clock's sleeps advance with its timers. */
export function sleepOn(timer: Clock['timer'], ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const cancel = timer(Math.max(0, ms), done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function timer(ms: number, fn: () => void): () => void {
  const handle = setTimeout(fn, Math.max(0, ms));
  return () => clearTimeout(handle);
}

export const systemClock: Clock = { now, timer, sleep: (ms, signal) => sleepOn(timer, ms, signal) };
