/**
 * One long poll sent as HTTP/1.0 without keep-alive, observed once per run and judged by two RFC
 * 9112 rows: the answer's framing (§6.1, no Transfer-Encoding to a 1.0 request) and what the
 * server does with the connection after it (§9.3, a 1.0 connection without keep-alive does not
 * persist). One exchange serves both, so a run sends the old-protocol request only once.
 */
import type { CaseContext } from '../../runner/context.js';
import { EPSILON, epsilonMs } from '../../runner/epsilon.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { header } from '../../runner/wire/index.js';
import { rawPoll } from './raw-poll.js';

/** What the HTTP/1.0 poll got: its head (null when none arrived) and the connection afterwards. */
export interface Http10PollSeen {
  conditions: Conditions;
  /** null: no status line and header section arrived (`end` says how the exchange ended) */
  head: {
    httpVersion: string;
    status: number;
    transferEncoding: string | null;
    contentLength: string | null;
    connection: string | null;
    framing: string;
  } | null;
  end: string;
  /** how the connection ended and how long after the end of the response; null when still open when the wait ended */
  closed: { how: string; afterMs: number } | null;
}

/**
 * The server's close counts within ε (slackMs × time scale + rtts × RTT) plus a grace of graceMs
 * (× time scale) after the end of the response: the rule is that the connection closes, not how
 * fast, and a loaded machine reads a prompt FIN late (CI: nginx's, > 100 ms).
 */
export const HTTP10_CLOSE_LIMITS = { ...EPSILON, graceMs: 1000 };

export const http10CloseAllowanceMs = (c: Conditions): number =>
  epsilonMs(c.timeScale, c.rttMs, HTTP10_CLOSE_LIMITS) + HTTP10_CLOSE_LIMITS.graceMs * c.timeScale;

/** The shared HTTP/1.0 poll, its timeline replayed into the asking case. */
export async function http10Poll(ctx: CaseContext): Promise<Http10PollSeen> {
  const o = await ctx.env.shared.memo('h1:http10-poll', observeHttp10Poll);
  for (const e of o.timeline) ctx.note(`[HTTP/1.0 poll, shared] ${e.what}`, o.t0 + e.t, e);
  return o.value;
}

async function observeHttp10Poll(ctx: CaseContext): Promise<Http10PollSeen> {
  const { conn, res } = await rawPoll(ctx, 'HTTP/1.0 poll sent without keep-alive', (req) => ({
    ...req,
    httpVersion: '1.0',
    // No Connection field at all: an HTTP/1.0 request without the keep-alive option (RFC 9112 §9.3).
    headers: (req.headers ?? []).filter(([k]) => !['connection', 'keep-alive'].includes(k.toLowerCase())),
  }));
  const c = conditions(ctx);
  const head =
    res.tHeaders === null
      ? null
      : {
          httpVersion: res.httpVersion,
          status: res.status,
          transferEncoding: header(res, 'transfer-encoding') ?? null,
          contentLength: header(res, 'content-length') ?? null,
          connection: header(res, 'connection') ?? null,
          framing: res.framing,
        };
  if (res.end !== 'complete') return { conditions: c, head, end: res.end, closed: null };
  const closed = await conn.waitForClose(http10CloseAllowanceMs(c));
  return {
    conditions: c,
    head,
    end: res.end,
    closed: closed.how === 'timeout' ? null : { how: closed.how, afterMs: Math.max(0, closed.t - (res.tEnd ?? closed.t)) },
  };
}
