import { connect } from 'node:net';
import type { Clock } from './clock.js';
import { HarnessError } from './errors.js';
import { publishesReachOthers, type Manifest } from './manifest/types.js';
import { describe, type PublishAdapter } from './publish.js';
import { makeToken, newTag, randomChannel } from './tokens.js';
import type { Dispatcher } from 'undici';
import { ordinaryExchange } from './ordinary-http.js';

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
 * endpoint's semantics. An unreachable target stops the run: nothing could be judged. For an
 * https target it stays the TCP handshake: a TLS handshake adds one or two round trips plus the
 * server's signing time, which is no part of how fast an event travels once connected.
 */
export async function calibrateRtt(baseUrl: string, clock: Clock, timeScale: number): Promise<number> {
  const url = new URL(baseUrl);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    try {
      samples.push(await connectOnce(url, clock, 5000 * timeScale));
    } catch (e) {
      throw new HarnessError(
        'PUSHSPEC_E_UNREACHABLE',
        `target ${url.origin} is unreachable: ${describe(e)}; expected a TCP listener at ${url.host}`,
      );
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

/** How an undici failure reads in the probe's message, or null when the target was not reached. */
function notHttp(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  // undici's llhttp errors are HTTPParserError (code HPE_*, though not always set)
  if (
    (e instanceof Error && e.name === 'HTTPParserError') ||
    (typeof code === 'string' && code.startsWith('HPE_')) ||
    code === 'UND_ERR_HEADERS_OVERFLOW'
  )
    return `the answer is not HTTP/1.x (${message})`;
  // the words of runner/wire's ResponseEnd, as before the probe moved to undici
  if (code === 'UND_ERR_SOCKET') return 'the connection ended (fin) before any HTTP response';
  if (code === 'ECONNRESET') return 'the connection ended (rst) before any HTTP response';
  return null;
}

/**
 * The target must speak HTTP at all: one GET of the base URL must produce a parseable response
 * head (any status) in time. A listener that never answers, answers garbage or resets is a
 * harness problem (exit 2), not a list of failed requirements. An ordinary exchange (undici):
 * only the head counts, so the body is dropped unread (the base URL may be a stream), and the
 * connection is closed, leaving nothing open against the server under test.
 */
export async function probeHttp(baseUrl: string, timeScale: number, dispatcher?: Dispatcher): Promise<void> {
  const url = new URL(baseUrl);
  const deadlineMs = 5000 * timeScale;
  const res = await ordinaryExchange({
    url,
    method: 'GET',
    headers: {},
    deadlineMs,
    maxBodyBytes: 0,
    close: true,
    ...(dispatcher ? { dispatcher } : {}),
  });
  if (res.status !== null) return;
  const why = res.timedOut ? `no HTTP response within ${deadlineMs} ms` : notHttp(res.error);
  if (why === null) throw new HarnessError('PUSHSPEC_E_UNREACHABLE', `target ${url.origin} is unreachable: ${describe(res.error)}`);
  throw new HarnessError(
    'PUSHSPEC_E_UNREACHABLE',
    `target ${url.origin} does not speak HTTP: GET ${url.pathname} gave ${why}; expected any HTTP/1.x response`,
  );
}
