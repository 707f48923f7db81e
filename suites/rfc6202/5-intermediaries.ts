import type { CaseContext } from '../../runner/context.js';
import { LongPollClient } from '../../runner/drivers/long-poll.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { viaTimeouts } from '../../runner/via.js';
import {
  holdSurvivalLimits,
  judgeHoldSurvival,
  observeHoldSurvival,
  scaledVia,
  type HoldSurvivalSeen,
} from '../scenarios/hold-survival.js';
import { header } from '../../runner/wire/index.js';
import { eventPoll, timing } from '../scenarios/long-polling.js';
import { CACHING_HOPS, HOLD_TIMEOUT_HOPS, IDLE_TIMEOUT_HOPS } from '../profiles.js';
import { sharedIdle, type IdleObservation } from '../scenarios/streaming-idle.js';
import { openStream, streamTiming } from '../scenarios/streaming.js';
import { rfc } from '../sources.js';

const s = (x: number): string => `${(x / 1000).toFixed(1)} s`;

/** Client B's poll for the URL client A just got an event from, through a caching profile. */
export interface CacheReplaySeen {
  via: string;
  waitMs: number;
  /** B timed out on our side with no response head: it was held */
  held: boolean;
  /** B's response carried client A's event */
  gotEventAgain: boolean;
  age: string | null;
  xCache: string | null;
  afterMs: number;
  ending: string;
}

/** Client B must still be held at this fraction of the hold. */
const replayLimits = { holdFraction: 0.5 };

// RFC 6202 §5.6 and RFC 9111 §4: a cache that may store a poll answer will replay it.
const cacheReplay = defineRequirement<CacheReplaySeen, typeof replayLimits>({
  id: 'lp.cache-replay',
  spec: 'RFC 6202',
  section: '5.6',
  level: 'must',
  title: "Behind a shared cache, the next client's poll is held, not answered with a stored copy of an earlier response",
  sources: [rfc(6202, '5.6'), rfc(9111, '4')],
  transports: ['longPoll'],
  needsPublish: true,
  timing: false,
  dependsOn: ['lp.held'],
  limits: replayLimits,
  tolerance: (l) =>
    `client B polls the URL client A just got an event from; B must still be waiting at ${l.holdFraction === 0.5 ? 'half' : `${l.holdFraction} ×`} the hold`,
  via: [...CACHING_HOPS],
  directToo: false,
  faults: ['cache-public', 'last-modified-only'],
  remedy: 'mark long-poll responses "Cache-Control: no-store" so shared caches never replay them (RFC 6202 §5.6, RFC 9111 §3)',
  async scenario(ctx) {
    const t = await timing(ctx);
    const channel = ctx.newChannel();
    const { result: ra, payload } = await eventPoll(ctx, new LongPollClient(ctx, channel, 'client A'));
    if (payload === null || !ra.tokens.includes(payload))
      throw new Inconclusive(`client A's poll did not deliver its event through ${ctx.via} (${ra.res.status || ra.res.end})`);
    const waitMs = t.holdMs * replayLimits.holdFraction;
    const b = new LongPollClient(ctx, channel, 'client B');
    const pending = await b.start(waitMs);
    const rb = await pending.done;
    return {
      via: ctx.via,
      waitMs,
      held: rb.res.end === 'timeout' && rb.res.tHeaders === null,
      gotEventAgain: rb.tokens.includes(payload),
      age: header(rb.res, 'age') ?? null,
      xCache: header(rb.res, 'x-cache') ?? null,
      afterMs: (rb.res.tEnd ?? ctx.now()) - pending.tSent,
      ending: `${rb.res.status || rb.res.end}`,
    };
  },
  evaluate(o): Verdict {
    const expected = `client B's identical poll is forwarded and held (still open after ${s(o.waitMs)})`;
    if (o.held) return verdict.pass(expected, `client B was still held after ${s(o.waitMs)}: ${o.via} did not replay client A's answer`);
    // A hop that says it forwarded the poll did not replay anything: a server that hands every
    // cursorless subscriber the channel's history (nchan) answers client B itself.
    if (o.xCache !== null && /^(miss|pass)\b/i.test(o.xCache) && o.gotEventAgain) {
      return verdict.pass(
        expected,
        `client B's poll was forwarded (X-Cache: ${o.xCache}) and answered after ${s(o.afterMs)} by the server itself with client A's event: the server gives a subscriber without a cursor the channel's history; ${o.via} replayed nothing`,
      );
    }
    if (o.gotEventAgain || o.age !== null) {
      return verdict.violation(
        expected,
        `client B got ${o.gotEventAgain ? "client A's event again" : 'a stored response'} after ${s(o.afterMs)}${o.age !== null ? ` (Age: ${o.age})` : ''}, served by ${o.via} from its cache: every later poll turns into an instant stale answer until the entry expires`,
      );
    }
    return verdict.unobservable(
      `client B was answered after ${s(o.afterMs)} (HTTP ${o.ending}) without a sign of a cache replay; see lp.held`,
    );
  },
});

