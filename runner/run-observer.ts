import type { CaseResult } from './report.js';

/** Told about the plan and every case as it starts and settles (progress lines, the interrupt message). */
export interface RunObserver {
  planned?(total: number): void;
  caseStarted?(key: string): void;
  caseDone?(result: CaseResult): void;
}

/** A run as it goes: how many cases are planned and done, and which are running since when. */
export class RunTally implements RunObserver {
  total = 0;
  done = 0;
  /** case key → when it first started (a re-run keeps the first start) */
  readonly running = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  planned(total: number): void {
    this.total = total;
  }

  caseStarted(key: string): void {
    if (!this.running.has(key)) this.running.set(key, this.now());
  }

  caseDone(r: CaseResult): void {
    this.done += 1;
    this.running.delete(`${r.id}@${r.via}`);
  }

  open(): { done: number; total: number; running: string[] } {
    return { done: this.done, total: this.total, running: [...this.running.keys()] };
  }

  /** The case running longest, with its start time. */
  oldest(): [string, number] | undefined {
    return [...this.running].sort((a, b) => a[1] - b[1])[0];
  }
}
