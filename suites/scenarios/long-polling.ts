import type { CaseContext } from '../../runner/context.js';
import { LongPollClient, type PendingPoll, type PollResult } from '../../runner/drivers/long-poll.js';
import { publishesReachOthers } from '../../runner/manifest/types.js';
import type { PublishResult } from '../../runner/publish.js';
import { findTokens } from '../../runner/tokens.js';
import { Inconclusive, Lost } from '../../runner/verdict.js';
import { ms } from '../format.js';

/**
 * The waits long-poll scenarios plan around, as data (requirements state them as tolerances):
 * a held poll must end by hold × pollFactor + pollSlackMs (× time scale), which separates "late"
 * from "never"; events are published within the stimulus window, min(hold, stimulusCapMs), so
 * scenarios stay short against 30 s holds with a clear margin before the server's own timer.
 * The cap is not multiplied by --time-scale: it bounds the hold's share, not a wait for the machine.
 */
export const LP_TIMING = { pollFactor: 1.5, pollSlackMs: 2000, stimulusCapMs: 5000 } as const;

/** Wake trials publish at stratified random offsets in [from, to] of the stimulus window. */
export const WAKE_OFFSETS = { from: 0.2, to: 0.6 } as const;

/** The hold a scenario plans its waits around, and the deadline of one poll derived from it. */
export async function timing(ctx: CaseContext): Promise<{ holdMs: number; pollDeadlineMs: number; stimulusWindowMs: number }> {
  const holdMs = await ctx.env.shared.planningHoldMs();
  return {
    holdMs,
    pollDeadlineMs: holdMs * LP_TIMING.pollFactor + ctx.ms(LP_TIMING.pollSlackMs),
    stimulusWindowMs: Math.min(holdMs, LP_TIMING.stimulusCapMs),
  };
}

/** Waits until `tSent + offsetMs` on the case clock. */
export async function until(ctx: CaseContext, tSent: number, offsetMs: number): Promise<void> {
  const wait = tSent + offsetMs - ctx.now();
  if (wait > 0) await ctx.pause(wait);
}

export interface WakeTrial {
  /** publish start − poll sent */
  tauMs: number;
  pub: PublishResult;
  result: PollResult;
  pending: PendingPoll;
  token: string;
  /** the poll had already ended when the publish started */
  endedBeforePublish: boolean;
  /** token arrival − publish start; null if it never came on this poll */
  latencyMs: number | null;
  /** token arrival − poll sent */
  responseMs: number | null;
}

/** One poll on a fresh channel, an event published `tauMs` after it was sent. */
export async function wakeTrial(ctx: CaseContext, tauMs: number, pollDeadlineMs: number): Promise<WakeTrial> {
  const client = new LongPollClient(ctx, ctx.newChannel(), `trial τ=${Math.round(tauMs)}ms`);
  const pending = await client.start(pollDeadlineMs);
  await until(ctx, pending.tSent, tauMs);
  const token = ctx.nextToken();
  const pub = await ctx.publish(client.channel, token);
  const result = await pending.done;
  const arrival = result.arrival(token);
  // Through a chain, the edge saw when the answer left the target: before the publish started, or
  // caused by it (on loopback both reach the client within the same round trip). Straight to the
  // target it is judged against the planned offset, so a late publish (a stalled harness) cannot
  // look like an early answer; an answer already travelling back (≤ one round trip) left the
  // server before the publish too.
  const left = ctx.leftTarget(pending.path, pending.tSent);
  const endedBeforePublish =
    arrival === null &&
    result.res.tEnd !== null &&
    (left !== null ? left < pub.tStart : result.res.tEnd < pending.tSent + tauMs + ctx.rttMs);
  return {
    tauMs: pub.tStart - pending.tSent,
    pub,
    result,
    pending,
    token,
    endedBeforePublish,
    latencyMs: arrival === null ? null : arrival - pub.tStart,
    responseMs: arrival === null ? null : arrival - pending.tSent,
  };
}

