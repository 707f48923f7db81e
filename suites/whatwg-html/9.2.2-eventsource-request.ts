/**
 * WHATWG HTML §9.2.2 (the EventSource constructor): what a browser's request looks like. Script
 * cannot add headers to it; the constructor sets Accept: text/event-stream (web-platform-tests
 * eventsource/request-accept asserts it) and fetches with cache mode no-store, which Fetch puts on
 * the wire as Cache-Control: no-cache and Pragma: no-cache. A server must stream for exactly that
 * request. Whether it also streams without Accept is recorded, not judged: every browser sends it.
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
  /** exactly EventSource's headers (Accept, Cache-Control and Pragma: no-cache) and the manifest's cookies */
  browser: ShapeAttempt;
  /** `declared` without Accept; null when manifestSetsAccept */
  noAccept: ShapeAttempt | null;
}

/** What every SSE check sends besides the manifest's headers. */
const DECLARED: Array<[string, string]> = [
  ['Accept', 'text/event-stream'],
  ['Cache-Control', 'no-cache'],
];
/** The browser's request: Fetch's cache mode no-store adds Pragma: no-cache too. */
const BROWSER: Array<[string, string]> = [...DECLARED, ['Pragma', 'no-cache']];

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
  title:
    "The endpoint streams for exactly the request a browser's EventSource sends (Accept, Cache-Control and Pragma: no-cache, no header but cookies)",
  sources: [html('the-eventsource-interface'), 'https://fetch.spec.whatwg.org/#concept-request-cache-mode'],
  transports: ['sse'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  dependsOn: ['sse.content-type', 'st.incremental'],
  limits: EXACT,
  tolerance: () =>
    'exact: a 200 text/event-stream that delivers an event for Accept: text/event-stream + Cache-Control: no-cache + Pragma: no-cache with no header of the manifest but Cookie; the answer without Accept is recorded, not judged',
  faults: ['sse-pragma-refused'],
  remedy:
    'serve the event stream to the request a browser makes: accept Cache-Control and Pragma: no-cache, and require no header script cannot set on an EventSource (authenticate with cookies or the URL)',
  async scenario(ctx) {
    const declaredHeaders = Object.keys({ ...ctx.manifest.headers, ...streamBlock(ctx, 'sse').headers });
    const manifestSetsAccept = declaredHeaders.some((k) => k.toLowerCase() === 'accept');
    const dropped = declaredHeaders.filter((k) => k.toLowerCase() !== 'cookie');
    // With an Accept of its own in the manifest, adding ours would send two.
    const declared = await attempt(ctx, manifestSetsAccept ? DECLARED.slice(1) : DECLARED, [], 'declared request');
    const browser = await attempt(ctx, BROWSER, dropped, 'EventSource-shaped request');
    const noAccept = manifestSetsAccept ? null : await attempt(ctx, DECLARED.slice(1), [], 'request without Accept');
    return { manifestSetsAccept, dropped, declared, browser, noAccept };
  },
  evaluate(o): Verdict {
    const expected = "a live event stream for the request a browser's EventSource makes";
    const d = o.declared;
    // The declared request is what every SSE check sends: its failures are theirs to judge.
    if (d.status === null) return verdict.unobservable(`no response head arrived for the declared SSE request (${d.end})`);
    if (!streamed(d))
      return verdict.unobservable(
        `the declared SSE request got ${describe(d)}, so there is no stream to compare with; see sse.content-type and st.incremental`,
      );
    // Browsers always send Accept: a server that needs it breaks no browser, so this is information.
    const withoutAccept =
      o.noAccept === null
        ? 'the request without Accept was not tried: the manifest sets Accept itself'
        : streamed(o.noAccept)
          ? 'it streams without Accept too'
          : `without Accept it answers ${describe(o.noAccept)} (not judged: every browser sends Accept: text/event-stream; other HTTP clients must send it too)`;
    const shape = `Accept, Cache-Control and Pragma: no-cache${o.dropped.length ? `, without the manifest's ${o.dropped.join(', ')} (script cannot set headers on an EventSource; only cookies go along)` : ''}`;
    if (!streamed(o.browser))
      return verdict.violation(
        expected,
        `the browser's request (${shape}) got ${describe(o.browser)} while the declared one got ${describe(d)}: a browser cannot connect; ${withoutAccept}`,
      );
    return verdict.pass(expected, `the browser's request (${shape}) got ${describe(o.browser)}; ${withoutAccept}`);
  },
});

export const sseRequestRequirements: Requirement[] = [browserRequest];
export { browserRequest };
