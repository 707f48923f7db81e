/**
 * real-haproxy: the HAProxy binary in HTTP mode in front of the target, with the timeouts of
 * Debian's shipped haproxy.cfg (connect 5 s, client 50 s, server 50 s) and nothing else set, so
 * what a client sees is HAProxy's own behaviour: a held request longer than `timeout server`
 * gets HAProxy's 504 page, a quiet stream is cut, chunks are coalesced (no `option
 * http-no-delay`), header names arrive lower-cased. Every request is logged to stderr; the lines
 * whose termination state names a timeout or an abort go into the evidence.
 */
import { join } from 'node:path';
import type { Hop } from './hop.js';
import { WARMUP_PATH, programMissing, realProgramHop } from './real-program.js';

/** PUSHSPEC_HAPROXY points at another binary (or at none, to see the profile skipped). */
export const HAPROXY_BINARY = process.env['PUSHSPEC_HAPROXY'] ?? '/usr/sbin/haproxy';

export interface RealHaproxyParams {
  /** `timeout server`: inactivity toward the server, including the wait for its response. */
  serverTimeoutMs: number;
  /** `timeout client`: inactivity toward the client. */
  clientTimeoutMs: number;
}

export function haproxyMissing(): string | null {
  return programMissing(HAPROXY_BINARY, 'haproxy', 'haproxy');
}

function config(port: number, upstream: URL, p: RealHaproxyParams): string {
  const ms = (v: number): string => `${Math.max(1, Math.round(v))}ms`;
  return `global
  log stderr format short local0 info
defaults
  mode http
  log global
  option httplog
  timeout connect 5s
  timeout client ${ms(p.clientTimeoutMs)}
  timeout server ${ms(p.serverTimeoutMs)}
frontend pushspec
  bind 127.0.0.1:${port}
  default_backend target
backend target
  server target ${upstream.host}
`;
}

export function realHaproxy(params: RealHaproxyParams): Hop {
  return realProgramHop({
    name: `real-haproxy(server ${params.serverTimeoutMs}ms, client ${params.clientTimeoutMs}ms)`,
    describe: `the haproxy binary in http mode, timeout server ${params.serverTimeoutMs / 1000} s, timeout client ${params.clientTimeoutMs / 1000} s`,
    timeouts: { idleMs: Math.min(params.serverTimeoutMs, params.clientTimeoutMs), status: 504 },
    missing: haproxyMissing,
    spec: (upstream) => ({
      program: 'haproxy',
      warmupTarget: WARMUP_PATH,
      binary: HAPROXY_BINARY,
      files: (_dir, port) => ({ 'haproxy.cfg': config(port, upstream, params) }),
      // -db: foreground, no daemon; -W off: one process we can stop by its PID.
      args: (dir) => ['-db', '-f', join(dir, 'haproxy.cfg')],
      // One httplog line per request: status, timers and the termination state (sH-- is a
      // server timeout before the headers, sD-- during the body, ---- a normal end).
      interesting: /"[A-Z]+ \S+ HTTP|ALERT|WARNING/,
    }),
  });
}
