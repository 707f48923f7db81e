import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { EPSILON_TEXT } from '../../runner/epsilon.js';
import { LongPollClient, type PollResult } from '../../runner/drivers/long-poll.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { hasToken } from '../../runner/wire/index.js';
import { padPayload } from '../../runner/tokens.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { rfc } from '../sources.js';
import { LONG_POLL_HOPS } from '../profiles.js';
import {
  clientPastFirstEvent,
  eventPoll,
  fitSlope,
  gapScenario,
  LP_TIMING,
  timing,
  until,
  WAKE_OFFSETS,
  wakeTrials,
  type GapObservation,
  type WakeTrial,
} from '../scenarios/long-polling.js';
import { ms, secs } from '../format.js';

const LP = ['longPoll'] as const;
const EXACT: Record<string, never> = {};
const pct = (f: number): string => `${Math.round(f * 100)}%`;
/** How a poll ended, as verdicts quote it: the status, or how the connection ended without one. */
const ending = (r: PollResult): string => `${r.res.status || r.res.end}`;

/** One wake trial as judged: times relative to the poll's send, the publish's own round trip. */
export interface TrialSeen {
  /** publish start − poll sent */
  tauMs: number;
  /** publish hook round trip (its start to its answer) */
  publishMs: number;
  endedBeforePublish: boolean;
  /** event arrival − publish start; null if it never came on this poll */
  latencyMs: number | null;
  /** event arrival − poll sent */
  responseMs: number | null;
  /** end of the response − poll sent, null while open */
  endedAfterMs: number | null;
  status: number;
  ending: string;
  events: number;
}

function trialSeen(t: WakeTrial): TrialSeen {
  const { res } = t.result;
  return {
    tauMs: t.tauMs,
    publishMs: t.pub.tEnd - t.pub.tStart,
    endedBeforePublish: t.endedBeforePublish,
    latencyMs: t.latencyMs,
    responseMs: t.responseMs,
    endedAfterMs: res.tEnd === null ? null : res.tEnd - t.pending.tSent,
    status: res.status,
    ending: ending(t.result),
    events: t.result.tokens.length,
  };
}

export interface TrialsSeen {
  conditions: Conditions;
  trials: TrialSeen[];
}

async function observeTrials(ctx: Parameters<Requirement['scenario']>[0], k: number): Promise<TrialsSeen> {
  return { conditions: conditions(ctx), trials: (await wakeTrials(ctx, k)).map(trialSeen) };
}

const slopeOf = (trials: readonly TrialSeen[]): { slope: number } | null =>
  fitSlope(trials.filter((t) => t.responseMs !== null).map((t) => [t.tauMs, t.responseMs ?? 0]));

const wakeLimits = { trials: 4, ...WAKE_OFFSETS, stimulusCapMs: LP_TIMING.stimulusCapMs };

// RFC 6202 §2.1: "the server does not immediately respond ... Instead, the server holds the
// request open until new data is available".
const held = defineRequirement<TrialsSeen, typeof wakeLimits>({
  id: 'lp.held',
  spec: 'RFC 6202',
  section: '2.1',
  level: 'must',
  title: 'A long poll is held open until an event arrives, not answered at once (no short polling)',
  sources: [rfc(6202, '2.1')],
  transports: [...LP],
  needsPublish: true,
  timing: true,
  limits: wakeLimits,
  tolerance: (l) =>
    `${l.trials} polls on fresh channels, events published at random offsets of RTT + ${pct(l.from)}–${pct(l.to)} of min(hold, ${secs(l.stimulusCapMs)}): every poll must still be open when its event is published`,
  via: [...LONG_POLL_HOPS],
  deploymentCheck: true,
  faults: ['short-poll'],
  remedy: 'hold the poll until an event is queued for it or the hold expires; do not answer an empty poll at once',
  scenario: (ctx) => observeTrials(ctx, wakeLimits.trials),
  evaluate(o): Verdict {
    const { trials } = o;
    const early = trials.filter((t) => t.endedBeforePublish);
    const fit = slopeOf(trials);
    const measurements = {
      trials: trials.length,
      answeredBeforeEvent: early.length,
      slope: fit ? Number(fit.slope.toFixed(3)) : null,
      offsetsMs: trials.map((t) => Math.round(t.tauMs)).join(' '),
    };
    const e = early[0];
    if (e) {
      return verdict.violation(
        'each poll stays open until its event is published',
        `${early.length}/${trials.length} polls were answered before any event (first after ${e.endedAfterMs === null ? '?' : ms(e.endedAfterMs)}, HTTP ${e.status}, ${e.events} events): the server is short polling`,
        { measurements },
      );
    }
    return verdict.pass(
      'each poll stays open until its event is published',
      `all ${trials.length} polls were still open at their publish (offsets ${measurements.offsetsMs} ms)`,
      { measurements },
    );
  },
});

