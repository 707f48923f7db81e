/**
 * The two requests beside the load: the ordinary request (the base URL's response head, on a
 * fresh connection from another client address: what any other client waits for while the load
 * is held) and, for a long poll that declares no hold, one idle poll that measures it.
 */
import { serializeRequest } from '../wire/connection.js';
import type { RawRequest } from '../wire/types.js';
import type { TlsTrust } from '../tls.js';
import { ConnectError, endpointOf, HeldConnection } from './client.js';
import { percentilesOrNull, round } from './stats.js';
import type { OrdinaryStats } from './types.js';

/** Samples per measurement: p95 is then the 19th, an observed value. */
export const ORDINARY_SAMPLES = 20;
/** The first exchanges pay for JIT and lazy setup on both sides; they are sent and not counted. */
export const WARM_UP_SAMPLES = 5;

export interface OrdinarySample {
  /** connect start → response head (ms), null when it did not come */
  ms: number | null;
  status: number | null;
  /** why there was no usable answer: refused, reset, a deadline, 429/503 */
  problem: string | null;
}

/** One exchange up to the response head; the connection is closed as soon as the head is in. */
export function headExchange(
  url: URL,
  req: RawRequest,
  localAddress: string | undefined,
  deadlineMs: number,
  now: () => number,
  trust: TlsTrust,
): Promise<OrdinarySample & { tHead: number | null }> {
  const t0 = now();
  return new Promise((resolve) => {
    let conn: HeldConnection | null = null;
    let done = false;
    const finish = (s: OrdinarySample & { tHead: number | null }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      conn?.close();
      resolve(s);
    };
    const timer = setTimeout(
      () => finish({ ms: null, status: null, problem: `no response head within ${deadlineMs} ms`, tHead: null }),
      deadlineMs,
    );
    HeldConnection.open(endpointOf(url, trust), localAddress, deadlineMs, now, {
      onHead: (res, t) =>
        finish({
          ms: t - t0,
          status: res.status,
          problem: res.status === 429 || res.status === 503 ? `HTTP ${res.status}` : null,
          tHead: t,
        }),
      onBody: () => undefined,
      onResponse: (res, t) => finish({ ms: null, status: null, problem: `the response ended (${res.end}) before its head`, tHead: t }),
      onGone: (how, _t, detail) =>
        finish({ ms: null, status: null, problem: `connection ${how} (${detail}) before a response head`, tHead: null }),
    }).then(
      (c) => {
        conn = c;
        if (done) c.close();
        else c.send(serializeRequest(req, url.host), req.method);
      },
      (e: unknown) => finish({ ms: null, status: null, problem: e instanceof ConnectError ? e.message : String(e), tHead: null }),
    );
  });
}

/** Sequential samples, so each measures the server and not our own queue. */
export async function ordinarySamples(
  baseUrl: string,
  count: number,
  localAddress: string | undefined,
  deadlineMs: number,
  now: () => number,
  trust: TlsTrust,
): Promise<OrdinarySample[]> {
  const url = new URL(baseUrl);
  const req: RawRequest = { method: 'GET', path: url.pathname + url.search, headers: [['Connection', 'close']] };
  const out: OrdinarySample[] = [];
  for (let i = 0; i < count; i++) {
    const { ms, status, problem } = await headExchange(url, req, localAddress, deadlineMs, now, trust);
    out.push({ ms, status, problem });
  }
  return out;
}

export function summariseOrdinary(samples: readonly OrdinarySample[]): OrdinaryStats {
  const ok = samples.filter((s) => s.problem === null && s.ms !== null).map((s) => s.ms ?? 0);
  const problems = [...new Set(samples.flatMap((s) => (s.problem === null ? [] : [s.problem])))];
  const samplesMs = ok.map((v) => round(v, 3));
  return { latency: percentilesOrNull(samplesMs), failed: samples.length - ok.length, problems: problems.slice(0, 3), samplesMs };
}
