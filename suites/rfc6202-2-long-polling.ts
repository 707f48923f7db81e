import type { Requirement } from '../runner/requirement.js';
import { fromRun, type LegacyRequirement } from '../runner/legacy-requirement.js';
import { LongPollClient } from '../runner/drivers/long-poll.js';
import { hasToken } from '../runner/wire/index.js';
import { padPayload } from '../runner/tokens.js';
import { Inconclusive, verdict } from '../runner/verdict.js';
import { rfc } from './sources.js';
import { LONG_POLL_HOPS } from './profiles.js';
import { clientPastFirstEvent, eventPoll, fitSlope, gapScenario, timing, until, wakeTrials, type GapObservation, type WakeTrial } from './long-polling/scenarios.js';
import { ms } from './format.js';

const LP = ['longPoll'] as const;

function unusable(trials: WakeTrial[]): string {
  return trials.map((t) => `${t.result.res.status || t.result.res.end}`).join(', ');
}

// RFC 6202 §2.1: "the server does not immediately respond ... Instead, the server holds the
// request open until new data is available".
const held: LegacyRequirement = {
  id: 'lp.held', spec: 'RFC 6202', section: '2.1', level: 'must',
  title: 'A long poll is held open until an event arrives, not answered at once (no short polling)',
  sources: [rfc(6202, '2.1')], transports: [...LP], needsPublish: true, timing: true,
  tolerance: '4 polls on fresh channels, events published at random offsets in 20–60% of the hold (≤ 5 s): every poll must still be open when its event is published',
  via: [...LONG_POLL_HOPS], deploymentCheck: true,
  faults: ['short-poll'],
  remedy: 'hold the poll until an event is queued for it or the hold expires; do not answer an empty poll at once',
  async run(ctx) {
    const trials = await wakeTrials(ctx, 4);
    const early = trials.filter((t) => t.endedBeforePublish);
    const fit = fitSlope(trials.filter((t) => t.responseMs !== null).map((t) => [t.tauMs, t.responseMs ?? 0]));
    const measurements = {
      trials: trials.length,
      answeredBeforeEvent: early.length,
      slope: fit ? Number(fit.slope.toFixed(3)) : null,
      offsetsMs: trials.map((t) => Math.round(t.tauMs)).join(' '),
    };
    if (early.length > 0) {
      const e = early[0];
      const ended = e?.result.res.tEnd ?? null;
      return verdict.violation(
        'each poll stays open until its event is published',
        `${early.length}/${trials.length} polls were answered before any event (first after ${ended === null || !e ? '?' : ms(ended - e.pending.tSent)}, HTTP ${e?.result.res.status}, ${e?.result.tokens.length ?? 0} events): the server is short polling`,
        { measurements });
    }
    return verdict.pass('each poll stays open until its event is published', `all ${trials.length} polls were still open at their publish (offsets ${measurements.offsetsMs} ms)`, { measurements });
  },
};

