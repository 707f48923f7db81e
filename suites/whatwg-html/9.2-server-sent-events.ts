import { RECHUNKING_HOPS } from '../profiles.js';
import type { CaseContext } from '../../runner/context.js';
import type { StreamSession } from '../../runner/drivers/stream.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { EPSILON, epsilonMs } from '../../runner/epsilon.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { header } from '../../runner/wire/index.js';
import type { FramingProblem } from '../../runner/framing/types.js';
import { sharedIdle, type IdleObservation } from '../scenarios/streaming-idle.js';
import {
  evaluateHeartbeat,
  evaluateStorable,
  HEARTBEAT_TOLERANCE,
  incrementalOf,
  type StorableHead,
} from '../scenarios/streaming-judgements.js';
import { openStream, parseSseBytewise, publishSeries, streamHeaders, streamTiming, type Delivery } from '../scenarios/streaming.js';
import { ms } from '../format.js';

const SSE = ['sse'] as const;
export const SPEC = 'WHATWG HTML';
export const html = (anchor: string): string => `https://html.spec.whatwg.org/multipage/server-sent-events.html#${anchor}`;

/** An SSE stream with n events published, stopped after a short settle; parsed as EventSource would. */
export async function sseEvents(
  ctx: CaseContext,
  n: number,
): Promise<{ session: StreamSession; deliveries: Delivery[]; parsed: ReturnType<typeof parseSseBytewise> }> {
  const t = streamTiming(ctx, 'sse');
  const channel = ctx.newChannel();
  const session = await openStream(ctx, 'sse', channel, { maxMs: n * (t.spacingMs + t.waitEventMs) + ctx.ms(5000) });
  const deliveries = await publishSeries(ctx, session, channel, n, 'sse');
  await ctx.pause(2 * ctx.epsilonMs);
  await session.stop();
  if (!deliveries.some((d) => d.arrival !== null))
    throw new Inconclusive(`no event arrived on the SSE stream (${session.headers?.status ?? 'no response'})`);
  return { session, deliveries, parsed: parseSseBytewise(session) };
}

/** Exact checks: no tolerance parameters. */
export const EXACT: Record<string, never> = {};

/** The parser's findings an observation keeps: the first few, enough to judge and to quote. */
export const keepFindings = (f: readonly FramingProblem[]): FramingProblem[] => f.slice(0, 20);

// WHATWG HTML §9.2.2 (EventSource constructor, "announce the connection"): only a 200 whose
// Content-Type is text/event-stream is processed; anything else fails the connection for good.
const contentType = defineRequirement<{ status: number; contentType: string | null; incremental?: string | null }, typeof EXACT>({
  id: 'sse.content-type',
  spec: SPEC,
  section: '9.2.2',
  level: 'must',
  title: 'A live event stream is a 200 response with Content-Type: text/event-stream',
  sources: [html('the-eventsource-interface')],
  transports: [...SSE],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: EXACT,
  tolerance: () => 'exact: status and media type (parameters such as charset ignored)',
  faults: ['sse-text-plain'],
  remedy: 'answer the event stream with "Content-Type: text/event-stream"',
  async scenario(ctx) {
    const { head, end } = await streamHeaders(ctx, 'sse');
    if (!head) throw new Inconclusive(`no response headers arrived (${end})`);
    return { status: head.status, contentType: header(head, 'content-type') ?? null, incremental: header(head, 'incremental') ?? null };
  },
  evaluate(o): Verdict {
    const ct = o.contentType ?? '(none)';
    const essence = ct.split(';')[0]?.trim().toLowerCase();
    const expected = '200 with Content-Type: text/event-stream';
    const measurements = incrementalOf(o);
    if (o.status !== 200 || essence !== 'text/event-stream') {
      return verdict.violation(
        expected,
        `HTTP ${o.status} with Content-Type: ${ct} — EventSource fails the connection and never reconnects`,
        { measurements },
      );
    }
    return verdict.pass(expected, `HTTP 200, Content-Type: ${ct}`, { measurements });
  },
});

/** Published events as an EventSource saw them: which arrived, what was dispatched, what the parser found. */
export interface SseEventsSeen {
  /** tokens of the events that arrived on the stream */
  arrived: string[];
  /** data of every dispatched event */
  dispatched: string[];
  /** undispatched text left at the end of the stream */
  partial: string | null;
  findings: FramingProblem[];
  unknownFields: string[];
}

