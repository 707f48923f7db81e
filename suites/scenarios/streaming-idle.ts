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
}

/** Opens a stream, publishes nothing, and records the silences over 1.5× the heartbeat limit. */
export async function observeIdle(ctx: CaseContext, kind: 'stream' | 'sse', windowOverrideMs?: number): Promise<IdleObservation> {
  const t = streamTiming(ctx, kind);
  const w = idleWindowMs(t.heartbeatMs, ctx.epsilonMs);
  const limitMs = w.limitMs;
  const windowMs = windowOverrideMs ?? w.windowMs;
  const session = await openStream(ctx, kind, ctx.newChannel(), { maxMs: windowMs + ctx.ms(5000) });
  if (!(await session.waitHeaders(Math.min(windowMs, t.waitEventMs)))) {
    await session.stop();
    throw new Inconclusive(`no response headers within ${ms(Math.min(windowMs, t.waitEventMs))}: the idle stream cannot be observed; see st.first-byte`);
  }
  const tHeaders = session.tHeaders ?? session.tSent;
  const ended = await Promise.race([session.done.then(() => true), ctx.pause(tHeaders + windowMs - ctx.now()).then(() => false)]);
  const res = await session.stop();
  const until = Math.min(ctx.now(), res.tEnd ?? ctx.now());
  const gap = largestGap(session, until);
  const heartbeats = session.pieces().filter((p) => p.t > tHeaders).length;
  return { limitMs, windowMs, declaredMs: t.heartbeatMs, gapMs: gap.gapMs, heartbeats, ended, endHow: res.end, elapsedMs: until - tHeaders };
}

/**
 * The idle observation of the endpoint `kind` resolves to, taken once per run and shared by the
 * heartbeat check and every idle-timeout profile; its timeline is copied into the case's evidence.
 */
export async function sharedIdle(ctx: CaseContext, kind: StreamKind): Promise<IdleObservation> {
  const endpoint = kind === 'stream' && ctx.manifest.stream ? 'stream' : 'sse';
  const o = await ctx.env.shared.memo(`idle:${endpoint}`, (c) => observeIdle(c, kind));
  for (const e of o.timeline) ctx.note(`[idle ${endpoint} observation, shared] ${e.what}`, o.t0 + e.t, e);
  return o.value;
}
