import { Agent, request, type Dispatcher } from 'undici';
import { DEFAULT_TRUST, trustOptions, type TlsTrust } from './tls.js';

/**
 * Ordinary HTTP exchanges — the publish hook, the preflight's "does it speak HTTP" probe — go
 * through undici: keep-alive connection reuse (a publish on a warm connection keeps the
 * [tStart, tEnd] window of an event tight), per-request header and body timeouts, a bounded
 * read of the body. Observation does not: runner/wire/ reads raw sockets, because verdicts hang
 * on byte-level timing, chunk boundaries and malformed responses that a client library hides.
 */
const shared = new Map<string, Agent>();

/**
 * One Agent per trust setting for the process: idle sockets are unref'd by undici, so it never
 * holds exit up. An https hook or probe verifies the certificate as the wire recorder does.
 */
export function ordinaryAgent(trust: TlsTrust = DEFAULT_TRUST): Dispatcher {
  const key = JSON.stringify([trust.insecure, trust.ca ?? null]);
  let agent = shared.get(key);
  if (!agent)
    shared.set(
      key,
      (agent = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000, connections: 16, connect: trustOptions(trust) })),
    );
  return agent;
}

export interface OrdinaryRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** the whole exchange, head and bounded body read, within this long */
  deadlineMs: number;
  /** read at most this much of the body, then drop the connection (a hostile endpoint may stream
   * forever); 0: the head is the answer, the body is dropped unread (the endpoint may be a stream) */
  maxBodyBytes: number;
  signal?: AbortSignal;
  /** send `Connection: close` and leave no idle connection behind (a probe of a target under test) */
  close?: boolean;
  /** default: ordinaryAgent(); tests pass undici's MockAgent */
  dispatcher?: Dispatcher;
}

export type OrdinaryOutcome = { status: number } | { status: null; timedOut: boolean; error: unknown };

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Never throws: a failed exchange is an outcome the caller words for its own message. */
export async function ordinaryExchange(r: OrdinaryRequest): Promise<OrdinaryOutcome> {
  const timeout = AbortSignal.timeout(r.deadlineMs);
  const signal = r.signal ? AbortSignal.any([r.signal, timeout]) : timeout;
  try {
    const res = await request(r.url, {
      dispatcher: r.dispatcher ?? ordinaryAgent(),
      method: r.method,
      headers: r.headers,
      ...(r.body === undefined ? {} : { body: r.body }),
      signal,
      headersTimeout: r.deadlineMs,
      bodyTimeout: r.deadlineMs,
      ...(r.close ? { reset: true } : {}),
    });
    // dump() reads up to the limit (so the connection can be reused) and destroys the rest.
    if (r.maxBodyBytes > 0) await res.body.dump({ limit: r.maxBodyBytes, signal });
    else res.body.on('error', () => {}).destroy(); // undici reports the drop as an AbortError: expected here
    return { status: res.statusCode };
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    return { status: null, timedOut: timeout.aborted || (typeof code === 'string' && TIMEOUT_CODES.has(code)), error: e };
  }
}
