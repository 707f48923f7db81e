/**
 * Named intermediaries as data: every profile is a list of hop specs, so the harness can list
 * them, judge their timeouts analytically, and rebuild them with scaled timeouts for a live run.
 * Unit profiles carry one hop with real-world default parameters; presets are named after what
 * users deploy behind. Sources: research/real-intermediaries.md (measured) and
 * research/requirements.md §3.
 */
import { type BufferBytesParams, bufferBytes } from './buffer-bytes.js';
import { bufferFull } from './buffer-full.js';
import { type ClientPoolParams, clientPool } from './client-pool.js';
import { type ConnPoolParams, connPool } from './conn-pool.js';
import { direct } from './direct.js';
import { type FirstByteTimeoutParams, firstByteTimeout } from './first-byte-timeout.js';
import { type GzipParams, gzip } from './gzip.js';
import { h2Front } from './h2-front.js';
import type { Hop } from './hop.js';
import { type Http10Params, http10 } from './http10.js';
import { type IdleTimeoutParams, idleTimeout } from './idle-timeout.js';
import { type LatencyParams, latency } from './latency.js';
import { type NoPipelineParams, noPipeline } from './no-pipeline.js';
import { type RechunkCoalesceParams, rechunkCoalesce } from './rechunk-coalesce.js';
import { type RechunkSplitParams, rechunkSplit } from './rechunk-split.js';
import { type SharedCacheParams, sharedCache } from './shared-cache.js';
import { type TotalTimeoutParams, totalTimeout } from './total-timeout.js';
import { type NodeHttpProxyParams, nodeHttpProxy } from './node-http-proxy.js';
import { type RealHaproxyParams, haproxyMissing, realHaproxy } from './real-haproxy.js';
import { type RealNginxParams, nginxMissing, realNginx } from './real-nginx.js';
import { type RealSquidParams, realSquid, squidMissing } from './real-squid.js';
import { type RealVarnishParams, realVarnish, varnishMissing } from './real-varnish.js';

export type HopSpec =
  | { unit: 'direct' }
  | { unit: 'latency'; params: LatencyParams }
  | { unit: 'buffer-full' }
  | { unit: 'buffer-bytes'; params: BufferBytesParams }
  | { unit: 'rechunk-split'; params: RechunkSplitParams }
  | { unit: 'rechunk-coalesce'; params: RechunkCoalesceParams }
  | { unit: 'http10'; params: Http10Params }
  | { unit: 'idle-timeout'; params: IdleTimeoutParams }
  | { unit: 'first-byte-timeout'; params: FirstByteTimeoutParams }
  | { unit: 'total-timeout'; params: TotalTimeoutParams }
  | { unit: 'shared-cache'; params: SharedCacheParams }
  | { unit: 'gzip'; params: GzipParams }
  | { unit: 'conn-pool'; params: ConnPoolParams }
  | { unit: 'client-pool'; params: ClientPoolParams }
  | { unit: 'no-pipeline'; params: NoPipelineParams }
  | { unit: 'real-nginx'; params: RealNginxParams }
  | { unit: 'real-haproxy'; params: RealHaproxyParams }
  | { unit: 'real-varnish'; params: RealVarnishParams }
  | { unit: 'real-squid'; params: RealSquidParams }
  | { unit: 'node-http-proxy'; params: NodeHttpProxyParams }
  | { unit: 'h2-front' };

export type HopUnit = HopSpec['unit'];

