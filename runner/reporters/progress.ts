import type { CaseResult } from '../report.js';
import { RunTally, type RunObserver } from '../run-observer.js';
import { painter, type Paint } from './colour.js';

/** Silence after which the console says what the run is waiting for. */
export const WAITING_LINE_MS = 5000;

/**
 * The default console progress: one line per case as it settles (not in plan order, so a long
 * wait on one case does not hold back the lines of the others), and while nothing settles, a
 * line every WAITING_LINE_MS saying how many cases are still open and which has run longest.
 */
export class LiveProgress implements RunObserver {
  private readonly tally: RunTally;
  private lastLine: number;
  private readonly timer: NodeJS.Timeout;
  private readonly paint: Paint;
  private readonly width: number;

  constructor(
    private readonly total: number,
    private readonly write: (line: string) => void,
    colour: boolean,
    private readonly now: () => number,
  ) {
    this.tally = new RunTally(now);
    this.tally.planned(total);
    this.paint = painter(colour);
    this.width = String(total).length;
    this.lastLine = now();
    write(`  ${total} cases`);
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  caseStarted(key: string): void {
    this.tally.caseStarted(key);
  }

  caseDone(r: CaseResult): void {
    this.tally.caseDone(r);
    const verdict = this.paint(r.verdict, r.verdict.toUpperCase().padEnd(12));
    this.emit(
      `  [${String(this.tally.done).padStart(this.width)}/${this.total}] ${verdict} ${r.id}@${r.via} (${(r.durationMs / 1000).toFixed(1)} s)`,
    );
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** What is still open, for an interrupt message. */
  open(): { done: number; total: number; running: string[] } {
    return this.tally.open();
  }

  /** Called every second; public so tests can drive it on their own clock. */
  tick(): void {
    const t = this.now();
    if (t - this.lastLine < WAITING_LINE_MS || this.tally.done >= this.total) return;
    const oldest = this.tally.oldest();
    const longest = oldest ? ` (longest: ${oldest[0]}, ${((t - oldest[1]) / 1000).toFixed(0)} s)` : '';
    this.emit(`  … waiting on ${this.total - this.tally.done} case(s)${longest}`);
  }

  private emit(line: string): void {
    this.lastLine = this.now();
    this.write(line);
  }
}
