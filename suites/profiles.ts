/**
 * Where requirements are meaningful, by intermediary kind (profile names from proxies/). A
 * requirement lists the profiles through which running it again can tell something new.
 */

/** Hops a complete long-poll response passes unharmed (RFC 6202 §5.3: "most proxies cope"). */
export const LONG_POLL_HOPS = ['latency', 'http10', 'buffer-full', 'nginx-default', 'h2-front'] as const;
/** Hops that change framing or timing but not content: streams must survive them (an h2 front re-frames into DATA frames). */
export const RECHUNKING_HOPS = ['rechunk-split', 'rechunk-coalesce', 'http10', 'h2-front'] as const;
/** Hops that buffer: a stream passes only if it opts out or there is nothing to hold. */
export const BUFFERING_HOPS = ['buffer-bytes', 'buffer-full', 'nginx-default', 'nginx-http11', 'gzip'] as const;
/** Shared caches (RFC 9111). */
export const CACHING_HOPS = ['shared-cache', 'varnish-default', 'real-varnish', 'real-squid'] as const;
/** Hops whose timeouts a held poll runs into (first byte, idle, total). */
export const HOLD_TIMEOUT_HOPS = [
  'first-byte-timeout',
  'idle-timeout',
  'total-timeout',
  'elb-60s',
  'heroku',
  'cloudflare',
  'cloudfront',
  'app-runner',
  'envoy-default',
  'nginx-default',
  'varnish-default',
  'real-nginx',
  'real-nginx-http11',
  'real-nginx-nobuffer',
  'real-haproxy',
  'real-varnish',
] as const;
/** Hops whose idle timeouts a quiet stream runs into. */
export const IDLE_TIMEOUT_HOPS = [
  'idle-timeout',
  'elb-60s',
  'heroku',
  'cloudflare',
  'cloudfront',
  'nginx-http11',
  'varnish-default',
  'real-nginx-http11',
  'real-nginx-nobuffer',
  'real-haproxy',
  'real-varnish',
  'real-squid',
] as const;