/** A woken poll answers within the publish round trip + ε; a slope under this says it answered on its timer. */
const wakeJudgement = { trials: wakeLimits.trials, timerSlope: 0.5 };

// RFC 6202 §2.1 step 2: "the server ... responds ... when new data is available".
const wake = defineRequirement<TrialsSeen, typeof wakeJudgement>({
  id: 'lp.wake',
  spec: 'RFC 6202',
  section: '2.1',
  level: 'must',
  title: 'A held poll is answered as soon as an event is published, not when its hold timer fires',
  sources: [rfc(6202, '2.1')],
  transports: [...LP],
  needsPublish: true,
  timing: true,
  dependsOn: ['lp.held'],
  limits: wakeJudgement,
  tolerance: (l) => `event arrival − publish start ≤ publish round trip + ${EPSILON_TEXT} (× time scale), in each of ${l.trials} trials`,
  via: [...LONG_POLL_HOPS],
  deploymentCheck: true,
  // stream-after-event shows here only behind buffering hops: the event waits for the response to end;
  // lp-te-and-cl only behind a strict HTTP/2 front end, which turns the event's answer into a 502.
  faults: ['ignore-until-timeout', 'stream-after-event', 'lp-te-and-cl'],
  remedy: 'answer the held poll the moment an event is published for it, not on the hold timer',
  scenario: (ctx) => observeTrials(ctx, wakeJudgement.trials),
  evaluate(o, l): Verdict {
    const eps = o.conditions.epsilonMs;
    const usable = o.trials.filter((t) => !t.endedBeforePublish);
    if (usable.length === 0)
      return verdict.unobservable(
        `every poll ended before its event was published (${o.trials.map((t) => t.ending).join(', ')}); see lp.held`,
      );
    const late: string[] = [];
    let worst = 0;
    let excess = 0;
    for (const t of usable) {
      const allowed = t.publishMs + eps;
      if (t.latencyMs === null) {
        late.push(`τ=${ms(t.tauMs)}: event never arrived on that poll (${t.ending})`);
        excess = Infinity;
      } else if (t.latencyMs > allowed) {
        late.push(`τ=${ms(t.tauMs)}: arrived ${ms(t.latencyMs)} after the publish (allowed ${ms(allowed)})`);
        excess = Math.max(excess, t.latencyMs - allowed);
      }
      if (t.latencyMs !== null) worst = Math.max(worst, t.latencyMs);
    }
    const fit = slopeOf(usable);
    const measurements = {
      worstLatencyMs: Math.round(worst),
      slope: fit ? Number(fit.slope.toFixed(3)) : null,
      epsilonMs: Math.round(eps),
    };
    // An event that never arrived has no finite overshoot: no excessMs, so no stall can excuse it.
    const over = Number.isFinite(excess) ? { excessMs: Math.round(excess) } : {};
    const expected = `each event arrives within the publish round trip + ${ms(eps)} of its publish`;
    if (late.length > 0) {
      const timer =
        fit && fit.slope < l.timerSlope
          ? ` Response time does not track publish time (slope ${fit.slope.toFixed(2)}; 1 means woken by the event): the server answers on its timer.`
          : '';
      return verdict.violation(expected, `${late.join('; ')}.${timer}`, { measurements, ...over });
    }
    return verdict.pass(
      expected,
      `worst latency ${ms(worst)} over ${usable.length} trials${fit ? `, slope ${fit.slope.toFixed(2)}` : ''}`,
      { measurements },
    );
  },
});

/** The response that carried the event: when its framing ended relative to the event's arrival. */
export interface CompleteSeen {
  conditions: Conditions;
  framing: string;
  ending: string;
  /** end of framing − arrival of the event; null when the response had not completed */
  endAfterEventMs: number | null;
  /** how long after the event the response was seen still open (when it had not completed) */
  openAfterEventMs: number;
}

