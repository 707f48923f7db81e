/**
 * first-byte-timeout(firstByteMs): answers `status` when a request has had no response byte for
 * firstByteMs (Heroku's 30 s H12 → 503, Varnish first_byte_timeout 60 s → 503, nginx 504). Once a
 * response starts, this hop never interferes: a long stream is somebody else's timeout.
 */
import { ExchangeWatch, watchedPassThrough } from './exchange-watch.js';
import { type Hop, Scope, errorResponse, ms } from './hop.js';
import { type Link, startTcpHop } from './link.js';

export interface FirstByteTimeoutParams {
  firstByteMs: number;
  /** Status of the error page (default 504). */
  status?: number;
}

export function firstByteTimeout(params: FirstByteTimeoutParams): Hop {
  const { firstByteMs, status = 504 } = params;
  if (!(firstByteMs > 0)) throw new RangeError(`first-byte-timeout: firstByteMs must be > 0, got ${firstByteMs}`);
  return {
    name: `first-byte-timeout(${ms(firstByteMs)}, ${status})`,
    describe: `answers ${status} and closes when a request gets no response byte within ${firstByteMs} ms; responses that have started are left alone`,
    timeouts: { firstByteMs, status },
    start: (upstream, options) =>
      startTcpHop({
        scope: new Scope(options?.clock),
        upstream,
        ...options,
        hooks: (link: Link) => {
          let cancel: (() => void) | undefined;
          const stop = (): void => {
            cancel?.();
            cancel = undefined;
          };
          const fire = (): void => {
            cancel = undefined;
            if (!watch.awaitingFirstByte) return;
            link.event(`answered ${status}: no response byte within ${firstByteMs} ms`);
            link.upstream.destroy();
            link.toClient(errorResponse(status, `no response from upstream within ${firstByteMs} ms`));
            link.cut('fin');
          };
          // Pipelined requests: the next response's clock starts when the previous one ends.
          const armIfWaiting = (): void => {
            if (cancel === undefined && watch.awaitingFirstByte) cancel = link.scope.timer(firstByteMs, fire);
          };
          const watch: ExchangeWatch = new ExchangeWatch({
            log: link.event,
            requestHead: armIfWaiting,
            responseStart: stop,
            responseEnd: armIfWaiting,
          });
          return watchedPassThrough(link, watch, stop);
        },
      }),
  };
}