// RFC 6202 §2.1 step 2: "the server ... responds ... when new data is available".
const wake: LegacyRequirement = {
  id: 'lp.wake', spec: 'RFC 6202', section: '2.1', level: 'must',
  title: 'A held poll is answered as soon as an event is published, not when its hold timer fires',
  sources: [rfc(6202, '2.1')], transports: [...LP], needsPublish: true, timing: true,
  tolerance: 'event arrival − publish start ≤ publish round trip + 2·RTT + 100 ms (× time scale), in each of 4 trials',
  via: [...LONG_POLL_HOPS], deploymentCheck: true,
  // stream-after-event shows here only behind buffering hops: the event waits for the response to end.
  faults: ['ignore-until-timeout', 'stream-after-event'],
  remedy: 'answer the held poll the moment an event is published for it, not on the hold timer',
  async run(ctx) {
    const trials = await wakeTrials(ctx, 4);
    const usable = trials.filter((t) => !t.endedBeforePublish);
    if (usable.length === 0) throw new Inconclusive(`every poll ended before its event was published (${unusable(trials)}); see lp.held`);
    const late: string[] = [];
    let worst = 0;
    let excess = 0;
    for (const t of usable) {
      const allowed = t.pub.tEnd - t.pub.tStart + ctx.epsilonMs;
      if (t.latencyMs === null) {
        late.push(`τ=${ms(t.tauMs)}: event never arrived on that poll (${t.result.res.status || t.result.res.end})`);
        excess = Infinity;
      } else if (t.latencyMs > allowed) {
        late.push(`τ=${ms(t.tauMs)}: arrived ${ms(t.latencyMs)} after the publish (allowed ${ms(allowed)})`);
        excess = Math.max(excess, t.latencyMs - allowed);
      }
      if (t.latencyMs !== null) worst = Math.max(worst, t.latencyMs);
    }
    const fit = fitSlope(usable.filter((t) => t.responseMs !== null).map((t) => [t.tauMs, t.responseMs ?? 0]));
    const measurements = { worstLatencyMs: Math.round(worst), slope: fit ? Number(fit.slope.toFixed(3)) : null, epsilonMs: Math.round(ctx.epsilonMs) };
    // An event that never arrived has no finite overshoot: no excessMs, so no stall can excuse it.
    const over = Number.isFinite(excess) ? { excessMs: Math.round(excess) } : {};
    const expected = `each event arrives within the publish round trip + ${ms(ctx.epsilonMs)} of its publish`;
    if (late.length > 0) {
      const timer = fit && fit.slope < 0.5 ? ` Response time does not track publish time (slope ${fit.slope.toFixed(2)}; 1 means woken by the event): the server answers on its timer.` : '';
      return verdict.violation(expected, `${late.join('; ')}.${timer}`, { measurements, ...over });
    }
    return verdict.pass(expected, `worst latency ${ms(worst)} over ${usable.length} trials${fit ? `, slope ${fit.slope.toFixed(2)}` : ''}`, { measurements });
  },
};

// RFC 6202 §2.1 step 3: "the server sends a complete response to the client".
const complete: LegacyRequirement = {
  id: 'lp.complete', spec: 'RFC 6202', section: '2.1', level: 'must',
  title: 'The response that delivers an event is complete (framing ends) right after the event',
  sources: [rfc(6202, '2.1'), rfc(9112, '6.3')], transports: [...LP], needsPublish: true, timing: true,
  tolerance: 'end of framing − arrival of the event ≤ 2·RTT + 100 ms (× time scale)',
  faults: ['stream-after-event'],
  remedy: 'end the response (last chunk, Content-Length or close) right after the events it carries',
  async run(ctx) {
    const { result: r, payload: token } = await eventPoll(ctx, new LongPollClient(ctx, ctx.newChannel()));
    const arrival = token === null ? null : r.arrival(token);
    if (arrival === null) throw new Inconclusive(`the event never arrived on the poll (${r.res.status || r.res.end}); see lp.wake`);
    const expected = `the response ends within ${ms(ctx.epsilonMs)} of delivering the event`;
    const end = r.res.end === 'complete' && r.res.tEnd !== null ? r.res.tEnd : null;
    const measurements = { framing: r.res.framing, endAfterEventMs: end === null ? null : Math.round(end - arrival) };
    if (end === null) return verdict.violation(expected, `the response was still open ${ms(ctx.now() - arrival)} after the event (${r.res.end}); a long poll must complete, or it is a stream`, { measurements });
    if (end - arrival > ctx.epsilonMs) return verdict.violation(expected, `the response ended ${ms(end - arrival)} after the event arrived (framing: ${r.res.framing})`, { measurements, excessMs: Math.round(end - arrival - ctx.epsilonMs) });
    return verdict.pass(expected, `ended ${ms(end - arrival)} after the event (framing: ${r.res.framing})`, { measurements });
  },
};

