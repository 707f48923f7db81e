/**
 * RFC 6202 §3.2 ("client buffering"), judged in a real browser: what Chromium's EventSource
 * hands the page, against what the raw recorder saw arrive on the wire at the same time.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { CaseContext } from '../../runner/context.js';
import { requestFor } from '../../runner/drivers/request.js';
import { EPSILON, epsilonMs } from '../../runner/epsilon.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { defineRequirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { ms } from '../format.js';
import { openStream, publishSeries, streamTiming } from '../scenarios/streaming.js';
import { rfc } from '../sources.js';

const EVENTS = 3;
/** Round trips of the page → harness binding measured before the events; the slowest is the allowance. */
const BINDING_SAMPLES = 5;
/** Where the page is served (by interception, at the target's own origin, so the EventSource is same-origin). */
const PAGE_PATH = '/__pushspec__/eventsource.html';
/** The page is served by interception, so its load is the browser's own start-up under load: a harness budget. */
const PAGE_LOAD_MS = 30_000;

/** Per published event: when its data reached the wire, and when the page's EventSource dispatched it. */
export interface EventSourceSeen {
  conditions: Conditions;
  /** the slowest page → harness report measured, added to ε */
  bindingMs: number;
  /** EventSource readyState changes and errors, in order: open, error (0 reconnecting, 2 failed) */
  states: string[];
  events: Array<{ token: string; wireMs: number | null; pageMs: number | null }>;
}

const limits = { ...EPSILON };

/** Messages from the page, timed on the run's clock as they reach the harness. */
interface PageLog {
  states: string[];
  messages: Array<{ t: number; data: string }>;
  opened: Promise<boolean>;
}

async function openPage(ctx: CaseContext, context: BrowserContext, url: URL, waitMs: number): Promise<{ page: Page; log: PageLog }> {
  const page = await context.newPage();
  let opened: (ok: boolean) => void = () => undefined;
  const log: PageLog = { states: [], messages: [], opened: new Promise((r) => (opened = r)) };
  await page.exposeFunction('__pushspec', (kind: string, data: string) => {
    const t = ctx.now();
    if (kind === 'message') log.messages.push({ t, data });
    else if (kind !== 'ping') {
      log.states.push(kind === 'error' ? `error (readyState ${data})` : kind);
      ctx.note(`[chromium] EventSource ${kind}${kind === 'error' ? ` (readyState ${data})` : ''}`, t);
      if (kind === 'open') opened(true);
      if (kind === 'error' && data === '2') opened(false);
    }
  });
  await page.route(`${url.origin}${PAGE_PATH}`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>pushspec</title>' }),
  );
  await page.goto(`${url.origin}${PAGE_PATH}`, { timeout: waitMs });
  return { page, log };
}

async function bindingMs(ctx: CaseContext, page: Page): Promise<number> {
  let slowest = 0;
  for (let i = 0; i < BINDING_SAMPLES; i++) {
    const t0 = ctx.now();
    await page.evaluate(`window.__pushspec('ping', '')`);
    slowest = Math.max(slowest, ctx.now() - t0);
  }
  return slowest;
}

