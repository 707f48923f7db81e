import { connect } from 'node:net';
import type { Clock } from './clock.js';
import { HarnessError } from './errors.js';
import { publishesReachOthers, type Manifest } from './manifest/types.js';
import { describe, type PublishAdapter } from './publish.js';
import { makeToken, newTag, randomChannel } from './tokens.js';
import { WireConnection } from './wire/index.js';

function connectOnce(url: URL, clock: Clock, timeoutMs: number): Promise<number> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve, reject) => {
    const t0 = clock.now();
    const s = connect({ host: url.hostname, port });
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new Error(`no TCP connection within ${timeoutMs} ms`));
    });
    s.once('connect', () => {
      const rtt = clock.now() - t0;
      s.destroy();
      resolve(rtt);
    });
    s.once('error', (e) => reject(e));
  });
}

/**
 * RTT: the median of 5 TCP handshakes (one round trip each), cheap and independent of any
 * endpoint's semantics. An unreachable target stops the run: nothing could be judged.
 */
export async function calibrateRtt(baseUrl: string, clock: Clock, timeScale: number): Promise<number> {
  const url = new URL(baseUrl);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    try {
      samples.push(await connectOnce(url, clock, 5000 * timeScale));
    } catch (e) {
      throw new HarnessError('PUSHSPEC_E_UNREACHABLE', `target ${url.origin} is unreachable: ${describe(e)}; expected a TCP listener at ${url.host}`);
    }
  }
  samples.sort((a, b) => a - b);
  return Math.round((samples[2] ?? 0) * 1000) / 1000;
}

/** Tries the publish hook once on a throwaway channel; a broken hook makes [S] checks inconclusive, never failed. */
export async function preflightPublish(m: Manifest, adapter: PublishAdapter | null): Promise<string | null> {
  if (!adapter) return 'no publish hook in the manifest: checks that need an event are inconclusive';
  // A target without channels has one shared stream; a stray preflight event would show up in cases.
  if (publishesReachOthers(m)) return null;
  const r = await adapter.publish(randomChannel(), makeToken(newTag(), 0));
  return r.ok ? null : `the publish hook failed its preflight: ${r.error ?? 'unknown error'}`;
}

/**
 * The target must speak HTTP at all: one GET of the base URL must produce a parseable response
 * (any status) in time. A listener that never answers, answers garbage or resets is a harness
 * problem (exit 2), not a list of failed requirements.
 */
export async function probeHttp(baseUrl: string, clock: Clock, timeScale: number): Promise<void> {
  const url = new URL(baseUrl);
  let conn: WireConnection | null = null;
  try {
    conn = await WireConnection.open(url, { connectTimeoutMs: 5000 * timeScale, clock });
    const res = await conn.exchange({ method: 'GET', path: url.pathname + url.search }, { deadlineMs: 5000 * timeScale, maxBodyBytes: 256 * 1024 }, url.host);
    if (res.tHeaders === null || res.end === 'malformed') {
      const why = res.end === 'timeout' ? `no HTTP response within ${5000 * timeScale} ms` : res.end === 'malformed' ? `the answer is not HTTP/1.x (${res.errors.slice(0, 2).join('; ')})` : `the connection ended (${res.end}) before any HTTP response`;
      throw new HarnessError('PUSHSPEC_E_UNREACHABLE', `target ${url.origin} does not speak HTTP: GET ${url.pathname} gave ${why}; expected any HTTP/1.x response`);
    }
  } catch (e) {
    if (e instanceof HarnessError) throw e;
    throw new HarnessError('PUSHSPEC_E_UNREACHABLE', `target ${url.origin} is unreachable: ${describe(e)}`);
  } finally {
    conn?.close();
  }
}
