import { systemClock } from '../../runner/clock.js';
import type { Door } from '../../runner/drivers/door.js';
import { WireConnection } from '../../runner/wire/index.js';

/** A Door straight to `origin`, keeping its notes, for driver tests without a whole case. */
export function testDoor(origin: URL): Door & { notes: string[]; close(): void; abort: AbortController } {
  const conns: WireConnection[] = [];
  const notes: string[] = [];
  const abort = new AbortController();
  return {
    notes,
    abort,
    host: origin.host,
    signal: abort.signal,
    now: () => systemClock.now(),
    note: (what) => notes.push(what),
    async connect() {
      const c = await WireConnection.open(origin, { connectTimeoutMs: 5000, clock: systemClock });
      conns.push(c);
      return c;
    },
    close() {
      abort.abort();
      for (const c of conns) c.close();
    },
  };
}
