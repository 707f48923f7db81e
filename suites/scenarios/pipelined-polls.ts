/**
 * Two long polls pipelined on one HTTP/1.1 connection (RFC 9112 §9.3.2), poll A on a quiet
 * channel, then poll B on a channel that gets an event: which response answers which request is
 * told by the event's token, so a response that overtakes the one before it is seen.
 */
import type { CaseContext } from '../../runner/context.js';
import { longPollBlock } from '../../runner/drivers/long-poll.js';
import { buildRequest, hostHeader } from '../../runner/drivers/request.js';
import { noteBodyAndEnd, noteHead } from '../../runner/drivers/evidence.js';
import { findTokens } from '../../runner/tokens.js';
import { Inconclusive } from '../../runner/verdict.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { firstArrival, hasToken, type RawRequest, type WireResponse } from '../../runner/wire/index.js';
import { CursorState } from '../../runner/drivers/cursor.js';
import { timing, until } from './long-polling.js';

export interface PipelinedAnswer {
  /** null: no header section arrived */
  status: number | null;
  end: string;
  /** the response ends with Connection: close */
  closes: boolean;
  tokens: string[];
  /** send → end of this response, ms */
  endedAfterMs: number | null;
  /** publish start → first byte of the event's token on this response, ms */
  tokenAfterPublishMs: number | null;
}

export interface PipelinedPollsSeen {
  conditions: Conditions;
  /** the event published on B's channel in this attempt */
  token: string;
  /** every event published on B's channel, earlier attempts' included: any of them marks B's answer */
  bTokens: string[];
  /** send → publish start, ms */
  publishedAfterMs: number;
  /** answers in the order they arrived on the connection: the first is read as poll A's */
  first: PipelinedAnswer;
  second: PipelinedAnswer | null;
}

function answer(res: WireResponse, tSent: number, tPublish: number, token: string): PipelinedAnswer {
  const at = firstArrival(res, token);
  return {
    status: res.tHeaders === null ? null : res.status,
    end: res.end,
    closes: res.tHeaders !== null && hasToken(res, 'connection', 'close'),
    tokens: findTokens(res.body),
    endedAfterMs: res.tEnd === null ? null : res.tEnd - tSent,
    tokenAfterPublishMs: at === null ? null : at - tPublish,
  };
}

type Poll = { url: URL; req: RawRequest };

/** A poll on `channel` carrying `cursor`'s value (none on a first poll). */
function pollOn(ctx: CaseContext, channel: string, cursor: CursorState | null): Poll {
  const { url, req } = buildRequest(ctx, longPollBlock(ctx), channel);
  const headers = [...(req.headers ?? [])];
  cursor?.apply(url, headers);
  return { url, req: { ...req, path: url.pathname + url.search, headers } };
}

interface Attempt {
  seen: PipelinedPollsSeen;
  r1: WireResponse;
  r2: WireResponse | null;
}

/** A cursorless poll answered before the publish with a complete 2xx and no events: a handshake. */
const isHandshake = (x: Attempt): boolean =>
  x.r2 !== null &&
  [x.r1, x.r2].every((r) => r.end === 'complete' && r.status >= 200 && r.status < 300) &&
  x.seen.first.tokens.length === 0 &&
  x.seen.first.endedAfterMs !== null &&
  x.seen.first.endedAfterMs < x.seen.publishedAfterMs;

export async function pipelinedPolls(ctx: CaseContext): Promise<PipelinedPollsSeen> {
  if (!ctx.env.publisher) throw new Inconclusive('needs the publish hook: the event tells which response answers which poll');
  const block = longPollBlock(ctx);
  const method = block.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD')
    throw new Inconclusive(`the poll is a ${method}: a client should not pipeline after a non-idempotent request (RFC 9112 §9.3.2)`);
  const channels = [ctx.newChannel(), ctx.newChannel()] as const;
  const once = await attempt(ctx, [pollOn(ctx, channels[0], null), pollOn(ctx, channels[1], null)], channels[1], []);
  if (!isHandshake(once) || once.r2 === null || block.cursor === undefined) return once.seen;
  // Servers that hold only polls carrying a cursor hand one out at once (a handshake): poll again
  // with each channel's cursor, as a client would.
  ctx.note('both pipelined polls were answered at once without events (a handshake): pipelining them again with their cursors');
  const cursors = [once.r1, once.r2].map((r) => {
    const c = new CursorState(block.cursor ?? { type: 'none' });
    c.update(r);
    return c;
  });
  const polls = [pollOn(ctx, channels[0], cursors[0] ?? null), pollOn(ctx, channels[1], cursors[1] ?? null)] as const;
  return (await attempt(ctx, polls, channels[1], once.seen.bTokens)).seen;
}

async function attempt(ctx: CaseContext, [a, b]: readonly [Poll, Poll], channelB: string, earlier: readonly string[]): Promise<Attempt> {
  const t = await timing(ctx);
  const conn = await ctx.connect();
  if (conn.protocol !== 'http/1.1') throw new Inconclusive('HTTP/1.1 pipelining needs an HTTP/1.1 connection');
  const method = a.req.method;
  // Both requests leave before any response is read: the second is pipelined behind the first.
  const tSent = conn.send(a.req, hostHeader(ctx));
  conn.send(b.req, hostHeader(ctx));
  ctx.note(`polls A and B pipelined on connection #${conn.id}: ${method} ${a.req.path}, then ${b.req.path}`, tSent, {
    kind: 'request',
    conn: conn.id,
  });
  const limits = { deadlineMs: t.pollDeadlineMs, signal: ctx.signal };
  const first = conn.readResponse(method, tSent, limits);
  const second = first.then((r) => (r.end === 'complete' ? conn.readResponse(method, tSent, limits) : null));
  second.catch(() => undefined);
  await until(ctx, tSent, ctx.rttMs + t.stimulusWindowMs * 0.2);
  const token = ctx.nextToken();
  const pub = await ctx.publish(channelB, token);
  const r1 = await first;
  const r2 = await second;
  for (const [label, r] of [
    ['pipelined response 1', r1],
    ['pipelined response 2', r2],
  ] as const) {
    if (r === null) continue;
    if (r.tHeaders !== null) noteHead(ctx, label, r, r.tHeaders);
    noteBodyAndEnd(ctx, label, r);
  }
  conn.close();
  const seen = {
    conditions: conditions(ctx),
    token,
    bTokens: [...earlier, token],
    publishedAfterMs: pub.tStart - tSent,
    first: answer(r1, tSent, pub.tStart, token),
    second: r2 === null ? null : answer(r2, tSent, pub.tStart, token),
  };
  return { seen, r1, r2 };
}
