/**
 * shared-cache: an RFC 9111 shared cache in front of the server, with what Varnish adds by
 * default, because that is what turns long polls into tight loops in real deployments:
 *
 * - storability per §3 (no-store, private, Authorization, Vary: *), freshness per §4.2
 *   (s-maxage > max-age > Expires; heuristic `heuristicFraction` × (Date − Last-Modified) per
 *   §4.2.2), and, outside the RFC, `defaultTtlMs` for responses with none of those (Varnish
 *   default_ttl 120 s): a "no news" long-poll answer is replayed instantly, with Age, to every
 *   later poll until it expires;
 * - a stored object is served while it is still arriving, so a late joiner of a stream is
 *   replayed it from the start;
 * - concurrent misses for one key wait for a single upstream fetch (`coalesce`, Varnish's
 *   waiting list); when that fetch proves uncacheable they go upstream on their own and later
 *   requests pass for the default TTL (hit-for-miss);
 * - on a miss the client's If-None-Match / If-Modified-Since are not forwarded; the cache
 *   answers them itself from the fetched or stored response (304), as Varnish does;
 * - stale objects with validators are revalidated with a conditional request;
 * - unsafe methods invalidate the target URI (§4.4).
 *
 * What RFC 9111 allows is decided by runner/http/storability.ts, the model the judge uses too.
 * An unqualified `no-cache` response is not stored (equivalent for clients to storing and
 * revalidating each time); a qualified one (`no-cache="Set-Cookie"`) is stored (§5.2.2.4). `quirks: 'varnish'` adds the builtin VCL's habits: requests with
 * Cookie or Authorization pass, responses with Set-Cookie are not stored, and an HTTP/1.1
 * response with neither Content-Length nor chunked on a keep-alive connection is read as empty.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cacheControlOf, parseCacheControl } from '../runner/http/cache-control.js';
import { httpDateMs, initialAgeMs } from '../runner/http/freshness.js';
import { storeDecision } from '../runner/http/storability.js';
import { type Hop, Scope } from './hop.js';
import { endToEnd } from '../runner/http/hop-by-hop.js';
import { fieldTokens, fieldValue, hasField, withoutFields } from '../runner/http/fields.js';
import { type HeaderPairs, answerError, flat, newAgent, pairs, sendUpstream, startHttpHop } from './http-forward.js';

export interface SharedCacheParams {
  /** Freshness for storable responses that carry none (Varnish default_ttl: 120000); 0 = RFC only. */
  defaultTtlMs: number;
  /** Share of (Date − Last-Modified) used as heuristic freshness; RFC 9111 §4.2.2 suggests 0.1; 0 disables. */
  heuristicFraction: number;
  /** Concurrent misses for one key share one upstream fetch. */
  coalesce: boolean;
  quirks?: 'none' | 'varnish';
  /** Wall clock in ms (Date headers are wall-clock); inject a fake one to test expiry without waiting. */
  nowMs?: () => number;
}

/** Statuses Varnish gives default_ttl to when RFC 9111 gives no lifetime (outside the RFC: 302, 307 too). */
const DEFAULT_TTL_STATUSES = new Set([200, 203, 204, 300, 301, 302, 307, 308, 404, 405, 410, 414, 501]);
const UNSAFE = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

export interface Storability {
  store: boolean;
  /** Freshness lifetime in ms when stored. */
  lifetimeMs: number;
  /** Why: the rule that decided. */
  reason: string;
}

/**
 * What this cache stores and for how long: RFC 9111 as runner/http/storability.ts reads it (the
 * judge's model too), then this cache's own policy: GET only, the default TTL where the RFC leaves
 * the lifetime to the cache, nothing kept that is stale on arrival, and the Varnish quirks.
 * Exported for unit tests.
 */
