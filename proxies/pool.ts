/**
 * The engine behind conn-pool and client-pool: a reverse proxy that sends every request over a
 * bounded set of keep-alive upstream connections and queues the rest in arrival order. A held
 * long poll or an endless stream occupies its connection, so once the pool is full every further
 * request waits (RFC 6202 §5.1 for browsers, §5.3 for mod_jk-style backend pools).
 */
import type { Agent, IncomingMessage } from 'node:http';
import { type RunningHop, Scope, type StartOptions } from './hop.js';
import { endToEnd } from '../runner/http/hop-by-hop.js';
import { answerError, flat, newAgent, pairs, relayBody, sendUpstream, startHttpHop } from './http-forward.js';

export interface PoolOptions {
  maxConnections: number;
  /** Requests with the same key share one pool. */
  keyOf(req: IncomingMessage): string;
}

function inUse(agent: Agent): number {
  return Object.values(agent.sockets).reduce((sum, list) => sum + (list?.length ?? 0), 0);
}

export function startPool(upstream: URL, options: PoolOptions, start: StartOptions | undefined): Promise<RunningHop> {
  const scope = new Scope(start?.clock);
  const agents = new Map<string, Agent>();
  let nextId = 1;
  return startHttpHop({
    scope,
    ...(start?.port === undefined ? {} : { port: start.port }),
    onClose: () => {
      for (const agent of agents.values()) agent.destroy();
    },
    handle: (req, res) => {
      const id = nextId++;
      const key = options.keyOf(req);
      let agent = agents.get(key);
      if (agent === undefined) {
        agent = newAgent(options.maxConnections);
        agents.set(key, agent);
      }
      const busy = inUse(agent);
      const queued = busy >= options.maxConnections;
      const label = `request ${id} ${req.method ?? 'GET'} ${req.url ?? '/'}`;
      const arrived = scope.clock.now();
      scope.log.add(
        queued
          ? `${label}: queued (${busy}/${options.maxConnections} connections busy for ${key})`
          : `${label}: sent (${busy + 1}/${options.maxConnections} connections for ${key})`,
      );
      const abort = new AbortController();
      const stop = scope.onClose(() => abort.abort());
      res.once('close', () => {
        stop();
        if (!res.writableFinished) abort.abort();
      });
      sendUpstream(
        upstream,
        {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers: endToEnd(pairs(req.rawHeaders)),
          agent,
          body: req,
          onSocket: () => {
            if (queued) scope.log.add(`${label}: dispatched after ${Math.round(scope.clock.now() - arrived)} ms in the queue`);
          },
        },
        abort.signal,
      ).then(
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage ?? '', flat(endToEnd(pairs(upstreamRes.rawHeaders))));
          res.flushHeaders();
          relayBody(upstreamRes, res);
        },
        (error: unknown) => {
          if (abort.signal.aborted) return;
          scope.log.add(`${label}: upstream failed (${error instanceof Error ? error.message : String(error)}): 502`);
          answerError(res, 502, 'upstream connection failed');
        },
      );
    },
  });
}
