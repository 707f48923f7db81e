import { setImmediate as turn } from 'node:timers/promises';
import { sleepOn, type Clock } from '../../runner/clock.js';

interface Pending {
  at: number;
  fn: () => void;
}

/**
 * A clock that moves only when the test says so, for hop and driver tests where timing is not
 * the point: a 60 s idle timeout fires after `advance(60_000)`, at once and every time, however
 * busy the machine is. Sockets stay real; only the timers the code under test asks of its clock
 * are fake. Node's own timers (socket timeouts) are not touched.
 */
export class FakeClock implements Clock {
  #t = 1_000;
  #seq = 0;
  readonly #timers = new Map<number, Pending>();

  now(): number {
    return this.#t;
  }

  timer(ms: number, fn: () => void): () => void {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#t + Math.max(0, ms), fn });
    return () => this.#timers.delete(id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn((d, fn) => this.timer(d, fn), ms, signal);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Moves time forward by `ms`, firing due timers in time order (ties in the order they were
   * set), with a few turns of the event loop before each so I/O callbacks and promise chains
   * they started can run.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#t + ms;
    for (;;) {
      await settle();
      let next: [number, Pending] | undefined;
      for (const e of this.#timers) if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#t = Math.max(this.#t, next[1].at);
      next[1].fn();
    }
    this.#t = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await turn();
}