export function storability(
  request: { method: string; headers: HeaderPairs },
  response: { status: number; headers: HeaderPairs },
  params: Pick<SharedCacheParams, 'defaultTtlMs' | 'heuristicFraction' | 'quirks'>,
  responseTimeMs: number,
): Storability {
  const no = (reason: string): Storability => ({ store: false, lifetimeMs: 0, reason });
  if (request.method !== 'GET') return no(`${request.method} is not cached`);
  const decision = storeDecision(
    {
      method: request.method,
      authorization: hasField(request.headers, 'authorization'),
      noStore: cacheControlOf(request.headers).has('no-store'),
    },
    response,
    { responseTimeMs, heuristicFraction: params.heuristicFraction },
  );
  const defaultTtl = params.defaultTtlMs > 0 && DEFAULT_TTL_STATUSES.has(response.status);
  if (!decision.store)
    return decision.rule === 'no-freshness' && defaultTtl ? lifetime(params.defaultTtlMs, 'default TTL') : no(decision.why);
  if (params.quirks === 'varnish' && hasField(response.headers, 'set-cookie')) return no('Set-Cookie (Varnish builtin VCL)');
  // builtin.vcl: Cache-Control ~ "(?i:no-cache|no-store|private)" makes it hit-for-miss, qualified or not.
  const cc = cacheControlOf(response.headers);
  if (params.quirks === 'varnish' && (cc.has('no-cache') || cc.has('private')))
    return no('Cache-Control no-cache/private, qualified or not (Varnish builtin VCL)');
  const f = decision.freshness;
  if (f.lifetimeMs !== null) return lifetime(f.lifetimeMs, f.detail);
  if (defaultTtl) return lifetime(params.defaultTtlMs, 'default TTL');
  return no(`no freshness information (${f.detail})`);

  function lifetime(ms: number, why: string): Storability {
    return ms > 0 ? { store: true, lifetimeMs: ms, reason: why } : no(`stale on arrival (${why})`);
  }
}

interface Stored {
  id: number;
  key: string;
  /** Request header values the response varies on, lower-cased names. */
  vary: [string, string | undefined][];
  status: number;
  statusMessage: string;
  headers: HeaderPairs;
  chunks: Buffer[];
  bytes: number;
  complete: boolean;
  readers: Set<(event: 'data' | 'end' | 'fail', data?: Buffer) => void>;
  responseTimeMs: number;
  initialAgeMs: number;
  lifetimeMs: number;
  abortFetch: () => void;
}

