import type { CaseResult } from '../report.js';
import { painter, type Paint } from './colour.js';

/** Silence after which the console says what the run is waiting for. */
export const WAITING_LINE_MS = 5000;

/**
 * The default console progress: one line per case as it settles (not in plan order, so a long
 * wait on one case does not hold back the lines of the others), and while nothing settles, a
 * line every WAITING_LINE_MS saying how many cases are still open and which has run longest.
 */
export class LiveProgress {
  private done = 0;
  private readonly started = new Map<string, number>();
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
    this.paint = painter(colour);
    this.width = String(total).length;
    this.lastLine = now();
    write(`  ${total} cases`);
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  caseStarted(key: string): void {
    if (!this.started.has(key)) this.started.set(key, this.now());
  }

  caseDone(r: CaseResult): void {
    this.done += 1;
    const key = `${r.id}@${r.via}`;
    this.started.delete(key);
    const verdict = this.paint(r.verdict, r.verdict.toUpperCase().padEnd(12));
    this.emit(`  [${String(this.done).padStart(this.width)}/${this.total}] ${verdict} ${key} (${(r.durationMs / 1000).toFixed(1)} s)`);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** What is still open, for an interrupt message. */
  open(): { done: number; total: number; running: string[] } {
    return { done: this.done, total: this.total, running: [...this.started.keys()] };
  }

  /** Called every second; public so tests can drive it on their own clock. */
  tick(): void {
    const t = this.now();
    if (t - this.lastLine < WAITING_LINE_MS || this.done >= this.total) return;
    const oldest = [...this.started].sort((a, b) => a[1] - b[1])[0];
    const longest = oldest ? ` (longest: ${oldest[0]}, ${((t - oldest[1]) / 1000).toFixed(0)} s)` : '';
    this.emit(`  … waiting on ${this.total - this.done} case(s)${longest}`);
  }

  private emit(line: string): void {
    this.lastLine = this.now();
    this.write(line);
  }
}
