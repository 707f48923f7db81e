/**
 * RFC 9113 §5.1 (streams): over HTTP/2 a browser puts every poll, stream and EventSource of an
 * origin — all its tabs — on one connection, so what RFC 6202 §5.1 says of the six-connection
 * limit becomes the peer's SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2, which should be at least 100),
 * and a client closing one EventSource (RST_STREAM CANCEL) must cost only that stream, not the
 * others on the connection (§5.1, §5.4.2: a stream error is confined to its stream).
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import type { WireResponse } from '../../runner/wire/index.js';
import { h2Connection, offeredPush, ordinaryRequest, pushRequest } from '../scenarios/h2.js';
import { PUSH_LABEL, PUSH_TRANSPORTS, type PushTransport } from '../scenarios/push-transports.js';
import { ms } from '../format.js';
import { rfc } from '../sources.js';

const streamsLimits = { recommendedMin: 100, heldMax: 8, answerWithinMs: 2000 };

export interface ConcurrencySeen {
  /** SETTINGS_MAX_CONCURRENT_STREAMS, null when the server did not set one (unlimited) */
  maxConcurrent: number | null;
  transport: PushTransport;
  /** push streams held open when the ordinary request was sent */
  held: number;
  /** of those, still open when its answer came (or its wait ended) */
  stillHeld: number;
  /** the ordinary request on the same connection */
  ordinary: { status: number | null; end: string; tookMs: number | null };
}

function still(res: WireResponse): boolean {
  return res.tEnd === null;
}

// §5.1.2: "It is recommended that this value be no smaller than 100"; RFC 6202 §5.1: held
// requests must not starve the client's other requests.
export const concurrentStreams = defineRequirement<ConcurrencySeen, typeof streamsLimits>({
  id: 'h2.concurrent-streams',
  spec: 'RFC 9113',
  section: '5.1.2',
  level: 'should',
  title:
    'Over HTTP/2, held push streams leave room for the client’s other requests: SETTINGS_MAX_CONCURRENT_STREAMS of at least 100, and an ordinary request on the same connection is answered while push streams are held',
  sources: [rfc(9113, '5.1.2'), rfc(6202, '5.1')],
  transports: [...PUSH_TRANSPORTS],
  needsPublish: false,
  timing: false,
  limits: streamsLimits,
  tolerance: (l) =>
    `SETTINGS_MAX_CONCURRENT_STREAMS ≥ ${l.recommendedMin} (absent: unlimited); min(limit − 1, ${l.heldMax}) push streams held on one connection, then an ordinary GET on it answered within ${ms(l.answerWithinMs)} + ε (× time scale)`,
  faults: ['h2-few-streams'],
  remedy:
    'advertise SETTINGS_MAX_CONCURRENT_STREAMS of 100 or more on connections that carry push streams (nginx: http2_max_concurrent_streams; Node: settings.maxConcurrentStreams), since every tab of a browser shares the one connection',
  async scenario(ctx) {
    const transport = offeredPush(ctx)[0];
    if (transport === undefined) throw new Inconclusive('the target declares no long-poll, stream or SSE endpoint');
    const conn = await h2Connection(ctx);
    const maxConcurrent = conn.remoteSettings.get('MAX_CONCURRENT_STREAMS') ?? null;
    const held = Math.max(0, Math.min((maxConcurrent ?? Infinity) - 1, streamsLimits.heldMax));
    const deadline = ctx.ms(30_000);
    const holds = Array.from({ length: held }, () => conn.request(pushRequest(ctx, transport, ctx.newChannel()), ctx.host, deadline));
    // Each push request is with the server before the ordinary one goes out.
    await ctx.pause(ctx.epsilonMs);
    const waitMs = ctx.ms(streamsLimits.answerWithinMs) + ctx.epsilonMs;
    const ordinary = conn.request(ordinaryRequest(ctx), ctx.host, waitMs);
    const res = await ordinary.done;
    ctx.sawResponse(res);
    const stillHeld = holds.filter((h) => still(h.res)).length;
    for (const h of holds) h.cancel();
    return {
      maxConcurrent,
      transport,
      held,
      stillHeld,
      ordinary: {
        status: res.tHeaders === null ? null : res.status,
        end: res.end,
        tookMs: res.tHeaders === null ? null : res.tHeaders - res.tSent,
      },
    };
  },
  evaluate(o, l): Verdict {
    const limit =
      o.maxConcurrent === null ? 'no SETTINGS_MAX_CONCURRENT_STREAMS (unlimited)' : `SETTINGS_MAX_CONCURRENT_STREAMS ${o.maxConcurrent}`;
    const expected = `SETTINGS_MAX_CONCURRENT_STREAMS ≥ ${l.recommendedMin}, and an ordinary request answered beside held push streams`;
    const answered = o.ordinary.status !== null;
    const beside = `${o.stillHeld} of ${o.held} ${PUSH_LABEL[o.transport]} request(s) held on the connection`;
    const said = answered
      ? `the ordinary GET got HTTP ${o.ordinary.status} after ${ms(o.ordinary.tookMs ?? 0)} with ${beside}`
      : `the ordinary GET got no answer (${o.ordinary.end}) with ${beside}`;
    const measurements = { maxConcurrentStreams: o.maxConcurrent, held: o.held };
    if (!answered)
      return verdict.violation(expected, `${limit}; ${said}: the held streams starve every other request of the page (RFC 6202 §5.1)`, {
        measurements,
      });
    if (o.maxConcurrent !== null && o.maxConcurrent < l.recommendedMin)
      return verdict.violation(
        expected,
        `${limit}, below the ${l.recommendedMin} RFC 9113 §5.1.2 recommends: a browser shares one connection between all tabs of the origin, so the ${o.maxConcurrent + 1}th poll or EventSource waits for another to end; ${said}`,
        { measurements },
      );
    if (o.held > 0 && o.stillHeld === 0)
      return verdict.unobservable(
        `${limit}; every push request ended before the ordinary one was answered, so nothing was held beside it`,
        {
          measurements,
        },
      );
    return verdict.pass(expected, `${limit}; ${said}`, { measurements });
  },
});

