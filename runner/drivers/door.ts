import type { EvidenceDetail } from '../verdict.js';
import type { RecordedConnection } from '../wire/index.js';

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
