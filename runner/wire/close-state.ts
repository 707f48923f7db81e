import type { Clock } from '../clock.js';
import type { CloseHow, CloseWait } from './recorded.js';
import { waitFor } from './wait-for.js';

/**
 * Whether and how a recorded connection closed, and the waits on it: one copy for the HTTP/1.x
 * and the HTTP/2 recorder. The first close counts; later ones (our cleanup after the peer's FIN)
 * change nothing.
 */
export class CloseState {
  closed = false;
  how: CloseHow | null = null;
  t = 0;
  private readonly waiters = new Set<() => void>();

  /** Records the close; false when the connection had already closed. */
  mark(how: CloseHow, t: number): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.how = how;
    this.t = t;
    for (const notify of [...this.waiters]) notify();
    return true;
  }

  /** Until the connection closes or ms pass; `stray` adds what arrived with no response outstanding. */
  wait(ms: number, clock: Clock, stray: Pick<CloseWait, 'strayBytes' | 'stray'>): Promise<CloseWait> {
    const result = (how: CloseWait['how'], t: number): CloseWait => ({ how, t, strayBytes: stray.strayBytes, stray: stray.stray });
    return waitFor(
      this.waiters,
      () => (this.closed ? result(this.how ?? 'local', this.t) : null),
      ms,
      () => result('timeout', clock.now()),
      (d, fn) => clock.timer(d, fn),
    );
  }
}
