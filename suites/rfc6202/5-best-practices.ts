import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { EPSILON_TEXT } from '../../runner/epsilon.js';
import { LongPollClient } from '../../runner/drivers/long-poll.js';
import { classifyShared } from '../../runner/http/cacheability.js';
import { conditions, seen, type Conditions, type ResponseSeen } from '../../runner/observation.js';
import { HOLD_CAP } from '../../runner/shared-probes.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { rfc } from '../sources.js';
import { secs } from '../format.js';
import { answeredPoll, eventPoll } from '../scenarios/long-polling.js';

const LP = ['longPoll'] as const;
const s = (x: number): string => `${(x / 1000).toFixed(1)} s`;
const pct = (f: number): string => `${Math.round(f * 100)}%`;

/** The real-world hops a hold must stay under (research: requirements.md §3, real-intermediaries.md). */
const HOLD_CUTTERS =
  'Heroku cuts requests with no first byte after 30 s (H12), AWS API Gateway after 29 s, CloudFront and GCP load balancers after 30 s; nginx proxy_read_timeout, AWS ELB and Varnish first_byte_timeout after 60 s';

/** The shared idle poll (SharedProbes.hold), as the hold requirements judge it. */
export interface HoldSeen {
  conditions: Conditions;
  declaredMs: number | null;
  /** send → end of the idle poll; null when it was still open after capMs */
  measuredMs: number | null;
  capMs: number;
  response: ResponseSeen | null;
}

async function observeHold(ctx: Parameters<Requirement['scenario']>[0]): Promise<HoldSeen> {
  const h = await ctx.env.shared.hold();
  ctx.timeline.push(...h.timeline);
  if (h.problem) throw new Inconclusive(`the idle poll could not be made: ${h.problem}`);
  return {
    conditions: conditions(ctx),
    declaredMs: h.declaredMs,
    measuredMs: h.measuredMs,
    capMs: h.capMs,
    response: h.result ? seen(h.result.res) : null,
  };
}

/** A declared hold and the measured one agree within fraction × declared + slackMs × time scale (README promise). */
const agreement = { fraction: 0.25, slackMs: 1000 };
const agreementText = `${pct(agreement.fraction)} + ${secs(agreement.slackMs)}`;
const agreementSlack = (declaredMs: number, c: Conditions): number => declaredMs * agreement.fraction + agreement.slackMs * c.timeScale;

const timeoutLimits = { ...HOLD_CAP, earlyFraction: agreement.fraction, earlySlackMs: agreement.slackMs };

// RFC 6202 §5.4: the held request is answered "with a 200 OK" when an event or the timeout
// occurs; RFC 9110 §15.5.9: 408 says the server did not receive a complete request in time.
const timeoutStatus = defineRequirement<HoldSeen & { conditional: boolean }, typeof timeoutLimits>({
  id: 'lp.timeout-status',
  spec: 'RFC 6202',
  section: '5.4',
  level: 'must',
  title: 'A poll whose hold times out is answered with a normal 2xx response, not 408/504 or a dropped connection',
  sources: [rfc(6202, '5.4'), rfc(9110, '15.5.9')],
  transports: [...LP],
  needsPublish: false,
  timing: false,
  dependsOn: ['lp.hold-time'],
  limits: timeoutLimits,
  tolerance: (l) =>
    `observed on one idle poll on a fresh channel, waited for up to the declared hold × ${l.declaredFactor} + ${secs(l.declaredSlackMs)} (or the hold limit + ${pct(l.limitFraction)})`,
  faults: ['timeout-408'],
  remedy: 'answer a poll whose hold expires with 200 (an empty batch) or 204, never 408/5xx or a dropped connection',
  async scenario(ctx) {
    // A conditional poll (ETag / Last-Modified cursor) may end its hold with 304: nothing new.
    return { ...(await observeHold(ctx)), conditional: ctx.manifest.longPoll?.cursor?.type === 'etag' };
  },
  evaluate(h, l): Verdict {
    const expected = 'the hold timeout ends with a complete 2xx response (e.g. 200 with an empty batch)';
    const res = h.response;
    if (!res || h.measuredMs === null)
      return verdict.unobservable(
        `the idle poll was still open after ${s(h.capMs)}; declare longPoll.holdSeconds so the timeout can be observed`,
      );
    const measurements = { holdMs: Math.round(h.measuredMs), status: res.status };
    if (h.declaredMs !== null && h.measuredMs < h.declaredMs - (h.declaredMs * l.earlyFraction + l.earlySlackMs * h.conditions.timeScale)) {
      return verdict.unobservable(
        `the idle poll ended after ${s(h.measuredMs)} (HTTP ${res.status || res.end}), long before the declared hold of ${s(h.declaredMs)}: that answer is not a hold timeout, so how the server ends a hold was not observed (lp.hold-time reports the mismatch)`,
      );
    }
    if (res.end === 'malformed') return verdict.unobservable(`the idle poll's response was not HTTP: ${res.errors}`);
    if (!res.gotHeaders)
      return verdict.violation(expected, `after ${s(h.measuredMs)} the connection ended (${res.end}) with no response at all`, {
        measurements,
      });
    if (h.conditional && res.status === 304 && res.end === 'complete')
      return verdict.pass(expected, `after ${s(h.measuredMs)}: HTTP 304 to the conditional poll (nothing new)`, { measurements });
    if (res.status < 200 || res.status >= 300) {
      const why =
        res.status === 408
          ? ' — 408 means the request itself was not received in time, which is false here; proxies and clients treat it as an error'
          : res.status >= 500
            ? ' — a 5xx is an error to every client and proxy'
            : '';
      return verdict.violation(expected, `after ${s(h.measuredMs)} the server answered ${res.status}${why}`, { measurements });
    }
    if (res.end !== 'complete')
      return verdict.violation(expected, `after ${s(h.measuredMs)} the ${res.status} response was cut (${res.end})`, { measurements });
    return verdict.pass(expected, `after ${s(h.measuredMs)}: HTTP ${res.status}, ${res.bodyBytes} body bytes`, { measurements });
  },
});

