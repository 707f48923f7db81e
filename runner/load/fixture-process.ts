/**
 * `pushspec load --fixture`: the reference server in a child process (`pushspec fixture`), not in
 * ours. 10,000 held polls are 10,000 sockets on each side; in one process both halves would share
 * one open-file limit, and the client's RSS and CPU would include the server's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../errors.js';
import { parseManifestText } from '../manifest/index.js';
import type { Manifest } from '../manifest/types.js';

export interface FixtureProcess {
  manifest: Manifest;
  pid: number;
  /** the server's resident set (Linux /proc), or null */
  rss(): number | null;
  stop(): Promise<void>;
}

const START_DEADLINE_MS = 15_000;

export function startFixtureProcess(holdMs: number): Promise<FixtureProcess> {
  const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [cli, 'fixture', '--hold-ms', String(holdMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid ?? 0;
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      process.kill(pid, 'SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop().then(() =>
        reject(
          new HarnessError(
            'PUSHSPEC_E_INTERNAL',
            `the reference server did not start: ${why}${err ? `: ${err.trim().slice(0, 500)}` : ''}`,
          ),
        ),
      );
    };
    const timer = setTimeout(() => fail(`no manifest on its stdout within ${START_DEADLINE_MS} ms`), START_DEADLINE_MS);
    child.stderr?.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString('utf8');
    });
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code) => fail(`it exited with ${code ?? 'a signal'}`));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      // The manifest is one pretty-printed JSON document ending in a newline.
      if (!out.trimEnd().endsWith('}')) return;
      let manifest: Manifest;
      try {
        manifest = parseManifestText(out, 'reference server manifest');
      } catch {
        return;
      }
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ manifest, pid, rss: () => processRss(pid), stop });
    });
  });
}

function processRss(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}
