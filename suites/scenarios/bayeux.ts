/**
 * Shared Bayeux scenario steps: a client on the manifest's endpoint, a handshaken and subscribed
 * session, and a `/meta/connect` that is actually being held (the first connect after a
 * handshake may be answered at once, which Bayeux allows), so that a stimulus lands while the
 * server holds it.
 */
import type { CaseContext } from '../../runner/context.js';
import {
  BayeuxClient,
  type BayeuxExchange,
  type BayeuxMessage,
  type BayeuxTransport,
  type PendingConnect,
} from '../../runner/drivers/bayeux.js';
import { findTokens } from '../../runner/tokens.js';
import { Inconclusive } from '../../runner/verdict.js';

/** The channel a case publishes on (the manifest's channel under /pushspec/). */
export const channelOf = (c: string): string => `/pushspec/${c}`;

/** The pushspec tokens in the data of delivered messages. */
export const tokensIn = (messages: readonly BayeuxMessage[]): string[] =>
  messages.flatMap((m) => findTokens(JSON.stringify(m.data ?? null)));

/** A reply as an observation keeps it: the reply itself, or why there was none. */
export interface ReplySeen {
  status: number;
  /** why the answer is not a Bayeux reply, or null */
  problem: string | null;
  replyCount: number;
  reply: BayeuxMessage | null;
}

export function replySeen(ex: BayeuxExchange, reply: BayeuxMessage | null): ReplySeen {
  return {
    status: ex.res.status,
    problem: ex.replies === null ? (ex.problem ?? 'no reply') : null,
    replyCount: ex.replies?.length ?? 0,
    reply,
  };
}

export function bayeuxUrl(ctx: CaseContext): URL {
  const block = ctx.manifest.bayeux;
  if (!block) throw new Inconclusive('the manifest has no bayeux block');
  return new URL(block.url, ctx.manifest.baseUrl);
}

export function newClient(
  ctx: CaseContext,
  label: string,
  transport: BayeuxTransport = 'long-polling',
  extra: Array<[string, string]> = [],
): BayeuxClient {
  const headers = Object.entries({ ...ctx.manifest.headers, ...ctx.manifest.bayeux?.headers });
  return new BayeuxClient(ctx, bayeuxUrl(ctx), transport, [...headers, ...extra], label);
}

/** The deadline of one control message (handshake, subscribe, publish). */
export const controlMs = (ctx: CaseContext): number => ctx.ms(5000);

/** advice.timeout as the server gave it, capped by the run's hold limit; Inconclusive above it. */
export function connectTimeoutMs(ctx: CaseContext, client: BayeuxClient): number {
  const t = client.advice.timeout;
  const limit = ctx.env.options.holdLimitSeconds * 1000;
  if (t === undefined) return Math.min(limit, ctx.ms(30_000));
  if (t > limit)
    throw new Inconclusive(`the server advises a /meta/connect timeout of ${t} ms, above the hold limit of ${limit} ms (--hold-limit)`);
  return t;
}

/** A connect deadline: the hold, half again, plus 2 s (scaled), separates "late" from "never". */
export const connectDeadlineMs = (ctx: CaseContext, timeoutMs: number): number => timeoutMs * 1.5 + ctx.ms(2000);

/** Handshake and subscribe, or Inconclusive saying which step failed. */
export async function subscribed(
  ctx: CaseContext,
  label: string,
  channel: string,
  transport: BayeuxTransport = 'long-polling',
  extra: Array<[string, string]> = [],
): Promise<BayeuxClient> {
  const client = newClient(ctx, label, transport, extra);
  const hs = await client.handshake(controlMs(ctx));
  if (hs.reply?.successful !== true || client.clientId === null)
    throw new Inconclusive(
      `setup: the ${label}'s handshake failed (${hs.ex.problem ?? hs.reply?.error ?? `HTTP ${hs.ex.res.status || hs.ex.res.end}`})`,
    );
  const sub = await client.subscribe(channel, controlMs(ctx));
  if (sub.reply?.successful !== true)
    throw new Inconclusive(
      `setup: the ${label}'s subscribe to ${channel} failed (${sub.ex.problem ?? sub.reply?.error ?? `HTTP ${sub.ex.res.status || sub.ex.res.end}`})`,
    );
  return client;
}

/**
 * A `/meta/connect` still pending `rtt + 20 %` of the window after it was sent (so the server is
 * holding it); a connect answered sooner is followed by one more, as a client would.
 */
export async function heldConnect(
  ctx: CaseContext,
  client: BayeuxClient,
  timeoutMs: number,
): Promise<{ pending: PendingConnect; answeredAtOnce: number }> {
  let answeredAtOnce = 0;
  for (let i = 0; i < 3; i++) {
    const pending = await client.startConnect(connectDeadlineMs(ctx, timeoutMs));
    const settleMs = ctx.rttMs + Math.min(timeoutMs, ctx.ms(5000)) * 0.2;
    const raced = await Promise.race([pending.done.then(() => 'answered' as const), ctx.pause(settleMs).then(() => 'pending' as const)]);
    if (raced === 'pending') {
      // Behind a hop (latency, a loaded machine) the connect may still be on its way: an event
      // published before it reaches the server is owed to the next connect, not to this one.
      if (ctx.via !== 'direct') await ctx.reachedTarget(pending.path, pending.tSent, Math.min(timeoutMs, ctx.ms(5000)) * 0.4);
      return { pending, answeredAtOnce };
    }
    answeredAtOnce += 1;
    const ex = await pending.done;
    if (client.replyTo(ex, '/meta/connect')?.successful !== true)
      throw new Inconclusive(
        `setup: /meta/connect #${ex.seq} was not successful (${ex.problem ?? client.replyTo(ex, '/meta/connect')?.error ?? `HTTP ${ex.res.status || ex.res.end}`})`,
      );
    const interval = client.advice.interval ?? 0;
    if (interval > 0) await ctx.pause(Math.min(interval, ctx.ms(5000)));
  }
  throw new Inconclusive(
    `setup: ${answeredAtOnce} /meta/connect requests in a row were answered at once; none was held (bay.connect-held judges that)`,
  );
}