// RFC 6202 §2.1 step 3: "the server sends a complete response to the client".
const complete = defineRequirement<CompleteSeen, typeof EXACT>({
  id: 'lp.complete',
  spec: 'RFC 6202',
  section: '2.1',
  level: 'must',
  title: 'The response that delivers an event is complete (framing ends) right after the event',
  sources: [rfc(6202, '2.1'), rfc(9112, '6.3')],
  transports: [...LP],
  needsPublish: true,
  timing: true,
  dependsOn: ['lp.wake'],
  limits: EXACT,
  tolerance: () => `end of framing − arrival of the event ≤ ${EPSILON_TEXT} (× time scale)`,
  faults: ['stream-after-event'],
  remedy: 'end the response (last chunk, Content-Length or close) right after the events it carries',
  async scenario(ctx) {
    const { result: r, payload: token } = await eventPoll(ctx, new LongPollClient(ctx, ctx.newChannel()));
    const arrival = token === null ? null : r.arrival(token);
    if (arrival === null) throw new Inconclusive(`the event never arrived on the poll (${ending(r)}); see lp.wake`);
    const end = r.res.end === 'complete' && r.res.tEnd !== null ? r.res.tEnd : null;
    return {
      conditions: conditions(ctx),
      framing: r.res.framing,
      ending: r.res.end,
      endAfterEventMs: end === null ? null : end - arrival,
      openAfterEventMs: ctx.now() - arrival,
    };
  },
  evaluate(o): Verdict {
    const eps = o.conditions.epsilonMs;
    const expected = `the response ends within ${ms(eps)} of delivering the event`;
    const measurements = { framing: o.framing, endAfterEventMs: o.endAfterEventMs === null ? null : Math.round(o.endAfterEventMs) };
    if (o.endAfterEventMs === null)
      return verdict.violation(
        expected,
        `the response was still open ${ms(o.openAfterEventMs)} after the event (${o.ending}); a long poll must complete, or it is a stream`,
        { measurements },
      );
    if (o.endAfterEventMs > eps)
      return verdict.violation(expected, `the response ended ${ms(o.endAfterEventMs)} after the event arrived (framing: ${o.framing})`, {
        measurements,
        excessMs: Math.round(o.endAfterEventMs - eps),
      });
    return verdict.pass(expected, `ended ${ms(o.endAfterEventMs)} after the event (framing: ${o.framing})`, { measurements });
  },
});

/** One immediate re-poll: how it ended relative to the publish, and whether the event came on it or the next poll. */
export interface RepollSeen {
  endedEarly: boolean;
  ok: boolean;
  delivered: boolean;
  ending: string;
  events: number;
  /** when it ended without the event: whether the following poll carried it (null: not polled) */
  nextDelivered: boolean | null;
}

/** The first poll sets the cursor; the next `repolls` are sent at once; each event at fraction × window, ≤ capMs. */
const repollLimits = { repolls: 3, fraction: 0.2, capMs: 1000 };

// RFC 6202 §2.1 step 4: the client "sends a new long poll request" at once after a response.
const repoll = defineRequirement<{ repolls: RepollSeen[] }, typeof repollLimits>({
  id: 'lp.repoll',
  spec: 'RFC 6202',
  section: '2.1',
  level: 'must',
  title: 'An immediate re-poll is accepted and held until the next event, not rejected or answered empty',
  sources: [rfc(6202, '2.1')],
  transports: [...LP],
  needsPublish: true,
  timing: true,
  limits: repollLimits,
  tolerance: (l) =>
    `${l.repolls} cycles; each re-poll is sent at once after the previous response and must still be open when the next event is published (${pct(l.fraction)} of the hold, ≤ ${secs(l.capMs)}, later)`,
  faults: ['repoll-not-held'],
  remedy: 'accept an immediate re-poll carrying the cursor and hold it like the first poll',
  async scenario(ctx) {
    const t = await timing(ctx);
    // The first poll carries no cursor, so it is set up the way every gap case sets it up (the
    // publish waits until the poll reached the target); the re-polls judged here carry one.
    const { client } = await clientPastFirstEvent(ctx);
    const repolls: RepollSeen[] = [];
    for (let i = 1; i <= repollLimits.repolls; i++) {
      const pending = await client.start(t.pollDeadlineMs);
      const offset = Math.min(t.stimulusWindowMs * repollLimits.fraction, repollLimits.capMs);
      await until(ctx, pending.tSent, offset);
      const token = ctx.nextToken();
      await ctx.publish(client.channel, token);
      const r = await pending.done;
      const delivered = r.tokens.includes(token);
      const endedEarly = r.res.tEnd !== null && r.res.tEnd < pending.tSent + offset;
      // A held re-poll that ended without its event: a real client polls again, and the event must come there.
      const nextDelivered = !delivered && !endedEarly && r.ok ? (await client.poll(t.pollDeadlineMs)).tokens.includes(token) : null;
      repolls.push({ endedEarly, ok: r.ok, delivered, ending: ending(r), events: r.tokens.length, nextDelivered });
    }
    return { repolls };
  },
  evaluate(o): Verdict {
    const problems: string[] = [];
    for (const [k, r] of o.repolls.entries()) {
      const i = k + 1;
      if (r.endedEarly && !r.delivered)
        problems.push(`re-poll #${i} was answered at once (HTTP ${r.ending}, ${r.events} events) instead of being held`);
      else if (!r.ok) problems.push(`re-poll #${i} got HTTP ${r.ending}`);
      else if (!r.delivered && r.nextDelivered !== true)
        problems.push(`re-poll #${i}: the event published while it was held never arrived`);
    }
    const expected = 'each immediate re-poll is accepted (2xx) and held until the next event';
    if (problems.length) return verdict.violation(expected, problems.join('; '));
    return verdict.pass(expected, `${o.repolls.length} immediate re-polls were each held and delivered the next event`);
  },
});

