import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { EPSILON_TEXT } from '../../runner/epsilon.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { rfc } from '../sources.js';
import { ms } from '../format.js';
import { clientPastFirstEvent, timing } from '../scenarios/long-polling.js';

/** RFC 6202 §2.2's worst case for an event in the gap: response, next request, response. */
const gapLatencyLimits = { transits: 3 };

export interface GapLatencySeen {
  conditions: Conditions;
  /** publish start → first byte of the event on the re-poll; null when it never came */
  latencyMs: number | null;
  /** how the re-poll ended */
  reply: { status: number | null; end: string; events: number };
}

// RFC 6202 §2.2: "the maximal latency is over three network transit times (long poll response,
// next long poll request, long poll response)" for an event published between polls.
const gapLatency = defineRequirement<GapLatencySeen, typeof gapLatencyLimits>({
  id: 'lp.gap-latency',
  spec: 'RFC 6202',
  section: '2.2',
  level: 'should',
  title: 'An event published between a response and the next poll arrives within three network transits',
  sources: [rfc(6202, '2.2')],
  transports: ['longPoll'],
  needsPublish: true,
  timing: true,
  dependsOn: ['lp.gap-no-loss'],
  limits: gapLatencyLimits,
  // One transit is half the measured round trip of the case's path (its hops included).
  tolerance: (l) => `publish → arrival on the next poll ≤ ${l.transits} × RTT/2 + ε (${EPSILON_TEXT}, × time scale)`,
  via: ['latency'],
  // ignore-until-timeout answers a poll that finds events waiting only at its hold, too.
  faults: ['lp-gap-batching', 'ignore-until-timeout'],
  remedy: 'answer a poll that finds events already queued at once, without a batching or coalescing delay',
  async scenario(ctx) {
    const t = await timing(ctx);
    const { client } = await clientPastFirstEvent(ctx);
    // Published while the client holds no poll: the worst case §2.2 bounds.
    const token = ctx.nextToken();
    const pub = await ctx.publish(client.channel, token);
    const r = await client.poll(t.pollDeadlineMs);
    if (r.res.tHeaders === null && r.res.end !== 'timeout') throw new Inconclusive(`the re-poll got no response (${r.res.end})`);
    const at = r.arrival(token);
    return {
      conditions: conditions(ctx),
      latencyMs: at === null ? null : at - pub.tStart,
      reply: { status: r.res.tHeaders === null ? null : r.res.status, end: r.res.end, events: r.tokens.length },
    };
  },
  evaluate(o, l): Verdict {
    const c = o.conditions;
    const boundMs = (l.transits * c.rttMs) / 2;
    const expected = `the gap event arrives within ${l.transits} transits (${ms(boundMs)}) + ε (${ms(c.epsilonMs)})`;
    if (o.latencyMs === null)
      return verdict.unobservable(
        `the re-poll (${o.reply.status === null ? o.reply.end : `HTTP ${o.reply.status}`}, ${o.reply.events} events) did not carry the gap event: lp.gap-no-loss judges delivery`,
      );
    const measurements = { latencyMs: Math.round(o.latencyMs), boundMs: Math.round(boundMs), epsilonMs: Math.round(c.epsilonMs) };
    const excessMs = o.latencyMs - boundMs - c.epsilonMs;
    if (excessMs > 0)
      return verdict.violation(
        expected,
        `the event published between polls arrived ${ms(o.latencyMs)} after its publish, ${ms(excessMs)} past the bound: the server delays a poll that finds events waiting (a batching window?)`,
        { measurements, excessMs },
      );
    return verdict.pass(expected, `arrived ${ms(o.latencyMs)} after its publish`, { measurements });
  },
});

export const gapLatencyRequirements: Requirement[] = [gapLatency];
export { gapLatency };
