/** load.json: the canonical record of a load run; the table and load.html render from it. */
import type { RampResult } from './ramp.js';
import type { LoadTransport } from './subscriber.js';
import type { LoadVerdict } from './verdicts.js';

/** `load --worker i/n`: which share of the load this report holds. */
export interface LoadWorkerInfo {
  index: number;
  count: number;
  /** this worker's share of each step of `steps` */
  shares: number[];
  /** the machine's host name: workers on one machine share its source addresses, so they are one client to the server */
  host: string;
}

/** One worker of a merged load, as its own load.json had it (its samples are pooled into the merged steps). */
export interface MergedWorker {
  file: string;
  index: number;
  startedAt: string;
  durationMs: number;
  environment: LoadReport['environment'];
  result: RampResult;
  verdicts: LoadVerdict[];
}

export interface LoadReport {
  schemaVersion: 1;
  kind: 'pushspec-load';
  tool: { name: 'pushspec'; version: string };
  target: { name: string; baseUrl: string; fixture: boolean };
  transport: LoadTransport;
  startedAt: string;
  durationMs: number;
  environment: {
    node: string;
    platform: string;
    cpus: number;
    openFileLimit: number | null;
    ephemeralPorts: string;
    rttMs: number;
    epsilonMs: number;
    /** the long poll's hold (declared or measured) */
    holdMs: number | null;
    holdSource: 'declared' | 'measured' | null;
    /** what the ordinary request is */
    ordinaryRequest: string;
    /** https targets: how the certificate was trusted */
    tls?: { insecure: boolean; caPath: string | null };
  };
  steps: number[];
  /** present when this machine ran one share of the load (`--worker i/n`) */
  worker?: LoadWorkerInfo;
  /** present in the report `pushspec merge` writes from the workers' load.json files */
  merged?: {
    workers: MergedWorker[];
    /**
     * Per merged step: how long every worker held its share at once (ms, from their wall clocks);
     * ≤ 0 means the workers' holds did not overlap, so the step's total was never held at once.
     */
    overlapMs: number[];
  };
  result: RampResult;
  verdicts: LoadVerdict[];
  exitCode: 0 | 1 | 2;
}

export function loadExitCode(verdicts: readonly LoadVerdict[]): 0 | 1 {
  return verdicts.some((v) => v.outcome === 'fail') ? 1 : 0;
}