/** Two consecutive polls: whether the first announced or did a close, and where the second was served. */
export interface PersistentSeen {
  conditions: Conditions;
  first: { connectionId: number; saysClose: boolean; httpVersion: string; status: number };
  /** how the connection closed within ε of the first response; null when it stayed open */
  closedHow: string | null;
  /** null when the second poll was not sent (the first already settled the verdict) */
  second: { connectionId: number; ok: boolean; ending: string } | null;
}

// RFC 6202 §2.1: long polling works on persistent connections, avoiding a TCP set-up per poll;
// RFC 9112 §9.3: a server that does not keep connections must say `Connection: close`.
const persistent = defineRequirement<PersistentSeen, typeof EXACT>({
  id: 'lp.persistent',
  spec: 'RFC 6202',
  section: '2.1',
  level: 'should',
  title: 'Consecutive polls reuse one persistent connection (no Connection: close after every response)',
  sources: [rfc(6202, '2.2'), rfc(9112, '9.3')],
  transports: [...LP],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: EXACT,
  tolerance: () => `the server may close an idle connection, but not within ${EPSILON_TEXT} of answering a poll`,
  faults: ['connection-close', 'lp-close-delimited', 'lp-http10-response'],
  remedy: 'keep the connection open after a poll response (HTTP/1.1 persistence), or say Connection: close',
  async scenario(ctx) {
    const client = new LongPollClient(ctx, ctx.newChannel());
    const { result: r1 } = await eventPoll(ctx, client, { optionalEvent: true });
    if (!r1.ok) throw new Inconclusive(`the first poll did not complete (${ending(r1)})`);
    const first = {
      connectionId: r1.connectionId,
      saysClose: hasToken(r1.res, 'connection', 'close'),
      httpVersion: r1.res.httpVersion,
      status: r1.res.status,
    };
    const base = { conditions: conditions(ctx), first };
    if (first.saysClose) return { ...base, closedHow: null, second: null };
    const conn = client.connection;
    const closed = conn ? await conn.waitForClose(ctx.epsilonMs) : { how: 'local' as const };
    if (closed.how !== 'timeout') return { ...base, closedHow: closed.how, second: null };
    const { result: r2 } = await eventPoll(ctx, client, { optionalEvent: true });
    return { ...base, closedHow: null, second: { connectionId: r2.connectionId, ok: r2.ok, ending: ending(r2) } };
  },
  evaluate(o): Verdict {
    const expected = 'the second poll is served on the same connection as the first';
    if (o.first.saysClose) {
      return verdict.violation(
        expected,
        `the poll response carries "Connection: close", so every poll costs a new TCP connection (HTTP/${o.first.httpVersion} ${o.first.status})`,
      );
    }
    if (o.closedHow === 'local' && o.first.httpVersion === '1.0')
      return verdict.violation(
        expected,
        `the poll was answered as HTTP/1.0 (HTTP/1.0 ${o.first.status}), whose connections persist only by the keep-alive mechanism a client need not honour (RFC 9112 §9.3); pushspec's client does not, so it closed the connection and the next poll needs a new one`,
      );
    // We closed it for a reason of our own (the response could not be reused): nothing the server did.
    if (o.closedHow === 'local') return verdict.unobservable('the client closed the connection after the first poll');
    if (o.closedHow !== null) {
      return verdict.violation(
        expected,
        `the server closed the connection (${o.closedHow}) right after the poll response without announcing "Connection: close" (RFC 9112 §9.3 requires it)`,
      );
    }
    if (!o.second) return verdict.unobservable('the second poll was not made');
    if (o.second.connectionId !== o.first.connectionId)
      return verdict.violation(
        expected,
        `the second poll needed a new connection (#${o.second.connectionId} after #${o.first.connectionId})`,
      );
    if (!o.second.ok) return verdict.unobservable(`the second poll did not complete (${o.second.ending})`);
    return verdict.pass(expected, `both polls were served on connection #${o.first.connectionId}`);
  },
});

