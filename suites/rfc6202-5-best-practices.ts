import type { Requirement } from '../runner/requirement.js';
import { fromRun, type LegacyRequirement } from '../runner/legacy-requirement.js';
import { LongPollClient, type PollResult } from '../runner/drivers/long-poll.js';
import { classifyShared } from '../runner/http/cacheability.js';
import { Inconclusive, verdict } from '../runner/verdict.js';
import type { CaseContext } from '../runner/context.js';
import { rfc } from './sources.js';
import { eventPoll } from './long-polling/scenarios.js';

const LP = ['longPoll'] as const;
const s = (x: number): string => `${(x / 1000).toFixed(1)} s`;

/** The real-world hops a hold must stay under (research: requirements.md §3, real-intermediaries.md). */
const HOLD_CUTTERS = 'Heroku cuts requests with no first byte after 30 s (H12), AWS API Gateway after 29 s, CloudFront and GCP load balancers after 30 s; nginx proxy_read_timeout, AWS ELB and Varnish first_byte_timeout after 60 s';

// RFC 6202 §5.4: the held request is answered "with a 200 OK" when an event or the timeout
// occurs; RFC 9110 §15.5.9: 408 says the server did not receive a complete request in time.
const timeoutStatus: LegacyRequirement = {
  id: 'lp.timeout-status', spec: 'RFC 6202', section: '5.4', level: 'must',
  title: 'A poll whose hold times out is answered with a normal 2xx response, not 408/504 or a dropped connection',
  sources: [rfc(6202, '5.4'), rfc(9110, '15.5.9')], transports: [...LP], needsPublish: false, timing: false,
  tolerance: 'observed on one idle poll on a fresh channel, waited for up to the declared hold × 1.25 + 1 s (or the hold limit + 5%)',
  faults: ['timeout-408'],
  remedy: 'answer a poll whose hold expires with 200 (an empty batch) or 204, never 408/5xx or a dropped connection',
  async run(ctx) {
    const h = await ctx.env.shared.hold();
    ctx.timeline.push(...h.timeline);
    const expected = 'the hold timeout ends with a complete 2xx response (e.g. 200 with an empty batch)';
    if (h.problem) throw new Inconclusive(`the idle poll could not be made: ${h.problem}`);
    const res = h.result?.res;
    if (!res || h.measuredMs === null) throw new Inconclusive(`the idle poll was still open after ${s(h.capMs)}; declare longPoll.holdSeconds so the timeout can be observed`);
    const measurements = { holdMs: Math.round(h.measuredMs), status: res.status };
    if (h.declaredMs !== null && h.measuredMs < h.declaredMs - (h.declaredMs * 0.25 + ctx.ms(1000))) {
      throw new Inconclusive(`the idle poll ended after ${s(h.measuredMs)} (HTTP ${res.status || res.end}), long before the declared hold of ${s(h.declaredMs)}: that answer is not a hold timeout, so how the server ends a hold was not observed (lp.hold-time reports the mismatch)`);
    }
    if (res.end === 'malformed') throw new Inconclusive(`the idle poll's response was not HTTP: ${res.errors.join('; ').slice(0, 200)}`);
    if (res.tHeaders === null) return verdict.violation(expected, `after ${s(h.measuredMs)} the connection ended (${res.end}) with no response at all`, { measurements });
    // A conditional poll (ETag / Last-Modified cursor) may end its hold with 304: nothing new.
    const conditional = ctx.manifest.longPoll?.cursor?.type === 'etag';
    if (conditional && res.status === 304 && res.end === 'complete') return verdict.pass(expected, `after ${s(h.measuredMs)}: HTTP 304 to the conditional poll (nothing new)`, { measurements });
    if (res.status < 200 || res.status >= 300) {
      const why = res.status === 408 ? ' — 408 means the request itself was not received in time, which is false here; proxies and clients treat it as an error' : res.status >= 500 ? ' — a 5xx is an error to every client and proxy' : '';
      return verdict.violation(expected, `after ${s(h.measuredMs)} the server answered ${res.status}${why}`, { measurements });
    }
    if (res.end !== 'complete') return verdict.violation(expected, `after ${s(h.measuredMs)} the ${res.status} response was cut (${res.end})`, { measurements });
    return verdict.pass(expected, `after ${s(h.measuredMs)}: HTTP ${res.status}, ${res.body.length} body bytes`, { measurements });
  },
};

