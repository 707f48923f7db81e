import type { Clock } from '../clock.js';
import type { HttpChoice } from '../config.js';
import { HarnessError } from '../errors.js';
import { handshakeTls, type TlsFacts, type TlsTrust } from '../tls.js';
import type { WireProtocol } from '../wire/recorded.js';
import { H2Connection } from './connection.js';

export interface Negotiated {
  protocol: WireProtocol;
  /** what the TLS handshake settled, for the report (null for an http:// target) */
  tls: TlsFacts | null;
}

/** What each --http choice offers in ALPN (RFC 7301), most preferred first. */
const OFFER: Record<HttpChoice, readonly string[]> = { '1.1': ['http/1.1'], '2': ['h2'], auto: ['h2', 'http/1.1'] };

/**
 * Settles, before any case runs, which protocol the client speaks straight to the target. Over
 * TLS, ALPN decides (auto offers h2 and http/1.1, as browsers do). In cleartext, auto is
 * HTTP/1.1 (browsers never speak h2c) and 2 means prior knowledge (RFC 9113 §3.3), checked by
 * waiting for the server's SETTINGS. A target that cannot speak what --http asks for stops the
 * run with one message (exit 2), never a failure per case.
 */
export async function negotiateProtocol(
  baseUrl: string,
  choice: HttpChoice,
  trust: TlsTrust,
  timeScale: number,
  clock: Clock,
): Promise<Negotiated> {
  const url = new URL(baseUrl);
  if (url.protocol === 'https:') {
    const tls = await handshakeTls(baseUrl, trust, timeScale, OFFER[choice]);
    if (choice === '2' && tls.alpn !== 'h2')
      throw new HarnessError(
        'PUSHSPEC_E_USAGE',
        `--http 2: target ${url.origin} did not select h2 in the TLS handshake (ALPN chose ${tls.alpn ?? 'nothing'}); expected a server that offers HTTP/2; use --http auto or 1.1 to judge it over HTTP/1.1`,
      );
    return { protocol: tls.alpn === 'h2' ? 'h2' : 'http/1.1', tls };
  }
  if (choice !== '2') return { protocol: 'http/1.1', tls: null };
  const waitMs = 5000 * timeScale;
  const conn = await H2Connection.open(url, { connectTimeoutMs: waitMs, clock, trust }).catch((e: unknown) => {
    throw new HarnessError('PUSHSPEC_E_UNREACHABLE', `target ${url.origin}: ${e instanceof Error ? e.message : String(e)}`);
  });
  try {
    if (!(await conn.whenSettings(waitMs)))
      throw new HarnessError(
        'PUSHSPEC_E_USAGE',
        `--http 2: target ${url.origin} sent no HTTP/2 SETTINGS frame ${conn.closed ? `before it closed the connection (${conn.closeHow ?? '?'})` : `within ${waitMs} ms`} of the cleartext preface; expected a server that speaks HTTP/2 with prior knowledge (RFC 9113 §3.3); an https:// URL lets ALPN choose, or use --http 1.1`,
      );
  } finally {
    conn.close();
  }
  return { protocol: 'h2', tls: null };
}
