/**
 * client-pool(connectionsPerHost): a browser's connection pool made explicit: at most k
 * connections per host (Host header), extra requests queued (Chromium and Firefox: 6 per host
 * for HTTP/1.1; RFC 6202 §5.1). The 7th concurrent long poll or stream to one host waits.
 */
import type { Hop } from './hop.js';
import { startPool } from './pool.js';

export interface ClientPoolParams {
  /** Chromium g_max_sockets_per_group, Firefox max-persistent-connections-per-server: 6. */
  connectionsPerHost?: number;
}

export function clientPool(params: ClientPoolParams = {}): Hop {
  const { connectionsPerHost = 6 } = params;
  if (!(Number.isInteger(connectionsPerHost) && connectionsPerHost >= 1)) {
    throw new RangeError(`client-pool: connectionsPerHost must be an integer >= 1, got ${connectionsPerHost}`);
  }
  return {
    name: `client-pool(${connectionsPerHost})`,
    describe: `behaves like a browser: at most ${connectionsPerHost} concurrent connections per host, request ${connectionsPerHost + 1} to the same host queues until one frees up`,
    start: (upstream, options) =>
      startPool(upstream, { maxConnections: connectionsPerHost, keyOf: (req) => req.headers.host ?? '' }, options),
  };
}