// RFC 6202 §2.1 step 4: the client "sends a new long poll request" at once after a response.
const repoll: LegacyRequirement = {
  id: 'lp.repoll', spec: 'RFC 6202', section: '2.1', level: 'must',
  title: 'An immediate re-poll is accepted and held until the next event, not rejected or answered empty',
  sources: [rfc(6202, '2.1')], transports: [...LP], needsPublish: true, timing: true,
  tolerance: '3 cycles; each re-poll is sent at once after the previous response and must still be open when the next event is published (20% of the hold, ≤ 1 s, later)',
  faults: ['repoll-not-held'],
  remedy: 'accept an immediate re-poll carrying the cursor and hold it like the first poll',
  async run(ctx) {
    const t = await timing(ctx);
    const client = new LongPollClient(ctx, ctx.newChannel());
    const problems: string[] = [];
    const cycles = 4; // the first poll sets the cursor; the next three are the immediate re-polls
    for (let i = 0; i < cycles; i++) {
      const pending = await client.start(t.pollDeadlineMs);
      const offset = Math.min(t.stimulusWindowMs * 0.2, 1000);
      await until(ctx, pending.tSent, offset);
      const token = ctx.nextToken();
      await ctx.publish(client.channel, token);
      const r = await pending.done;
      const endedEarly = r.res.tEnd !== null && r.res.tEnd < pending.tSent + offset;
      if (i === 0) {
        if (!r.ok || !r.tokens.includes(token)) throw new Inconclusive(`setup: the first poll did not deliver its event (${r.res.status || r.res.end})`);
        continue;
      }
      if (endedEarly && !r.tokens.includes(token)) problems.push(`re-poll #${i} was answered at once (HTTP ${r.res.status || r.res.end}, ${r.tokens.length} events) instead of being held`);
      else if (!r.ok) problems.push(`re-poll #${i} got HTTP ${r.res.status || r.res.end}`);
      else if (!r.tokens.includes(token)) {
        const next = await client.poll(t.pollDeadlineMs);
        if (!next.tokens.includes(token)) problems.push(`re-poll #${i}: the event published while it was held never arrived`);
      }
    }
    const expected = 'each immediate re-poll is accepted (2xx) and held until the next event';
    if (problems.length) return verdict.violation(expected, problems.join('; '));
    return verdict.pass(expected, `${cycles - 1} immediate re-polls were each held and delivered the next event`);
  },
};

// RFC 6202 §2.1: long polling works on persistent connections, avoiding a TCP set-up per poll;
// RFC 9112 §9.3: a server that does not keep connections must say `Connection: close`.
const persistent: LegacyRequirement = {
  id: 'lp.persistent', spec: 'RFC 6202', section: '2.1', level: 'should',
  title: 'Consecutive polls reuse one persistent connection (no Connection: close after every response)',
  sources: [rfc(6202, '2.2'), rfc(9112, '9.3')], transports: [...LP], needsPublish: false, mayPublish: true, timing: false,
  tolerance: 'the server may close an idle connection, but not within 2·RTT + 100 ms of answering a poll',
  faults: ['connection-close'],
  remedy: 'keep the connection open after a poll response (HTTP/1.1 persistence), or say Connection: close',
  async run(ctx) {
    const client = new LongPollClient(ctx, ctx.newChannel());
    const { result: r1 } = await eventPoll(ctx, client, { optionalEvent: true });
    if (!r1.ok) throw new Inconclusive(`the first poll did not complete (${r1.res.status || r1.res.end})`);
    const expected = 'the second poll is served on the same connection as the first';
    if (hasToken(r1.res, 'connection', 'close')) {
      return verdict.violation(expected, `the poll response carries "Connection: close", so every poll costs a new TCP connection (HTTP/${r1.res.httpVersion} ${r1.res.status})`);
    }
    const conn = client.connection;
    const closed = conn ? await conn.waitForClose(ctx.epsilonMs) : { how: 'local' as const };
    if (closed.how !== 'timeout') {
      return verdict.violation(expected, `the server closed the connection (${closed.how}) right after the poll response without announcing "Connection: close" (RFC 9112 §9.3 requires it)`);
    }
    const { result: r2 } = await eventPoll(ctx, client, { optionalEvent: true });
    if (r2.connectionId !== r1.connectionId) return verdict.violation(expected, `the second poll needed a new connection (#${r2.connectionId} after #${r1.connectionId})`);
    if (!r2.ok) throw new Inconclusive(`the second poll did not complete (${r2.res.status || r2.res.end})`);
    return verdict.pass(expected, `both polls were served on connection #${r1.connectionId}`);
  },
};