export function buildHop(spec: HopSpec): Hop {
  switch (spec.unit) {
    case 'direct':
      return direct();
    case 'latency':
      return latency(spec.params);
    case 'buffer-full':
      return bufferFull();
    case 'buffer-bytes':
      return bufferBytes(spec.params);
    case 'rechunk-split':
      return rechunkSplit(spec.params);
    case 'rechunk-coalesce':
      return rechunkCoalesce(spec.params);
    case 'http10':
      return http10(spec.params);
    case 'idle-timeout':
      return idleTimeout(spec.params);
    case 'first-byte-timeout':
      return firstByteTimeout(spec.params);
    case 'total-timeout':
      return totalTimeout(spec.params);
    case 'shared-cache':
      return sharedCache(spec.params);
    case 'gzip':
      return gzip(spec.params);
    case 'conn-pool':
      return connPool(spec.params);
    case 'client-pool':
      return clientPool(spec.params);
    case 'no-pipeline':
      return noPipeline(spec.params);
    case 'real-nginx':
      return realNginx(spec.params);
    case 'real-haproxy':
      return realHaproxy(spec.params);
    case 'real-varnish':
      return realVarnish(spec.params);
    case 'real-squid':
      return realSquid(spec.params);
    case 'node-http-proxy':
      return nodeHttpProxy(spec.params);
    case 'h2-front':
      return h2Front();
  }
}

export interface Profile {
  description: string;
  /** The composition, client-facing hop first. */
  specs: readonly HopSpec[];
  /** Fresh hop instances for one case. */
  hops: () => Hop[];
  /** False when no server, however it behaves, can stream through (buffer-full). */
  streamingPossible: boolean;
  /** What it models, with the default values and their source. */
  realWorld?: string;
  /**
   * A real program or package rather than a model: not part of `--via all` (ask for it by name),
   * and `missing()` says what to install where it cannot run (its cases are then skipped).
   */
  real?: { missing(): string | null };
}

function profile(description: string, specs: HopSpec[], streamingPossible: boolean, realWorld?: string): Profile {
  return {
    description,
    specs,
    hops: () => specs.map(buildHop),
    streamingPossible,
    ...(realWorld === undefined ? {} : { realWorld }),
  };
}

function realProfile(description: string, specs: HopSpec[], missing: () => string | null): Profile {
  return { ...profile(description, specs, true), real: { missing } };
}

const REAL_NGINX: RealNginxParams = { httpVersion: '1.0', buffering: true, readTimeoutMs: 60_000 };
/** Debian's shipped /etc/haproxy/haproxy.cfg: timeout client 50000, timeout server 50000. */
const REAL_HAPROXY: RealHaproxyParams = { serverTimeoutMs: 50_000, clientTimeoutMs: 50_000 };
/** varnishd's parameter defaults (varnishd -x parameter). */
const REAL_VARNISH: RealVarnishParams = { defaultTtlMs: 120_000, firstByteTimeoutMs: 60_000, betweenBytesTimeoutMs: 60_000 };
/** squid.conf default read_timeout 15 minutes. */
const REAL_SQUID: RealSquidParams = { readTimeoutMs: 900_000 };

const NGINX_BUFFER: BufferBytesParams = { thresholdBytes: 4096, flushMs: 0, chunked: 'pass', honourXAccelBuffering: true };
const NGINX_TIMEOUT: IdleTimeoutParams = { idleMs: 60_000, status: 504 };

