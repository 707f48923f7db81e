/**
 * One long poll on a connection of its own, woken by an event where a publish hook exists (at
 * 20 % of the stimulus window) and by its hold otherwise: the RFC 9112 rows send it as they need
 * (Connection: close, HTTP/1.0) and then watch the connection it came on.
 */
import type { CaseContext } from '../../runner/context.js';
import { buildRequest, hostHeader, summarizeResponse } from '../../runner/drivers/request.js';
import { Inconclusive } from '../../runner/verdict.js';
import type { RawRequest, RecordedConnection, WireResponse } from '../../runner/wire/index.js';
import { timing, until } from './long-polling.js';

export async function rawPoll(
  ctx: CaseContext,
  label: string,
  shape: (req: RawRequest) => RawRequest = (req) => req,
  /** what the waking event carries (a fresh token when not given) */
  payload?: string,
): Promise<{ conn: RecordedConnection; res: WireResponse }> {
  const block = ctx.manifest.longPoll;
  if (!block) throw new Inconclusive('the manifest has no longPoll block');
  const t = await timing(ctx);
  const channel = ctx.newChannel();
  const conn = await ctx.connect();
  const exchange = conn.exchange(
    shape(buildRequest(ctx, block, channel).req),
    { deadlineMs: t.pollDeadlineMs, signal: ctx.signal },
    hostHeader(ctx),
  );
  const tSent = ctx.now();
  ctx.note(`${label} on connection #${conn.id}`, tSent, { kind: 'request', conn: conn.id });
  if (ctx.env.publisher) {
    await until(ctx, tSent, ctx.rttMs + t.stimulusWindowMs * 0.2);
    await ctx.publish(channel, payload ?? ctx.nextToken());
  }
  const res = await exchange;
  ctx.note(summarizeResponse(res), res.tEnd ?? ctx.now(), { kind: 'response-end', conn: conn.id });
  return { conn, res };
}