// RFC 6202 §5.5: "a timeout value of 30 seconds is a safer value" than longer holds.
const holdTime: LegacyRequirement = {
  id: 'lp.hold-time', spec: 'RFC 6202', section: '5.5', level: 'should',
  title: 'The hold time stays at or below 30 s, which common proxies and load balancers allow',
  sources: [rfc(6202, '5.5')], transports: [...LP], needsPublish: false, timing: false,
  tolerance: 'measured hold ≤ the hold limit (default 30 s, --hold-limit); a declared hold must match the measured one within 25% + 1 s',
  faults: ['long-hold'],
  remedy: 'keep the hold at or below 30 s (e.g. 25 s) and declare the real value in longPoll.holdSeconds',
  async run(ctx) {
    const h = await ctx.env.shared.hold();
    ctx.timeline.push(...h.timeline);
    const limitMs = ctx.env.options.holdLimitSeconds * 1000;
    const expected = `the hold ends within ${s(limitMs)}`;
    if (h.problem) throw new Inconclusive(`the idle poll could not be made: ${h.problem}`);
    const measurements = { declaredMs: h.declaredMs, measuredMs: h.measuredMs === null ? null : Math.round(h.measuredMs), limitMs };
    if (h.declaredMs !== null && h.declaredMs > limitMs) return verdict.violation(expected, `the declared hold is ${s(h.declaredMs)}. ${HOLD_CUTTERS}`, { measurements });
    if (h.measuredMs === null) return verdict.violation(expected, `the idle poll was still open after ${s(h.capMs)}. ${HOLD_CUTTERS}`, { measurements });
    // The measured hold includes a round trip and the server's own timer slack.
    if (h.measuredMs > limitMs + ctx.epsilonMs) return verdict.violation(expected, `measured hold ${s(h.measuredMs)}. ${HOLD_CUTTERS}`, { measurements });
    const mismatch = declaredMismatch(ctx, h.declaredMs, h.measuredMs);
    if (mismatch) return verdict.violation(`the hold matches the declared ${s(h.declaredMs ?? 0)} within 25% + 1 s`, mismatch, { measurements });
    return verdict.pass(expected, `measured hold ${s(h.measuredMs)}${h.declaredMs === null ? ' (undeclared)' : ` (declared ${s(h.declaredMs)})`}`, { measurements });
  },
};

/**
 * The README promises declared and measured holds agree within 25% + 1 s. When they do not, the
 * manifest or the server is wrong, and the verdict says which reading each side supports.
 */
function declaredMismatch(ctx: CaseContext, declaredMs: number | null, measuredMs: number): string | null {
  if (declaredMs === null) return null;
  const slack = declaredMs * 0.25 + ctx.ms(1000);
  if (measuredMs > declaredMs + slack) return `measured hold ${s(measuredMs)}, longer than the declared ${s(declaredMs)}: the server holds longer than it promises (or longPoll.holdSeconds is out of date)`;
  if (measuredMs < declaredMs - slack) {
    return `an idle poll on a fresh channel was answered after ${s(measuredMs)}, not at the declared hold of ${s(declaredMs)}: either the server does not hold idle polls that long (see lp.held) or longPoll.holdSeconds is wrong — declare the real hold`;
  }
  return null;
}

function judgeStorable(ctx: CaseContext, label: string, r: PollResult): { label: string; storable: boolean; why: string } {
  const method = ctx.manifest.longPoll?.method ?? 'GET';
  const auth = Object.keys({ ...ctx.manifest.headers, ...ctx.manifest.longPoll?.headers }).some((k) => k.toLowerCase() === 'authorization');
  const c = classifyShared({ method, status: r.res.status, headers: r.res.headers, requestHasAuthorization: auth });
  return { label, storable: c.storable, why: c.why };
}

// RFC 6202 §5.6: suppress caching of long polls on purpose; RFC 9111 §3 says when a shared cache may store.
const notStorable: LegacyRequirement = {
  id: 'lp.not-storable', spec: 'RFC 6202', section: '5.6', level: 'should',
  title: 'Long-poll responses are not storable by a shared cache (no-store, no-cache or private; no explicit or heuristic freshness)',
  sources: [rfc(6202, '5.6'), rfc(9111, '3'), rfc(9111, '4.2.2')], transports: [...LP], needsPublish: false, mayPublish: true, timing: false,
  tolerance: 'exact: RFC 9111 §3 storability of the event response and of the hold-timeout response',
  faults: ['cache-public', 'last-modified-only'],
  remedy: 'send "Cache-Control: no-store" on every long-poll response (RFC 6202 §5.6)',
  async run(ctx) {
    const judged: Array<{ label: string; storable: boolean; why: string }> = [];
    if (ctx.env.publisher) {
      const { result } = await eventPoll(ctx, new LongPollClient(ctx, ctx.newChannel()));
      if (result.res.tHeaders !== null && result.res.end !== 'malformed') judged.push(judgeStorable(ctx, `event response (${result.res.status})`, result));
    }
    const h = await ctx.env.shared.hold();
    if (h.result && h.result.res.tHeaders !== null && h.result.res.end !== 'malformed') judged.push(judgeStorable(ctx, `timeout response (${h.result.res.status})`, h.result));
    if (judged.length === 0) throw new Inconclusive('no long-poll response could be observed');
    const expected = 'every long-poll response forbids storage by shared caches (Cache-Control: no-store, or no-cache/private)';
    const bad = judged.filter((j) => j.storable);
    const summary = judged.map((j) => `${j.label}: ${j.why}`).join('; ');
    if (bad.length) return verdict.violation(expected, `${bad.map((b) => `${b.label}: ${b.why}`).join('; ')}. A cache can then replay a stored answer to the next poll instead of holding it`);
    return verdict.pass(expected, summary);
  },
};

export const bestPracticeRequirements: Requirement[] = [timeoutStatus, holdTime, notStorable].map(fromRun);
