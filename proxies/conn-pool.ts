/**
 * conn-pool(connections): a reverse proxy that multiplexes all clients onto at most `connections`
 * keep-alive backend connections and queues the rest (Apache mod_jk pools, "often 8 or 16",
 * RFC 6202 §5.3). The (n+1)th concurrent request waits until a connection frees up.
 */
import type { Hop } from './hop.js';
import { startPool } from './pool.js';

export interface ConnPoolParams {
  connections: number;
}

export function connPool(params: ConnPoolParams): Hop {
  const { connections } = params;
  if (!(Number.isInteger(connections) && connections >= 1))
    throw new RangeError(`conn-pool: connections must be an integer >= 1, got ${connections}`);
  return {
    name: `conn-pool(${connections})`,
    describe: `sends all requests, from every client, over at most ${connections} backend connections; request ${connections + 1} waits for one to free up`,
    start: (upstream, options) => startPool(upstream, { maxConnections: connections, keyOf: () => 'backend' }, options),
  };
}
