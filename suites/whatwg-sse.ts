import { RECHUNKING_HOPS } from './profiles.js';
import type { CaseContext } from '../runner/context.js';
import type { StreamSession } from '../runner/drivers/stream.js';
import type { Requirement } from '../runner/requirement.js';
import { fromRun, type LegacyRequirement } from '../runner/legacy-requirement.js';
import { Inconclusive, verdict } from '../runner/verdict.js';
import { header } from '../runner/wire/index.js';
import type { SseParser } from '../runner/framing/sse.js';
import { judgeHeartbeat, storableVerdict } from './rfc6202-3-streaming.js';
import { openStream, parseBytewise, publishSeries, streamHeaders, streamTiming, type Delivery } from './streaming/scenarios.js';
import { ms } from './format.js';

const SSE = ['sse'] as const;
const SPEC = 'WHATWG HTML';
const html = (anchor: string): string => `https://html.spec.whatwg.org/multipage/server-sent-events.html#${anchor}`;

/** An SSE stream with n events published, stopped after a short settle; parsed as EventSource would. */
async function sseEvents(ctx: CaseContext, n: number): Promise<{ session: StreamSession; deliveries: Delivery[]; parsed: ReturnType<typeof parseBytewise> }> {
  const t = streamTiming(ctx, 'sse');
  const channel = ctx.newChannel();
  const session = await openStream(ctx, 'sse', channel, { maxMs: n * (t.spacingMs + t.waitEventMs) + ctx.ms(5000) });
  const deliveries = await publishSeries(ctx, session, channel, n, 'sse');
  await ctx.pause(2 * ctx.epsilonMs);
  await session.stop();
  if (!deliveries.some((d) => d.arrival !== null)) throw new Inconclusive(`no event arrived on the SSE stream (${session.headers?.status ?? 'no response'})`);
  return { session, deliveries, parsed: parseBytewise(session, { type: 'sse' }) };
}

// WHATWG HTML §9.2.2 (EventSource constructor, "announce the connection"): only a 200 whose
// Content-Type is text/event-stream is processed; anything else fails the connection for good.
const contentType: LegacyRequirement = {
  id: 'sse.content-type', spec: SPEC, section: '9.2.2', level: 'must',
  title: 'A live event stream is a 200 response with Content-Type: text/event-stream',
  sources: [html('the-eventsource-interface')], transports: [...SSE], needsPublish: false, mayPublish: true, timing: false,
  tolerance: 'exact: status and media type (parameters such as charset ignored)',
  faults: ['sse-text-plain'],
  remedy: 'answer the event stream with "Content-Type: text/event-stream"',
  async run(ctx) {
    const { head, end } = await streamHeaders(ctx, 'sse');
    if (!head) throw new Inconclusive(`no response headers arrived (${end})`);
    const ct = header(head, 'content-type') ?? '(none)';
    const essence = ct.split(';')[0]?.trim().toLowerCase();
    const expected = '200 with Content-Type: text/event-stream';
    if (head.status !== 200 || essence !== 'text/event-stream') {
      return verdict.violation(expected, `HTTP ${head.status} with Content-Type: ${ct} — EventSource fails the connection and never reconnects`);
    }
    return verdict.pass(expected, `HTTP 200, Content-Type: ${ct}`);
  },
};

