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
import { firstArrival, hasToken, type WireResponse } from '../../runner/wire/index.js';
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
  token: string;
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

export async function pipelinedPolls(ctx: CaseContext): Promise<PipelinedPollsSeen> {
  if (!ctx.env.publisher) throw new Inconclusive('needs the publish hook: the event tells which response answers which poll');
  const t = await timing(ctx);
  const block = longPollBlock(ctx);
  const channelB = ctx.newChannel();
  const a = buildRequest(ctx, block, ctx.newChannel());
  const b = buildRequest(ctx, block, channelB);
  const conn = await ctx.connect();
  if (conn.protocol !== 'http/1.1') throw new Inconclusive('HTTP/1.1 pipelining needs an HTTP/1.1 connection');
  const method = a.req.method;
  if (method !== 'GET' && method !== 'HEAD')
    throw new Inconclusive(`the poll is a ${method}: a client should not pipeline after a non-idempotent request (RFC 9112 §9.3.2)`);
  // Both requests leave before any response is read: the second is pipelined behind the first.
  const tSent = conn.send(a.req, hostHeader(ctx));
  conn.send(b.req, hostHeader(ctx));
  ctx.note(`polls A and B pipelined on connection #${conn.id}: ${method} ${a.url.pathname}${a.url.search}, then B's`, tSent, {
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
  return {
    conditions: conditions(ctx),
    token,
    publishedAfterMs: pub.tStart - tSent,
    first: answer(r1, tSent, pub.tStart, token),
    second: r2 === null ? null : answer(r2, tSent, pub.tStart, token),
  };
}