function etagMatches(condition: string, etag: string | undefined): boolean {
  if (etag === undefined) return false;
  const weak = (t: string): string => t.trim().replace(/^W\//, '');
  return condition.split(',').some((c) => c.trim() === '*' || weak(c) === weak(etag));
}

export function sharedCache(params: SharedCacheParams): Hop {
  const { defaultTtlMs, heuristicFraction, coalesce, quirks = 'none', nowMs = Date.now } = params;
  if (!(defaultTtlMs >= 0)) throw new RangeError(`shared-cache: defaultTtlMs must be >= 0, got ${defaultTtlMs}`);
  if (!(heuristicFraction >= 0 && heuristicFraction <= 1))
    throw new RangeError(`shared-cache: heuristicFraction must be in [0, 1], got ${heuristicFraction}`);
  const parts = [
    defaultTtlMs > 0 ? `stores responses without freshness for ${defaultTtlMs} ms` : 'stores only what RFC 9111 allows',
    heuristicFraction > 0 ? `heuristic freshness ${heuristicFraction} × (Date − Last-Modified)` : '',
    coalesce ? 'coalesces concurrent misses into one fetch' : '',
    'answers conditionals from cache (304) and does not forward them on a miss',
    quirks === 'varnish' ? 'Varnish builtin VCL quirks' : '',
  ].filter((p) => p !== '');
  return {
    name: `shared-cache(ttl ${defaultTtlMs}ms${coalesce ? ', coalesce' : ''})`,
    describe: `RFC 9111 shared cache: ${parts.join('; ')}; replays stored answers instantly with Age`,
    start: (upstream, options) => {
      const scope = new Scope(options?.clock);
      const agent = newAgent();
      const entries = new Map<string, Stored[]>();
      const inflight = new Map<string, Promise<void>>();
      const hitForMiss = new Map<string, number>();
      let nextId = 1;
      const log = (what: string): void => scope.log.add(what);

      const ageMs = (obj: Stored): number => obj.initialAgeMs + Math.max(0, nowMs() - obj.responseTimeMs);

      const find = (key: string, reqHeaders: HeaderPairs): Stored | undefined =>
        entries.get(key)?.find((obj) => obj.vary.every(([name, value]) => fieldValue(reqHeaders, name) === value));

      const remove = (obj: Stored): void => {
        const list = entries.get(obj.key)?.filter((o) => o !== obj) ?? [];
        if (list.length === 0) entries.delete(obj.key);
        else entries.set(obj.key, list);
      };

      const add = (obj: Stored): void => {
        const list = (entries.get(obj.key) ?? []).filter((o) => !sameVariant(o, obj));
        entries.set(obj.key, [...list, obj]);
      };
      const sameVariant = (a: Stored, b: Stored): boolean =>
        a.vary.length === b.vary.length && a.vary.every(([n, v], i) => b.vary[i]?.[0] === n && b.vary[i]?.[1] === v);

      /** 304 for a conditional the stored response satisfies (RFC 9110 §13.1.1, §13.1.3). */
      const notModified = (obj: Stored, reqHeaders: HeaderPairs): string | undefined => {
        if (obj.status !== 200) return undefined;
        const inm = fieldValue(reqHeaders, 'if-none-match');
        if (inm !== undefined) return etagMatches(inm, fieldValue(obj.headers, 'etag')) ? 'If-None-Match' : undefined;
        const ims = httpDateMs(fieldValue(reqHeaders, 'if-modified-since'));
        const lm = httpDateMs(fieldValue(obj.headers, 'last-modified'));
        return ims !== undefined && lm !== undefined && lm <= ims ? 'If-Modified-Since' : undefined;
      };

      const serve = (obj: Stored, reqHeaders: HeaderPairs, res: ServerResponse, label: string, kind: 'HIT' | 'MISS'): void => {
        const age = Math.floor(ageMs(obj) / 1000);
        const condition = notModified(obj, reqHeaders);
        if (condition !== undefined) {
          log(`${label}: ${kind}, answered 304 from cache (${condition} matched; age ${age} s)`);
          const keep = new Set(['cache-control', 'content-location', 'date', 'etag', 'expires', 'last-modified', 'vary']);
          const headers = obj.headers.filter(([name]) => keep.has(name.toLowerCase()));
          res.writeHead(304, 'Not Modified', flat([...headers, ['Age', String(age)], ['X-Cache', kind]]));
          res.end();
          return;
        }
        if (kind === 'HIT') log(`${label}: HIT object ${obj.id}, age ${age} s${obj.complete ? '' : ', still arriving'}`);
        let headers = withoutFields(obj.headers, 'age');
        if (obj.complete) headers = [...withoutFields(headers, 'content-length'), ['Content-Length', String(obj.bytes)]];
        res.writeHead(obj.status, obj.statusMessage, flat([...headers, ['Age', String(age)], ['X-Cache', kind]]));
        res.flushHeaders();
        for (const data of obj.chunks) res.write(data);
        if (obj.complete) {
          res.end();
          return;
        }
        const reader = (event: 'data' | 'end' | 'fail', data?: Buffer): void => {
          if (event === 'data' && data !== undefined) res.write(data);
          else if (event === 'end') res.end();
          else res.destroy();
        };
        obj.readers.add(reader);
        res.once('close', () => {
          obj.readers.delete(reader);
          // Nobody left to read an unfinished object: stop fetching and forget it.
          if (obj.readers.size === 0 && !obj.complete) {
            log(`object ${obj.id}: last reader left before the end; fetch aborted, object dropped`);
            obj.abortFetch();
          }
        });
      };

      /** Varnish reads an unframed HTTP/1.1 keep-alive response as an empty body. */
      const unframedKeepAlive = (res: IncomingMessage, method: string): boolean =>
        quirks === 'varnish' &&
        method !== 'HEAD' &&
        res.httpVersion === '1.1' &&
        res.headers['content-length'] === undefined &&
        res.headers['transfer-encoding'] === undefined &&
        (res.statusCode ?? 0) >= 200 &&
        res.statusCode !== 204 &&
        res.statusCode !== 304 &&
        !/\bclose\b/i.test(res.headers.connection ?? '');

      const pass = (req: IncomingMessage, res: ServerResponse, label: string, why: string): void => {
        log(`${label}: pass (${why})`);
        const abort = new AbortController();
        const stop = scope.onClose(() => abort.abort());
        res.once('close', () => {
          stop();
          if (!res.writableFinished) abort.abort();
        });
        const method = req.method ?? 'GET';
        sendUpstream(
          upstream,
          { method, path: req.url ?? '/', headers: endToEnd(pairs(req.rawHeaders)), agent, body: req },
          abort.signal,
        ).then(
          (up) => {
            const status = up.statusCode ?? 502;
            if (UNSAFE.has(method) && status < 400) invalidate(req, up);
            let headers = endToEnd(pairs(up.rawHeaders));
            if (unframedKeepAlive(up, method)) {
              log(`${label}: unframed keep-alive response read as empty (Varnish)`);
              up.destroy();
              res.writeHead(status, up.statusMessage ?? '', flat([...headers, ['Content-Length', '0'], ['X-Cache', 'PASS']]));
              res.end();
              return;
            }
            headers = [...headers, ['X-Cache', 'PASS']];
            res.writeHead(status, up.statusMessage ?? '', flat(headers));
            res.flushHeaders();
            up.on('data', (data: Buffer) => res.write(data));
            up.once('end', () => res.end());
            up.once('aborted', () => res.destroy());
            up.once('error', () => res.destroy());
          },
          (error: unknown) => {
            if (abort.signal.aborted) return;
            log(`${label}: upstream failed (${error instanceof Error ? error.message : String(error)}): 502`);
            answerError(res, 502, 'upstream connection failed');
          },
        );
      };

      const invalidate = (req: IncomingMessage, res: IncomingMessage): void => {
        const host = req.headers.host ?? '';
        const targets = [req.url ?? '/', res.headers.location, res.headers['content-location']]
          .filter((t): t is string => t !== undefined)
          .map((t) => {
            try {
              const u = new URL(t, `http://${host}`);
              return u.host === host ? `${host}${u.pathname}${u.search}` : undefined;
            } catch {
              return undefined;
            }
          })
          .filter((k): k is string => k !== undefined);
        for (const key of targets) {
          if (entries.delete(key)) log(`invalidated ${key} after ${req.method ?? ''}`);
        }
      };

      const fetchAndServe = (req: IncomingMessage, res: ServerResponse, key: string, label: string, stale: Stored | undefined): void => {
        const method = req.method ?? 'GET';
        const reqHeaders = pairs(req.rawHeaders);
        // On a miss the client's own validators stay here; the cache judges them against what it gets.
        let headers = withoutFields(endToEnd(reqHeaders), 'if-none-match', 'if-modified-since', 'if-range', 'range');
        const etag = stale === undefined ? undefined : fieldValue(stale.headers, 'etag');
        const lastModified = stale === undefined ? undefined : fieldValue(stale.headers, 'last-modified');
        if (etag !== undefined) headers = [...headers, ['If-None-Match', etag]];
        if (lastModified !== undefined) headers = [...headers, ['If-Modified-Since', lastModified]];
        log(stale === undefined ? `${label}: MISS, fetching` : `${label}: stale object ${stale.id}, revalidating`);

        let release = (): void => undefined;
        inflight.set(key, new Promise<void>((resolve) => (release = resolve)));
        const settle = (): void => {
          inflight.delete(key);
          release();
        };
        const abort = new AbortController();
        const stop = scope.onClose(() => abort.abort());
        sendUpstream(upstream, { method, path: req.url ?? '/', headers, agent }, abort.signal).then(
          (up) => {
            const responseTimeMs = nowMs();
            const status = up.statusCode ?? 502;
            const upHeaders = endToEnd(pairs(up.rawHeaders));
            const ageOnArrivalMs = initialAgeMs(upHeaders, responseTimeMs);

            if (stale !== undefined && status === 304) {
              up.resume();
              stop();
              const merged: HeaderPairs = [
                ...stale.headers.filter(([n]) => fieldValue(upHeaders, n) === undefined),
                ...withoutFields(upHeaders, 'content-length'),
              ];
              const decision = storability(
                { method, headers: reqHeaders },
                { status: stale.status, headers: merged },
                params,
                responseTimeMs,
              );
              stale.headers = merged;
              stale.responseTimeMs = responseTimeMs;
              stale.initialAgeMs = ageOnArrivalMs;
              stale.lifetimeMs = decision.store ? decision.lifetimeMs : 0;
              log(`${label}: 304 from upstream, object ${stale.id} fresh again for ${stale.lifetimeMs} ms (${decision.reason})`);
              if (!decision.store) remove(stale);
              settle();
              serve(stale, reqHeaders, res, label, 'HIT');
              return;
            }
            if (stale !== undefined) remove(stale);

            const empty = unframedKeepAlive(up, method);
            const storedHeaders = empty
              ? [...withoutFields(upHeaders, 'content-length'), ['Content-Length', '0'] as [string, string]]
              : upHeaders;
            if (empty) {
              log(`${label}: unframed keep-alive response read as empty (Varnish)`);
              up.destroy();
            }
            const decision = storability({ method, headers: reqHeaders }, { status, headers: storedHeaders }, params, responseTimeMs);
            if (!decision.store) {
              stop();
              log(`${label}: ${status} not stored (${decision.reason})`);
              if (defaultTtlMs > 0) hitForMiss.set(key, responseTimeMs + defaultTtlMs);
              settle();
              res.writeHead(status, up.statusMessage ?? '', flat([...storedHeaders, ['X-Cache', 'MISS']]));
              res.flushHeaders();
              if (empty) {
                res.end();
                return;
              }
              up.on('data', (data: Buffer) => res.write(data));
              up.once('end', () => res.end());
              up.once('aborted', () => res.destroy());
              up.once('error', () => res.destroy());
              res.once('close', () => {
                if (!res.writableFinished) abort.abort();
              });
              return;
            }
            const varyNames = fieldTokens(storedHeaders, 'vary');
            const obj: Stored = {
              id: nextId++,
              key,
              vary: varyNames.map((n) => [n, fieldValue(reqHeaders, n)]),
              status,
              statusMessage: up.statusMessage ?? '',
              headers: storedHeaders,
              chunks: [],
              bytes: 0,
              complete: false,
              readers: new Set(),
              responseTimeMs,
              initialAgeMs: ageOnArrivalMs,
              lifetimeMs: decision.lifetimeMs,
              abortFetch: () => {
                remove(obj);
                abort.abort();
              },
            };
            add(obj);
            log(`${label}: stored ${status} as object ${obj.id} for ${decision.lifetimeMs} ms (${decision.reason})`);
            settle();
            const finish = (): void => {
              obj.complete = true;
              stop();
              for (const reader of obj.readers) reader('end');
              obj.readers.clear();
            };
            if (empty) finish();
            else {
              up.on('data', (data: Buffer) => {
                obj.chunks.push(data);
                obj.bytes += data.length;
                for (const reader of obj.readers) reader('data', data);
              });
              up.once('end', finish);
              const fail = (): void => {
                if (obj.complete) return;
                stop();
                remove(obj);
                log(`object ${obj.id}: upstream broke off; dropped`);
                for (const reader of obj.readers) reader('fail');
                obj.readers.clear();
              };
              up.once('aborted', fail);
              up.once('error', fail);
            }
            serve(obj, reqHeaders, res, label, 'MISS');
          },
          (error: unknown) => {
            stop();
            settle();
            if (abort.signal.aborted) return;
            log(`${label}: upstream failed (${error instanceof Error ? error.message : String(error)}): 502`);
            answerError(res, 502, 'upstream connection failed');
          },
        );
      };

      const lookup = (req: IncomingMessage, res: ServerResponse, key: string, label: string, waited: boolean): void => {
        if (scope.closed) return;
        const reqHeaders = pairs(req.rawHeaders);
        const obj = find(key, reqHeaders);
        let stale: Stored | undefined;
        if (obj !== undefined) {
          if (ageMs(obj) < obj.lifetimeMs) {
            serve(obj, reqHeaders, res, label, 'HIT');
            return;
          }
          const validators = fieldValue(obj.headers, 'etag') !== undefined || fieldValue(obj.headers, 'last-modified') !== undefined;
          if (obj.complete && validators) stale = obj;
          else {
            remove(obj);
            log(`${label}: object ${obj.id} expired`);
          }
        }
        const hfm = hitForMiss.get(key);
        if (hfm !== undefined && hfm > nowMs()) {
          pass(req, res, label, 'hit-for-miss: last response was not cacheable');
          return;
        }
        const pending = inflight.get(key);
        if (coalesce && pending !== undefined && !waited) {
          log(`${label}: coalesced onto the fetch in flight`);
          void pending.then(() => lookup(req, res, key, label, true));
          return;
        }
        fetchAndServe(req, res, key, label, stale);
      };

      return startHttpHop({
        scope,
        ...(options?.port === undefined ? {} : { port: options.port }),
        onClose: () => {
          for (const list of entries.values()) for (const obj of list) for (const reader of obj.readers) reader('fail');
          entries.clear();
          agent.destroy();
        },
        handle: (req, res) => {
          const method = (req.method ?? 'GET').toUpperCase();
          const label = `${method} ${req.url ?? '/'}`;
          const key = `${req.headers.host ?? ''}${req.url ?? '/'}`;
          if (method !== 'GET') {
            pass(req, res, label, UNSAFE.has(method) ? 'unsafe method; invalidates on success' : `${method} is not cached`);
            return;
          }
          if (parseCacheControl(req.headers['cache-control']).has('no-store')) {
            pass(req, res, label, 'request no-store');
            return;
          }
          if (quirks === 'varnish' && (req.headers.cookie !== undefined || req.headers.authorization !== undefined)) {
            pass(req, res, label, 'Cookie or Authorization (Varnish builtin VCL)');
            return;
          }
          req.resume();
          lookup(req, res, key, label, false);
        },
      });
    },
  };
}