/** k trials at stratified random offsets in WAKE_OFFSETS of the stimulus window, run together. */
export async function wakeTrials(ctx: CaseContext, k: number): Promise<WakeTrial[]> {
  const t = await timing(ctx);
  // Past one round trip, so the poll has reached the server even through a slow hop.
  const { from, to } = WAKE_OFFSETS;
  const offsets = Array.from({ length: k }, (_, i) => ctx.rttMs + t.stimulusWindowMs * (from + ((to - from) * (i + Math.random())) / k));
  // Where one publish reaches every subscriber, concurrent trials would wake each other.
  if (publishesReachOthers(ctx.manifest)) {
    const out: WakeTrial[] = [];
    for (const o of offsets) out.push(await wakeTrial(ctx, o, t.pollDeadlineMs));
    return out;
  }
  return Promise.all(offsets.map((o) => wakeTrial(ctx, o, t.pollDeadlineMs)));
}

/** Least-squares fit of response time against publish offset: a held poll tracks the publish (slope ≈ 1). */
export function fitSlope(points: Array<[number, number]>): { slope: number; intercept: number } | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

export interface GapObservation {
  /** E1 (woke the first poll), then E2..E(k+1) published while no poll was pending */
  published: string[];
  gapTokens: string[];
  first: PollResult;
  gapPolls: PollResult[];
  /** every token received, in arrival order, repeats included */
  received: string[];
}

/**
 * §2.2: the window between a response and the next poll. E1 wakes a held poll; while the client
 * has no poll pending, k more events are published; the client then re-polls with its cursor
 * until it has them all, a poll comes back empty, or maxPolls polls have been made.
 */
export async function gapScenario(ctx: CaseContext, k = 3, maxPolls = 6): Promise<GapObservation> {
  const t = await timing(ctx);
  const { client, first, e1 } = await clientPastFirstEvent(ctx);
  const gapTokens: string[] = [];
  for (let i = 0; i < k; i++) {
    const tok = ctx.nextToken();
    await ctx.publish(client.channel, tok);
    gapTokens.push(tok);
  }
  const received = [...first.tokens];
  const gapPolls: PollResult[] = [];
  while (gapPolls.length < maxPolls) {
    const r = await client.poll(t.pollDeadlineMs);
    gapPolls.push(r);
    received.push(...r.tokens);
    if (!r.ok || r.tokens.length === 0 || gapTokens.every((g) => received.includes(g))) break;
  }
  return { published: [e1, ...gapTokens], gapTokens, first, gapPolls, received };
}

/**
 * A client on a fresh channel whose first poll was woken by an event, so it holds a cursor the
 * way a real client does before any gap is tested; inconclusive when that setup fails.
 */
export async function clientPastFirstEvent(ctx: CaseContext): Promise<{ client: LongPollClient; first: PollResult; e1: string }> {
  const client = new LongPollClient(ctx, ctx.newChannel());
  const { result: first, payload } = await eventPoll(ctx, client);
  const e1 = payload ?? '';
  if (!first.ok || !first.tokens.includes(e1)) {
    throw new Inconclusive(
      `setup: the first poll did not deliver the event that should wake it (${first.res.status || first.res.end}, ${first.tokens.length} events)`,
    );
  }
  if (client.cursor.problem) throw new Inconclusive(`setup: ${client.cursor.problem}`);
  return { client, first, e1 };
}

/**
 * The answer to one poll on a fresh channel, woken by an event published at 20 % of the
 * stimulus window where a hook exists, at its hold otherwise: what a check of the response's
 * header section reads.
 */
export async function answeredPoll(
  ctx: CaseContext,
  label: string,
  extraHeaders: ReadonlyArray<[string, string]> = [],
): Promise<PollResult> {
  const t = await timing(ctx);
  const client = new LongPollClient(ctx, ctx.newChannel(), label, extraHeaders);
  const pending = await client.start(t.pollDeadlineMs);
  if (ctx.env.publisher) {
    await until(ctx, pending.tSent, ctx.rttMs + t.stimulusWindowMs * 0.2);
    await ctx.publish(client.channel, ctx.nextToken());
  }
  return pending.done;
}

/**
 * One poll woken by an event published at 20% of the stimulus window; without a publish hook
 * (allowed only when `optionalEvent`) the poll simply ends at its hold. When the poll that was
 * open at the publish ends without the event, the client re-polls once with its cursor, as a
 * real client would: an event that arrives there was late (lp.wake judges that), and one that
 * arrives on neither poll was accepted and lost, which is the server's failure — unless the poll
 * carried no cursor: then the publish may have overtaken it, and one more try decides.
 */