// RFC 6202 §5.5: hops time out requests that produce no bytes; 30 s is "a safer value".
const holdSurvives = defineRequirement<HoldSurvivalSeen, typeof holdSurvivalLimits>({
  id: 'lp.hold-survives',
  spec: 'RFC 6202',
  section: '5.5',
  level: 'should',
  title: "A held poll ends with the server's own response before the intermediary's timeout answers 5xx or cuts it",
  sources: [rfc(6202, '5.5'), rfc(9110, '15.6.5')],
  transports: ['longPoll'],
  needsPublish: false,
  timing: false,
  limits: holdSurvivalLimits,
  tolerance: (l) =>
    `judged from the measured (or declared) hold against the profile's tightest timeout with a margin of ε + ${Math.round(l.marginFraction * 100)}%; confirmed live, through the real profile when it should survive, through the profile with its timeouts scaled below the hold when it should not`,
  via: [...HOLD_TIMEOUT_HOPS],
  directToo: false,
  // lp-te-and-cl: Varnish refuses an answer with both Transfer-Encoding and Content-Length (502).
  faults: ['long-hold', 'lp-te-and-cl'],
  remedy:
    'end each held poll with a normal response before the tightest proxy timeout on the path (≤ 30 s behind Heroku, API Gateway, CloudFront)',
  async scenario(ctx) {
    const h = await ctx.env.shared.hold();
    return observeHoldSurvival(ctx, {
      holdMs: h.declaredMs ?? h.measuredMs,
      capMs: h.capMs,
      what: 'poll',
      async idle(c, hold) {
        const client = new LongPollClient(c, c.newChannel(), 'idle poll');
        const p = await client.start(hold * 1.5 + c.ms(2000));
        const r = await p.done;
        return { status: r.res.status, end: r.res.end, afterMs: (r.res.tEnd ?? c.now()) - p.tSent };
      },
    });
  },
  evaluate: judgeHoldSurvival,
});

// RFC 6202 §5.5, WHATWG HTML §9.2.7: idle connections are dropped; heartbeats keep them open.
interface LiveIdle {
  live: { cut: boolean; how: string; afterMs: number; status: number };
  scaled: ReturnType<typeof scaledVia>;
}

/**
 * An idle stream through the case's profile with its idle timeout scaled to `targetMs`, watched
 * past it by `marginMs`, so a cut would have shown.
 */
async function liveIdle(ctx: CaseContext, T: number, targetMs: number, marginMs: number): Promise<LiveIdle> {
  const scaled = scaledVia(ctx, T, targetMs);
  const live = await ctx.through(scaled.key, ctx.rttMs, async (c) => {
    const session = await openStream(c, 'stream', c.newChannel(), { maxMs: targetMs * 2 + c.ms(5000) });
    await session.waitHeaders(c.ms(2000));
    const start = session.tHeaders ?? session.tSent;
    const ended = await Promise.race([session.done.then(() => true), c.pause(start + targetMs + marginMs - c.now()).then(() => false)]);
    const res = await session.stop();
    const last =
      res.framing === 'chunked' ? (res.errors.some((e) => e.startsWith('incomplete')) ? ', without the terminating 0-chunk' : '') : '';
    return { cut: ended, how: `${res.end}${last}`, afterMs: (res.tEnd ?? c.now()) - start, status: res.status };
  });
  return { live, scaled };
}

/** The shared idle observation against the profile's idle timeout, and the live check through it (null: none needed). */
export interface IdleSurvivalSeen {
  via: string;
  conditions: Conditions;
  idleTimeoutMs: number;
  idle: IdleObservation;
  /** the live check's scaled idle timeout would not be below the real one: the observation alone decides */
  targetMs: number;
  check: { live: LiveIdle['live']; divisor: number } | null;
}

/** Predicted cut: no byte at all, or a silence within ε of the idle timeout. */
const idleCut = (o: Pick<IdleSurvivalSeen, 'idle' | 'conditions' | 'idleTimeoutMs'>): boolean =>
  o.idle.heartbeats === 0 || o.idle.gapMs + o.conditions.epsilonMs >= o.idleTimeoutMs;