/** The gap scenario (suites/scenarios/long-polling.ts) without the raw responses: tokens only. */
export interface GapSeen {
  /** E1 (woke the first poll), then the gap events */
  published: string[];
  gapTokens: string[];
  /** the tokens each re-poll after the gap carried */
  gapPolls: string[][];
  /** every token received, in arrival order, repeats included */
  received: string[];
  /** the manifest's longPoll.cursor type ('none' when undeclared) */
  cursor: string;
}

const gapLimits = { gapEvents: 3, maxPolls: 6 };

async function observeGap(ctx: Parameters<Requirement['scenario']>[0]): Promise<GapSeen> {
  const o: GapObservation = await gapScenario(ctx, gapLimits.gapEvents, gapLimits.maxPolls);
  return {
    published: o.published,
    gapTokens: o.gapTokens,
    gapPolls: o.gapPolls.map((p) => p.tokens),
    received: o.received,
    cursor: ctx.manifest.longPoll?.cursor?.type ?? 'none',
  };
}

const gapExpected = (o: GapSeen): string => `all ${o.published.length} events delivered exactly once, in publish order`;

// RFC 6202 §2.2: events arriving between a response and the next poll must wait for it.
const gapNoLoss = defineRequirement<GapSeen, typeof gapLimits>({
  id: 'lp.gap-no-loss',
  spec: 'RFC 6202',
  section: '2.2',
  level: 'must',
  title: 'Events published between a response and the next poll are not lost',
  sources: [rfc(6202, '2.2')],
  transports: [...LP],
  needsPublish: true,
  timing: false,
  limits: gapLimits,
  tolerance: (l) =>
    `the client re-polls with the declared cursor until it has every event, a poll comes back empty, or ${l.maxPolls} polls`,
  via: ['latency', 'http10'],
  deploymentCheck: true,
  faults: ['drop-gap'],
  remedy: 'queue events per client (or by cursor) between polls and deliver them on the next poll',
  scenario: observeGap,
  evaluate(o): Verdict {
    const missing = o.published.filter((p) => !o.received.includes(p));
    const measurements = { published: o.published.length, received: new Set(o.received).size, gapPolls: o.gapPolls.length };
    if (missing.length) {
      const how =
        o.cursor === 'none'
          ? `${o.gapPolls.length} re-polls; the manifest declares no cursor (longPoll.cursor), so the re-polls told the server nothing about what the client already had: a server that keeps no per-client queue cannot deliver events published between polls without one. If the server has a cursor (an id, ETag, Last-Event-ID or session cookie), declare it; if it has none, this loss is real`
          : `${o.gapPolls.length} re-polls with the ${o.cursor} cursor`;
      return verdict.violation(
        gapExpected(o),
        `${missing.length} of ${o.gapTokens.length} events published (hook answered 2xx) while no poll was pending were never delivered (${how})`,
        { measurements },
      );
    }
    return verdict.pass(gapExpected(o), `all ${o.published.length} events arrived over ${1 + o.gapPolls.length} polls`, { measurements });
  },
});

/** The poll after a hold timeout and the re-polls after an event published in the gap that followed. */
export interface AfterTimeoutSeen {
  idle: { seq: number; status: number; endedAfterMs: number };
  /** publish start − end of the idle poll */
  publishedAfterMs: number;
  publishStatus: number | null;
  repolls: Array<{ seq: number; ending: string; events: number; delivered: boolean }>;
  cursor: string;
}

// RFC 6202 §2.2 again, for the gap after a poll the server let time out: servers that keep a
// subscription alive only while a poll is pending (or re-create it on the timeout path) drop what
// is published before the client's next poll, while the gap after a delivered event is fine.
/** How many polls after the gap may carry the event: the next one, or one more (a round trip late). */
const afterTimeoutLimits = { repolls: 2 };