const gapExpected = (o: GapObservation): string => `all ${o.published.length} events delivered exactly once, in publish order`;

// RFC 6202 §2.2: events arriving between a response and the next poll must wait for it.
const gapNoLoss: LegacyRequirement = {
  id: 'lp.gap-no-loss', spec: 'RFC 6202', section: '2.2', level: 'must',
  title: 'Events published between a response and the next poll are not lost',
  sources: [rfc(6202, '2.2')], transports: [...LP], needsPublish: true, timing: false,
  tolerance: 'the client re-polls with the declared cursor until it has every event, a poll comes back empty, or 6 polls',
  via: ['latency', 'http10'], deploymentCheck: true,
  faults: ['drop-gap'],
  remedy: 'queue events per client (or by cursor) between polls and deliver them on the next poll',
  async run(ctx) {
    const o = await gapScenario(ctx);
    const missing = o.published.filter((p) => !o.received.includes(p));
    const measurements = { published: o.published.length, received: new Set(o.received).size, gapPolls: o.gapPolls.length };
    if (missing.length) {
      const cursor = ctx.manifest.longPoll?.cursor?.type ?? 'none';
      const how = cursor === 'none'
        ? `${o.gapPolls.length} re-polls; the manifest declares no cursor (longPoll.cursor), so the re-polls told the server nothing about what the client already had: a server that keeps no per-client queue cannot deliver events published between polls without one. If the server has a cursor (an id, ETag, Last-Event-ID or session cookie), declare it; if it has none, this loss is real`
        : `${o.gapPolls.length} re-polls with the ${cursor} cursor`;
      return verdict.violation(gapExpected(o), `${missing.length} of ${o.gapTokens.length} events published (hook answered 2xx) while no poll was pending were never delivered (${how})`, { measurements });
    }
    return verdict.pass(gapExpected(o), `all ${o.published.length} events arrived over ${1 + o.gapPolls.length} polls`, { measurements });
  },
};

// RFC 6202 §2.2 again, for the gap after a poll the server let time out: servers that keep a
// subscription alive only while a poll is pending (or re-create it on the timeout path) drop what
// is published before the client's next poll, while the gap after a delivered event is fine.
const gapAfterTimeout: LegacyRequirement = {
  id: 'lp.gap-after-timeout', spec: 'RFC 6202', section: '2.2', level: 'must',
  title: 'An event published after a poll timed out, before the next poll, is delivered by that next poll',
  sources: [rfc(6202, '2.2'), rfc(6202, '2.1')], transports: [...LP], needsPublish: true, timing: false,
  tolerance: 'the poll after the timeout, or one more, with the declared cursor carries the event; the idle poll must end within its hold × 1.5 + 2 s',
  faults: ['drop-after-timeout', 'drop-gap'],
  remedy: 'keep queueing events for a client (or by cursor) after its poll timed out, exactly as after a delivered event',
  async run(ctx) {
    const t = await timing(ctx);
    const { client } = await clientPastFirstEvent(ctx);
    const idle = await client.poll(t.pollDeadlineMs);
    if (idle.res.end !== 'complete') throw new Inconclusive(`setup: the idle poll #${idle.seq} did not end by its hold (${idle.res.status || idle.res.end} after ${ms(ctx.now() - idle.tSent)})`);
    if (idle.tokens.length > 0) throw new Inconclusive(`setup: the idle poll #${idle.seq} carried ${idle.tokens.length} event(s) nobody published in this case`);
    const ended = `poll #${idle.seq} ended with HTTP ${idle.res.status} after ${ms((idle.res.tEnd ?? ctx.now()) - idle.tSent)}`;
    const token = ctx.nextToken();
    const pub = await ctx.publish(client.channel, token);
    const expected = 'the event published after the timeout arrives on the next poll';
    const repolls = [];
    for (let i = 0; i < 2; i++) {
      const r = await client.poll(t.pollDeadlineMs);
      repolls.push(r);
      if (r.tokens.includes(token)) {
        return verdict.pass(expected, `${ended}; the event published ${ms(pub.tStart - (idle.res.tEnd ?? pub.tStart))} later arrived on poll #${r.seq}${i > 0 ? ' (the second re-poll: one round trip late)' : ''}`);
      }
      if (!r.ok && r.res.end !== 'complete') break;
    }
    const how = repolls.map((r) => `#${r.seq}: HTTP ${r.res.status || r.res.end}, ${r.tokens.length} events`).join('; ');
    return verdict.loss(expected, `${ended}; the publish hook accepted an event (status ${pub.status}) with no poll pending and the next ${repolls.length} poll(s) with the ${ctx.manifest.longPoll?.cursor?.type ?? 'none'} cursor never delivered it (${how}), while the gap after a delivered event is judged by lp.gap-no-loss`, { published: 1, lost: 1 });
  },
};

