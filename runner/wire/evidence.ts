import type { EvidenceDetail } from '../verdict.js';
import type { WireEvent } from './types.js';

/** A connection's ending as the case timeline shows it (absolute time, like WireEvent.t). */
export interface ConnectionMoment {
  t: number;
  what: string;
  detail: EvidenceDetail;
}

const ENDINGS: Partial<Record<WireEvent['kind'], (e: WireEvent) => string | null>> = {
  fin: (e) => `connection #${e.connectionId} ended by the peer (FIN)`,
  rst: (e) => `connection #${e.connectionId} reset (RST)${e.note ? `: ${e.note}` : ''}`,
  error: (e) => `connection #${e.connectionId} socket error${e.note ? `: ${e.note}` : ''}`,
  close: (e) => `connection #${e.connectionId} ${e.note ?? 'closed by us'}`,
  // HTTP/2: the server ending a stream or the connection says so in a frame, not a FIN.
  frame: (e) => (e.note !== undefined && /^← (RST_STREAM|GOAWAY)/.test(e.note) ? `connection #${e.connectionId} ${e.note}` : null),
};

/**
 * How a recorded connection ended, for the evidence: the peer's FIN or RST, a socket error, or
 * our own close (after a deadline, a cap, a malformed answer, or because the scenario was done).
 * Reads, writes and heads are the drivers' to note: they know which request a read answers.
 */
export function connectionEndings(events: readonly WireEvent[]): ConnectionMoment[] {
  const out: ConnectionMoment[] = [];
  for (const e of events) {
    const what = ENDINGS[e.kind]?.(e) ?? null;
    if (what !== null) out.push({ t: e.t, what, detail: { kind: 'connection-end', conn: e.connectionId } });
  }
  return out;
}