// WHATWG HTML §9.2.6: field names are compared literally: "data", "event", "id", "retry".
const fieldNames: LegacyRequirement = {
  id: 'sse.field-names', spec: SPEC, section: '9.2.6', level: 'must',
  title: 'Event fields are spelled exactly data, event, id, retry (lower case, no space before the colon)',
  sources: [html('event-stream-interpretation')], transports: [...SSE], needsPublish: true, timing: false,
  tolerance: 'exact: every line of 2 events, parsed as an EventSource parses it',
  faults: ['sse-bad-field-case'],
  remedy: 'emit only the field names data, event, id and retry (comments start with a colon)',
  async run(ctx) {
    const { deliveries, parsed } = await sseEvents(ctx, 2);
    const parser = parsed.parser as SseParser;
    const fieldProblems = parsed.problems.filter((p) => /field name|\(BOM\) at the start of a line/i.test(p));
    const unknown = [...(parser.unknownFields ?? new Map<string, number>()).keys()];
    const lostTokens = deliveries.filter((d) => d.arrival !== null && !parsed.messages.some((m) => m.data.includes(d.token)) && parsed.partial?.includes(d.token) !== true);
    const expected = 'each payload on a "data:" line an EventSource recognises';
    if (fieldProblems.length || lostTokens.length) {
      return verdict.violation(expected, `${[...fieldProblems.slice(0, 3), ...(lostTokens.length ? [`${lostTokens.length} event(s) sent on lines a browser ignores (fields seen: ${unknown.join(', ') || 'none'})`] : [])].join('; ')}`);
    }
    return verdict.pass(expected, `${parsed.messages.length} events parsed${unknown.length ? `; unknown fields ignored: ${unknown.join(', ')}` : ''}`);
  },
};

// WHATWG HTML §9.2.6: an event is dispatched at the blank line; data pending at the end is discarded.
const dispatch: LegacyRequirement = {
  id: 'sse.dispatch', spec: SPEC, section: '9.2.6', level: 'must',
  title: 'Each event ends with a blank line sent together with it, so the browser dispatches it at once',
  sources: [html('event-stream-interpretation')], transports: [...SSE], needsPublish: true, timing: true,
  tolerance: 'dispatch (blank line) − arrival of the event data ≤ 2·RTT + 100 ms (× time scale), for 2 events ≥ 300 ms apart',
  via: [...RECHUNKING_HOPS], deploymentCheck: true,
  faults: ['sse-single-newline'],
  remedy: 'end each event with a blank line so the browser dispatches it',
  async run(ctx) {
    const { session, deliveries } = await sseEvents(ctx, 2);
    const problems: string[] = [];
    let excess = 0;
    const body = session.body;
    // The blank line that ends the event: the first empty line after the payload's line
    // (judged on the raw lines, so a misspelt field name is sse.field-names' business, not this one's).
    const blank = /(\r\n|\r(?!\n)|\n)(\r\n|\r(?!\n)|\n)/g;
    for (const [i, d] of deliveries.entries()) {
      if (d.arrival === null) continue;
      blank.lastIndex = body.indexOf(d.token);
      const m = blank.exec(body);
      const at = m ? session.timeOf(m.index + m[0].length - 1) : null;
      if (at === null) {
        problems.push(`event ${i + 1} was never followed by a blank line, so a browser never dispatches it`);
        excess = Infinity;
      } else if (at - d.arrival > ctx.epsilonMs) {
        problems.push(`event ${i + 1}'s blank line came ${ms(at - d.arrival)} after its data, with the next event's bytes: a browser dispatches each event one event late`);
        excess = Math.max(excess, at - d.arrival - ctx.epsilonMs);
      }
    }
    const expected = 'every event is followed at once by the blank line that dispatches it';
    // A blank line that never came has no finite overshoot: no excessMs, so no stall excuses it.
    if (problems.length) return verdict.violation(expected, problems.join('; '), Number.isFinite(excess) ? { excessMs: Math.round(excess) } : {});
    return verdict.pass(expected, `${deliveries.length} events, each dispatched on arrival`);
  },
};

