/** load.json: the canonical record of a load run; the table and load.html render from it. */
import type { RampResult } from './ramp.js';
import type { LoadTransport } from './subscriber.js';
import type { LoadVerdict } from './verdicts.js';

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
  result: RampResult;
  verdicts: LoadVerdict[];
  exitCode: 0 | 1 | 2;
}

export function loadExitCode(verdicts: readonly LoadVerdict[]): 0 | 1 {
  return verdicts.some((v) => v.outcome === 'fail') ? 1 : 0;
}
