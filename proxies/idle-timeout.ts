/**
 * idle-timeout(idleMs): cuts a connection on which no byte has moved, in either direction, for
 * idleMs (nginx proxy_read_timeout, ELB idle timeout, Cloudflare's 100 s, Heroku's rolling 55 s
 * window). What haproxy and nginx were measured to do: a stream in progress just ends (a chunked
 * body loses its terminating 0-chunk; a close-delimited one looks complete), while a request
 * still waiting for its first response byte gets an error page when `status` is set (nginx 504,
 * Cloudflare 524). Bytes pass unchanged.
 */
import { ExchangeWatch, watchedPassThrough } from './exchange-watch.js';
import { type Hop, Scope, errorResponse, ms } from './hop.js';
import { type Link, startTcpHop } from './link.js';

export interface IdleTimeoutParams {
  idleMs: number;
  /** Error status for a request that got no response byte at all; omitted = just close. */
  status?: number;
  /** How an exchange in progress is cut: FIN (the default; what was measured) or RST. */
  cutWith?: 'fin' | 'rst';
}

export function idleTimeout(params: IdleTimeoutParams): Hop {
  const { idleMs, status, cutWith = 'fin' } = params;
  if (!(idleMs > 0)) throw new RangeError(`idle-timeout: idleMs must be > 0, got ${idleMs}`);
  const answer = status === undefined ? '' : `; a request with no response byte yet gets ${status}`;
  return {
    name: status === undefined ? `idle-timeout(${ms(idleMs)})` : `idle-timeout(${ms(idleMs)}, ${status})`,
    describe: `closes a connection after ${idleMs} ms without a byte in either direction (${cutWith === 'fin' ? 'FIN' : 'RST'}; a chunked stream loses its last chunk)${answer}`,
    timeouts: status === undefined ? { idleMs } : { idleMs, firstByteMs: idleMs, status },
    start: (upstream, options) =>
      startTcpHop({
        scope: new Scope(options?.clock),
        upstream,
        ...options,
        hooks: (link: Link) => {
          const watch = new ExchangeWatch({ log: link.event });
          let cancel = (): void => undefined;
          const fire = (): void => {
            if (status !== undefined && watch.awaitingFirstByte) {
              link.event(`answered ${status} after ${idleMs} ms idle with no response byte`);
              link.upstream.destroy();
              link.toClient(errorResponse(status, `no response from upstream within ${idleMs} ms`));
              link.cut('fin');
              return;
            }
            link.event(`cut (${cutWith}) after ${idleMs} ms idle${watch.outstanding ? ' in the middle of a response' : ''}`);
            link.cut(cutWith);
          };
          const arm = (): void => {
            cancel();
            cancel = link.scope.timer(idleMs, fire);
          };
          arm();
          return watchedPassThrough(link, watch, () => cancel(), arm);
        },
      }),
  };
}