export const PROFILES: Record<string, Profile> = {
  // ── units, with real-world defaults ──────────────────────────────────────────────────────
  direct: profile('raw TCP pass-through; the baseline for every comparison', [{ unit: 'direct' }], true),
  latency: profile(
    '150 ms added each way to every read',
    [{ unit: 'latency', params: { delayMs: 150 } }],
    true,
    'a distant client; requirements.md §3 preset DELAY(150)',
  ),
  'buffer-full': profile(
    'holds each response until it is complete',
    [{ unit: 'buffer-full' }],
    false,
    'RFC 6202 §3.2 caching/transparent proxies; whole-response buffering by API gateways',
  ),
  'buffer-bytes': profile(
    'holds each response, headers included, until 4096 body bytes or the end arrive; X-Accel-Buffering: no opts out',
    [{ unit: 'buffer-bytes', params: { thresholdBytes: 4096, flushMs: 0, chunked: 'hold', honourXAccelBuffering: true } }],
    true,
    'nginx proxy_buffering on (default) with proxy_buffer_size 4k, applied to every framing',
  ),
  'rechunk-split': profile(
    're-chunks bodies into random 1–7 byte chunks',
    [{ unit: 'rechunk-split', params: {} }],
    true,
    'any hop that decodes and re-applies chunked (RFC 9112 §7.1.1); Node-based proxies',
  ),
  'rechunk-coalesce': profile(
    'joins body data arriving within 200 ms into one chunk',
    [{ unit: 'rechunk-coalesce', params: { windowMs: 200 } }],
    true,
    'haproxy 2.6 without option http-no-delay: chunks measured ~205 ms late, joined',
  ),
  http10: profile(
    'HTTP/1.0 both ways: EOF-delimited, no chunked, no keep-alive',
    [{ unit: 'http10', params: { side: 'both' } }],
    true,
    'legacy HTTP/1.0 proxies; nginx proxy_http_version 1.0 (default before 1.29.7)',
  ),
  'idle-timeout': profile(
    'closes connections idle for 60 s',
    [{ unit: 'idle-timeout', params: { idleMs: 60_000 } }],
    true,
    'nginx proxy_read_timeout 60 s, AWS ELB 60 s',
  ),
  'first-byte-timeout': profile(
    '504 when no response byte arrives within 30 s',
    [{ unit: 'first-byte-timeout', params: { firstByteMs: 30_000, status: 504 } }],
    true,
    'Heroku 30 s, GCP load balancer 30 s, CloudFront origin read 30 s, API Gateway 29 s',
  ),
  'total-timeout': profile(
    'ends every exchange 15 s after its request',
    [{ unit: 'total-timeout', params: { totalMs: 15_000, status: 504 } }],
    true,
    'Envoy route timeout 15 s (default)',
  ),
  'shared-cache': profile(
    'RFC 9111 shared cache with a 120 s default TTL, 10 % heuristic freshness and request coalescing',
    [{ unit: 'shared-cache', params: { defaultTtlMs: 120_000, heuristicFraction: 0.1, coalesce: true } }],
    true,
    'Varnish default_ttl 120 s; RFC 9111 §4.2.2 heuristic; Varnish waiting list',
  ),
  gzip: profile(
    'gzips responses through an internal buffer; honours no-transform',
    [{ unit: 'gzip', params: {} }],
    true,
    'Varnish http_gzip_support on, gzip_buffer 32 KiB; RFC 9110 §7.7',
  ),
  'conn-pool': profile(
    'all clients share 8 backend connections',
    [{ unit: 'conn-pool', params: { connections: 8 } }],
    true,
    'Apache mod_jk pools, "often 8 or 16" (RFC 6202 §5.3)',
  ),
  'client-pool': profile(
    '6 connections per host, further requests queue',
    [{ unit: 'client-pool', params: { connectionsPerHost: 6 } }],
    true,
    'Chromium and Firefox: 6 per host (RFC 6202 §5.1)',
  ),
  'no-pipeline': profile(
    'serialises pipelined requests',
    [{ unit: 'no-pipeline', params: { mode: 'serialise' } }],
    true,
    'proxies that do not pipeline (XEP-0124 §18.1; RFC 9112 §9.3.2)',
  ),

  // ── presets: what users deploy behind ────────────────────────────────────────────────────
  'nginx-default': profile(
    'nginx as shipped before 1.29.7: HTTP/1.0 upstream, proxy_buffering on (4 KiB), 60 s read timeout',
    [
      { unit: 'http10', params: { side: 'upstream' } },
      { unit: 'buffer-bytes', params: NGINX_BUFFER },
      { unit: 'idle-timeout', params: NGINX_TIMEOUT },
    ],
    true,
    'nginx 1.22 measured: proxy_http_version 1.0 makes every upstream body close-delimited, which proxy_buffering holds (headers too) until 4 KiB; X-Accel-Buffering: no streams; proxy_read_timeout 60 s → 504 before the first byte, a silent cut after. Downstream stays HTTP/1.1 (re-chunked, keep-alive).',
  ),
  'nginx-http11': profile(
    'nginx with proxy_http_version 1.1 (the default since 1.29.7): chunked streams flow, close-delimited ones stall until 4 KiB',
    [
      { unit: 'buffer-bytes', params: NGINX_BUFFER },
      { unit: 'idle-timeout', params: NGINX_TIMEOUT },
    ],
    true,
    'nginx 1.22 measured with proxy_http_version 1.1: a chunked upstream flows promptly; proxy_read_timeout 60 s → 504',
  ),
  'elb-60s': profile(
    'AWS load balancer (ALB, CLB): 60 s idle timeout, 504 when the backend never answered',
    [{ unit: 'idle-timeout', params: { idleMs: 60_000, status: 504 } }],
    true,
    'ALB idle_timeout.timeout_seconds 60 s by default (Elastic Load Balancing user guide, "Connection idle timeout"); the Classic LB has the same default',
  ),
  heroku: profile(
    'Heroku router: 503 (H12) without a first byte in 30 s, then a rolling 55 s idle window',
    [
      { unit: 'first-byte-timeout', params: { firstByteMs: 30_000, status: 503 } },
      { unit: 'idle-timeout', params: { idleMs: 55_000 } },
    ],
    true,
    'Heroku Dev Center "Request Timeout": 30 s initial window (H12, 503), 55 s rolling window after the first byte',
  ),
  cloudflare: profile(
    'Cloudflare proxy: 125 s read timeout, 524 when the origin never answered',
    [{ unit: 'idle-timeout', params: { idleMs: 125_000, status: 524 } }],
    true,
    'Cloudflare Proxy Read Timeout 125 s (was 100 s; Enterprise plans can raise it), error 524 "A timeout occurred" (developers.cloudflare.com, 5xx errors: 524)',
  ),
  cloudfront: profile(
    'Amazon CloudFront: 504 when the origin sends no byte within 30 s, and the same 30 s between packets after that',
    [
      { unit: 'first-byte-timeout', params: { firstByteMs: 30_000, status: 504 } },
      { unit: 'idle-timeout', params: { idleMs: 30_000 } },
    ],
    true,
    'CloudFront origin response timeout 30 s by default: the wait for the first byte and between later packets (CloudFront developer guide, "Response timeout (custom origins)")',
  ),
  'h2-front': profile(
    'an HTTP/2 front end before an HTTP/1.1 origin: the client speaks h2 to it, it speaks HTTP/1.1 behind; heads forwarded at once, each upstream read a DATA frame',
    [{ unit: 'h2-front' }],
    true,
    'CDNs and ingress controllers (Cloudflare, CloudFront, nginx ingress) serve browsers HTTP/2 and fetch from the origin over HTTP/1.1; connection-specific fields are dropped (RFC 9113 §8.2.2)',
  ),
  'app-runner': profile(
    'AWS App Runner: every request ends after 120 s, however much flows',
    [{ unit: 'total-timeout', params: { totalMs: 120_000, status: 504 } }],
    true,
    'App Runner request timeout 120 s, not configurable (App Runner developer guide, quotas)',
  ),
  'varnish-default': profile(
    'Varnish with the builtin VCL: 120 s default TTL, coalescing, 304s from cache, 503 after 60 s without a first byte',
    [
      { unit: 'shared-cache', params: { defaultTtlMs: 120_000, heuristicFraction: 0, coalesce: true, quirks: 'varnish' } },
      { unit: 'first-byte-timeout', params: { firstByteMs: 60_000, status: 503 } },
      { unit: 'idle-timeout', params: { idleMs: 60_000 } },
    ],
    true,
    'varnish 7.1 measured: default_ttl 120 s stores a "no news" long-poll answer and replays it with Age; concurrent polls coalesced; conditionals answered 304 from cache; first_byte_timeout 60 s → 503; between_bytes_timeout 60 s. Not modelled: timeout_idle 5 s on idle client keep-alive connections, grace.',
  ),
  'envoy-default': profile(
    'Envoy route: every exchange ends after 15 s; a stream idle 5 min is reset',
    [
      { unit: 'total-timeout', params: { totalMs: 15_000, status: 504 } },
      { unit: 'idle-timeout', params: { idleMs: 300_000 } },
    ],
    true,
    'Envoy route timeout 15 s by default (RouteAction.timeout, which covers streaming responses too: set it to 0 for push routes) and stream_idle_timeout 5 min (HttpConnectionManager)',
  ),

  // ── real programs and packages: asked for by name, never in `all` ───────────────────────
  'real-nginx': realProfile(
    'the Debian nginx binary, stock reverse proxy: proxy_http_version 1.0, proxy_buffering on, proxy_read_timeout 60 s',
    [{ unit: 'real-nginx', params: REAL_NGINX }],
    nginxMissing,
  ),
  'real-nginx-http11': realProfile(
    'the Debian nginx binary with proxy_http_version 1.1 and upstream keep-alive, proxy_buffering on',
    [{ unit: 'real-nginx', params: { ...REAL_NGINX, httpVersion: '1.1' } }],
    nginxMissing,
  ),
  'real-nginx-nobuffer': realProfile(
    'the Debian nginx binary with proxy_buffering off (HTTP/1.0 upstream)',
    [{ unit: 'real-nginx', params: { ...REAL_NGINX, buffering: false } }],
    nginxMissing,
  ),
  'real-haproxy': realProfile(
    'the Debian haproxy binary in http mode with the shipped timeouts: timeout server 50 s, timeout client 50 s',
    [{ unit: 'real-haproxy', params: REAL_HAPROXY }],
    haproxyMissing,
  ),
  'real-varnish': realProfile(
    'the Debian varnishd binary with the builtin VCL: default_ttl 120 s, first_byte_timeout 60 s, between_bytes_timeout 60 s',
    [{ unit: 'real-varnish', params: REAL_VARNISH }],
    varnishMissing,
  ),
  'real-squid': realProfile(
    'the Debian squid binary as a forward proxy (absolute-form requests), memory cache, the shipped refresh_pattern lines, read_timeout 15 min',
    [{ unit: 'real-squid', params: REAL_SQUID }],
    squidMissing,
  ),
  'node-http-proxy': realProfile(
    'the http-proxy npm package, default options (as webpack-dev-server and http-proxy-middleware use it)',
    [{ unit: 'node-http-proxy', params: { compress: false } }],
    () => null,
  ),
  'node-compression': realProfile(
    "Express's compression middleware (defaults) in front of http-proxy: gzips event streams unless Cache-Control: no-transform",
    [{ unit: 'node-http-proxy', params: { compress: true } }],
    () => null,
  ),
};

