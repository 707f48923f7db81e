/**
 * total-timeout(totalMs): caps each exchange at totalMs from its request head, however much data
 * flows (Envoy's 15 s route timeout, API Gateway's 29 s). Before any response byte the client
 * gets `status`; after that the connection is cut, so a stream that is still going loses its end.
 */
import { ExchangeWatch, watchedPassThrough } from './exchange-watch.js';
import { type Hop, Scope, errorResponse, ms } from './hop.js';
import { type Link, startTcpHop } from './link.js';

export interface TotalTimeoutParams {
  totalMs: number;
  /** Status when nothing of the response was sent yet (default 504, as Envoy). */
  status?: number;
  cutWith?: 'fin' | 'rst';
}

export function totalTimeout(params: TotalTimeoutParams): Hop {
  const { totalMs, status = 504, cutWith = 'fin' } = params;
  if (!(totalMs > 0)) throw new RangeError(`total-timeout: totalMs must be > 0, got ${totalMs}`);
  return {
    name: `total-timeout(${ms(totalMs)})`,
    describe: `ends every exchange ${totalMs} ms after its request: ${status} if the response has not started, otherwise the connection is cut (${cutWith === 'fin' ? 'FIN' : 'RST'})`,
    timeouts: { totalMs, status },
    start: (upstream, options) =>
      startTcpHop({
        scope: new Scope(options?.clock),
        upstream,
        ...options,
        hooks: (link: Link) => {
          let cancel: (() => void) | undefined;
          const fire = (): void => {
            cancel = undefined;
            if (watch.awaitingFirstByte) {
              link.event(`answered ${status}: exchange exceeded ${totalMs} ms before any response byte`);
              link.upstream.destroy();
              link.toClient(errorResponse(status, `upstream request timeout (${totalMs} ms)`));
              link.cut('fin');
              return;
            }
            link.event(`cut (${cutWith}): exchange exceeded ${totalMs} ms`);
            link.cut(cutWith);
          };
          const watch: ExchangeWatch = new ExchangeWatch({
            log: link.event,
            requestHead: () => {
              cancel ??= link.scope.timer(totalMs, fire);
            },
            responseEnd: () => {
              cancel?.();
              cancel = undefined;
              // The next pipelined exchange gets a clock of its own from here.
              if (watch.outstanding) cancel = link.scope.timer(totalMs, fire);
            },
          });
          return watchedPassThrough(link, watch, () => cancel?.());
        },
      }),
  };
}
