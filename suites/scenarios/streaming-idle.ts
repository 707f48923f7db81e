import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CaseContext } from '../../runner/context.js';
import { idleWindowMs, type StreamKind } from '../../runner/drivers/stream.js';
import { Inconclusive } from '../../runner/verdict.js';
import { ms } from '../format.js';
import { largestGap, openStream, streamTiming } from './streaming.js';

/** An idle stream watched with nothing published (RFC 6202 §5.5, WHATWG HTML §9.2.7). */
export interface IdleObservation {
  limitMs: number;
  windowMs: number;
  declaredMs: number | null;
  gapMs: number;
  /** body bytes (heartbeats) arrived after the headers within the window */
  heartbeats: number;
  ended: boolean;
  endHow: string;
  elapsedMs: number;
  /** an undeclared heartbeat whose period was evident before the window ended, so watching stopped early */
  established?: { beats: number; periodMs: number } | undefined;
  /** the longest stall of the harness's own event loop while watching (it delays an in-process server's timers and our reads alike) */
  stallMs?: number | undefined;
  /** earlier observations discarded because a stall explained their excess silence */
  discarded?: number | undefined;
}

/** Further observations when a harness stall, not the server, could explain a silence past the limit. */
const STALL_REOBSERVATIONS = 2;

/** A silence past the limit by no more than the harness's own stall says nothing about the server. */
export const stallExplains = (o: IdleObservation): boolean => o.gapMs > o.limitMs && o.gapMs - o.limitMs <= (o.stallMs ?? 0);

/** Beats needed before an undeclared heartbeat counts as established (three whole periods). */
const ESTABLISH_BEATS = 4;

/**
 * An undeclared heartbeat is established once ESTABLISH_BEATS beats (reads closer than ε are one
 * beat split across reads) came at a regular pace: every period within ε or a quarter of the
 * longest one, and none longer than the limit. Watching on could only find a later, longer
 * silence of a server that changes its pace, which the full window would not promise to see
 * either (it is 1.5× the limit, not the 60 s of the idle timeouts it stands for).
 */
export function establishedPeriod(
  beats: readonly number[],
  epsilonMs: number,
  limitMs: number,
): { beats: number; periodMs: number } | null {
  const merged: number[] = [];
  for (const t of beats) if (merged.length === 0 || t - (merged[merged.length - 1] ?? t) > epsilonMs) merged.push(t);
  if (merged.length < ESTABLISH_BEATS) return null;
  const periods = merged.slice(1).map((t, i) => t - (merged[i] ?? t));
  const longest = Math.max(...periods);
  const shortest = Math.min(...periods);
  if (longest > limitMs || longest - shortest > Math.max(epsilonMs, longest / 4)) return null;
  return { beats: merged.length, periodMs: longest };
}

/** Opens a stream, publishes nothing, and records the silences over 1.5× the heartbeat limit. */
export async function observeIdle(ctx: CaseContext, kind: 'stream' | 'sse', windowOverrideMs?: number): Promise<IdleObservation> {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  try {
    return { ...(await watchIdle(ctx, kind, windowOverrideMs)), stallMs: Math.round(lag.max / 1e6) };
  } finally {
    lag.disable();
  }
}

async function watchIdle(ctx: CaseContext, kind: 'stream' | 'sse', windowOverrideMs?: number): Promise<Omit<IdleObservation, 'stallMs'>> {
  const t = streamTiming(ctx, kind);
  const w = idleWindowMs(t.heartbeatMs, ctx.epsilonMs);
  const limitMs = w.limitMs;
  const windowMs = windowOverrideMs ?? w.windowMs;
  const session = await openStream(ctx, kind, ctx.newChannel(), { maxMs: windowMs + ctx.ms(5000) });
  if (!(await session.waitHeaders(Math.min(windowMs, t.waitEventMs)))) {
    await session.stop();
    throw new Inconclusive(
      `no response headers within ${ms(Math.min(windowMs, t.waitEventMs))}: the idle stream cannot be observed; see st.first-byte`,
    );
  }
  const tHeaders = session.tHeaders ?? session.tSent;
  const beats = (): number[] =>
    session
      .pieces()
      .filter((p) => p.t > tHeaders)
      .map((p) => p.t);
  // A declared heartbeat already sets a short window; an undeclared one is watched until its pace is evident.
  const established =
    t.heartbeatMs === null && windowOverrideMs === undefined
      ? await session.waitUntil(() => establishedPeriod(beats(), ctx.epsilonMs, limitMs), tHeaders + windowMs - ctx.now())
      : null;
  const ended =
    established === null &&
    (await Promise.race([session.done.then(() => true), ctx.pause(tHeaders + windowMs - ctx.now()).then(() => false)]));
  const res = await session.stop();
  const until = Math.min(ctx.now(), res.tEnd ?? ctx.now());
  const gap = largestGap(session, until);
  const heartbeats = beats().length;
  if (established !== null)
    ctx.note(
      `an undeclared heartbeat every ${ms(established.periodMs)} at most was established after ${established.beats} beats: watching stopped after ${ms(until - tHeaders)} of the ${ms(windowMs)} window`,
    );
  return {
    limitMs,
    windowMs,
    declaredMs: t.heartbeatMs,
    gapMs: gap.gapMs,
    heartbeats,
    ended,
    endHow: res.end,
    elapsedMs: until - tHeaders,
    ...(established !== null ? { established } : {}),
  };
}

/**
 * The idle observation of the endpoint `kind` resolves to, taken once per run and shared by the
 * heartbeat check and every idle-timeout profile; its timeline is copied into the case's evidence.
 */
export async function sharedIdle(ctx: CaseContext, kind: StreamKind): Promise<IdleObservation> {
  const endpoint = kind === 'stream' && ctx.manifest.stream ? 'stream' : 'sse';
  const o = await ctx.env.shared.memo(`idle:${endpoint}`, async (c) => {
    let seen = await observeIdle(c, kind);
    for (let i = 0; i < STALL_REOBSERVATIONS && stallExplains(seen); i++) {
      c.note(
        `the largest silence ${ms(seen.gapMs)} passed the limit ${ms(seen.limitMs)} by no more than the harness's own ${ms(seen.stallMs ?? 0)} event-loop stall: observed again`,
      );
      seen = { ...(await observeIdle(c, kind)), discarded: i + 1 };
    }
    return seen;
  });
  for (const e of o.timeline) ctx.note(`[idle ${endpoint} observation, shared] ${e.what}`, o.t0 + e.t, e);
  return o.value;
}
