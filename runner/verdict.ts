/**
 * Verdict model (DESIGN.md §2). A failed `should` is a warn; `error` means the harness broke;
 * `inconclusive` means no stimulus, a noisy measurement, or an unreachable/garbled target:
 * never evidence of non-conformance.
 */

export type Outcome = 'pass' | 'fail' | 'warn' | 'inconclusive' | 'skip' | 'error';

export const OUTCOMES: readonly Outcome[] = ['pass', 'fail', 'warn', 'inconclusive', 'skip', 'error'];

/**
 * What a moment on a case's timeline is, so every renderer draws it without reading the prose:
 * a request written, a response head or body bytes read, a response's framing complete, a
 * publish fired, a connection opened or ended (FIN, RST, error, our close), something an
 * intermediary on the path did, or a note.
 */
export type EvidenceKind =
  'request' | 'response-head' | 'body-read' | 'response-end' | 'publish' | 'connection-open' | 'connection-end' | 'hop' | 'note';

export const EVIDENCE_KINDS: readonly EvidenceKind[] = [
  'request',
  'response-head',
  'body-read',
  'response-end',
  'publish',
  'connection-open',
  'connection-end',
  'hop',
  'note',
];

/** One line of evidence: a moment on the case's timeline, in ms from the case start. */
export interface EvidenceItem {
  t: number;
  kind: EvidenceKind;
  /** the recorded connection it happened on (WireConnection.id), when it happened on one */
  conn?: number;
  /** bytes written or read, when the moment is a write or a read */
  bytes?: number;
  /** the human text */
  what: string;
}

/** What a producer may say about a moment besides its text and time; the kind defaults to note. */
export interface EvidenceDetail {
  kind?: EvidenceKind;
  conn?: number;
  bytes?: number;
}

/**
 * Evidence in time order; equal times keep the order they were recorded in (a stable sort). A
 * time that is not a finite number (a tampered or foreign report) sorts last.
 */
export function byTime<E extends { t: unknown }>(items: readonly E[]): E[] {
  const key = (e: E): number => (typeof e.t === 'number' && Number.isFinite(e.t) ? e.t : Number.POSITIVE_INFINITY);
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * Who a fail, warn or error is down to: the server under test, an intermediary on the path (the
 * same requirement holds direct), the harness itself, or the client side (browser limits).
 */
export type Cause = 'server' | 'intermediary' | 'harness' | 'client';

export type Measurements = Record<string, number | string | boolean | null>;

/** Events the publish hook accepted (2xx) while a subscription was open that never arrived. */
export interface Loss {
  published: number;
  lost: number;
}

export interface Verdict {
  outcome: Outcome;
  expected: string;
  actual: string;
  measurements: Measurements;
  evidence: EvidenceItem[];
  /** set when the violation is lost events: the runner re-runs the case alone and reports a rate */
  loss?: Loss;
  /**
   * How far past its tolerance a timing measurement was (ms): the runner calls a solo timing
   * failure inconclusive when its own event loop stalled at least this long. Absent when the
   * violation is not a finite overshoot (nothing arrived, a wrong status).
   */
  excessMs?: number;
}

export interface VerdictDetails {
  measurements?: Measurements;
  evidence?: EvidenceItem[];
  excessMs?: number;
}

function make(outcome: Outcome, expected: string, actual: string, d: VerdictDetails = {}): Verdict {
  return {
    outcome,
    expected,
    actual,
    measurements: d.measurements ?? {},
    evidence: d.evidence ?? [],
    ...(d.excessMs === undefined ? {} : { excessMs: d.excessMs }),
  };
}

/** The expectation of a case whose scenario could not be carried out (Inconclusive). */
export const SCENARIO_EXPECTED = 'the scenario can be carried out against the target';

export const verdict = {
  pass: (expected: string, actual: string, d?: VerdictDetails) => make('pass', expected, actual, d),
  /** A violation; the runner turns it into `warn` for `should` requirements. */
  violation: (expected: string, actual: string, d?: VerdictDetails) => make('fail', expected, actual, d),
  /** A violation that is only ever a warning, whatever the requirement's level. */
  warn: (expected: string, actual: string, d?: VerdictDetails) => make('warn', expected, actual, d),
  /**
   * Events the server accepted and never delivered. Loss is the server's failure, never
   * inconclusive; the runner re-verifies it alone and reports how often it happens.
   */
  loss: (expected: string, actual: string, loss: Loss, d: VerdictDetails = {}): Verdict => ({
    ...make('fail', expected, actual, { ...d, measurements: { ...d.measurements, published: loss.published, lost: loss.lost } }),
    loss,
  }),
  inconclusive: (expected: string, actual: string, d?: VerdictDetails) => make('inconclusive', expected, actual, d),
  /** What a thrown Inconclusive becomes; evaluate returns it when the observation cannot be judged. */
  unobservable: (actual: string, d?: VerdictDetails) => make('inconclusive', SCENARIO_EXPECTED, actual, d),
  skip: (reason: string) => make('skip', 'n/a', reason),
  error: (expected: string, actual: string, d?: VerdictDetails) => make('error', expected, actual, d),
};

/** Thrown inside a scenario when the stimulus or target makes the case impossible to judge. */
export class Inconclusive extends Error {
  constructor(
    message: string,
    readonly details: VerdictDetails = {},
  ) {
    super(message);
    this.name = 'Inconclusive';
  }
}

/** Thrown inside a scenario when events the server accepted never arrived: a loss verdict, never inconclusive. */
export class Lost extends Error {
  constructor(
    message: string,
    readonly loss: Loss,
    readonly details: VerdictDetails = {},
  ) {
    super(message);
    this.name = 'Lost';
  }
}
