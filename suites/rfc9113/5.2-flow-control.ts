/**
 * RFC 9113 §5.2 (flow control): "A flow-control scheme ensures that streams on the same
 * connection do not destructively interfere with each other." A subscriber that stops reading
 * (a background tab, a client on a slow link) has its stream window run out; the server must
 * then hold that stream's events for it alone. A broadcast loop that waits for each subscriber's
 * buffer to drain before serving the next one turns that one slow reader into a stall for every
 * subscriber of the channel — on this connection and on all others.
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { firstArrival } from '../../runner/wire/index.js';
import { EPSILON_TEXT } from '../../runner/epsilon.js';
import { h2Connection, pushRequest } from '../scenarios/h2.js';
import { PUSH_LABEL } from '../scenarios/push-transports.js';
import { ms } from '../format.js';
import { rfc } from '../sources.js';

const flowLimits = { windowBytes: 16_384, fillBytes: 65_536, eventBytes: 8192, slackMs: 500, waitMs: 3000 };

export interface SlowReaderSeen {
  transport: 'sse' | 'stream';
  windowBytes: number;
  /** event payload bytes published to the channel before the probe */
  publishedBytes: number;
  /** body bytes the unread stream had received when the probe was published (its window's worth, if flow control held it) */
  slowReceived: number;
  /** the probe event on the stream that kept reading: ms from its publish, null when it never came */
  probeLatencyMs: number | null;
  /** publish round trip + ε + slack */
  allowedMs: number;
  /** how the reading stream ended before the probe arrived (null: it was still open) */
  fastEnded?: string | null;
}

export const slowReaderIsolated = defineRequirement<SlowReaderSeen, typeof flowLimits>({
  id: 'h2.slow-reader-isolated',
  spec: 'RFC 9113',
  section: '5.2',
  level: 'should',
  title:
    'A subscriber that stops reading (its HTTP/2 stream window exhausted) does not hold back events for the other subscribers of the channel',
  sources: [rfc(9113, '5.2'), rfc(6202, '2.2')],
  transports: ['sse', 'stream'],
  needsPublish: true,
  timing: true,
  limits: flowLimits,
  tolerance: (l) =>
    `one stream left unread with a ${l.windowBytes}-byte window and one read, on one connection and one channel; ${l.fillBytes / 1024} KiB of events, then a small one, which must reach the reading stream within the publish round trip + ${EPSILON_TEXT} + ${ms(l.slackMs)} (× time scale)`,
  faults: ['h2-fanout-waits-for-slow-reader'],
  remedy:
    'write each event to every subscriber without waiting for any one of them to drain (keep a bounded per-subscriber queue and drop or disconnect a subscriber that falls too far behind), so one slow reader costs only its own stream',
  async scenario(ctx) {
    const transport = ctx.manifest.sse !== undefined ? 'sse' : ctx.manifest.stream !== undefined ? 'stream' : null;
    if (transport === null) throw new Inconclusive('the target declares no stream or SSE endpoint');
    const conn = await h2Connection(ctx, { streamWindowBytes: flowLimits.windowBytes });
    const channel = ctx.newChannel();
    const waitMs = ctx.ms(flowLimits.waitMs);
    const deadline = waitMs * 10;
    // The slow reader subscribes first, so a fan-out in subscription order meets it first.
    const slow = conn.request(pushRequest(ctx, transport, channel), ctx.host, deadline, { read: false });
    if (!(await slow.head(waitMs)))
      throw new Inconclusive(`the ${PUSH_LABEL[transport]} stream sent no response head within ${ms(waitMs)} (${slow.res.end})`);
    const fast = conn.request(pushRequest(ctx, transport, channel), ctx.host, deadline);
    if (!(await fast.head(waitMs)))
      throw new Inconclusive(`the second ${PUSH_LABEL[transport]} stream sent no response head within ${ms(waitMs)}`);
    const filler = 'x'.repeat(flowLimits.eventBytes);
    const events = Math.ceil(flowLimits.fillBytes / flowLimits.eventBytes);
    for (let i = 0; i < events; i++) await ctx.publish(channel, `${ctx.nextToken()}${filler}`);
    const slowReceived = slow.res.body.length;
    const probe = ctx.nextToken();
    const pub = await ctx.publish(channel, probe);
    const allowedMs = pub.tEnd - pub.tStart + ctx.epsilonMs + ctx.ms(flowLimits.slackMs);
    const t0 = ctx.now();
    while (firstArrival(fast.res, probe) === null && fast.res.tEnd === null && ctx.now() - t0 < waitMs) await ctx.pause(10);
    const arrival = firstArrival(fast.res, probe);
    const fastEnded = arrival === null && fast.res.tEnd !== null ? fast.res.end : null;
    slow.cancel();
    fast.cancel();
    return {
      transport,
      windowBytes: flowLimits.windowBytes,
      publishedBytes: events * flowLimits.eventBytes,
      slowReceived,
      probeLatencyMs: arrival === null ? null : arrival - pub.tStart,
      allowedMs,
      fastEnded,
    };
  },
  evaluate(o): Verdict {
    const expected =
      'the reading subscriber gets the event within the publish round trip + ε while the other one is held back by flow control';
    const measurements = {
      slowReceivedBytes: o.slowReceived,
      probeLatencyMs: o.probeLatencyMs === null ? null : Math.round(o.probeLatencyMs),
    };
    if (o.slowReceived >= o.publishedBytes)
      return verdict.unobservable(
        `the unread stream received ${o.slowReceived} bytes, all ${o.publishedBytes} published: flow control never held it back (a window of ${o.windowBytes} bytes was advertised)`,
        { measurements },
      );
    const held = `the unread ${PUSH_LABEL[o.transport]} stream stopped at ${o.slowReceived} bytes (window ${o.windowBytes}) of ${o.publishedBytes} published`;
    if (o.probeLatencyMs === null && o.fastEnded)
      return verdict.unobservable(`${held}; the reading stream ended (${o.fastEnded}) before the next event could arrive on it`, {
        measurements,
      });
    if (o.probeLatencyMs === null)
      return verdict.violation(
        expected,
        `${held}, and the next event never reached the subscriber that kept reading: one slow reader stalls the channel for everyone`,
        {
          measurements,
        },
      );
    if (o.probeLatencyMs > o.allowedMs)
      return verdict.violation(
        expected,
        `${held}; the next event reached the reading subscriber after ${ms(o.probeLatencyMs)} (allowed ${ms(o.allowedMs)})`,
        {
          measurements,
          excessMs: o.probeLatencyMs - o.allowedMs,
        },
      );
    return verdict.pass(expected, `${held}; the next event reached the reading subscriber after ${ms(o.probeLatencyMs)}`, { measurements });
  },
});

export const h2FlowControlRequirements: Requirement[] = [slowReaderIsolated];