export async function eventPoll(
  ctx: CaseContext,
  client: LongPollClient,
  opts: { payload?: string; optionalEvent?: boolean; again?: string } = {},
): Promise<{ result: PollResult; payload: string | null; late: boolean }> {
  const t = await timing(ctx);
  const pending = await client.start(t.pollDeadlineMs);
  if (opts.optionalEvent && !ctx.env.publisher) return { result: await pending.done, payload: null, late: false };
  await until(ctx, pending.tSent, ctx.rttMs + t.stimulusWindowMs * 0.2);
  // Through an intermediary the poll may not have reached the target yet (a busy machine, a hop
  // that queues): an event published before it arrives is not owed to a cursorless poll, so the
  // publish waits until the target's edge has seen the request, then keeps the same margin.
  const reached = ctx.via === 'direct' ? null : await ctx.reachedTarget(pending.path, pending.tSent, t.stimulusWindowMs * 0.4);
  if (reached !== null) {
    if (reached - pending.tSent > ctx.rttMs)
      ctx.note(
        `${client.label} poll #${pending.seq} reached the target ${ms(reached - pending.tSent)} after it was sent (the path's round trip is ${ms(ctx.rttMs)}); the publish waits for it`,
        reached,
      );
    await until(ctx, reached, t.stimulusWindowMs * 0.2);
  }
  const undelivered = ctx.via !== 'direct' && reached === null;
  const payload = opts.payload ?? ctx.nextToken();
  const pub = await ctx.publish(client.channel, payload);
  const result = await pending.done;
  // A padded payload carries its token first; delivery is judged by the token.
  const token = findTokens(payload)[0] ?? payload;
  if (result.tokens.includes(token)) return { result, payload, late: false };
  const openAtPublish = result.res.tEnd === null || result.res.tEnd > pub.tStart;
  const answered = result.ok || result.res.end === 'timeout';
  if (!openAtPublish || !answered) return { result, payload, late: false };
  const next = await client.poll(t.pollDeadlineMs);
  if (next.tokens.includes(token)) return { result: next, payload, late: true };
  if (!next.ok && next.res.end !== 'timeout') return { result, payload, late: false };
  if (!pending.hadCursor && opts.again === undefined) {
    // A poll without a cursor asks for what is published after it reaches the server, and no
    // client can tell when that is: on a loaded machine the request may be parsed after the
    // publish that followed it. The event was not owed; one more try, with a poll that carries
    // the cursor the server just handed out (or another cursorless one), decides.
    ctx.note(
      `${client.label} poll #${result.seq} carried no cursor and the event published ${ms(pub.tStart - pending.tSent)} after it was sent arrived on neither it nor poll #${next.seq}: it may have reached the server before the poll did, so it was not owed; publishing again while the next poll is held`,
    );
    const again = opts.payload === undefined ? {} : { payload: opts.payload.replace(token, ctx.nextToken()) };
    return eventPoll(ctx, client, {
      ...opts,
      ...again,
      again: `the event published for the cursorless poll #${result.seq} arrived on neither it nor poll #${next.seq}`,
    });
  }
  if (undelivered)
    throw new Inconclusive(
      `${ctx.via} had not delivered poll #${result.seq} to the target ${ms(pub.tStart - pending.tSent)} after it was sent, when the event was published; the event was not owed to it, and the re-poll #${next.seq} did not carry it either`,
    );
  throw new Lost(
    `the event the publish hook accepted (status ${pub.status}) while poll #${result.seq} was held never arrived: poll #${result.seq} ended ${result.res.status ? `with HTTP ${result.res.status}` : `by ${result.res.end}`} without it, and the re-poll #${next.seq} with the ${ctx.manifest.longPoll?.cursor?.type ?? 'none'} cursor ended ${next.res.status ? `with HTTP ${next.res.status}` : `by ${next.res.end}`} without it${opts.again === undefined ? '' : ` (before that, ${opts.again})`}`,
    { published: 1, lost: 1 },
  );
}
