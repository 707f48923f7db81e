/**
 * The engine under every real-program hop (nginx, HAProxy, Varnish, Squid): write the program's
 * configuration into a fresh temp dir, start it in the foreground on a free loopback port, wait
 * until it accepts connections, and at close stop it by its own PID and put what it logged about
 * timeouts and errors into the hop's evidence. The temp dir is removed; nothing outlives close().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hop, type HopTimeouts, type RunningHop, Scope, freeLoopbackPort } from './hop.js';

/** Every real hop's temp dir starts with this, so a test can find leftover processes by it. */
export const REAL_DIR_PREFIX = 'pushspec-real-';

/** How long a program may take to listen (Varnish compiles its VCL with cc first: ~0.5–1 s). */
const READY_DEADLINE_MS = 10_000;
/**
 * How long the first request through a fresh program may take before the hop is used anyway
 * (a target that holds or buffers every path never answers it; ~100 ms is usual).
 */
const WARMUP_DEADLINE_MS = 1500;
/** A path no push server serves: any server answers it at once (404), never holds it. */
export const WARMUP_PATH = '/.well-known/pushspec-warm-up';
/** How long a program may take to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 3000;
/** Cap on what is kept of a program's own output, and on lines copied into the evidence. */
const OUTPUT_CAP_BYTES = 256 * 1024;
const EVIDENCE_LINES = 20;

export interface RealProgramSpec {
  /** Short name used in evidence lines: 'nginx', 'haproxy' … */
  program: string;
  binary: string;
  /** Files to write into the temp dir before the start, by name. */
  files(dir: string, port: number): Record<string, string>;
  args(dir: string, port: number): string[];
  /** Programs that drop root privileges (Squid, Varnish) need a dir their own user can write. */
  worldWritable?: boolean;
  /** Log files in the temp dir whose lines may go into the evidence, besides stdout/stderr. */
  logFiles?: readonly string[];
  /**
   * The request target of one request sent through the program before any case uses it:
   * origin-form for a reverse proxy, absolute-form for a forward proxy.
   */
  warmupTarget: string;
  /** SIGTERM unless the program stops slowly on it and loses nothing to SIGKILL (squid: 2 s). */
  stopSignal?: 'SIGTERM' | 'SIGKILL';
  /** Which of the program's log lines say something about the exchange (timeouts, errors, cache). */
  interesting: RegExp;
}

/** null when the binary exists; otherwise the sentence that tells the user what to install. */
export function programMissing(binary: string, program: string, aptPackage: string): string | null {
  return existsSync(binary) ? null : `${program} is not installed (${binary}); install it with: sudo apt-get install -y ${aptPackage}`;
}

async function accepting(port: number, child: ChildProcess, program: string, output: () => string): Promise<void> {
  const until = Date.now() + READY_DEADLINE_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const said = output().trim().split('\n').slice(-3).join(' | ');
      throw new Error(`${program} exited (${child.exitCode ?? child.signalCode}) before it listened${said ? `: ${said}` : ''}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`${program} did not listen on 127.0.0.1:${port} within ${READY_DEADLINE_MS} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * One request through the program to the target, answered (any status) or given up on. A
 * program that listens is not yet a path: Varnish starts its worker threads and every proxy
 * opens its first backend connection on the first request, and under load that took longer
 * than a case waits before it publishes. A case must not measure the program's start-up.
 */
async function warmUp(port: number, target: string, host: string): Promise<string> {
  const t0 = Date.now();
  const said = await new Promise<string>((resolve) => {
    const s = connect(port, '127.0.0.1');
    const done = (what: string): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => done(`no answer within ${WARMUP_DEADLINE_MS} ms`), WARMUP_DEADLINE_MS);
    s.once('connect', () => s.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    s.once('data', (d: Buffer) => done(`answered ${JSON.stringify(d.toString('latin1').split('\r\n')[0] ?? '')}`));
    s.once('error', (e) => done(`failed: ${e.message}`));
    s.once('end', () => done('closed without an answer'));
  });
  return `warm-up request through it: ${said} after ${Date.now() - t0} ms`;
}

/** How many fresh ports a program that found its port taken is started on before giving up. */
const PORT_TAKEN_RETRIES = 3;
const PORT_TAKEN = /address already in use|EADDRINUSE|could not bind|cannot bind/i;

/**
 * Starts the program; the returned hop's close() stops it by PID and records its log. A port
 * chosen here and taken by someone else before the program bound it is a race of the harness,
 * not a property of the program: it is retried on another port (a port the caller chose is not).
 */
export async function startRealProgram(spec: RealProgramSpec, upstream: URL, port?: number): Promise<RunningHop> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(spec, upstream, port);
    } catch (e) {
      if (port !== undefined || attempt > PORT_TAKEN_RETRIES || !PORT_TAKEN.test(String(e))) throw e;
    }
  }
}

