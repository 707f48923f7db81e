/**
 * real-varnish: the varnishd binary with its builtin VCL (`-b` backend, no VCL of our own), so
 * the caching is Varnish's own: default_ttl for responses without Cache-Control, request
 * coalescing on the waiting list, conditional requests answered from cache, a close-delimited
 * HTTP/1.1 response read as empty, first_byte_timeout → 503 "Backend fetch failed".
 */
import { join } from 'node:path';
import type { Hop } from './hop.js';
import { WARMUP_PATH, programMissing, realProgramHop, seconds } from './real-program.js';

/** PUSHSPEC_VARNISHD points at another binary (or at none, to see the profile skipped). */
export const VARNISHD_BINARY = process.env['PUSHSPEC_VARNISHD'] ?? '/usr/sbin/varnishd';

export interface RealVarnishParams {
  /** default_ttl (120 s): how long a response without freshness information is stored */
  defaultTtlMs: number;
  /** first_byte_timeout (60 s): 503 when the backend sends no byte of its response in time */
  firstByteTimeoutMs: number;
  /** between_bytes_timeout (60 s): the fetch is abandoned after this long without a byte */
  betweenBytesTimeoutMs: number;
}

export function varnishMissing(): string | null {
  return programMissing(VARNISHD_BINARY, 'varnishd', 'varnish');
}

export function realVarnish(params: RealVarnishParams): Hop {
  return realProgramHop({
    name: `real-varnish(ttl ${params.defaultTtlMs}ms, first byte ${params.firstByteTimeoutMs}ms, between bytes ${params.betweenBytesTimeoutMs}ms)`,
    describe: `the varnishd binary with the builtin VCL, default_ttl ${params.defaultTtlMs / 1000} s, first_byte_timeout ${params.firstByteTimeoutMs / 1000} s, between_bytes_timeout ${params.betweenBytesTimeoutMs / 1000} s`,
    timeouts: { firstByteMs: params.firstByteTimeoutMs, idleMs: params.betweenBytesTimeoutMs, status: 503 },
    missing: varnishMissing,
    spec: (upstream) => ({
      program: 'varnish',
      warmupTarget: WARMUP_PATH,
      binary: VARNISHD_BINARY,
      files: () => ({}),
      // varnishd drops root to its own users (varnish, vcache): they must write its work dir.
      worldWritable: true,
      args: (dir, port) => [
        '-F',
        '-a',
        `127.0.0.1:${port}`,
        '-b',
        upstream.host,
        '-n',
        join(dir, 'n'),
        '-s',
        'malloc,32m',
        '-p',
        `default_ttl=${seconds(params.defaultTtlMs)}`,
        '-p',
        `first_byte_timeout=${seconds(params.firstByteTimeoutMs)}`,
        '-p',
        `between_bytes_timeout=${seconds(params.betweenBytesTimeoutMs)}`,
      ],
      // The manager reports its own stop as "Error: Manager got SIGTERM": not news.
      interesting: /Panic|died|FAIL|Error(?!: Manager got SIGTERM)/i,
    }),
  });
}