/**
 * The README promises declared and measured holds agree (`agreement`). When they do not, the
 * manifest or the server is wrong, and the verdict says which reading each side supports.
 */
function declaredMismatch(h: HoldSeen, measuredMs: number): string | null {
  if (h.declaredMs === null) return null;
  const slack = agreementSlack(h.declaredMs, h.conditions);
  if (measuredMs > h.declaredMs + slack)
    return `measured hold ${s(measuredMs)}, longer than the declared ${s(h.declaredMs)}: the server holds longer than it promises (or longPoll.holdSeconds is out of date)`;
  if (measuredMs < h.declaredMs - slack) {
    return `an idle poll on a fresh channel was answered after ${s(measuredMs)}, not at the declared hold of ${s(h.declaredMs)}: either the server does not hold idle polls that long (see lp.held) or longPoll.holdSeconds is wrong — declare the real hold`;
  }
  return null;
}

// RFC 6202 §5.5: "a timeout value of 30 seconds is a safer value" than longer holds.
const holdTime = defineRequirement<HoldSeen & { limitMs: number }, typeof agreement>({
  id: 'lp.hold-time',
  spec: 'RFC 6202',
  section: '5.5',
  level: 'should',
  title: 'The hold time stays at or below 30 s, which common proxies and load balancers allow',
  sources: [rfc(6202, '5.5')],
  transports: [...LP],
  needsPublish: false,
  timing: false,
  dependsOn: ['lp.held'],
  limits: agreement,
  // The measured hold includes a round trip and the server's own timer slack: ε.
  tolerance: () =>
    `measured hold ≤ the hold limit (default 30 s, --hold-limit) + ε (${EPSILON_TEXT} × time scale); a declared hold must match the measured one within ${agreementText} (× time scale)`,
  faults: ['long-hold'],
  remedy: 'keep the hold at or below 30 s (e.g. 25 s) and declare the real value in longPoll.holdSeconds',
  async scenario(ctx) {
    return { ...(await observeHold(ctx)), limitMs: ctx.env.options.holdLimitSeconds * 1000 };
  },
  evaluate(h): Verdict {
    const { limitMs } = h;
    const expected = `the hold ends within ${s(limitMs)}`;
    const measurements = { declaredMs: h.declaredMs, measuredMs: h.measuredMs === null ? null : Math.round(h.measuredMs), limitMs };
    if (h.declaredMs !== null && h.declaredMs > limitMs)
      return verdict.violation(expected, `the declared hold is ${s(h.declaredMs)}. ${HOLD_CUTTERS}`, { measurements });
    if (h.measuredMs === null)
      return verdict.violation(expected, `the idle poll was still open after ${s(h.capMs)}. ${HOLD_CUTTERS}`, { measurements });
    if (h.measuredMs > limitMs + h.conditions.epsilonMs)
      return verdict.violation(expected, `measured hold ${s(h.measuredMs)}. ${HOLD_CUTTERS}`, { measurements });
    const mismatch = declaredMismatch(h, h.measuredMs);
    if (mismatch)
      return verdict.violation(`the hold matches the declared ${s(h.declaredMs ?? 0)} within ${agreementText}`, mismatch, { measurements });
    return verdict.pass(
      expected,
      `measured hold ${s(h.measuredMs)}${h.declaredMs === null ? ' (undeclared)' : ` (declared ${s(h.declaredMs)})`}`,
      { measurements },
    );
  },
});