const idleSurvives = defineRequirement<IdleSurvivalSeen, Record<string, never>>({
  id: 'st.idle-survives',
  spec: 'RFC 6202',
  section: '5.5',
  level: 'must',
  title: "An idle stream is not cut by the intermediary's idle timeout (its heartbeats arrive sooner)",
  sources: [rfc(6202, '5.5'), 'https://html.spec.whatwg.org/multipage/server-sent-events.html#authoring-notes'],
  transports: ['stream', 'sse'],
  needsPublish: false,
  timing: false,
  idleWatch: true,
  dependsOn: ['st.first-byte'],
  limits: {},
  tolerance: () =>
    "judged from the largest silence of an idle stream (observed directly over 1.5× the heartbeat limit) against the profile's idle timeout; confirmed live through the profile with its idle timeout scaled to 1.5× that silence (at least 1 s more; with a declared heartbeat, 1.5× the declared one, checked alongside the observation and kept when the silence is no longer than declared + ε) when it should survive, or to a tenth of it (at least 1 s) when it should be cut",
  via: [...IDLE_TIMEOUT_HOPS],
  directToo: false,
  faults: ['no-heartbeat', 'stream-buffer-8k'],
  remedy:
    'send a heartbeat (an SSE comment line, or a framing no-op) more often than the shortest idle timeout on the path, e.g. every 15–20 s',
  async scenario(ctx) {
    const T = viaTimeouts(ctx.via).idleMs;
    if (T === undefined) throw new Inconclusive(`${ctx.via} has no idle timeout`);
    // With a declared heartbeat the survival check is planned from it and runs alongside the
    // shared observation; it stands if the observed silence is no longer than declared.
    const declared = streamTiming(ctx, 'stream').heartbeatMs;
    const survivalTarget = (gapMs: number): number => Math.max(1.5 * gapMs, gapMs + ctx.ms(1000));
    const planned = declared !== null && survivalTarget(declared) < T ? survivalTarget(declared) : null;
    const [o, alongside] = await Promise.all([
      sharedIdle(ctx, 'stream'),
      planned === null || declared === null ? Promise.resolve(null) : liveIdle(ctx, T, planned, Math.max(declared * 0.2, ctx.epsilonMs)),
    ]);
    if (o.ended) throw new Inconclusive(`the idle stream ended by itself after ${s(o.elapsedMs)} (${o.endHow})`);
    const base = { via: ctx.via, conditions: conditions(ctx), idleTimeoutMs: T, idle: o };
    const predictedCut = idleCut(base);
    // A cut is confirmed with the idle timeout scaled to a tenth of the silence already seen (at
    // least 1 s): still far below it, and the live wait stays short.
    // A survival is confirmed with it scaled to 1.5× the largest silence (at least 1 s more), so
    // a heartbeat at the observed pace must arrive in time for the stream to stay open.
    const earlyHolds = alongside !== null && declared !== null && !predictedCut && o.gapMs <= declared + ctx.epsilonMs;
    const targetMs =
      earlyHolds && planned !== null ? planned : predictedCut ? Math.min(T, Math.max(ctx.ms(1000), o.gapMs / 10)) : survivalTarget(o.gapMs);
    if (!predictedCut && targetMs >= T) return { ...base, targetMs, check: null };
    // Past the scaled timeout a survival is watched for a fifth of a heartbeat gap more (a beat at
    // the observed pace must come in time); a cut shows within a fifth of the scaled timeout.
    const marginMs = Math.max(0.2 * (predictedCut ? targetMs : o.gapMs), ctx.epsilonMs);
    const { live, scaled } = earlyHolds && alongside !== null ? alongside : await liveIdle(ctx, T, targetMs, marginMs);
    return { ...base, targetMs, check: { live, divisor: scaled.divisor } };
  },
  evaluate(o): Verdict {
    const T = o.idleTimeoutMs;
    const none = o.idle.heartbeats === 0;
    const predictedCut = idleCut(o);
    const measurements = { largestGapMs: Math.round(o.idle.gapMs), idleTimeoutMs: Math.round(T), heartbeats: o.idle.heartbeats };
    const analytic = none
      ? `analytic: no byte at all in ${s(o.idle.windowMs)} of an idle stream, so nothing keeps it open past ${o.via}'s ${s(T)} idle timeout`
      : `analytic: largest silence ${s(o.idle.gapMs)} ${predictedCut ? '≥' : '<'} ${o.via}'s ${s(T)} idle timeout`;
    const expected = `the idle stream stays open through ${o.via} (idle timeout ${s(T)})`;
    if (o.check === null)
      return verdict.pass(expected, `${analytic}; a live check would take the full ${s(T)}, so it rests on the observation`, {
        measurements,
      });
    const { live, divisor } = o.check;
    const scaledIdle = T / divisor;
    // Ended long before the (scaled) idle timeout could fire: the hop ended it for another reason.
    const early = live.cut && live.afterMs < scaledIdle / 2;
    const liveText = `live with the timeouts scaled ÷ ${divisor} (idle ${s(scaledIdle)}): ${live.cut ? `cut after ${s(live.afterMs)} (${live.how})` : `still open after ${s(live.afterMs)}`}`;
    if (early) {
      const what =
        live.status >= 400
          ? `the server answered HTTP ${live.status} to the request as ${o.via} forwarded it`
          : `${o.via} does not pass this stream at all (HTTP ${live.status}; the evidence shows what the hop did with the response)`;
      return verdict.violation(expected, `${analytic}; but ${liveText}, long before its idle timeout: ${what}`, { measurements });
    }
    if (predictedCut || live.cut)
      return verdict.violation(
        expected,
        `${analytic}; ${liveText}. The client sees the stream end and must reconnect; without resumption, events in between are lost`,
        { measurements },
      );
    return verdict.pass(expected, `${analytic}; ${liveText}`, { measurements });
  },
});

export type { HoldSurvivalSeen };
export const intermediaryRequirements: Requirement[] = [cacheReplay, holdSurvives, idleSurvives];
export { cacheReplay, holdSurvives, idleSurvives };