// WHATWG HTML §9.2.6: field names are compared literally: "data", "event", "id", "retry".
/** How many events the field, dispatch and id checks publish. */
const twoEvents = { events: 2 };

const fieldNames = defineRequirement<SseEventsSeen, typeof twoEvents>({
  id: 'sse.field-names',
  spec: SPEC,
  section: '9.2.6',
  level: 'must',
  title: 'Event fields are spelled exactly data, event, id, retry (lower case, no space before the colon)',
  sources: [html('event-stream-interpretation')],
  transports: [...SSE],
  needsPublish: true,
  timing: false,
  limits: twoEvents,
  tolerance: (l) => `exact: every line of ${l.events} events, parsed as an EventSource parses it`,
  faults: ['sse-bad-field-case'],
  remedy: 'emit only the field names data, event, id and retry (comments start with a colon)',
  async scenario(ctx) {
    const { deliveries, parsed } = await sseEvents(ctx, twoEvents.events);
    const { parser } = parsed;
    return {
      arrived: deliveries.filter((d) => d.arrival !== null).map((d) => d.token),
      dispatched: parsed.messages.map((m) => m.data),
      partial: parsed.partial,
      findings: keepFindings(parsed.findings),
      unknownFields: [...parser.unknownFields.keys()],
    };
  },
  evaluate(o): Verdict {
    // A misspelt name and a BOM glued to a name both make the browser ignore the line.
    const fieldProblems = o.findings.filter((p) => p.code === 'field-name-mismatch' || p.code === 'bom-in-line').map((p) => p.text);
    const unknown = o.unknownFields;
    const lostTokens = o.arrived.filter((token) => !o.dispatched.some((d) => d.includes(token)) && o.partial?.includes(token) !== true);
    const expected = 'each payload on a "data:" line an EventSource recognises';
    if (fieldProblems.length || lostTokens.length) {
      return verdict.violation(
        expected,
        `${[...fieldProblems.slice(0, 3), ...(lostTokens.length ? [`${lostTokens.length} event(s) sent on lines a browser ignores (fields seen: ${unknown.join(', ') || 'none'})`] : [])].join('; ')}`,
      );
    }
    return verdict.pass(
      expected,
      `${o.dispatched.length} events parsed${unknown.length ? `; unknown fields ignored: ${unknown.join(', ')}` : ''}`,
    );
  },
});

/** Per published event: whether its data arrived, and how long after it the blank line that dispatches it came. */
export interface DispatchSeen {
  conditions: Conditions;
  events: Array<{ arrived: boolean; blankAfterMs: number | null }>;
}

/** blank line − event data ≤ ε (slackMs × time scale + rtts × RTT). */
const dispatchLimits = { ...twoEvents, ...EPSILON };

