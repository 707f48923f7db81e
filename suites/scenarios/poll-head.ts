/**
 * The header section of one HTTP/1.1 long poll on a connection of its own, observed once per run
 * and shared by the RFC 9112 rows that judge how the answer is framed (§6.1, §6.3) without
 * watching the connection afterwards.
 */
import type { CaseContext } from '../../runner/context.js';
import { headerAll } from '../../runner/wire/index.js';
import { rawPoll } from './raw-poll.js';

export interface PollHeadSeen {
  /** null: no status line and header section arrived (`end` says how the exchange ended) */
  head: {
    httpVersion: string;
    status: number;
    /** every Transfer-Encoding field line, as sent */
    transferEncoding: string[];
    /** every Content-Length field line, as sent */
    contentLength: string[];
    /** how the recorder delimited the body: content-length, chunked, close or none */
    framing: string;
  } | null;
  end: string;
}

export async function pollHead(ctx: CaseContext): Promise<PollHeadSeen> {
  const o = await ctx.env.shared.memo('h1:poll-head', observePollHead);
  for (const e of o.timeline) ctx.note(`[HTTP/1.1 poll, shared] ${e.what}`, o.t0 + e.t, e);
  return o.value;
}

async function observePollHead(ctx: CaseContext): Promise<PollHeadSeen> {
  const { res } = await rawPoll(ctx, 'HTTP/1.1 poll sent');
  if (res.tHeaders === null) return { head: null, end: res.end };
  return {
    head: {
      httpVersion: res.httpVersion,
      status: res.status,
      transferEncoding: headerAll(res, 'transfer-encoding'),
      contentLength: headerAll(res, 'content-length'),
      framing: res.framing,
    },
    end: res.end,
  };
}