export const PROFILE_NAMES: readonly string[] = Object.keys(PROFILES);

/** The simulated profiles: what `--via all` runs. */
export const SIMULATED_PROFILE_NAMES: readonly string[] = PROFILE_NAMES.filter((n) => PROFILES[n]?.real === undefined);

/**
 * What a server author can change so that a push endpoint survives each kind of hop. Where the
 * hop itself is the problem (a whole-response buffer), the remedy says what the server can do
 * around it. Sources: RFC 6202 §3.2, §5.5, §5.6; RFC 9110 §7.6.1, §7.7; RFC 9111 §3.
 */
export const HOP_REMEDIES: Record<HopUnit, string> = {
  direct: 'nothing: a raw TCP pipe changes no byte',
  latency:
    'queue events published between polls and answer a held poll at once when one is queued; a distant client has a longer gap between polls',
  'buffer-full': 'no server can stream through a whole-response buffer: offer long polling as the fallback (RFC 6202 §3.2)',
  'buffer-bytes':
    'send "X-Accel-Buffering: no" on push responses (nginx honours it) or have the proxy run with proxy_buffering off; padding each event past the 4 KiB buffer works but costs bandwidth',
  'rechunk-split': 'delimit messages in the body (SSE blank lines, newline-delimited JSON): any hop may re-chunk a body (RFC 9112 §7.1)',
  'rechunk-coalesce':
    "delimit messages in the body and do not rely on chunk timing; the delay is the hop's (haproxy: option http-no-delay)",
  http10:
    'answer an HTTP/1.0 request with a close-delimited body flushed per event (no Transfer-Encoding), and do not depend on hop-by-hop request headers (TE, Connection, Keep-Alive), which every proxy removes (RFC 9110 §7.6.1)',
  'idle-timeout':
    'send a heartbeat (an SSE comment, a protocol no-op, or end the long poll) well inside the shortest idle timeout on the path, e.g. every 15–20 s',
  'first-byte-timeout': 'send the response headers at once (streams), or end each long poll with a normal response before 30 s',
  'total-timeout': 'end each long poll, and recycle each stream, before the route timeout (15 s for Envoy by default)',
  'shared-cache':
    'mark push responses "Cache-Control: no-store" (RFC 9111 §3, RFC 6202 §5.6); a Last-Modified without Cache-Control makes them heuristically cacheable (RFC 9111 §4.2.2); frame HTTP/1.1 streams with chunked: Varnish reads a close-delimited response that says Connection: keep-alive as an empty body',
  gzip: 'send "Cache-Control: no-transform" on push responses so compressing hops pass them through (RFC 9110 §7.7), or flush the compressor after every event',
  'conn-pool':
    'keep holds short and do not assume a dedicated backend connection per client: pooled proxies share a few connections (RFC 6202 §5.3)',
  'client-pool': 'use one held request per client and host: browsers allow 6 connections per host (RFC 6202 §5.1)',
  'no-pipeline': 'do not rely on pipelined requests: many hops serialise them (RFC 9112 §9.3.2)',
  'real-nginx':
    'send X-Accel-Buffering: no on push responses (nginx buffers them, and with its HTTP/1.0 upstream a close-delimited stream is held until 4 KiB or the end); heartbeat more often than proxy_read_timeout (60 s)',
  'real-haproxy':
    "delimit messages in the body and do not rely on chunk timing: without option http-no-delay haproxy joins chunks and delivers each about 200 ms late (only the operator can set it); heartbeat more often than timeout server / timeout client (50 s in Debian's haproxy.cfg) and end each long poll before it",
  'real-varnish':
    'mark push responses "Cache-Control: no-store" (the builtin VCL stores anything else for default_ttl, 120 s, and coalesces concurrent polls onto one fetch); frame HTTP/1.1 streams with chunked; end long polls before first_byte_timeout (60 s)',
  'real-squid':
    'mark push responses "Cache-Control: no-store" (squid stores a Last-Modified response heuristically and revalidates it with If-Modified-Since); answer conditional requests on push endpoints correctly',
  'node-http-proxy':
    'nothing special: http-proxy streams responses as they come; send Cache-Control: no-transform so a compression middleware in front of it leaves event streams alone',
  'h2-front':
    'delimit every message in the body (HTTP/2 carries it in DATA frames of its own sizes) and do not rely on HTTP/1.1 connection semantics (Connection: close, EOF framing, TE: chunked) reaching the client',
};