// WHATWG HTML §9.2.3/9.2.4: the last event ID is what a reconnecting browser sends back.
const ids: LegacyRequirement = {
  id: 'sse.ids', spec: SPEC, section: '9.2.4', level: 'should',
  title: 'Events carry an id, so a reconnecting browser can say where it left off',
  sources: [html('the-last-event-id-header'), html('event-stream-interpretation')], transports: [...SSE], needsPublish: true, timing: false,
  tolerance: 'exact: each of 2 dispatched events sets a non-empty, changing last event ID',
  faults: ['sse-no-id'],
  remedy: 'give every event an id: line so a reconnecting client can resume',
  async run(ctx) {
    const { deliveries, parsed } = await sseEvents(ctx, 2);
    const mine = deliveries.map((d) => parsed.messages.find((m) => m.data.includes(d.token))).filter((m) => m !== undefined);
    if (mine.length === 0) throw new Inconclusive('no event was dispatched; see sse.dispatch');
    const idsSeen = mine.map((m) => m.fields?.['lastEventId'] ?? '');
    const expected = 'every event sets a new last event ID';
    if (idsSeen.some((x) => x === '') || new Set(idsSeen).size < idsSeen.length) {
      return verdict.violation(expected, `last event IDs after each event: ${idsSeen.map((x) => JSON.stringify(x)).join(', ')} — a reconnecting browser cannot resume and misses what was sent meanwhile`);
    }
    return verdict.pass(expected, `ids ${idsSeen.map((x) => JSON.stringify(x)).join(', ')}`);
  },
};

// WHATWG HTML §9.2.3/9.2.4: on reconnect the browser sends Last-Event-ID; the server resumes.
const resume: LegacyRequirement = {
  id: 'sse.resume', spec: SPEC, section: '9.2.4', level: 'must',
  title: 'A reconnect with Last-Event-ID gets exactly the events missed meanwhile: none lost, none repeated, in order',
  sources: [html('the-last-event-id-header'), 'https://www.rfc-editor.org/rfc/rfc6202#section-3.2'], transports: [...SSE], needsPublish: true, timing: false,
  tolerance: 'exact: 2 events received, stream closed, 2 published while disconnected; the reconnect must deliver those 2 and not the first 2',
  via: ['http10'], deploymentCheck: true,
  faults: ['sse-ignore-last-event-id'],
  remedy: 'replay the events after the Last-Event-ID a reconnecting client sends (keep a short history)',
  async run(ctx) {
    const t = streamTiming(ctx, 'sse');
    const channel = ctx.newChannel();
    const first = await openStream(ctx, 'sse', channel, { maxMs: 2 * (t.spacingMs + t.waitEventMs) + ctx.ms(5000), label: 'first connection' });
    const before = await publishSeries(ctx, first, channel, 2, 'sse');
    await first.stop();
    if (before.some((d) => d.arrival === null)) throw new Inconclusive('the first two events did not arrive; see st.incremental');
    const firstParse = parseBytewise(first, { type: 'sse' });
    const parser = firstParse.parser as SseParser;
    const lastId = parser.lastEventId;
    // What the browser has: dispatched events only (an undispatched one may rightly come again).
    const had = before.filter((d) => firstParse.messages.some((m) => m.data.includes(d.token)));
    if (lastId === '') throw new Inconclusive('the events carry no id, so there is nothing to resume from; see sse.ids');
    const missed = [ctx.nextToken(), ctx.nextToken()];
    for (const m of missed) await ctx.publish(channel, m);
    const again = await openStream(ctx, 'sse', channel, { maxMs: t.waitEventMs * 2 + ctx.ms(2000), extraHeaders: [['Last-Event-ID', lastId]], label: 'reconnect' });
    const lastArrival = await again.waitFor(missed[1] ?? '', t.waitEventMs);
    await ctx.pause(2 * ctx.epsilonMs);
    const res = await again.stop();
    const body = again.body;
    const expected = `after "Last-Event-ID: ${lastId}", the 2 missed events, in order, and nothing older`;
    if (again.headers && again.headers.status >= 400) return verdict.violation(expected, `the reconnect with Last-Event-ID was answered ${again.headers.status}`);
    const lost = missed.filter((m) => !body.includes(m));
    const repeated = had.filter((d) => body.includes(d.token));
    const [m0, m1] = missed.map((m) => body.indexOf(m));
    const problems = [
      ...(lost.length ? [`${lost.length} of the 2 events published while disconnected never arrived`] : []),
      ...(repeated.length ? [`${repeated.length} event(s) the client already had were sent again`] : []),
      ...(m0 !== undefined && m1 !== undefined && m0 >= 0 && m1 >= 0 && m1 < m0 ? ['the missed events came out of order'] : []),
    ];
    if (problems.length) return verdict.violation(expected, `${problems.join('; ')} (reconnect: ${res.status || res.end})`);
    return verdict.pass(expected, `both missed events replayed in order${lastArrival !== null ? ` within ${ms(lastArrival - again.tSent)}` : ''}, nothing repeated`);
  },
};