export interface CancelSeen {
  transport: PushTransport;
  /** the stream we cancelled, and its sibling on the same connection */
  cancelledHeaders: boolean;
  sibling: { status: number | null; openAfter: boolean; end: string };
  /** the connection after the cancel: closed (how) or still open */
  connection: string;
  /** an ordinary request sent on the connection after the cancel */
  after: { status: number | null; end: string };
  waitedMs: number;
}

const cancelLimits = { settleMs: 500 };

// §5.1 and §5.4.2: RST_STREAM closes one stream; an endpoint tears down the connection only for a
// connection error. A server that treats a client's cancel as a reason to drop the connection
// takes every other tab's stream with it.
export const cancelIsolated = defineRequirement<CancelSeen, typeof cancelLimits>({
  id: 'h2.cancel-isolated',
  spec: 'RFC 9113',
  section: '5.4.2',
  level: 'should',
  title:
    'A client cancelling one push stream over HTTP/2 (RST_STREAM CANCEL) costs only that stream: the other streams on the connection stay open and the connection keeps serving',
  sources: [rfc(9113, '5.4.2'), rfc(9113, '5.1'), rfc(9113, '8.7')],
  transports: [...PUSH_TRANSPORTS],
  needsPublish: false,
  timing: false,
  limits: cancelLimits,
  tolerance: (l) =>
    `two push streams on one connection, one cancelled; the other and the connection checked ${ms(l.settleMs)} + ε later (× time scale)`,
  faults: ['h2-cancel-closes-session'],
  remedy:
    "on a client's cancel, end that request only (over HTTP/2 the socket under a request is shared: never destroy it, nor the session, from a request's close handler)",
  async scenario(ctx) {
    const transport = offeredPush(ctx)[0];
    if (transport === undefined) throw new Inconclusive('the target declares no long-poll, stream or SSE endpoint');
    const conn = await h2Connection(ctx);
    const deadline = ctx.ms(30_000);
    const cancelled = conn.request(pushRequest(ctx, transport, ctx.newChannel()), ctx.host, deadline);
    const sibling = conn.request(pushRequest(ctx, transport, ctx.newChannel()), ctx.host, deadline);
    await ctx.pause(ctx.epsilonMs);
    const cancelledHeaders = cancelled.res.tHeaders !== null;
    if (sibling.res.tEnd !== null)
      throw new Inconclusive(`the sibling ${PUSH_LABEL[transport]} ended (${sibling.res.end}) before the cancel: nothing held to watch`);
    cancelled.cancel();
    const waitedMs = ctx.ms(cancelLimits.settleMs) + ctx.epsilonMs;
    await ctx.pause(waitedMs);
    const openAfter = sibling.res.tEnd === null;
    const connection = conn.closed ? `closed (${conn.closeHow ?? '?'})` : 'open';
    const after = conn.closed ? null : await conn.request(ordinaryRequest(ctx), ctx.host, ctx.ms(5000)).done;
    if (after) ctx.sawResponse(after);
    sibling.cancel();
    return {
      transport,
      cancelledHeaders,
      sibling: { status: sibling.res.tHeaders === null ? null : sibling.res.status, openAfter, end: openAfter ? 'open' : sibling.res.end },
      connection,
      after:
        after === null
          ? { status: null, end: 'not sent: the connection was gone' }
          : { status: after.tHeaders === null ? null : after.status, end: after.end },
      waitedMs,
    };
  },
  evaluate(o): Verdict {
    const expected = 'after one stream is cancelled, its sibling stays open and the connection answers the next request';
    const problems: string[] = [];
    if (!o.sibling.openAfter) problems.push(`the other ${PUSH_LABEL[o.transport]} request ended too (${o.sibling.end})`);
    if (o.connection !== 'open') problems.push(`the connection was ${o.connection}`);
    else if (o.after.status === null) problems.push(`the next request on the connection got no answer (${o.after.end})`);
    const said = `${ms(o.waitedMs)} after we cancelled one of two ${PUSH_LABEL[o.transport]} requests on one connection`;
    if (problems.length > 0)
      return verdict.violation(
        expected,
        `${said}: ${problems.join('; ')} — one page closing its EventSource takes the other tabs' streams with it`,
      );
    return verdict.pass(expected, `${said}: the other was still open and the next request got HTTP ${o.after.status}`);
  },
});

export const h2StreamRequirements: Requirement[] = [concurrentStreams, cancelIsolated];