const TIMEOUT_UNITS: ReadonlySet<HopUnit> = new Set(['idle-timeout', 'first-byte-timeout', 'total-timeout']);

/**
 * The remedies for the hops of a profile, one per kind of hop, in chain order. A preset's
 * timeouts do not explain a failure of a check that never waits for them, so their remedies
 * come only with `timeouts`.
 */
export function remediesOf(name: string, o: { timeouts: boolean }): string[] {
  const units = profileNamed(name)
    .specs.map((spec) => spec.unit)
    .filter((u) => u !== 'direct' && (o.timeouts || !TIMEOUT_UNITS.has(u)));
  return [...new Set(units.map((u) => HOP_REMEDIES[u]))];
}

/** Units that re-send requests as an HTTP client of their own (http-forward.ts, http10.ts, and the real proxies that do: nginx, Varnish, Squid). */
const HEADER_REWRITING_UNITS: ReadonlySet<HopUnit> = new Set([
  'h2-front',
  'http10',
  'gzip',
  'shared-cache',
  'conn-pool',
  'client-pool',
  'real-nginx',
  'real-varnish',
  'real-squid',
]);

/** True when the profile parses and re-sends HTTP, so it drops hop-by-hop request headers such as TE. */
export function rewritesRequests(name: string): boolean {
  return profileNamed(name).specs.some((spec) => HEADER_REWRITING_UNITS.has(spec.unit));
}