// WHATWG HTML §9.2.6: an event is dispatched at the blank line; data pending at the end is discarded.
const dispatch = defineRequirement<DispatchSeen, typeof dispatchLimits>({
  id: 'sse.dispatch',
  spec: SPEC,
  section: '9.2.6',
  level: 'must',
  title: 'Each event ends with a blank line sent together with it, so the browser dispatches it at once',
  sources: [html('event-stream-interpretation')],
  transports: [...SSE],
  needsPublish: true,
  timing: true,
  limits: dispatchLimits,
  tolerance: (l) =>
    `dispatch (blank line) − arrival of the event data ≤ ${l.rtts}·RTT + ${l.slackMs} ms (× time scale), for ${l.events} events ≥ 300 ms apart`,
  via: [...RECHUNKING_HOPS],
  deploymentCheck: true,
  faults: ['sse-single-newline'],
  remedy: 'end each event with a blank line so the browser dispatches it',
  async scenario(ctx) {
    const { session, deliveries } = await sseEvents(ctx, twoEvents.events);
    const body = session.body;
    // The blank line that ends the event: the first empty line after the payload's line
    // (judged on the raw lines, so a misspelt field name is sse.field-names' business, not this one's).
    const blank = /(\r\n|\r(?!\n)|\n)(\r\n|\r(?!\n)|\n)/g;
    const events = deliveries.map((d) => {
      if (d.arrival === null) return { arrived: false, blankAfterMs: null };
      blank.lastIndex = body.indexOf(d.token);
      const m = blank.exec(body);
      const at = m ? session.timeOf(m.index + m[0].length - 1) : null;
      return { arrived: true, blankAfterMs: at === null ? null : at - d.arrival };
    });
    return { conditions: conditions(ctx), events };
  },
  evaluate(o, l): Verdict {
    const allowed = epsilonMs(o.conditions.timeScale, o.conditions.rttMs, l);
    const problems: string[] = [];
    let excess = 0;
    for (const [i, e] of o.events.entries()) {
      if (!e.arrived) continue;
      if (e.blankAfterMs === null) {
        problems.push(`event ${i + 1} was never followed by a blank line, so a browser never dispatches it`);
        excess = Infinity;
      } else if (e.blankAfterMs > allowed) {
        problems.push(
          `event ${i + 1}'s blank line came ${ms(e.blankAfterMs)} after its data, with the next event's bytes: a browser dispatches each event one event late`,
        );
        excess = Math.max(excess, e.blankAfterMs - allowed);
      }
    }
    const expected = 'every event is followed at once by the blank line that dispatches it';
    // A blank line that never came has no finite overshoot: no excessMs, so no stall excuses it.
    if (problems.length)
      return verdict.violation(expected, problems.join('; '), Number.isFinite(excess) ? { excessMs: Math.round(excess) } : {});
    return verdict.pass(expected, `${o.events.length} events, each dispatched on arrival`);
  },
});

// WHATWG HTML §9.2.3/9.2.4: the last event ID is what a reconnecting browser sends back.
const ids = defineRequirement<{ lastEventIds: string[] }, typeof twoEvents>({
  id: 'sse.ids',
  spec: SPEC,
  section: '9.2.4',
  level: 'should',
  title: 'Events carry an id, so a reconnecting browser can say where it left off',
  sources: [html('the-last-event-id-header'), html('event-stream-interpretation')],
  transports: [...SSE],
  needsPublish: true,
  timing: false,
  dependsOn: ['sse.dispatch'],
  limits: twoEvents,
  tolerance: (l) => `exact: each of ${l.events} dispatched events sets a non-empty, changing last event ID`,
  // sse-id-nul: every id carries U+0000, so browsers ignore them all and no last event ID is set.
  faults: ['sse-no-id', 'sse-id-nul'],
  remedy: 'give every event an id: line so a reconnecting client can resume',
  async scenario(ctx) {
    const { deliveries, parsed } = await sseEvents(ctx, twoEvents.events);
    const mine = deliveries.map((d) => parsed.messages.find((m) => m.data.includes(d.token))).filter((m) => m !== undefined);
    return { lastEventIds: mine.map((m) => m.fields?.['lastEventId'] ?? '') };
  },
  evaluate(o): Verdict {
    const idsSeen = o.lastEventIds;
    if (idsSeen.length === 0) return verdict.unobservable('no event was dispatched; see sse.dispatch');
    const expected = 'every event sets a new last event ID';
    if (idsSeen.some((x) => x === '') || new Set(idsSeen).size < idsSeen.length) {
      return verdict.violation(
        expected,
        `last event IDs after each event: ${idsSeen.map((x) => JSON.stringify(x)).join(', ')} — a reconnecting browser cannot resume and misses what was sent meanwhile`,
      );
    }
    return verdict.pass(expected, `ids ${idsSeen.map((x) => JSON.stringify(x)).join(', ')}`);
  },
});

/** The reconnect with Last-Event-ID: what its body held of the missed events and of those already had. */
export interface ResumeSeen {
  lastId: string;
  /** status of the reconnect's response, null when none came */
  reconnectStatus: number | null;
  /** the reconnect's status, or how it ended when there was none */
  reconnectEnd: string;
  /** offset of each missed event's token in the reconnect body, -1 when absent */
  missedAt: number[];
  /** events the client had already dispatched that the reconnect sent again */
  repeated: number;
  /** reconnect sent → arrival of the last missed event, null when it did not arrive */
  lastArrivalMs: number | null;
}

// WHATWG HTML §9.2.3/9.2.4: on reconnect the browser sends Last-Event-ID; the server resumes.
const resumeLimits = { before: 2, missed: 2 };