const noDuplicates: LegacyRequirement = {
  id: 'lp.no-duplicates', spec: 'RFC 6202', section: '2.2', level: 'must',
  title: 'No event is delivered twice across polls that carry the cursor',
  sources: [rfc(6202, '2.2')], transports: [...LP], needsPublish: true, timing: false,
  tolerance: 'exact: each published token appears once in everything received',
  faults: ['duplicate-last'],
  remedy: "advance the client's cursor past every event delivered, so a re-poll never repeats one",
  async run(ctx) {
    const o = await gapScenario(ctx);
    const dup = o.published.filter((p) => o.received.filter((r) => r === p).length > 1);
    if (dup.length) return verdict.violation(gapExpected(o), `${dup.length} event(s) were delivered more than once (received ${o.received.length} tokens for ${new Set(o.received).size} distinct events)`);
    return verdict.pass(gapExpected(o), `${o.received.length} tokens received, no repeats`);
  },
};

const order: LegacyRequirement = {
  id: 'lp.order', spec: 'RFC 6202', section: '2.2', level: 'must',
  title: 'Events are delivered in the order they were published',
  sources: [rfc(6202, '2.2')], transports: [...LP], needsPublish: true, timing: false,
  tolerance: 'exact: first appearances of the tokens follow publish order',
  faults: ['reverse-order'],
  remedy: 'deliver queued events in publish order',
  async run(ctx) {
    const o = await gapScenario(ctx);
    const firsts = [...new Set(o.received)].filter((t) => o.published.includes(t));
    if (firsts.length < 2) throw new Inconclusive(`fewer than two events were delivered, order cannot be judged; see lp.gap-no-loss`);
    const expectedOrder = o.published.filter((p) => firsts.includes(p));
    const idx = (t: string): number => o.published.indexOf(t) + 1;
    if (firsts.some((t, i) => t !== expectedOrder[i])) {
      return verdict.violation(gapExpected(o), `received in order ${firsts.map(idx).join(', ')} (1 = first published)`);
    }
    return verdict.pass(gapExpected(o), `received in order ${firsts.map(idx).join(', ')}`);
  },
};

// RFC 6202 §2.2 "graceful degradation": queued messages go out together in the next response.
const batch: LegacyRequirement = {
  id: 'lp.batch', spec: 'RFC 6202', section: '2.2', level: 'should',
  title: 'Events queued while no poll was pending come back together in the next response',
  sources: [rfc(6202, '2.2')], transports: [...LP], needsPublish: true, timing: false,
  tolerance: 'exact: the first re-poll carries all 3 queued events',
  faults: ['one-per-response'],
  remedy: 'send every event queued since the last poll in one response',
  async run(ctx) {
    const o = await gapScenario(ctx);
    const firstGap = o.gapPolls[0];
    const delivered = o.gapTokens.filter((g) => o.received.includes(g));
    if (!firstGap || delivered.length < 2) throw new Inconclusive(`fewer than two queued events were delivered; see lp.gap-no-loss`);
    const inFirst = o.gapTokens.filter((g) => firstGap.tokens.includes(g));
    const expected = `the first re-poll returns all ${o.gapTokens.length} queued events at once`;
    if (inFirst.length < delivered.length) {
      return verdict.violation(expected, `the first re-poll returned ${inFirst.length} of ${o.gapTokens.length} queued events; they took ${o.gapPolls.length} polls (one HTTP exchange per event)`, { measurements: { firstResponseEvents: inFirst.length, polls: o.gapPolls.length } });
    }
    return verdict.pass(expected, `all ${inFirst.length} queued events came in one response`, { measurements: { firstResponseEvents: inFirst.length } });
  },
};