// WHATWG HTML §9.2.6: "retry" is used only when its value consists of ASCII digits.
const retry: LegacyRequirement = {
  id: 'sse.retry', spec: SPEC, section: '9.2.6', level: 'must',
  title: 'A retry field holds only ASCII digits (milliseconds), or browsers ignore it',
  sources: [html('event-stream-interpretation')], transports: [...SSE], needsPublish: true, timing: false,
  tolerance: 'exact: every retry line in the stream',
  faults: ['sse-bad-retry'],
  remedy: 'send retry: as a plain decimal number of milliseconds',
  async run(ctx) {
    const { parsed } = await sseEvents(ctx, 1);
    const parser = parsed.parser as SseParser;
    const bad = parsed.problems.filter((p) => /retry/i.test(p));
    const measurements = { retryMs: parser.retry };
    const expected = 'retry values are ASCII digits';
    if (bad.length) return verdict.violation(expected, `${bad.slice(0, 2).join('; ')} — EventSource ignores it and reconnects after its default`, { measurements });
    return verdict.pass(expected, parser.retry === null ? 'no retry field sent (browsers use their default)' : `retry: ${parser.retry} ms`, { measurements });
  },
};

// WHATWG HTML §9.2.7: "legacy proxy servers are known to, in certain cases, drop HTTP connections
// after a short timeout"; a comment line every 15 s or so protects against them.
const heartbeat: LegacyRequirement = {
  id: 'sse.heartbeat', spec: SPEC, section: '9.2.7', level: 'should',
  title: 'An idle event stream sends comment heartbeats often enough to survive idle timeouts',
  sources: [html('authoring-notes'), 'https://www.rfc-editor.org/rfc/rfc6202#section-5.5'], transports: [...SSE], needsPublish: false, timing: false, idleWatch: true,
  tolerance: 'largest silence ≤ the declared heartbeat + ε (undeclared: ≤ 20 s), observed over 1.5× that',
  faults: ['sse-no-heartbeat'],
  remedy: 'send a comment line (a line starting with ":") on an idle event stream at least every 15–20 s',
  async run(ctx) {
    return judgeHeartbeat(ctx, 'sse');
  },
};

// RFC 6202 §5.6 / RFC 9111 §3: EventSource fetches with no-store, but caches in between do not know that.
const notStorable: LegacyRequirement = {
  id: 'sse.not-storable', spec: SPEC, section: '9.2.2', level: 'should',
  title: 'An event stream is not storable by shared caches',
  sources: [html('the-eventsource-interface'), 'https://www.rfc-editor.org/rfc/rfc9111#section-3', 'https://www.rfc-editor.org/rfc/rfc6202#section-5.6'], transports: [...SSE], needsPublish: false, mayPublish: true, timing: false,
  tolerance: 'exact: RFC 9111 §3 storability of the response headers',
  faults: ['sse-cacheable'],
  remedy: 'send "Cache-Control: no-store" (or no-cache) on the event stream',
  async run(ctx) {
    const { head, end } = await streamHeaders(ctx, 'sse');
    if (!head) throw new Inconclusive(`no response headers arrived (${end})`);
    return storableVerdict(ctx, head, 'event-stream');
  },
};

export const sseRequirements: Requirement[] = [contentType, fieldNames, dispatch, ids, resume, retry, heartbeat, notStorable].map(fromRun);