const resume = defineRequirement<ResumeSeen, typeof resumeLimits>({
  id: 'sse.resume',
  spec: SPEC,
  section: '9.2.4',
  level: 'must',
  title: 'A reconnect with Last-Event-ID gets exactly the events missed meanwhile: none lost, none repeated, in order',
  sources: [html('the-last-event-id-header'), 'https://www.rfc-editor.org/rfc/rfc6202#section-3.2'],
  transports: [...SSE],
  needsPublish: true,
  timing: false,
  // named by the scenario when it cannot be carried out
  dependsOn: ['st.incremental', 'sse.ids'],
  limits: resumeLimits,
  tolerance: (l) =>
    `exact: ${l.before} events received, stream closed, ${l.missed} published while disconnected; the reconnect must deliver those ${l.missed} and not the first ${l.before}`,
  via: ['http10'],
  deploymentCheck: true,
  faults: ['sse-ignore-last-event-id'],
  remedy: 'replay the events after the Last-Event-ID a reconnecting client sends (keep a short history)',
  async scenario(ctx) {
    const l = resumeLimits;
    const t = streamTiming(ctx, 'sse');
    const channel = ctx.newChannel();
    const first = await openStream(ctx, 'sse', channel, {
      maxMs: l.before * (t.spacingMs + t.waitEventMs) + ctx.ms(5000),
      label: 'first connection',
    });
    const before = await publishSeries(ctx, first, channel, l.before, 'sse');
    await first.stop();
    if (before.some((d) => d.arrival === null)) throw new Inconclusive('the first two events did not arrive; see st.incremental');
    const firstParse = parseSseBytewise(first);
    const { parser } = firstParse;
    const lastId = parser.lastEventId;
    // What the browser has: dispatched events only (an undispatched one may rightly come again).
    const had = before.filter((d) => firstParse.messages.some((m) => m.data.includes(d.token)));
    if (lastId === '') throw new Inconclusive('the events carry no id, so there is nothing to resume from; see sse.ids');
    const missed = Array.from({ length: l.missed }, () => ctx.nextToken());
    for (const m of missed) await ctx.publish(channel, m);
    const again = await openStream(ctx, 'sse', channel, {
      maxMs: t.waitEventMs * 2 + ctx.ms(2000),
      extraHeaders: [['Last-Event-ID', lastId]],
      label: 'reconnect',
    });
    const lastArrival = await again.waitFor(missed[missed.length - 1] ?? '', t.waitEventMs);
    await ctx.pause(2 * ctx.epsilonMs);
    const res = await again.stop();
    const body = again.body;
    return {
      lastId,
      reconnectStatus: again.headers?.status ?? null,
      reconnectEnd: `${res.status || res.end}`,
      missedAt: missed.map((m) => body.indexOf(m)),
      repeated: had.filter((d) => body.includes(d.token)).length,
      lastArrivalMs: lastArrival === null ? null : lastArrival - again.tSent,
    };
  },
  evaluate(o, l): Verdict {
    const expected = `after "Last-Event-ID: ${o.lastId}", the ${l.missed} missed events, in order, and nothing older`;
    if (o.reconnectStatus !== null && o.reconnectStatus >= 400)
      return verdict.violation(expected, `the reconnect with Last-Event-ID was answered ${o.reconnectStatus}`);
    const lost = o.missedAt.filter((at) => at < 0).length;
    const [m0, m1] = o.missedAt;
    const problems = [
      ...(lost ? [`${lost} of the ${l.missed} events published while disconnected never arrived`] : []),
      ...(o.repeated ? [`${o.repeated} event(s) the client already had were sent again`] : []),
      ...(m0 !== undefined && m1 !== undefined && m0 >= 0 && m1 >= 0 && m1 < m0 ? ['the missed events came out of order'] : []),
    ];
    if (problems.length) return verdict.violation(expected, `${problems.join('; ')} (reconnect: ${o.reconnectEnd})`);
    return verdict.pass(
      expected,
      `both missed events replayed in order${o.lastArrivalMs !== null ? ` within ${ms(o.lastArrivalMs)}` : ''}, nothing repeated`,
    );
  },
});

