/**
 * real-squid: the Squid binary as a forward proxy, the way a browser or a corporate network
 * uses it: pushspec's requests reach it in absolute form (`GET http://target/path HTTP/1.1`).
 * A small front on the hop's port does what a proxy-configured client does — it rewrites each
 * request line's target to absolute form and changes no other byte — so the harness keeps
 * talking origin-form to a URL as it does for every other hop. Squid runs memory-only with
 * Debian's shipped refresh_pattern lines (query URLs get no heuristic freshness); its access log
 * (TCP_MISS, TCP_REFRESH_*, TCP_MEM_HIT per request) goes into the evidence.
 */
import { join } from 'node:path';
import { type Hop, type RunningHop, Scope } from './hop.js';
import { Http1Parser } from './http1.js';
import { startTcpHop } from './link.js';
import { WARMUP_PATH, programMissing, realProgramHop } from './real-program.js';

/** PUSHSPEC_SQUID points at another binary (or at none, to see the profile skipped). */
export const SQUID_BINARY = process.env['PUSHSPEC_SQUID'] ?? '/usr/sbin/squid';

export interface RealSquidParams {
  /** read_timeout (15 min): the server side is closed after this long without a byte (whole seconds, ≥ 1 s: squid's minimum) */
  readTimeoutMs: number;
}

export function squidMissing(): string | null {
  return programMissing(SQUID_BINARY, 'squid', 'squid');
}

function config(dir: string, port: number, p: RealSquidParams): string {
  return `http_port 127.0.0.1:${port}
pid_filename ${join(dir, 'squid.pid')}
cache_log ${join(dir, 'cache.log')}
access_log stdio:${join(dir, 'access.log')}
cache_store_log none
cache_mem 16 MB
coredump_dir ${dir}
netdb_filename none
pinger_enable off
cache_effective_user proxy
shutdown_lifetime 0 seconds
read_timeout ${Math.max(1, Math.ceil(p.readTimeoutMs / 1000))} seconds
http_access allow localhost
http_access deny all
# Debian's shipped squid.conf
refresh_pattern ^ftp:		1440	20%	10080
refresh_pattern -i (/cgi-bin/|\\?) 0	0%	0
refresh_pattern .		0	20%	4320
`;
}

/** The request line with its target in absolute form; the rest of the head byte for byte. */
export function absoluteForm(raw: Buffer, origin: string): Buffer {
  const text = raw.toString('latin1');
  const lineEnd = text.indexOf('\r\n');
  const line = lineEnd < 0 ? text : text.slice(0, lineEnd);
  const m = /^(\S+) (\/\S*)( HTTP\/\d\.\d)$/.exec(line);
  if (!m) return raw;
  return Buffer.from(`${m[1] ?? ''} ${origin}${m[2] ?? ''}${m[3] ?? ''}${lineEnd < 0 ? '' : text.slice(lineEnd)}`, 'latin1');
}

/** Squid itself, listening for absolute-form requests. */
function squidProcess(params: RealSquidParams): Hop {
  return realProgramHop({
    name: 'squid',
    describe: 'the squid binary',
    missing: squidMissing,
    spec: (upstream) => ({
      program: 'squid',
      warmupTarget: `${upstream.origin}${WARMUP_PATH}`,
      binary: SQUID_BINARY,
      files: (dir, port) => ({ 'squid.conf': config(dir, port, params) }),
      // squid drops root to its own user (proxy), which must write the logs in the temp dir.
      worldWritable: true,
      args: (dir) => ['-N', '-f', join(dir, 'squid.conf')],
      // squid takes 2 s to stop on SIGTERM even with shutdown_lifetime 0; with -N and no pinger
      // it is one process, and its logs are unbuffered (buffered_logs off), so nothing is lost.
      stopSignal: 'SIGKILL',
      logFiles: ['access.log', 'cache.log'],
      interesting: /TCP_|WARNING|ERROR|FATAL/,
    }),
  });
}

export function realSquid(params: RealSquidParams): Hop {
  return {
    name: `real-squid(read ${params.readTimeoutMs}ms)`,
    describe: `the squid binary as a forward proxy (absolute-form requests), memory cache, Debian refresh patterns, read_timeout ${params.readTimeoutMs / 1000} s`,
    timeouts: { idleMs: Math.max(1000, Math.ceil(params.readTimeoutMs / 1000) * 1000) },
    start: async (upstream, options = {}): Promise<RunningHop> => {
      const squid = await squidProcess(params).start(upstream);
      const scope = new Scope();
      for (const e of squid.events) scope.log.add(e.what, e.t);
      const unwatch = squid.watch?.((e) => scope.log.add(e.what, e.t));
      const origin = upstream.origin;
      let front: RunningHop;
      try {
        front = await startTcpHop({
          scope,
          upstream: squid.url,
          ...options,
          hooks: (link) => {
            const parser = new Http1Parser('request');
            return {
              fromClient: (data) => {
                for (const ev of parser.push(data)) {
                  if (ev.type === 'head') link.toServer(absoluteForm(ev.raw, origin));
                  else if (ev.type === 'error') {
                    link.event(`request not parseable (${ev.message}): cut`);
                    link.cut('fin');
                  } else link.toServer(ev.raw);
                }
              },
            };
          },
        });
      } catch (e) {
        unwatch?.();
        await squid.close();
        throw e;
      }
      let closing: Promise<void> | undefined;
      return {
        url: front.url,
        events: front.events,
        ...(front.watch === undefined ? {} : { watch: front.watch }),
        close: () =>
          (closing ??= (async () => {
            await front.close();
            // squid's own log lines arrive at its stop; keep them, then detach.
            await squid.close();
            unwatch?.();
          })()),
      };
    },
  };
}
