/**
 * Composes hops into one intermediary: client → hops[0] → hops[1] → … → upstream. Hops start
 * server-side first, because each needs the URL of the one behind it.
 */
import { EventLog, type Hop, type RunningHop, type StartOptions } from './hop.js';

export async function startChain(hops: readonly Hop[], upstream: URL, options: StartOptions = {}): Promise<RunningHop> {
  if (hops.length === 0) throw new RangeError('startChain: a chain needs at least one hop (use direct() for none)');
  const log = new EventLog();
  const running: RunningHop[] = [];
  const unwatch: (() => void)[] = [];
  const closeAll = async (): Promise<void> => {
    // A real program's own log is read when it stops: stay subscribed until every hop is closed.
    await Promise.all(running.map((hop) => hop.close()));
    for (const stop of unwatch) stop();
  };
  try {
    let next = upstream;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i];
      if (hop === undefined) continue;
      const started = await hop.start(next, i === 0 ? options : {});
      running.push(started);
      // Every hop's events land in one log, in the order they happened, tagged with the hop.
      const prefix = hops.length === 1 ? '' : `${hop.name}: `;
      // Events recorded while the hop was starting (a real program's start-up) come first.
      for (const event of started.events) log.add(`${prefix}${event.what}`, event.t);
      if (started.watch) unwatch.push(started.watch((event) => log.add(`${prefix}${event.what}`, event.t)));
      next = started.url;
    }
    const front = running[running.length - 1];
    if (front === undefined) throw new Error('startChain: no hop started');
    let closing: Promise<void> | undefined;
    return {
      url: front.url,
      events: log.events,
      watch: (listener) => log.watch(listener),
      close: () => (closing ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
