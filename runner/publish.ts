import { spawn } from 'node:child_process';
import type { Clock } from './clock.js';
import { isCommandPublish, type Manifest, type Publish } from './manifest/types.js';
import { fillTemplate } from './manifest/placeholders.js';

/** What one publish did, on the case clock: the event happened somewhere in [tStart, tEnd]. */
export interface PublishResult {
  ok: boolean;
  tStart: number;
  tEnd: number;
  /** HTTP status, or the command's exit code */
  status: number | null;
  error?: string;
}

export interface PublishAdapter {
  readonly kind: 'http' | 'command';
  publish(channel: string, payload: string, signal?: AbortSignal): Promise<PublishResult>;
}

export interface PublishOptions {
  clock: Clock;
  /** give up after this long; a publish is an ordinary exchange, so seconds are generous */
  deadlineMs: number;
}

const MAX_OUTPUT_BYTES = 64 * 1024;

/**
 * Global fetch (Node's bundled undici) rather than the undici package: it carries the same
 * explicit deadline, and nock can intercept it in the adapter's unit tests.
 */
function httpAdapter(m: Manifest, p: Exclude<Publish, { command: string[] }>, o: PublishOptions): PublishAdapter {
  return {
    kind: 'http',
    async publish(channel, payload, signal) {
      const values = { channel, payload };
      const url = new URL(fillTemplate(p.url, values, 'url'), m.baseUrl);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...m.headers, ...p.headers })) headers[k] = fillTemplate(v, values, 'raw');
      const method = p.method ?? 'POST';
      const body = p.body === undefined || method === 'GET' || method === 'HEAD' ? undefined : fillTemplate(p.body, values, 'raw');
      const timeout = AbortSignal.timeout(o.deadlineMs);
      const tStart = o.clock.now();
      try {
        const res = await fetch(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          redirect: 'manual',
        });
        // Drain at most a bounded amount so a hostile hook cannot stream forever at us.
        await drain(res, MAX_OUTPUT_BYTES);
        const tEnd = o.clock.now();
        const ok = res.status >= 200 && res.status < 300;
        return ok
          ? { ok, tStart, tEnd, status: res.status }
          : { ok, tStart, tEnd, status: res.status, error: `publish hook ${method} ${url.href} answered ${res.status}; expected 2xx` };
      } catch (e) {
        const tEnd = o.clock.now();
        const why = timeout.aborted ? `no answer within ${o.deadlineMs} ms` : describe(e);
        return { ok: false, tStart, tEnd, status: null, error: `publish hook ${method} ${url.href} failed: ${why}` };
      }
    },
  };
}

async function drain(res: Response, cap: number): Promise<void> {
  if (!res.body) return;
  const reader = res.body.getReader();
  let seen = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    seen += value.byteLength;
    if (seen > cap) {
      await reader.cancel();
      return;
    }
  }
}

function commandAdapter(argvTemplate: string[], o: PublishOptions): PublishAdapter {
  return {
    kind: 'command',
    publish(channel, payload, signal) {
      const argv = argvTemplate.map((a) => fillTemplate(a, { channel, payload }, 'raw'));
      const [file, ...args] = argv;
      const tStart = o.clock.now();
      return new Promise<PublishResult>((resolve) => {
        let stderr = '';
        const child = spawn(file ?? '', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: o.deadlineMs, ...(signal ? { signal } : {}) });
        child.stderr.on('data', (d: Buffer) => {
          if (stderr.length < MAX_OUTPUT_BYTES) stderr += d.toString('utf8');
        });
        child.on('error', (e) => {
          resolve({ ok: false, tStart, tEnd: o.clock.now(), status: null, error: `publish command ${file ?? ''} failed to start: ${describe(e)}` });
        });
        child.on('close', (code, sig) => {
          const tEnd = o.clock.now();
          if (code === 0) resolve({ ok: true, tStart, tEnd, status: 0 });
          else {
            const how = sig ? `was killed by ${sig}${tEnd - tStart >= o.deadlineMs ? ` after the ${o.deadlineMs} ms deadline` : ''}` : `exited with ${code}`;
            resolve({ ok: false, tStart, tEnd, status: code, error: `publish command ${argv.join(' ')} ${how}; expected exit 0${stderr ? `: ${stderr.trim().slice(0, 300)}` : ''}` });
          }
        });
      });
    },
  };
}

export function createPublishAdapter(m: Manifest, o: PublishOptions): PublishAdapter | null {
  const p = m.publish;
  if (!p) return null;
  return isCommandPublish(p) ? commandAdapter(p.command, o) : httpAdapter(m, p, o);
}

export function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
  }
  return String(e);
}