/**
 * The catalogue's floor (BP-TIMEOUT-01: a hold under 10 s is close to polling) as a fraction of
 * the hold limit (30 s by default), so a run with a scaled --hold-limit scales the floor with it.
 */
const floorLimits = { limitFraction: 1 / 3 };

// RFC 6202 §5.5: "the timeout value should be set to a high value" — a short hold turns long
// polling back into polling (a request and a response per hold, latency and load of polling).
const holdFloor = defineRequirement<HoldSeen & { limitMs: number }, typeof floorLimits>({
  id: 'lp.hold-floor',
  spec: 'RFC 6202',
  section: '5.5',
  level: 'should',
  title: 'The hold time is high (at least 10 s), not so short that long polling degrades to polling',
  sources: [rfc(6202, '5.5')],
  transports: [...LP],
  needsPublish: false,
  timing: false,
  dependsOn: ['lp.held'],
  limits: floorLimits,
  tolerance: (l) =>
    `measured hold (send → end of an idle poll on a fresh channel, so a round trip above the server's timer) ≥ ${Math.round(l.limitFraction * 100)}% of the hold limit (10 s at the default --hold-limit of 30 s)`,
  // short-poll holds nothing at all, which is under any floor (lp.held says it is not long polling).
  faults: ['short-hold', 'short-poll'],
  remedy: 'hold idle polls for tens of seconds (e.g. 25 s, under the 30 s that proxies allow), not a few seconds',
  async scenario(ctx) {
    return { ...(await observeHold(ctx)), limitMs: ctx.env.options.holdLimitSeconds * 1000 };
  },
  evaluate(h, l): Verdict {
    const floorMs = h.limitMs * l.limitFraction;
    const expected = `the hold lasts at least ${s(floorMs)}`;
    const measurements = { declaredMs: h.declaredMs, measuredMs: h.measuredMs === null ? null : Math.round(h.measuredMs), floorMs };
    if (h.measuredMs === null) return verdict.pass(expected, `the idle poll was still open after ${s(h.capMs)}`, { measurements });
    const res = h.response;
    // A cut or an error other than 408 is not a hold ending by its timer (a 408 at the hold is,
    // however wrong its status: lp.timeout-status judges that answer).
    if (!res || !res.gotHeaders || (res.status >= 400 && res.status !== 408) || res.end !== 'complete')
      return verdict.unobservable(
        `the idle poll ended after ${s(h.measuredMs)} without a complete response (${res ? `HTTP ${res.status || '-'}, ${res.end}` : 'nothing read'}), so its hold time was not observed`,
      );
    if (h.measuredMs < floorMs) {
      return verdict.violation(
        expected,
        `an idle poll was answered after ${s(h.measuredMs)} (HTTP ${res.status}${h.declaredMs === null ? '' : `, declared hold ${s(h.declaredMs)}`}): every client re-polls that often, which is close to polling in latency, requests and load`,
        { measurements },
      );
    }
    return verdict.pass(expected, `measured hold ${s(h.measuredMs)}`, { measurements });
  },
});

/** A long-poll response as RFC 9111 §3 storability needs it. */
export interface StorableSeen {
  method: string;
  requestHasAuthorization: boolean;
  responses: Array<{ label: 'event response' | 'timeout response'; status: number; headers: Array<[string, string]> }>;
}

// RFC 6202 §5.6: suppress caching of long polls on purpose; RFC 9111 §3 says when a shared cache may store.
const notStorable = defineRequirement<StorableSeen, Record<string, never>>({
  id: 'lp.not-storable',
  spec: 'RFC 6202',
  section: '5.6',
  level: 'should',
  title: 'Long-poll responses are not storable by a shared cache (no-store, no-cache or private; no explicit or heuristic freshness)',
  sources: [rfc(6202, '5.6'), rfc(9111, '3'), rfc(9111, '4.2.2')],
  transports: [...LP],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: {},
  tolerance: () => 'exact: RFC 9111 §3 storability of the event response and of the hold-timeout response',
  faults: ['cache-public', 'last-modified-only'],
  remedy: 'send "Cache-Control: no-store" on every long-poll response (RFC 6202 §5.6)',
  async scenario(ctx) {
    const responses: StorableSeen['responses'] = [];
    const readable = (r: { res: { tHeaders: number | null; end: string } }): boolean =>
      r.res.tHeaders !== null && r.res.end !== 'malformed';
    if (ctx.env.publisher) {
      const { result } = await eventPoll(ctx, new LongPollClient(ctx, ctx.newChannel()));
      if (readable(result)) responses.push({ label: 'event response', status: result.res.status, headers: result.res.headers });
    }
    const h = await ctx.env.shared.hold();
    if (h.result && readable(h.result))
      responses.push({ label: 'timeout response', status: h.result.res.status, headers: h.result.res.headers });
    if (responses.length === 0) throw new Inconclusive('no long-poll response could be observed');
    const auth = Object.keys({ ...ctx.manifest.headers, ...ctx.manifest.longPoll?.headers }).some(
      (k) => k.toLowerCase() === 'authorization',
    );
    return { method: ctx.manifest.longPoll?.method ?? 'GET', requestHasAuthorization: auth, responses };
  },
  evaluate(o): Verdict {
    const judged = o.responses.map((r) => {
      const c = classifyShared({
        method: o.method,
        status: r.status,
        headers: r.headers,
        requestHasAuthorization: o.requestHasAuthorization,
      });
      return { label: `${r.label} (${r.status})`, storable: c.storable, why: c.why };
    });
    const expected = 'every long-poll response forbids storage by shared caches (Cache-Control: no-store, or no-cache/private)';
    const bad = judged.filter((j) => j.storable);
    const summary = judged.map((j) => `${j.label}: ${j.why}`).join('; ');
    if (bad.length)
      return verdict.violation(
        expected,
        `${bad.map((b) => `${b.label}: ${b.why}`).join('; ')}. A cache can then replay a stored answer to the next poll instead of holding it`,
      );
    return verdict.pass(expected, summary);
  },
});

