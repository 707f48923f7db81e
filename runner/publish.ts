import { spawn } from 'node:child_process';
import type { Clock } from './clock.js';
import { isCommandPublish, type Manifest, type Publish } from './manifest/types.js';
import { fillTemplate } from './manifest/placeholders.js';
import type { Dispatcher } from 'undici';
import { ordinaryExchange } from './ordinary-http.js';
import { certificateProblem } from './tls.js';

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
  /** where HTTP hooks are sent; default: the process's shared undici Agent (tests: MockAgent) */
  dispatcher?: Dispatcher;
}

/** a hook's body or a command's stderr is read this far, so a hostile one cannot stream at us forever */
const MAX_OUTPUT_BYTES = 64 * 1024;

/** An ordinary exchange (runner/ordinary-http.ts): undici, no redirects followed, a bounded body read. */
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
      // The hook was sent with fetch before, which adds these two; a hook that negotiates or
      // parses by them sees the same request as before (a manifest's own values win).
      const given = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
      if (!given.has('accept')) headers['accept'] = '*/*';
      if (body !== undefined && !given.has('content-type')) headers['content-type'] = 'text/plain;charset=UTF-8';
      const tStart = o.clock.now();
      const res = await ordinaryExchange({
        url,
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        deadlineMs: o.deadlineMs,
        maxBodyBytes: MAX_OUTPUT_BYTES,
        ...(signal ? { signal } : {}),
        ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
      });
      const tEnd = o.clock.now();
      if (res.status === null) {
        // An https hook the run does not trust says which code and how to trust it, as the target would.
        const why = res.timedOut
          ? `no answer within ${o.deadlineMs} ms`
          : (certificateProblem(`publish hook ${url.origin}`, res.error) ?? describe(res.error));
        return { ok: false, tStart, tEnd, status: null, error: `publish hook ${method} ${url.href} failed: ${why}` };
      }
      const ok = res.status >= 200 && res.status < 300;
      return ok
        ? { ok, tStart, tEnd, status: res.status }
        : { ok, tStart, tEnd, status: res.status, error: `publish hook ${method} ${url.href} answered ${res.status}; expected 2xx` };
    },
  };
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
        const child = spawn(file ?? '', args, {
          stdio: ['ignore', 'ignore', 'pipe'],
          timeout: o.deadlineMs,
          ...(signal ? { signal } : {}),
        });
        child.stderr.on('data', (d: Buffer) => {
          if (stderr.length < MAX_OUTPUT_BYTES) stderr += d.toString('utf8');
        });
        child.on('error', (e) => {
          resolve({
            ok: false,
            tStart,
            tEnd: o.clock.now(),
            status: null,
            error: `publish command ${file ?? ''} failed to start: ${describe(e)}`,
          });
        });
        child.on('close', (code, sig) => {
          const tEnd = o.clock.now();
          if (code === 0) resolve({ ok: true, tStart, tEnd, status: 0 });
          else {
            const how = sig
              ? `was killed by ${sig}${tEnd - tStart >= o.deadlineMs ? ` after the ${o.deadlineMs} ms deadline` : ''}`
              : `exited with ${code}`;
            resolve({
              ok: false,
              tStart,
              tEnd,
              status: code,
              error: `publish command ${argv.join(' ')} ${how}; expected exit 0${stderr ? `: ${stderr.trim().slice(0, 300)}` : ''}`,
            });
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
