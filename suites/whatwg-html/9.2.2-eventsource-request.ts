/**
 * WHATWG HTML §9.2.2 (the EventSource constructor): what a browser's request looks like. Script
 * cannot add headers to it; the user agent "may" add Accept: text/event-stream and fetches with
 * cache mode no-store (Cache-Control: no-cache on the wire). A server must stream for that
 * request, and should not depend on the optional Accept either.
 */
import type { CaseContext } from '../../runner/context.js';
import { StreamSession, streamBlock } from '../../runner/drivers/stream.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { header } from '../../runner/wire/index.js';
import { streamTiming } from '../scenarios/streaming.js';
import { EXACT, html, SPEC } from './9.2-server-sent-events.js';

/** One request shape and what it got. */
export interface ShapeAttempt {
  /** the headers this check added to the manifest's */
  added: string[];
  /** null: no response head arrived */
  status: number | null;
  contentType: string | null;
  /** whether an event published after the head arrived; null when nothing was published */
  eventArrived: boolean | null;
  /** how the exchange ended (the harness stopped it, the server closed it, …) */
  end: string;
}

export interface BrowserRequestSeen {
  /** the manifest itself sets Accept, so the request without one cannot be made */
  manifestSetsAccept: boolean;
  /** the manifest's header names an EventSource cannot send (all but Cookie) */
  dropped: string[];
  /** the manifest's headers plus EventSource's: the request every SSE check sends */
  declared: ShapeAttempt;
  /** EventSource's headers and the manifest's cookies only; null when nothing was dropped (it is `declared`) */
  browser: ShapeAttempt | null;
  /** `declared` without Accept; null when manifestSetsAccept */
  noAccept: ShapeAttempt | null;
}

const BROWSER: Array<[string, string]> = [
  ['Accept', 'text/event-stream'],
  ['Cache-Control', 'no-cache'],
];

/** Opens the SSE endpoint with the manifest's headers (less `omit`) plus `added`, and publishes one event. */
async function attempt(ctx: CaseContext, added: Array<[string, string]>, omit: readonly string[], label: string): Promise<ShapeAttempt> {
  const t = streamTiming(ctx, 'sse');
  const channel = ctx.newChannel();
  const s = await StreamSession.open(ctx, 'sse', channel, {
    maxMs: 2 * t.waitEventMs + ctx.ms(2000),
    extraHeaders: added,
    omitHeaders: omit,
    label,
  });
  await s.waitHeaders(t.waitEventMs);
  let eventArrived: boolean | null = null;
  // A server that defers its head until the first event gets one too.
  if (ctx.env.publisher && (s.headers === null || s.headers.status === 200)) {
    const token = ctx.nextToken();
    await ctx.publish(channel, token);
    eventArrived = (await s.waitFor(token, t.waitEventMs)) !== null;
  }
  const res = await s.stop();
  const head = s.headers;
  return {
    added: added.map(([k, v]) => `${k}: ${v}`),
    status: head?.status ?? null,
    contentType: head ? (header(head, 'content-type') ?? null) : null,
    eventArrived,
    end: res.end,
  };
}

/** Whether the attempt got a live event stream (the event arrived, when one was published). */
const streamed = (a: ShapeAttempt): boolean =>
  a.status === 200 && a.contentType?.split(';')[0]?.trim().toLowerCase() === 'text/event-stream' && a.eventArrived !== false;

const describe = (a: ShapeAttempt): string =>
  a.status === null
    ? `no response (${a.end})`
    : `HTTP ${a.status}, Content-Type: ${a.contentType ?? '(none)'}${a.eventArrived === false ? ', the published event never arrived' : ''}`;

// WHATWG HTML §9.2.2: the request EventSource makes (script cannot add headers; cookies go along),
// and the Accept header it "may" add.
const browserRequest = defineRequirement<BrowserRequestSeen, typeof EXACT>({
  id: 'sse.browser-request',
  spec: SPEC,
  section: '9.2.2',
  level: 'should',
  title: "The endpoint streams for the request a browser's EventSource sends, with or without the optional Accept header",
  sources: [html('the-eventsource-interface'), 'https://fetch.spec.whatwg.org/#concept-request-cache-mode'],
  transports: ['sse'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  dependsOn: ['sse.content-type', 'st.incremental'],
  limits: EXACT,
  tolerance: () =>
    'exact: a 200 text/event-stream that delivers an event for Accept: text/event-stream + Cache-Control: no-cache with no header of the manifest but Cookie, and for the declared request without Accept',
  faults: ['sse-requires-accept'],
  remedy:
    'serve the event stream to any GET of the endpoint: do not require Accept: text/event-stream (user agents may leave it out) or any header script cannot set on an EventSource (authenticate with cookies or the URL)',
  async scenario(ctx) {
    const declaredHeaders = Object.keys({ ...ctx.manifest.headers, ...streamBlock(ctx, 'sse').headers });
    const manifestSetsAccept = declaredHeaders.some((k) => k.toLowerCase() === 'accept');
    const dropped = declaredHeaders.filter((k) => k.toLowerCase() !== 'cookie');
    // With an Accept of its own in the manifest, adding ours would send two.
    const declared = await attempt(ctx, manifestSetsAccept ? BROWSER.slice(1) : BROWSER, [], 'declared request');
    const browser = dropped.length ? await attempt(ctx, BROWSER, dropped, 'EventSource-shaped request') : null;
    const noAccept = manifestSetsAccept ? null : await attempt(ctx, BROWSER.slice(1), [], 'request without Accept');
    return { manifestSetsAccept, dropped, declared, browser, noAccept };
  },
  evaluate(o): Verdict {
    const expected = 'a live event stream for the EventSource request, with and without Accept: text/event-stream';
    const d = o.declared;
    // The declared request is what every SSE check sends: its failures are theirs to judge.
    if (d.status === null) return verdict.unobservable(`no response head arrived for the declared SSE request (${d.end})`);
    if (!streamed(d))
      return verdict.unobservable(
        `the declared SSE request got ${describe(d)}, so there is no stream to compare with; see sse.content-type and st.incremental`,
      );
    const problems: string[] = [];
    if (o.browser !== null && !streamed(o.browser))
      problems.push(
        `without the manifest's ${o.dropped.join(', ')} (script cannot set headers on an EventSource; only cookies go along): ${describe(o.browser)} — a browser cannot connect`,
      );
    if (o.noAccept !== null && !streamed(o.noAccept))
      problems.push(
        `without Accept: text/event-stream: ${describe(o.noAccept)} — the endpoint depends on a header WHATWG HTML §9.2.2 leaves optional (user agents "may" add it): today's browsers send it, but a client that follows only the spec, or a plain HTTP client, is refused`,
      );
    if (problems.length) return verdict.violation(expected, `${problems.join('; ')} (the declared request got ${describe(d)})`);
    const notes = [
      ...(o.browser !== null ? [`also without ${o.dropped.join(', ')}`] : []),
      o.noAccept === null ? 'the request without Accept was not tried: the manifest sets Accept itself' : 'with and without Accept',
    ];
    return verdict.pass(expected, `${describe(d)}, ${notes.join('; ')}`);
  },
});

export const sseRequestRequirements: Requirement[] = [browserRequest];
export { browserRequest };