const eventSource = defineRequirement<EventSourceSeen, typeof limits>({
  id: 'client.eventsource',
  spec: 'RFC 6202',
  section: '3.2',
  level: 'should',
  title: "In a real browser (headless Chromium), the page's EventSource dispatches each event as soon as its bytes reach the wire",
  sources: [rfc(6202, '3.2'), 'https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation'],
  transports: ['sse'],
  needsPublish: true,
  timing: true,
  client: 'chromium',
  dependsOn: ['sse.dispatch', 'st.incremental'],
  limits,
  tolerance: (l) =>
    `dispatch in the page − arrival on the raw wire ≤ ${l.rtts}·RTT + ${l.slackMs} ms (× time scale) + the slowest of ${BINDING_SAMPLES} page → harness round trips, for ${EVENTS} events`,
  faults: ['sse-single-newline'],
  remedy: 'end each event with a blank line and flush it; check the browser console for an EventSource that fails or reconnects',
  async scenario(ctx) {
    const block = ctx.manifest.sse;
    const host = ctx.env.browser;
    if (!block || !host) throw new Inconclusive('no sse endpoint, or no browser (--clients chromium)');
    if ((block.method ?? 'GET') !== 'GET' || Object.keys({ ...ctx.manifest.headers, ...block.headers }).length > 0)
      throw new Inconclusive(
        'the manifest sends the SSE request with its own method or headers, which EventSource cannot: a browser page cannot subscribe this way',
      );
    const t = streamTiming(ctx, 'sse');
    const channel = ctx.newChannel();
    // The page goes where the case's requests go: the target, or the front of the profile's chain.
    const target = requestFor(ctx.manifest, block, channel).url;
    const url = new URL(target.pathname + target.search, ctx.origin);
    const context = await host.context();
    try {
      const { page, log } = await openPage(ctx, context, url, ctx.ms(PAGE_LOAD_MS)).catch((e: unknown) => {
        throw new Inconclusive(
          `the browser did not load its own page within ${ms(ctx.ms(PAGE_LOAD_MS))}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
        );
      });
      const binding = await bindingMs(ctx, page);
      // A string, not a function: the page's script is the browser's, typed by no DOM library here.
      await page.evaluate(`(() => {
        const es = new EventSource(${JSON.stringify(url.href)});
        es.onopen = () => window.__pushspec('open', '');
        es.onmessage = (e) => window.__pushspec('message', String(e.data));
        es.onerror = () => window.__pushspec('error', String(es.readyState));
      })()`);
      const opened = await Promise.race([log.opened, ctx.pause(t.waitEventMs).then(() => false)]);
      const session = await openStream(ctx, 'sse', channel, { maxMs: EVENTS * (t.spacingMs + t.waitEventMs) + ctx.ms(5000) });
      const deliveries = opened ? await publishSeries(ctx, session, channel, EVENTS, 'sse') : [];
      const pageAt = (token: string): number | null => log.messages.find((m) => m.data.includes(token))?.t ?? null;
      // The page may be told after the wire: wait for each event, up to the event wait after its
      // arrival on the wire (or after its publish, when the wire never had it).
      for (const d of deliveries) {
        const until = (d.arrival ?? d.pub.tStart) + t.waitEventMs;
        while (pageAt(d.token) === null && ctx.now() < until) await ctx.pause(Math.min(20, until - ctx.now()));
      }
      await session.stop();
      return {
        conditions: conditions(ctx),
        bindingMs: binding,
        states: log.states,
        events: deliveries.map((d) => {
          const p = pageAt(d.token);
          return {
            token: d.token,
            wireMs: d.arrival === null ? null : d.arrival - d.pub.tStart,
            pageMs: p === null ? null : p - d.pub.tStart,
          };
        }),
      };
    } finally {
      await context.close();
    }
  },
  evaluate(o, l): Verdict {
    const allowed = epsilonMs(o.conditions.timeScale, o.conditions.rttMs, l) + o.bindingMs;
    const expected = `each event dispatched in the page within ${ms(allowed)} of its arrival on the wire`;
    const states = o.states.join(', ') || 'no event at all';
    if (!o.states.includes('open'))
      return verdict.violation(expected, `Chromium's EventSource never opened the stream (${states}): a page cannot use it`);
    const onWire = o.events.filter((e) => e.wireMs !== null);
    if (onWire.length === 0) {
      const inPage = o.events.filter((e) => e.pageMs !== null).length;
      return verdict.unobservable(
        inPage > 0
          ? `the page's EventSource got ${inPage} of ${o.events.length} events, the raw stream on the same channel none: the channel serves one subscriber at a time (a session id in the URL, as sockjs has), so the page cannot be compared with the wire`
          : 'no published event reached the raw stream; sse.dispatch and st.incremental judge that',
      );
    }
    const late: string[] = [];
    let excess = 0;
    for (const [i, e] of onWire.entries()) {
      const wire = e.wireMs ?? 0;
      if (e.pageMs === null) {
        late.push(`event ${i + 1} reached the wire ${ms(wire)} after its publish and was never dispatched in the page`);
        excess = Infinity;
      } else if (e.pageMs - wire > allowed) {
        late.push(`event ${i + 1} reached the wire ${ms(wire)} after its publish, the page ${ms(e.pageMs - wire)} later`);
        excess = Math.max(excess, e.pageMs - wire - allowed);
      }
    }
    if (late.length)
      return verdict.violation(
        expected,
        `${late.join('; ')} (EventSource: ${states}): the browser holds what the raw client sees at once`,
        Number.isFinite(excess) ? { excessMs: Math.round(excess) } : {},
      );
    const worst = Math.max(...onWire.map((e) => (e.pageMs ?? 0) - (e.wireMs ?? 0)));
    return verdict.pass(expected, `${onWire.length} events dispatched in the page at most ${ms(Math.max(0, worst))} after the wire`, {
      measurements: { worstPageAfterWireMs: Math.round(worst), bindingMs: Math.round(o.bindingMs) },
    });
  },
});

export const CLIENT_REQUIREMENTS = [eventSource];
export { eventSource };
