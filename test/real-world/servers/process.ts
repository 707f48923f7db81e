import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { freeLoopbackPort as freePort } from '../../../proxies/hop.js';

export interface Child {
  proc: ChildProcess;
  /** everything the child wrote to stdout and stderr so far (for diagnostics) */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Spawns a program and resolves once `ready(output)` returns a value (e.g. the port it printed),
 * or rejects with its output after `deadlineMs`. The child is stopped by its own PID (SIGTERM,
 * then SIGKILL after 2 s).
 */
export async function startChild<T>(
  cmd: string,
  args: string[],
  ready: (output: string) => T | undefined,
  opts: { deadlineMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ child: Child; value: T }> {
  const proc = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = false;
  const exit = new Promise<void>((r) => proc.once('exit', () => ((exited = true), r())));
  const child: Child = {
    proc,
    output: () => out,
    async stop() {
      if (exited || proc.pid === undefined) return;
      process.kill(proc.pid, 'SIGTERM');
      const t = setTimeout(() => !exited && proc.pid !== undefined && process.kill(proc.pid, 'SIGKILL'), 2000);
      await exit;
      clearTimeout(t);
    },
  };
  const value = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`${cmd} was not ready within ${opts.deadlineMs ?? 10000} ms; output:\n${out}`)),
      opts.deadlineMs ?? 10000,
    );
    const check = (d: Buffer): void => {
      out += d.toString();
      const v = ready(out);
      if (v !== undefined) done(null, v);
    };
    const done = (err: Error | null, v?: T): void => {
      clearTimeout(timer);
      proc.stdout?.off('data', check);
      if (err) {
        void child.stop().then(() => reject(err));
      } else resolve(v as T);
    };
    proc.stdout?.on('data', check);
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code) => done(new Error(`${cmd} exited (${String(code)}) before it was ready; output:\n${out}`)));
  });
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, value };
}

/** For glue servers in this folder: they print `PORT <n>` once listening. */
export const printedPort = (out: string): number | undefined => {
  const m = /^PORT (\d+)$/m.exec(out);
  return m ? Number(m[1]) : undefined;
};

/**
 * A fresh temp directory for a program's config and data, and one idempotent stop() that stops
 * the child (once `own()` was given it) by its PID and then removes the directory.
 */
export async function programDir(prefix: string): Promise<{ dir: string; own: (child: Child) => void; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  let child: Child | null = null;
  let stopping: Promise<void> | null = null;
  return {
    dir,
    own: (c) => void (child = c),
    stop: () =>
      (stopping ??= (async () => {
        try {
          await child?.stop();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      })()),
  };
}
