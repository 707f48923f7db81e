import type { Manifest } from '../manifest/types.js';
import type { EvidenceDetail, EvidenceItem } from '../verdict.js';
import type { RecordedConnection, WireResponse } from '../wire/index.js';

/**
 * What a protocol driver needs from a case, and nothing more: a way to open a recorded
 * connection (through the case's intermediary chain), the case clock, a timeline to note what it
 * did, the Host the target expects and the case's abort signal. CaseContext satisfies it, and a
 * driver test can hand in a small one of its own.
 */
export interface Door {
  connect(): Promise<RecordedConnection>;
  now(): number;
  note(what: string, t?: number, detail?: EvidenceDetail): void;
  readonly signal: AbortSignal;
  /** the Host header value of the target */
  readonly host: string;
}

/**
 * What the long-poll and stream drivers need besides a Door: the manifest's endpoints, the
 * case's slack and time scale, a paced wait, and where to report every response the server gave.
 * Declared here, apart from CaseContext, so drivers and the shared probes do not import the
 * context that imports them.
 */
export interface CaseDoor extends Door {
  readonly manifest: Manifest;
  /** slack for "as soon as" (ε) on this case's path */
  readonly epsilonMs: number;
  /** a base wait scaled by --time-scale */
  ms(base: number): number;
  /** resolves after ms on the case clock, or early when the case is aborted */
  pause(ms: number): Promise<void>;
  sawResponse(res: Pick<WireResponse, 'status' | 'headers'>): void;
  connect(o?: { streamWindowBytes?: number }): Promise<RecordedConnection>;
}

/** A context of its own for a shared observation (SharedProbes): a door, a channel, its timeline, its end. */
export interface ProbeDoor extends CaseDoor {
  readonly channel: string;
  readonly t0: number;
  readonly timeline: EvidenceItem[];
  dispose(): void;
}
