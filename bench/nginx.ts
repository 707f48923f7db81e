/**
 * Real nginx as a yardstick: a reverse proxy to the origin with `proxy_buffering off` and
 * `proxy_http_version 1.1` (plus upstream keep-alive, as any streaming deployment has), run in the
 * foreground (`daemon off; master_process off;`) with its config, pid, logs and temp paths in a
 * fresh temp dir, listening on 127.0.0.1 only.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface RunningNginx {
  url: URL;
  version: string;
  close(): Promise<void>;
  /** Synchronous last resort for signal handlers: SIGKILL the process, remove the temp dir. */
  kill(): void;
}

/**
 * The nginx binary on PATH, else /usr/sbin/nginx, else undefined. PUSHSPEC_BENCH_NGINX overrides:
 * a path to use that binary, `none` to leave nginx out.
 */
export function findNginx(): string | undefined {
  const override = process.env['PUSHSPEC_BENCH_NGINX'];
  if (override === 'none') return undefined;
  if (override !== undefined && override !== '') return override;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'nginx');
    if (existsSync(candidate)) return candidate;
  }
  return existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : undefined;
}

/** `nginx version: nginx/1.22.1` → `nginx/1.22.1` (nginx -v writes to stderr). */
export function nginxVersion(binary: string): string {
  const out = spawnSync(binary, ['-v'], { encoding: 'utf8', timeout: 5000 });
  const text = `${out.stdout ?? ''}${out.stderr ?? ''}`.trim();
  return text === '' ? 'unknown' : text.replace(/^nginx version:\s*/, '');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = address !== null && typeof address !== 'string' ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startNginx(binary: string, origin: URL): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'pushspec-bench-nginx-'));
  const port = await freePort();
  const config = `# pushspec bench: nginx as a streaming reverse proxy
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream origin {
    server 127.0.0.1:${origin.port};
    keepalive 8;
  }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 100000;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`;
  const configPath = join(dir, 'nginx.conf');
  writeFileSync(configPath, config);
  let stderr = '';
  const child = spawn(binary, ['-p', dir, '-c', configPath, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr += text;
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (spawnError === undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited(child);
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      const why =
        spawnError?.message ??
        (child.exitCode !== null || child.signalCode !== null
          ? `exited (${child.exitCode ?? child.signalCode ?? '?'})`
          : 'did not listen within 5 s');
      throw new Error(`nginx ${why}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: new URL(`http://127.0.0.1:${port}/`),
    version: nginxVersion(binary),
    close: stop,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
