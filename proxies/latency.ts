/**
 * latency(delayMs): every read is forwarded delayMs later, in both directions, FIN included, so a
 * round trip through the hop costs 2 × delayMs more (RFC 6202 §2.2's "three network transits"
 * become measurable on loopback). Order and bytes are preserved.
 */
import { type Hop, Scope, ms } from './hop.js';
import { type Link, startTcpHop } from './link.js';

export interface LatencyParams {
  /** Added to every read, each way. */
  delayMs: number;
}

export function latency(params: LatencyParams): Hop {
  const { delayMs } = params;
  if (!(delayMs >= 0)) throw new RangeError(`latency: delayMs must be >= 0, got ${delayMs}`);
  return {
    name: `latency(${ms(delayMs)})`,
    describe: `delays every read ${delayMs} ms in each direction (FIN too); bytes and order unchanged`,
    start: (upstream, options) =>
      startTcpHop({
        scope: new Scope(options?.clock),
        upstream,
        ...options,
        hooks: (link: Link) => {
          // Timers of equal delay fire in creation order, so a plain timer per read keeps order.
          const later = (fn: () => void): void => {
            link.scope.timer(delayMs, fn);
          };
          return {
            fromClient: (data) => later(() => link.toServer(data)),
            fromServer: (data) => later(() => link.toClient(data)),
            clientEnded: () => later(() => link.endServer()),
            serverEnded: () => later(() => link.endClient()),
          };
        },
      }),
  };
}