// WHATWG HTML §9.2.6: "retry" is used only when its value consists of ASCII digits.
const retry = defineRequirement<{ retryMs: number | null; findings: FramingProblem[] }, typeof EXACT>({
  id: 'sse.retry',
  spec: SPEC,
  section: '9.2.6',
  level: 'must',
  title: 'A retry field holds only ASCII digits (milliseconds), or browsers ignore it',
  sources: [html('event-stream-interpretation')],
  transports: [...SSE],
  needsPublish: true,
  timing: false,
  limits: EXACT,
  tolerance: () => 'exact: every retry line in the stream',
  faults: ['sse-bad-retry'],
  remedy: 'send retry: as a plain decimal number of milliseconds',
  async scenario(ctx) {
    const { parsed } = await sseEvents(ctx, 1);
    const { parser } = parsed;
    return { retryMs: parser.retry, findings: keepFindings(parsed.findings) };
  },
  evaluate(o): Verdict {
    // Ignored either way: a value that is not digits, or a "Retry"/" retry" name a browser does not recognise.
    const bad = o.findings
      .filter((p) => p.code === 'retry-not-digits' || (p.code === 'field-name-mismatch' && p.field === 'retry'))
      .map((p) => p.text);
    const measurements = { retryMs: o.retryMs };
    const expected = 'retry values are ASCII digits';
    if (bad.length)
      return verdict.violation(expected, `${bad.slice(0, 2).join('; ')} — EventSource ignores it and reconnects after its default`, {
        measurements,
      });
    return verdict.pass(expected, o.retryMs === null ? 'no retry field sent (browsers use their default)' : `retry: ${o.retryMs} ms`, {
      measurements,
    });
  },
});

// WHATWG HTML §9.2.7: "legacy proxy servers are known to, in certain cases, drop HTTP connections
// after a short timeout"; a comment line every 15 s or so protects against them.
const heartbeat = defineRequirement<IdleObservation, typeof EXACT>({
  id: 'sse.heartbeat',
  spec: SPEC,
  section: '9.2.7',
  level: 'should',
  title: 'An idle event stream sends comment heartbeats often enough to survive idle timeouts',
  sources: [html('authoring-notes'), 'https://www.rfc-editor.org/rfc/rfc6202#section-5.5'],
  transports: [...SSE],
  needsPublish: false,
  timing: false,
  idleWatch: true,
  dependsOn: ['st.first-byte'],
  limits: EXACT,
  tolerance: () => HEARTBEAT_TOLERANCE,
  faults: ['sse-no-heartbeat'],
  remedy: 'send a comment line (a line starting with ":") on an idle event stream at least every 15–20 s',
  scenario: (ctx) => sharedIdle(ctx, 'sse'),
  evaluate: (o) => evaluateHeartbeat(o),
});

// RFC 6202 §5.6 / RFC 9111 §3: EventSource fetches with no-store, but caches in between do not know that.
const notStorable = defineRequirement<StorableHead, typeof EXACT>({
  id: 'sse.not-storable',
  spec: SPEC,
  section: '9.2.2',
  level: 'should',
  title: 'An event stream is not storable by shared caches',
  sources: [
    html('the-eventsource-interface'),
    'https://www.rfc-editor.org/rfc/rfc9111#section-3',
    'https://www.rfc-editor.org/rfc/rfc6202#section-5.6',
  ],
  transports: [...SSE],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: EXACT,
  tolerance: () => 'exact: RFC 9111 §3 storability of the response headers',
  faults: ['sse-cacheable'],
  remedy: 'send "Cache-Control: no-store" (or no-cache) on the event stream',
  async scenario(ctx) {
    const { head, end } = await streamHeaders(ctx, 'sse');
    if (!head) throw new Inconclusive(`no response headers arrived (${end})`);
    const auth = Object.keys({ ...ctx.manifest.headers }).some((k) => k.toLowerCase() === 'authorization');
    return { status: head.status, headers: head.headers, requestHasAuthorization: auth };
  },
  evaluate: (o) => evaluateStorable(o, 'event-stream'),
});

export const sseRequirements: Requirement[] = [contentType, fieldNames, dispatch, ids, resume, retry, heartbeat, notStorable];
export { contentType, fieldNames, dispatch, ids, resume, retry, heartbeat, notStorable };