export interface ProfileTimeouts {
  /** Tightest idle timeout in the chain. */
  idleMs?: number;
  /** Tightest wait for a first response byte, and the status the client then gets. */
  firstByteMs?: number;
  firstByteStatus?: number;
  /** Tightest cap on a whole exchange. */
  totalMs?: number;
}

export function profileNamed(name: string): Profile {
  const found = PROFILES[name];
  if (found === undefined) throw new Error(`unknown profile "${name}" (allowed: ${PROFILE_NAMES.join(', ')})`);
  return found;
}

/** The idle/first-byte/total timeouts a profile applies, so long presets can be judged from one observation. */
export function timeoutsOf(which: string | Profile): ProfileTimeouts {
  const p = typeof which === 'string' ? profileNamed(which) : which;
  const out: ProfileTimeouts = {};
  for (const spec of p.specs) {
    const t = buildHop(spec).timeouts;
    if (t === undefined) continue;
    if (t.idleMs !== undefined && (out.idleMs === undefined || t.idleMs < out.idleMs)) out.idleMs = t.idleMs;
    if (t.totalMs !== undefined && (out.totalMs === undefined || t.totalMs < out.totalMs)) out.totalMs = t.totalMs;
    if (t.firstByteMs !== undefined && (out.firstByteMs === undefined || t.firstByteMs < out.firstByteMs)) {
      out.firstByteMs = t.firstByteMs;
      if (t.status !== undefined) out.firstByteStatus = t.status;
    }
  }
  return out;
}

