/**
 * real-nginx: the nginx binary itself as the hop, with a stock reverse-proxy configuration:
 * `proxy_pass` to the target, and nginx's own defaults for what a profile does not set
 * (proxy_buffering on, proxy_http_version 1.0 before 1.29.7, 60 s proxy_read_timeout). One
 * process (master_process off) per start.
 */
import { join } from 'node:path';
import type { Hop } from './hop.js';
import { WARMUP_PATH, programMissing, realProgramHop, type RealProgramSpec } from './real-program.js';

/** PUSHSPEC_NGINX points at another binary (or at none, to see the profile skipped). */
export const NGINX_BINARY = process.env['PUSHSPEC_NGINX'] ?? '/usr/sbin/nginx';

export interface RealNginxParams {
  /** proxy_http_version; nginx 1.22's default is 1.0 */
  httpVersion: '1.0' | '1.1';
  /** proxy_buffering (default on) */
  buffering: boolean;
  /** proxy_read_timeout (default 60 s) */
  readTimeoutMs: number;
}

/** null when nginx can run here; otherwise what to install. */
export function nginxMissing(): string | null {
  return programMissing(NGINX_BINARY, 'nginx', 'nginx');
}

/** PEM texts for `listen … ssl`: nginx then terminates TLS in front of a plain upstream. */
export interface NginxTls {
  cert: string;
  key: string;
  /** also offer h2 by ALPN (nginx 1.22: `listen … ssl http2`; the `http2 on` directive came in 1.25.1) */
  http2?: boolean;
}

function config(dir: string, port: number, upstream: URL, p: RealNginxParams, tls: NginxTls | undefined): string {
  const keepAlive = p.httpVersion === '1.1' ? '\n      proxy_set_header Connection "";' : '';
  return `daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} info;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  server {
    listen 127.0.0.1:${port}${
      tls
        ? ` ssl${tls.http2 === true ? ' http2' : ''};
    ssl_certificate ${join(dir, 'cert.pem')};
    ssl_certificate_key ${join(dir, 'key.pem')}`
        : ''
    };
    location / {
      proxy_pass http://${upstream.host};
      proxy_set_header Host $host;
      proxy_http_version ${p.httpVersion};
      proxy_buffering ${p.buffering ? 'on' : 'off'};
      proxy_read_timeout ${Math.max(1, Math.round(p.readTimeoutMs))}ms;${keepAlive}
    }
  }
}
`;
}

export function realNginx(params: RealNginxParams): Hop {
  return realProgramHop({
    name: `real-nginx(http ${params.httpVersion}, buffering ${params.buffering ? 'on' : 'off'}, read ${params.readTimeoutMs}ms)`,
    describe: `the nginx binary with proxy_http_version ${params.httpVersion}, proxy_buffering ${params.buffering ? 'on' : 'off'}, proxy_read_timeout ${params.readTimeoutMs / 1000} s`,
    timeouts: { idleMs: params.readTimeoutMs, status: 504 },
    missing: nginxMissing,
    spec: (upstream) => nginxSpec(upstream, params),
  });
}

/** The program spec; with `tls` nginx listens with TLS (its warm-up request, plain HTTP, gets a 400). */
export function nginxSpec(upstream: URL, params: RealNginxParams, tls?: NginxTls): RealProgramSpec {
  return {
    program: 'nginx',
    warmupTarget: WARMUP_PATH,
    binary: NGINX_BINARY,
    files: (dir, port) => ({
      'nginx.conf': config(dir, port, upstream, params, tls),
      ...(tls ? { 'cert.pem': tls.cert, 'key.pem': tls.key } : {}),
    }),
    args: (dir) => ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')],
    logFiles: ['error.log'],
    interesting: /\[(error|warn)\]|timed out|prematurely/,
  };
}