const gapAfterTimeout = defineRequirement<AfterTimeoutSeen, typeof afterTimeoutLimits>({
  id: 'lp.gap-after-timeout',
  spec: 'RFC 6202',
  section: '2.2',
  level: 'must',
  title: 'An event published after a poll timed out, before the next poll, is delivered by that next poll',
  sources: [rfc(6202, '2.2'), rfc(6202, '2.1')],
  transports: [...LP],
  needsPublish: true,
  timing: false,
  dependsOn: ['lp.gap-no-loss'],
  limits: afterTimeoutLimits,
  tolerance: () =>
    `the poll after the timeout, or one more, with the declared cursor carries the event; the idle poll must end within its hold × ${LP_TIMING.pollFactor} + ${secs(LP_TIMING.pollSlackMs)}`,
  faults: ['drop-after-timeout', 'drop-gap'],
  remedy: 'keep queueing events for a client (or by cursor) after its poll timed out, exactly as after a delivered event',
  async scenario(ctx) {
    const t = await timing(ctx);
    const { client } = await clientPastFirstEvent(ctx);
    const idle = await client.poll(t.pollDeadlineMs);
    if (idle.res.end !== 'complete')
      throw new Inconclusive(
        `setup: the idle poll #${idle.seq} did not end by its hold (${ending(idle)} after ${ms(ctx.now() - idle.tSent)})`,
      );
    if (idle.tokens.length > 0)
      throw new Inconclusive(`setup: the idle poll #${idle.seq} carried ${idle.tokens.length} event(s) nobody published in this case`);
    const idleEnd = idle.res.tEnd ?? ctx.now();
    const token = ctx.nextToken();
    const pub = await ctx.publish(client.channel, token);
    const repolls: AfterTimeoutSeen['repolls'] = [];
    for (let i = 0; i < afterTimeoutLimits.repolls; i++) {
      const r = await client.poll(t.pollDeadlineMs);
      const delivered = r.tokens.includes(token);
      repolls.push({ seq: r.seq, ending: ending(r), events: r.tokens.length, delivered });
      if (delivered || (!r.ok && r.res.end !== 'complete')) break;
    }
    return {
      idle: { seq: idle.seq, status: idle.res.status, endedAfterMs: idleEnd - idle.tSent },
      publishedAfterMs: pub.tStart - (idle.res.tEnd ?? pub.tStart),
      publishStatus: pub.status,
      repolls,
      cursor: ctx.manifest.longPoll?.cursor?.type ?? 'none',
    };
  },
  evaluate(o): Verdict {
    const ended = `poll #${o.idle.seq} ended with HTTP ${o.idle.status} after ${ms(o.idle.endedAfterMs)}`;
    const expected = 'the event published after the timeout arrives on the next poll';
    const i = o.repolls.findIndex((r) => r.delivered);
    const r = o.repolls[i];
    if (r)
      return verdict.pass(
        expected,
        `${ended}; the event published ${ms(o.publishedAfterMs)} later arrived on poll #${r.seq}${i > 0 ? ' (the second re-poll: one round trip late)' : ''}`,
      );
    const how = o.repolls.map((p) => `#${p.seq}: HTTP ${p.ending}, ${p.events} events`).join('; ');
    return verdict.loss(
      expected,
      `${ended}; the publish hook accepted an event (status ${o.publishStatus}) with no poll pending and the next ${o.repolls.length} poll(s) with the ${o.cursor} cursor never delivered it (${how}), while the gap after a delivered event is judged by lp.gap-no-loss`,
      { published: 1, lost: 1 },
    );
  },
});

const noDuplicates = defineRequirement<GapSeen, typeof EXACT>({
  id: 'lp.no-duplicates',
  spec: 'RFC 6202',
  section: '2.2',
  level: 'must',
  title: 'No event is delivered twice across polls that carry the cursor',
  sources: [rfc(6202, '2.2')],
  transports: [...LP],
  needsPublish: true,
  timing: false,
  limits: EXACT,
  tolerance: () => 'exact: each published token appears once in everything received',
  faults: ['duplicate-last'],
  remedy: "advance the client's cursor past every event delivered, so a re-poll never repeats one",
  scenario: observeGap,
  evaluate(o): Verdict {
    const dup = o.published.filter((p) => o.received.filter((r) => r === p).length > 1);
    if (dup.length)
      return verdict.violation(
        gapExpected(o),
        `${dup.length} event(s) were delivered more than once (received ${o.received.length} tokens for ${new Set(o.received).size} distinct events)`,
      );
    return verdict.pass(gapExpected(o), `${o.received.length} tokens received, no repeats`);
  },
});

