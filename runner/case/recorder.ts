import type { Clock } from '../clock.js';
import { header, type WireResponse } from '../wire/index.js';
import { HOP_GENERATED_HEADER } from '../../proxies/hop.js';
import type { EvidenceDetail, EvidenceItem } from '../verdict.js';

/** A case's timeline is capped: a hostile server that answers in a tight loop cannot grow it without bound. */
const TIMELINE_CAP = 500;
const STATUS_CAP = 100;

/**
 * What a case saw, in its own time: the evidence timeline (ms from the case start) and the status
 * of every response the server itself gave (for diagnosis). A request through another chain
 * (`CaseContext.through`) records into the same recorder through a view that names the chain.
 */
export class CaseRecorder {
  readonly t0: number;
  readonly timeline: EvidenceItem[] = [];
  /** the status of every response the case read, through any chain */
  readonly statuses: number[] = [];

  constructor(private readonly clock: Pick<Clock, 'now'>) {
    this.t0 = clock.now();
  }

  /** ms since the case started, to a tenth */
  rel(t: number): number {
    return Math.round((t - this.t0) * 10) / 10;
  }

  /** Adds a moment; `detail` types it (request, response head, …) so reports draw it without reading the text. */
  note(what: string, t: number = this.clock.now(), detail: EvidenceDetail = {}): void {
    if (this.timeline.length >= TIMELINE_CAP) return;
    const item: EvidenceItem = { t: this.rel(t), kind: detail.kind ?? 'note', what };
    if (detail.conn !== undefined) item.conn = detail.conn;
    if (detail.bytes !== undefined) item.bytes = detail.bytes;
    this.timeline.push(item);
  }

  /** A response read on any chain; an error page a simulated hop wrote itself is not the server's. */
  sawResponse(res: Pick<WireResponse, 'status' | 'headers'>): void {
    if (header(res, HOP_GENERATED_HEADER) !== undefined) return;
    if (this.statuses.length < STATUS_CAP) this.statuses.push(res.status);
  }
}

/** What a child context records goes to its parent's recorder, each line naming the chain it went through. */
export class ChainRecorderView implements Recorder {
  constructor(
    private readonly root: Recorder,
    private readonly prefix: string,
  ) {}

  get t0(): number {
    return this.root.t0;
  }

  get timeline(): EvidenceItem[] {
    return this.root.timeline;
  }

  get statuses(): number[] {
    return this.root.statuses;
  }

  rel(t: number): number {
    return this.root.rel(t);
  }

  note(what: string, t?: number, detail?: EvidenceDetail): void {
    this.root.note(`${this.prefix} ${what}`, t, detail);
  }

  sawResponse(res: Pick<WireResponse, 'status' | 'headers'>): void {
    this.root.sawResponse(res);
  }
}

export type Recorder = Pick<CaseRecorder, 't0' | 'timeline' | 'statuses' | 'rel' | 'note' | 'sawResponse'>;