async function startOnce(spec: RealProgramSpec, upstream: URL, port?: number): Promise<RunningHop> {
  const scope = new Scope();
  const dir = await mkdtemp(join(tmpdir(), `${REAL_DIR_PREFIX}${spec.program}-`));
  if (spec.worldWritable === true) await chmod(dir, 0o777);
  const listen = port ?? (await freeLoopbackPort());
  for (const [name, text] of Object.entries(spec.files(dir, listen))) await writeFile(join(dir, name), text);
  const t0 = Date.now();
  const child = spawn(spec.binary, spec.args(dir, listen), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (data: Buffer): void => {
    if (output.length < OUTPUT_CAP_BYTES) output += data.toString('utf8');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // 'exit', not 'close': a helper the program forked may hold its stdout open after it is gone.
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (e) => {
    output += `\nspawn failed: ${e.message}`;
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill(spec.stopSignal ?? 'SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(killer);
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    // What the program itself said (timeouts, upstream errors, cache decisions) is evidence.
    const logs = [output, ...(await Promise.all((spec.logFiles ?? []).map((f) => readFile(join(dir, f), 'utf8').catch(() => ''))))];
    const lines = logs.flatMap((text) => text.split('\n')).filter((l) => spec.interesting.test(l));
    for (const line of lines.slice(0, EVIDENCE_LINES)) scope.log.add(`${spec.program}: ${line.trim()}`);
    if (lines.length > EVIDENCE_LINES) scope.log.add(`${spec.program}: … ${lines.length - EVIDENCE_LINES} more log lines`);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await accepting(listen, child, spec.program, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  scope.log.add(`${spec.program} pid ${child.pid ?? '?'} listening on 127.0.0.1:${listen} after ${Date.now() - t0} ms`);
  scope.log.add(`${spec.program}: ${await warmUp(listen, spec.warmupTarget, upstream.host)}`);
  // Whatever answered on the port, the program must still be running: one that lost its port to
  // another listener has exited by now with "Address already in use" (retried on a new port).
  if (child.exitCode !== null || child.signalCode !== null) {
    await stop();
    throw new Error(
      `${spec.program} exited (${child.exitCode ?? child.signalCode}) right after starting on 127.0.0.1:${listen}: ${output.slice(-500)}`,
    );
  }
  let closing: Promise<void> | undefined;
  return {
    url: new URL(`http://127.0.0.1:${listen}/`),
    events: scope.log.events,
    watch: (listener) => scope.log.watch(listener),
    close: () =>
      (closing ??= (async () => {
        scope.close();
        await stop();
      })()),
  };
}

/** A Hop around one real program: the spec is built per start, from the upstream it points at. */
export function realProgramHop(o: {
  name: string;
  describe: string;
  timeouts?: HopTimeouts;
  missing(): string | null;
  spec(upstream: URL): RealProgramSpec;
}): Hop {
  return {
    name: o.name,
    describe: o.describe,
    ...(o.timeouts === undefined ? {} : { timeouts: o.timeouts }),
    start: async (upstream, options = {}) => {
      const missing = o.missing();
      if (missing !== null) throw new Error(missing);
      return startRealProgram(o.spec(upstream), upstream, options.port);
    },
  };
}

/** Seconds as a config value with millisecond precision (programs that take fractional seconds). */
export function seconds(ms: number): string {
  return String(Math.max(0.001, Math.round(ms) / 1000));
}