const order = defineRequirement<GapSeen, typeof EXACT>({
  id: 'lp.order',
  spec: 'RFC 6202',
  section: '2.2',
  level: 'must',
  title: 'Events are delivered in the order they were published',
  sources: [rfc(6202, '2.2')],
  transports: [...LP],
  needsPublish: true,
  timing: false,
  dependsOn: ['lp.gap-no-loss'],
  limits: EXACT,
  tolerance: () => 'exact: first appearances of the tokens follow publish order',
  faults: ['reverse-order'],
  remedy: 'deliver queued events in publish order',
  scenario: observeGap,
  evaluate(o): Verdict {
    const firsts = [...new Set(o.received)].filter((t) => o.published.includes(t));
    if (firsts.length < 2) return verdict.unobservable('fewer than two events were delivered, order cannot be judged; see lp.gap-no-loss');
    const expectedOrder = o.published.filter((p) => firsts.includes(p));
    const idx = (t: string): number => o.published.indexOf(t) + 1;
    if (firsts.some((t, i) => t !== expectedOrder[i])) {
      return verdict.violation(gapExpected(o), `received in order ${firsts.map(idx).join(', ')} (1 = first published)`);
    }
    return verdict.pass(gapExpected(o), `received in order ${firsts.map(idx).join(', ')}`);
  },
});

// RFC 6202 §2.2 "graceful degradation": queued messages go out together in the next response.
const batch = defineRequirement<GapSeen, typeof gapLimits>({
  id: 'lp.batch',
  spec: 'RFC 6202',
  section: '2.2',
  level: 'should',
  title: 'Events queued while no poll was pending come back together in the next response',
  sources: [rfc(6202, '2.2')],
  transports: [...LP],
  needsPublish: true,
  timing: false,
  dependsOn: ['lp.gap-no-loss'],
  limits: gapLimits,
  tolerance: (l) => `exact: the first re-poll carries all ${l.gapEvents} queued events`,
  faults: ['one-per-response'],
  remedy: 'send every event queued since the last poll in one response',
  scenario: observeGap,
  evaluate(o): Verdict {
    const firstGap = o.gapPolls[0];
    const delivered = o.gapTokens.filter((g) => o.received.includes(g));
    if (!firstGap || delivered.length < 2) return verdict.unobservable('fewer than two queued events were delivered; see lp.gap-no-loss');
    const inFirst = o.gapTokens.filter((g) => firstGap.includes(g));
    const expected = `the first re-poll returns all ${o.gapTokens.length} queued events at once`;
    if (inFirst.length < delivered.length) {
      return verdict.violation(
        expected,
        `the first re-poll returned ${inFirst.length} of ${o.gapTokens.length} queued events; they took ${o.gapPolls.length} polls (one HTTP exchange per event)`,
        { measurements: { firstResponseEvents: inFirst.length, polls: o.gapPolls.length } },
      );
    }
    return verdict.pass(expected, `all ${inFirst.length} queued events came in one response`, {
      measurements: { firstResponseEvents: inFirst.length },
    });
  },
});

/** Two clients held on one channel and one event: who got it, and how far apart. */
export interface FanoutSeen {
  conditions: Conditions;
  clients: Array<{ name: 'A' | 'B'; ending: string; arrival: number | null }>;
}

