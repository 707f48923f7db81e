/** `pushspec load` flags, each error naming the flag, the value and what is expected (exit 2, before anything runs). */
import { HarnessError } from '../errors.js';
import { LOAD_DEFAULTS } from '../defaults.js';
import type { LoadTransport } from './subscriber.js';
import { MAX_SOURCE_ADDRESSES } from './system.js';
import { parseWorker, type Worker } from './worker.js';
import { MAX_SHARDS } from '../shard.js';

export interface RawLoadFlags {
  target?: string;
  fixture?: boolean;
  transport?: string;
  steps?: string;
  holdSteps?: string;
  sourceAddresses?: string;
  reportDir?: string;
  report?: boolean;
  ca?: string;
  insecure?: boolean;
  worker?: string;
}

export interface LoadFlags {
  target: string | null;
  fixture: boolean;
  transport: LoadTransport;
  steps: number[];
  /** seconds each step waits with all N held before the publish; null = derived from the hold */
  holdStepsS: number | null;
  sourceAddresses: number | null;
  reportDir: string | null;
  caPath: string | null;
  insecure: boolean;
  /** --worker i/n: this machine holds its share of every step; null = the whole load */
  worker: Worker | null;
}

export const LOAD_TRANSPORTS: readonly LoadTransport[] = ['longPoll', 'stream', 'sse'];
/** Far beyond what one client machine holds; a typo of an extra zero is caught here, not by the kernel. */
export const MAX_STEP = 1_000_000;

function usage(flag: string, value: string, expected: string): HarnessError {
  return new HarnessError('PUSHSPEC_E_USAGE', `${flag} ${JSON.stringify(value)}: expected ${expected}`);
}

function parseSteps(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  const steps = parts.map(Number);
  const bad = parts.find((p, i) => p === '' || !Number.isInteger(steps[i]) || (steps[i] ?? 0) < 1 || (steps[i] ?? 0) > MAX_STEP);
  if (bad !== undefined)
    throw usage('--steps', v, `comma-separated whole numbers from 1 to ${MAX_STEP} (${JSON.stringify(bad)} is not one), e.g. 10,100,1000`);
  if (steps.some((n, i) => i > 0 && n <= (steps[i - 1] ?? 0)))
    throw usage('--steps', v, 'increasing numbers (each step holds more than the one before), e.g. 10,100,1000');
  return steps;
}

export function validateLoadFlags(f: RawLoadFlags): LoadFlags {
  if (f.target !== undefined && f.fixture === true)
    throw new HarnessError('PUSHSPEC_E_USAGE', '--fixture runs the bundled reference server; it cannot be combined with --target');
  if (f.target === undefined && f.fixture !== true)
    throw new HarnessError(
      'PUSHSPEC_E_USAGE',
      'no target: expected --target FILE (a manifest) or --fixture (the bundled reference server)',
    );
  const asked = f.transport ?? LOAD_DEFAULTS.transport;
  const transport = LOAD_TRANSPORTS.find((t) => t === asked);
  if (transport === undefined) throw usage('--transport', asked, `one of ${LOAD_TRANSPORTS.join(', ')}`);
  let holdStepsS: number | null = null;
  if (f.holdSteps !== undefined) {
    const n = Number(f.holdSteps);
    if (f.holdSteps.trim() === '' || !Number.isFinite(n) || n < 0 || n > 3600)
      throw usage('--hold-steps', f.holdSteps, 'seconds from 0 to 3600 (the wait with all N held before the event is published)');
    holdStepsS = n;
  }
  let sourceAddresses: number | null = null;
  if (f.sourceAddresses !== undefined) {
    const n = Number(f.sourceAddresses);
    if (!Number.isInteger(n) || n < 1 || n > MAX_SOURCE_ADDRESSES)
      throw usage(
        '--source-addresses',
        f.sourceAddresses,
        `a whole number from 1 to ${MAX_SOURCE_ADDRESSES} (loopback addresses 127.0.0.2 onwards)`,
      );
    sourceAddresses = n;
  }
  const steps = parseSteps(f.steps ?? LOAD_DEFAULTS.steps);
  const worker = parseWorkerFlag(f, steps);
  return {
    target: f.target ?? null,
    fixture: f.fixture === true,
    transport,
    steps,
    holdStepsS,
    sourceAddresses,
    reportDir: f.report === false ? null : (f.reportDir ?? LOAD_DEFAULTS.reportDir),
    caPath: f.ca ?? null,
    insecure: f.insecure === true,
    worker,
  };
}

function parseWorkerFlag(f: RawLoadFlags, steps: readonly number[]): Worker | null {
  if (f.worker === undefined) return null;
  const w = parseWorker(f.worker);
  if (w === null)
    throw usage('--worker', f.worker, `i/n with whole numbers 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, e.g. 2/4 (the second of four machines)`);
  // Each worker starting its own reference server would be n targets, not one load split n ways.
  if (f.fixture === true)
    throw usage(
      '--worker',
      f.worker,
      '--target FILE, the one server every worker loads (--fixture starts a private server per machine, which cannot be merged into one load)',
    );
  const small = steps.find((n) => n < w.count);
  if (small !== undefined)
    throw usage(
      '--worker',
      f.worker,
      `every step at least n = ${w.count}, so each worker holds one request or more (--steps has ${small})`,
    );
  return w;
}