/** The request directives a client (or a proxy in front of it) may put on a poll to keep caches out. */
const NO_CACHE_REQUEST: Array<[string, string]> = [
  ['Cache-Control', 'no-cache, no-store'],
  ['Pragma', 'no-cache'],
];

export interface NoCacheRequestSeen {
  /** the poll carrying the directives: null status when no header section arrived */
  withDirectives: { status: number | null; end: string };
  /** the same poll without them, made only when the first was refused */
  plain: { status: number | null; end: string } | null;
}

const said = (x: { status: number | null; end: string }): string => (x.status === null ? `no answer (${x.end})` : `HTTP ${x.status}`);

// RFC 6202 §5.6: "the client may use Cache-Control: no-cache" (and Pragma: no-cache for HTTP/1.0
// caches) on its requests; RFC 9111 §5.2.1 defines them as directives to caches, not to origins.
const noCacheRequest = defineRequirement<NoCacheRequestSeen, Record<string, never>>({
  id: 'lp.no-cache-request',
  spec: 'RFC 6202',
  section: '5.6',
  level: 'should',
  title: 'A poll carrying Cache-Control: no-cache, no-store and Pragma: no-cache is served like any other, not refused',
  sources: [rfc(6202, '5.6'), rfc(9111, '5.2.1'), rfc(9111, '5.4')],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: {},
  tolerance: () =>
    `one poll with ${NO_CACHE_REQUEST.map(([k, v]) => `${k}: ${v}`).join(' and ')}; a 2xx or 304 answer (by an event, or at the hold without a publish hook) passes`,
  faults: ['lp-no-cache-refused'],
  remedy:
    'ignore Cache-Control and Pragma request directives on poll endpoints (they are meant for caches), or honour them by answering fresh',
  async scenario(ctx) {
    const answer = async (headers: ReadonlyArray<[string, string]>, label: string): Promise<{ status: number | null; end: string }> => {
      const { res } = await answeredPoll(ctx, label, headers);
      return { status: res.tHeaders === null ? null : res.status, end: res.end };
    };
    const withDirectives = await answer(NO_CACHE_REQUEST, 'no-cache client');
    const refused = withDirectives.status === null ? withDirectives.end !== 'timeout' : withDirectives.status >= 400;
    return { withDirectives, plain: refused ? await answer([], 'plain client') : null };
  },
  evaluate(o): Verdict {
    const expected = 'the poll with no-cache request directives is answered like any poll (2xx or 304)';
    const w = o.withDirectives;
    if (w.status === null && w.end === 'timeout')
      return verdict.unobservable(`the poll got no header section before its deadline (${w.end})`);
    if (w.status !== null && w.status < 400) return verdict.pass(expected, `answered HTTP ${w.status}`);
    if (o.plain !== null && (o.plain.status === null || o.plain.status >= 400)) {
      return verdict.unobservable(
        `refused (${said(w)}), but a poll without the directives was refused too (${said(o.plain)}): nothing to compare`,
      );
    }
    return verdict.violation(
      expected,
      `${said(w)} for the poll with the directives, while the same poll without them got ${o.plain === null ? 'no try' : said(o.plain)}: a client or proxy that keeps caches out this way (RFC 6202 §5.6) cannot poll`,
    );
  },
});

export const bestPracticeRequirements: Requirement[] = [timeoutStatus, holdTime, holdFloor, notStorable, noCacheRequest];
export { timeoutStatus, holdTime, holdFloor, notStorable, noCacheRequest };