// RFC 6202 §2: push to every interested client; two subscribers of one channel each get the event.
const fanout = defineRequirement<FanoutSeen, typeof EXACT>({
  id: 'lp.fanout',
  spec: 'RFC 6202',
  section: '2.1',
  level: 'must',
  title: 'Two clients polling the same channel both receive the event, neither later than the other',
  sources: [rfc(6202, '2.1')],
  transports: [...LP],
  needsPublish: true,
  timing: true,
  dependsOn: ['lp.wake'],
  limits: EXACT,
  tolerance: () => `both polls deliver the event; the two arrivals are at most ${EPSILON_TEXT} (× time scale) apart`,
  faults: ['single-subscriber'],
  remedy: 'wake every poll held on the channel when an event is published, not only one',
  async scenario(ctx) {
    const t = await timing(ctx);
    const channel = ctx.newChannel();
    // A broadcast hook reaches every subscriber, so the two clients can be two subscriptions
    // (servers such as sockjs tie a channel URL to one client session).
    const broadcast = ctx.manifest.publish?.broadcast === true;
    const a = new LongPollClient(ctx, channel, 'client A');
    const b = new LongPollClient(ctx, broadcast ? ctx.newChannel() : channel, 'client B');
    const pa = await a.start(t.pollDeadlineMs);
    const pb = await b.start(t.pollDeadlineMs);
    await until(ctx, pb.tSent, t.stimulusWindowMs * 0.2);
    // Through a hop, as in eventPoll: an event published before a cursorless poll reaches the
    // target is not owed to it, so the publish waits until the target's edge has seen both.
    if (ctx.via !== 'direct') {
      const reached = await Promise.all([pa, pb].map((p) => ctx.reachedTarget(p.path, p.tSent, t.stimulusWindowMs * 0.4)));
      const last = Math.max(...reached.map((r) => r ?? 0));
      if (last > 0) await until(ctx, last, t.stimulusWindowMs * 0.2);
    }
    const token = ctx.nextToken();
    await ctx.publish(channel, token);
    const [ra, rb] = await Promise.all([pa.done, pb.done]);
    // Arrivals relative to the case start: only their difference is judged.
    const seenBy = (name: 'A' | 'B', r: PollResult): FanoutSeen['clients'][number] => {
      const at = r.arrival(token);
      return { name, ending: ending(r), arrival: at === null ? null : at - ctx.t0 };
    };
    return { conditions: conditions(ctx), clients: [seenBy('A', ra), seenBy('B', rb)] };
  },
  evaluate(o): Verdict {
    const eps = o.conditions.epsilonMs;
    const [a, b] = o.clients;
    const expected = `both clients receive the event, within ${ms(eps)} of each other`;
    if (!a || !b || (a.arrival === null && b.arrival === null))
      return verdict.unobservable(`neither poll delivered the event (${o.clients.map((c) => c.ending).join(', ')}); see lp.wake`);
    if (a.arrival === null || b.arrival === null) {
      const [got, missed] = a.arrival === null ? [b, a] : [a, b];
      return verdict.violation(expected, `only client ${got.name} received it; the other poll ended with ${missed.ending} and no event`);
    }
    const gap = Math.abs(a.arrival - b.arrival);
    const measurements = { arrivalGapMs: Math.round(gap) };
    if (gap > eps) {
      return verdict.violation(
        expected,
        `client ${a.arrival > b.arrival ? 'A' : 'B'} got the event ${ms(gap)} after the other: the server woke only one subscriber and the other saw it at its next response`,
        { measurements, excessMs: Math.round(gap - eps) },
      );
    }
    return verdict.pass(expected, `both clients received the event, ${ms(gap)} apart`, { measurements });
  },
});

/** One Ethernet TCP segment's payload, and the size of the small event that must fit in it with its headers. */
const overheadLimits = { segmentBytes: 1460, eventBytes: 100 };

// RFC 6202 §2.2: every long-poll response is a whole HTTP message, so headers dominate small payloads.
const headerOverhead = defineRequirement<{ headerBytes: number; bodyBytes: number }, typeof overheadLimits>({
  id: 'lp.header-overhead',
  spec: 'RFC 6202',
  section: '2.2',
  level: 'should',
  title: 'A small event and its response headers fit in one TCP segment (header overhead)',
  sources: [rfc(6202, '2.2')],
  transports: [...LP],
  needsPublish: true,
  timing: false,
  limits: overheadLimits,
  tolerance: (l) => `header bytes + body bytes ≤ ${l.segmentBytes} (one Ethernet TCP segment) for a ${l.eventBytes}-byte event`,
  faults: ['bloated-headers'],
  remedy: 'trim response headers on poll responses (cookies, long policy headers) so small events fit one segment',
  async scenario(ctx) {
    const payload = padPayload(ctx.nextToken(), overheadLimits.eventBytes);
    const { result: r } = await eventPoll(ctx, new LongPollClient(ctx, ctx.newChannel()), { payload });
    if (!r.ok || r.tokens.length === 0) throw new Inconclusive(`the poll did not deliver the event (${ending(r)})`);
    return { headerBytes: r.res.headerBytes, bodyBytes: r.res.body.length };
  },
  evaluate(o, l): Verdict {
    const h = o.headerBytes;
    const p = o.bodyBytes;
    const measurements = { headerBytes: h, bodyBytes: p, ratio: Number((h / Math.max(1, p)).toFixed(2)) };
    const expected = `headers + body ≤ ${l.segmentBytes} bytes for a ${l.eventBytes}-byte event`;
    if (h + p > l.segmentBytes)
      return verdict.violation(expected, `${h} header bytes + ${p} body bytes = ${h + p} (headers are ${measurements.ratio}× the body)`, {
        measurements,
      });
    return verdict.pass(expected, `${h} header bytes + ${p} body bytes = ${h + p} (ratio ${measurements.ratio})`, { measurements });
  },
});

export const longPollingRequirements: Requirement[] = [
  held,
  wake,
  complete,
  repoll,
  persistent,
  gapNoLoss,
  gapAfterTimeout,
  noDuplicates,
  order,
  batch,
  fanout,
  headerOverhead,
];
export { held, wake, complete, repoll, persistent, gapNoLoss, gapAfterTimeout, noDuplicates, order, batch, fanout, headerOverhead };