/** The spec with every timeout divided by `scale`; other durations (latency, TTL, windows) keep their value. */
export function scaleSpec(spec: HopSpec, scale: number): HopSpec {
  const div = (value: number): number => Math.max(1, Math.round(value / scale));
  switch (spec.unit) {
    case 'idle-timeout':
      return { unit: spec.unit, params: { ...spec.params, idleMs: div(spec.params.idleMs) } };
    case 'first-byte-timeout':
      return { unit: spec.unit, params: { ...spec.params, firstByteMs: div(spec.params.firstByteMs) } };
    case 'total-timeout':
      return { unit: spec.unit, params: { ...spec.params, totalMs: div(spec.params.totalMs) } };
    case 'real-nginx':
      return { unit: spec.unit, params: { ...spec.params, readTimeoutMs: div(spec.params.readTimeoutMs) } };
    case 'real-haproxy':
      return {
        unit: spec.unit,
        params: { serverTimeoutMs: div(spec.params.serverTimeoutMs), clientTimeoutMs: div(spec.params.clientTimeoutMs) },
      };
    case 'real-varnish':
      return {
        unit: spec.unit,
        params: {
          ...spec.params,
          firstByteTimeoutMs: div(spec.params.firstByteTimeoutMs),
          betweenBytesTimeoutMs: div(spec.params.betweenBytesTimeoutMs),
        },
      };
    case 'real-squid':
      return { unit: spec.unit, params: { readTimeoutMs: div(spec.params.readTimeoutMs) } };
    default:
      return spec;
  }
}

/** A profile's hops with every timeout divided by `scale` (scale 600 turns 60 s into 100 ms). */
export function scaledHops(profileName: string, scale: number): Hop[] {
  if (!(scale > 0)) throw new RangeError(`scaledHops: scale must be > 0, got ${scale}`);
  return profileNamed(profileName).specs.map((spec) => buildHop(scaleSpec(spec, scale)));
}
