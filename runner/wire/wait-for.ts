import { systemClock, type Clock } from '../clock.js';

/**
 * Resolves with `value()` as soon as it is not null — checked now and each time one of `waiters`
 * is called by whoever changes the state — or with `onTimeout()` after ms. The recorders' one way
 * of waiting for a state (a close, a header section, the peer's SETTINGS) without polling.
 */
export function waitFor<T>(
  waiters: Set<() => void>,
  value: () => T | null,
  ms: number,
  onTimeout: () => T,
  /** whose time `ms` is measured on: the connection's clock */
  timer: Clock['timer'] = (d, fn) => systemClock.timer(d, fn),
): Promise<T> {
  const now = value();
  if (now !== null) return Promise.resolve(now);
  return new Promise((resolve) => {
    const check = (): void => {
      const v = value();
      if (v === null) return;
      cancel();
      waiters.delete(check);
      resolve(v);
    };
    const cancel = timer(ms, () => {
      waiters.delete(check);
      resolve(onTimeout());
    });
    waiters.add(check);
  });
}
