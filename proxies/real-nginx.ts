/**
 * real-nginx: the nginx binary itself as the hop, with a stock reverse-proxy configuration written
 * to a temp directory per start: `proxy_pass` to the target, and nginx's own defaults for what a
 * profile does not set (proxy_buffering on, proxy_http_version 1.0 before 1.29.7, 60 s
 * proxy_read_timeout). One process (master_process off), on 127.0.0.1, stopped by its own PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hop, Scope, freeLoopbackPort } from './hop.js';

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
  return existsSync(NGINX_BINARY) ? null : `nginx is not installed (${NGINX_BINARY}); install it with: sudo apt-get install -y nginx`;
}

function config(dir: string, port: number, upstream: URL, p: RealNginxParams): string {
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
    listen 127.0.0.1:${port};
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

async function accepting(port: number, deadlineMs: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with code ${child.exitCode} before it listened`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nginx did not listen on 127.0.0.1:${port} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function realNginx(params: RealNginxParams): Hop {
  return {
    name: `real-nginx(http ${params.httpVersion}, buffering ${params.buffering ? 'on' : 'off'}, read ${params.readTimeoutMs}ms)`,
    describe: `the nginx binary with proxy_http_version ${params.httpVersion}, proxy_buffering ${params.buffering ? 'on' : 'off'}, proxy_read_timeout ${params.readTimeoutMs / 1000} s`,
    timeouts: { idleMs: params.readTimeoutMs, status: 504 },
    start: async (upstream, options = {}) => {
      const missing = nginxMissing();
      if (missing) throw new Error(missing);
      const scope = new Scope();
      const dir = await mkdtemp(join(tmpdir(), 'pushspec-nginx-'));
      const port = options.port ?? (await freeLoopbackPort());
      await writeFile(join(dir, 'nginx.conf'), config(dir, port, upstream, params));
      const t0 = Date.now();
      const child = spawn(NGINX_BINARY, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const stop = async (): Promise<void> => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 1000);
          await exited;
          clearTimeout(killer);
        }
        // What nginx itself said (timeouts, upstream errors) belongs in the evidence.
        const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
        for (const line of log.split('\n').filter((l) => /\[(error|warn)\]|timed out|prematurely/.test(l)).slice(0, 20)) scope.log.add(`nginx: ${line.replace(/^\S+ \S+ /, '')}`);
        await rm(dir, { recursive: true, force: true });
      };
      try {
        await accepting(port, 5000, child);
      } catch (e) {
        await stop();
        throw e;
      }
      scope.log.add(`nginx pid ${child.pid ?? '?'} listening on 127.0.0.1:${port} after ${Date.now() - t0} ms`);
      let closing: Promise<void> | undefined;
      return {
        url: new URL(`http://127.0.0.1:${port}/`),
        events: scope.log.events,
        watch: (listener) => scope.log.watch(listener),
        close: () => (closing ??= (async () => {
          scope.close();
          await stop();
        })()),
      };
    },
  };
}