// RFC 6202 §2: push to every interested client; two subscribers of one channel each get the event.
const fanout: LegacyRequirement = {
  id: 'lp.fanout', spec: 'RFC 6202', section: '2.1', level: 'must',
  title: 'Two clients polling the same channel both receive the event, neither later than the other',
  sources: [rfc(6202, '2.1')], transports: [...LP], needsPublish: true, timing: true,
  tolerance: 'both polls deliver the event; the two arrivals are at most 2·RTT + 100 ms (× time scale) apart',
  faults: ['single-subscriber'],
  remedy: 'wake every poll held on the channel when an event is published, not only one',
  async run(ctx) {
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
    const token = ctx.nextToken();
    await ctx.publish(channel, token);
    const [ra, rb] = await Promise.all([pa.done, pb.done]);
    const arrivals = [ra.arrival(token), rb.arrival(token)];
    const [arrA, arrB] = arrivals;
    const expected = `both clients receive the event, within ${ms(ctx.epsilonMs)} of each other`;
    const status = (r: typeof ra): string => `${r.res.status || r.res.end}`;
    if (arrA == null && arrB == null) throw new Inconclusive(`neither poll delivered the event (${status(ra)}, ${status(rb)}); see lp.wake`);
    if (arrA == null || arrB == null) {
      const [got, missed] = arrA == null ? ['B', ra] : ['A', rb];
      return verdict.violation(expected, `only client ${got} received it; the other poll ended with ${status(missed)} and no event`);
    }
    const gap = Math.abs(arrA - arrB);
    const measurements = { arrivalGapMs: Math.round(gap) };
    if (gap > ctx.epsilonMs) {
      return verdict.violation(expected, `client ${arrA > arrB ? 'A' : 'B'} got the event ${ms(gap)} after the other: the server woke only one subscriber and the other saw it at its next response`, { measurements, excessMs: Math.round(gap - ctx.epsilonMs) });
    }
    return verdict.pass(expected, `both clients received the event, ${ms(gap)} apart`, { measurements });
  },
};

// RFC 6202 §2.2: every long-poll response is a whole HTTP message, so headers dominate small payloads.
const SEGMENT = 1460;
const headerOverhead: LegacyRequirement = {
  id: 'lp.header-overhead', spec: 'RFC 6202', section: '2.2', level: 'should',
  title: 'A small event and its response headers fit in one TCP segment (header overhead)',
  sources: [rfc(6202, '2.2')], transports: [...LP], needsPublish: true, timing: false,
  tolerance: `header bytes + body bytes ≤ ${SEGMENT} (one Ethernet TCP segment) for a 100-byte event`,
  faults: ['bloated-headers'],
  remedy: 'trim response headers on poll responses (cookies, long policy headers) so small events fit one segment',
  async run(ctx) {
    const payload = padPayload(ctx.nextToken(), 100);
    const { result: r } = await eventPoll(ctx, new LongPollClient(ctx, ctx.newChannel()), { payload });
    if (!r.ok || r.tokens.length === 0) throw new Inconclusive(`the poll did not deliver the event (${r.res.status || r.res.end})`);
    const h = r.res.headerBytes;
    const p = r.res.body.length;
    const measurements = { headerBytes: h, bodyBytes: p, ratio: Number((h / Math.max(1, p)).toFixed(2)) };
    const expected = `headers + body ≤ ${SEGMENT} bytes for a 100-byte event`;
    if (h + p > SEGMENT) return verdict.violation(expected, `${h} header bytes + ${p} body bytes = ${h + p} (headers are ${measurements.ratio}× the body)`, { measurements });
    return verdict.pass(expected, `${h} header bytes + ${p} body bytes = ${h + p} (ratio ${measurements.ratio})`, { measurements });
  },
};

export const longPollingRequirements: Requirement[] = [held, wake, complete, repoll, persistent, gapNoLoss, gapAfterTimeout, noDuplicates, order, batch, fanout, headerOverhead].map(fromRun);
