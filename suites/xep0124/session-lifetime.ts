/**
 * XEP-0124 §10–§12: how long a BOSH session lives without requests (inactivity), and what the
 * connection manager does with a polling session (wait=0, hold=0) that polls too fast.
 */
import { BoshSession } from '../../runner/drivers/bosh.js';
import { EPSILON, EPSILON_TEXT, epsilonMs } from '../../runner/epsilon.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { ms, secs } from '../format.js';
import { authenticated, boshControlMs, boshDomain, newSession } from '../scenarios/bosh.js';

const BOSH = ['bosh'] as const;
const xep = (anchor: string): string => `https://xmpp.org/extensions/xep-0124.html#${anchor}`;
const ended = (a: Record<string, string>, status: number): boolean => a['type'] === 'terminate' || status === 404;

// XEP-0124 §10: a session with nothing pending ends after `inactivity`, and not before.
interface InactivitySeen {
  conditions: Conditions;
  /** the session creation response's inactivity, ms; null when absent */
  inactivityMs: number | null;
  /** idle this long (ms), then a request carrying a message to self */
  earlyIdleMs: number;
  earlyAlive: boolean;
  earlyWhat: string;
  /** idle this long (ms), then an empty request */
  lateIdleMs: number;
  lateAlive: boolean;
  lateWhat: string;
}

/** The boundaries are probed ε + min(1 s, 25 % of the period) inside and outside it. */
const inactivityLimits = { ...EPSILON, agreementMs: 1000, agreementFraction: 0.25 };
const inactivityTol = (o: Pick<InactivitySeen, 'conditions' | 'inactivityMs'>, l: typeof inactivityLimits): number =>
  epsilonMs(o.conditions.timeScale, o.conditions.rttMs, l) +
  Math.min(l.agreementMs * o.conditions.timeScale, (o.inactivityMs ?? 0) * l.agreementFraction);

const inactivity = defineRequirement<InactivitySeen, typeof inactivityLimits>({
  id: 'bosh.inactivity',
  spec: 'XEP-0124',
  section: '10',
  level: 'should',
  title: 'A session with no request pending lives for its inactivity period, then ends',
  sources: [xep('inactive'), xep('session-response')],
  transports: [...BOSH],
  needsPublish: false,
  timing: true,
  limits: inactivityLimits,
  tolerance: (l) =>
    `probed at inactivity − tol (must still be alive) and, after another quiet period, at inactivity + tol (must be gone), tol = ε + min(${secs(l.agreementMs)}, ${l.agreementFraction * 100} % of the period), ε = ${EPSILON_TEXT}`,
  faults: ['bosh-inactivity-ignored', 'bosh-inactivity-early'],
  remedy:
    'start an inactivity timer when the last pending request is answered, cancel it on the next request, and end the session (resources freed, later requests item-not-found) when it fires; never before',
  async scenario(ctx) {
    const { s, jid, waitMs } = await authenticated(ctx);
    try {
      const raw = Number(s.granted['inactivity']);
      const inactivityMs = Number.isFinite(raw) && raw > 0 ? raw * 1000 : null;
      const base = { conditions: conditions(ctx), inactivityMs };
      if (inactivityMs === null)
        return { ...base, earlyIdleMs: 0, earlyAlive: true, earlyWhat: '', lateIdleMs: 0, lateAlive: true, lateWhat: '' };
      const limit = ctx.env.options.holdLimitSeconds * 1000;
      if (inactivityMs > limit)
        throw new Inconclusive(
          `the session's inactivity period is ${secs(inactivityMs)}, above the hold limit of ${secs(limit)} (--hold-limit)`,
        );
      const tol = inactivityTol(base, inactivityLimits);
      const deadline = waitMs * 1.5 + ctx.ms(2000);
      // A message to self comes back on its own request: afterwards nothing is pending.
      const probe = async (): Promise<{ alive: boolean; what: string; tEnd: number }> => {
        const ex = await s.request(BoshSession.messageTo(jid, ctx.nextToken()), deadline);
        const a = ex.body?.attrs ?? {};
        const gone = ended(a, ex.res.status);
        return {
          alive: !gone,
          what: gone
            ? `rid ${ex.rid}: ${a['type'] ?? ''} ${a['condition'] ?? `HTTP ${ex.res.status}`}`.trim()
            : `rid ${ex.rid} answered HTTP ${ex.res.status} with ${ex.body?.children.length ?? 0} payload(s)`,
          tEnd: ex.res.tEnd ?? ctx.now(),
        };
      };
      const settled = await probe();
      if (!settled.alive) throw new Inconclusive(`setup: the session ended right after authentication (${settled.what})`);
      const earlyIdleMs = inactivityMs - tol;
      await ctx.pause(settled.tEnd + earlyIdleMs - ctx.now());
      const early = await probe();
      if (!early.alive)
        return { ...base, earlyIdleMs, earlyAlive: false, earlyWhat: early.what, lateIdleMs: 0, lateAlive: false, lateWhat: '' };
      const lateIdleMs = inactivityMs + tol;
      await ctx.pause(early.tEnd + lateIdleMs - ctx.now());
      const late = await s.request('', deadline);
      const la = late.body?.attrs ?? {};
      const lateAlive = !ended(la, late.res.status);
      return {
        ...base,
        earlyIdleMs,
        earlyAlive: true,
        earlyWhat: early.what,
        lateIdleMs,
        lateAlive,
        lateWhat: lateAlive
          ? `rid ${late.rid} answered HTTP ${late.res.status} as part of the session`
          : `rid ${late.rid}: ${la['type'] ?? ''} ${la['condition'] ?? `HTTP ${late.res.status}`}`.trim(),
      };
    } finally {
      s.close();
    }
  },
  evaluate(o, l): Verdict {
    if (o.inactivityMs === null)
      return verdict.pass(
        'a session without an inactivity attribute may be quiet as long as the client likes (§10)',
        'the session creation response gives no inactivity period, so there is none to judge',
      );
    const tol = inactivityTol(o, l);
    const expected = `alive after ${ms(o.inactivityMs - tol)} of quiet, gone after ${ms(o.inactivityMs + tol)} (inactivity ${secs(o.inactivityMs)})`;
    const measurements = { inactivityMs: o.inactivityMs, earlyIdleMs: Math.round(o.earlyIdleMs), lateIdleMs: Math.round(o.lateIdleMs) };
    if (!o.earlyAlive)
      return verdict.violation(
        expected,
        `after ${ms(o.earlyIdleMs)} with nothing pending, before the advertised ${secs(o.inactivityMs)}, the session was already gone (${o.earlyWhat}): a client that re-requests within the period it was given loses its session`,
        { measurements },
      );
    if (o.lateAlive)
      return verdict.violation(
        expected,
        `after ${ms(o.lateIdleMs)} with nothing pending, past the advertised ${secs(o.inactivityMs)}, the session was still alive (${o.lateWhat}): sessions of clients that went away are kept, with their resources and presence`,
        { measurements },
      );
    return verdict.pass(expected, `alive after ${ms(o.earlyIdleMs)} (${o.earlyWhat}); gone after ${ms(o.lateIdleMs)} (${o.lateWhat})`, {
      measurements,
    });
  },
});

// XEP-0124 §7.2 and §12: a polling session request (wait=0, hold=0) and what it is granted.
interface PollingSessionSeen {
  status: number;
  granted: Record<string, string>;
}

const pollingSession = defineRequirement<PollingSessionSeen, Record<string, never>>({
  id: 'bosh.polling-session',
  spec: 'XEP-0124',
  section: '12',
  level: 'must',
  title: 'A polling session request (wait=0, hold=0) is granted no more than it asked for',
  sources: [xep('poll'), xep('session-response')],
  transports: [...BOSH],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () => 'exact: wait and hold ≤ 0 as asked (§7.2 MUST NOT be greater); inactivity not above polling is a warning (§12 SHOULD)',
  // bosh-session-attrs grants one more than asked, so 1 to a polling session's hold=0.
  faults: ['bosh-polling-hold', 'bosh-session-attrs'],
  remedy:
    'grant hold and wait no larger than the session request asked for (0 for a polling session), and give polling sessions an inactivity period longer than the polling interval',
  async scenario(ctx) {
    const s = newSession(ctx, 'bosh polling');
    try {
      const ex = await s.create({ to: boshDomain(ctx), wait: 0, hold: 0 }, boshControlMs(ctx));
      if (s.sid === null)
        throw new Inconclusive(
          `setup: no polling session was created (HTTP ${ex.res.status || ex.res.end}: ${ex.problem ?? JSON.stringify(ex.body?.attrs ?? {})})`,
        );
      return { status: ex.res.status, granted: s.granted };
    } finally {
      s.close();
    }
  },
  evaluate(o): Verdict {
    const a = o.granted;
    const expected = 'wait=0 and hold=0 granted to a polling session request';
    const wrong = (['wait', 'hold'] as const).filter((k) => Number(a[k] ?? 0) > 0).map((k) => `${k}='${a[k] ?? ''}'`);
    const attrs = (['wait', 'hold', 'requests', 'polling', 'inactivity'] as const)
      .filter((k) => a[k] !== undefined)
      .map((k) => `${k}=${a[k] ?? ''}`)
      .join(' ');
    if (wrong.length)
      return verdict.violation(
        expected,
        `asked wait=0 hold=0, granted ${wrong.join(' ')} (${attrs}): §7.2 says the granted value MUST NOT exceed the request; a client that can keep only one connection is told the server may hold a request on it`,
      );
    const polling = Number(a['polling']);
    const inactive = Number(a['inactivity']);
    if (Number.isFinite(polling) && Number.isFinite(inactive) && inactive <= polling)
      return verdict.warn(
        expected,
        `inactivity ${inactive} s is not above polling ${polling} s (${attrs}): §12 wants a polling session's inactivity longer than its polling interval, or a client polling at the allowed rate is timed out`,
      );
    return verdict.pass(expected, attrs);
  },
});

// XEP-0124 §12: polling faster than `polling` in a polling session is policy-violation.
interface OveractivitySeen {
  grantedWait: number;
  pollingS: number | null;
  /** the first empty poll's answer */
  firstPayloads: number;
  firstWhat: string;
  /** the second empty poll, sent this long after the first (ms) */
  gapMs: number;
  secondAttrs: Record<string, string>;
  secondStatus: number;
}

const overactivity = defineRequirement<OveractivitySeen, Record<string, never>>({
  id: 'bosh.overactivity',
  spec: 'XEP-0124',
  section: '12',
  level: 'should',
  title: 'Two empty polls within the polling interval end a polling session with policy-violation',
  sources: [xep('poll'), xep('overactive')],
  transports: [...BOSH],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () =>
    "exact: the second of two back-to-back empty requests (the first answered without payloads) gets <body type='terminate' condition='policy-violation'/>; without a polling attribute any rate must be allowed",
  faults: ['bosh-overactivity-ignored'],
  remedy:
    "in a polling session, answer an empty request that comes sooner than polling seconds after an empty answer with <body type='terminate' condition='policy-violation'/> (XEP-0124 §12), so a runaway client cannot turn the connection manager into a busy loop",
  async scenario(ctx) {
    const s = newSession(ctx, 'bosh polling');
    try {
      await s.create({ to: boshDomain(ctx), wait: 0, hold: 0 }, boshControlMs(ctx));
      if (s.sid === null)
        throw new Inconclusive('setup: no polling session was created (bosh.polling-session judges the session creation)');
      const grantedWait = Number(s.granted['wait'] ?? 0);
      if (grantedWait > 0)
        throw new Inconclusive(
          `the connection manager granted wait=${grantedWait} to a polling session request, so the session is not a polling session (bosh.polling-session judges that)`,
        );
      const raw = Number(s.granted['polling']);
      const deadline = boshControlMs(ctx);
      const first = await s.request('', deadline);
      const second = await s.request('', deadline);
      return {
        grantedWait,
        pollingS: Number.isFinite(raw) ? raw : null,
        firstPayloads: first.body?.children.length ?? 0,
        firstWhat: first.problem ?? `HTTP ${first.res.status} ${JSON.stringify(first.body?.attrs ?? {})}`,
        gapMs: second.tSent - first.tSent,
        secondAttrs: second.body?.attrs ?? {},
        secondStatus: second.res.status,
      };
    } finally {
      s.close();
    }
  },
  evaluate(o): Verdict {
    const violation = o.secondAttrs['condition'] === 'policy-violation' && o.secondAttrs['type'] === 'terminate';
    const second = violation ? 'policy-violation' : `HTTP ${o.secondStatus} ${JSON.stringify(o.secondAttrs)}`;
    if (o.pollingS === null) {
      const expected = 'without a polling attribute, polls at any rate are answered (§12 MUST)';
      if (violation || o.secondStatus >= 400)
        return verdict.violation(
          expected,
          `the second poll, ${ms(o.gapMs)} after the first, got ${second} although no polling interval was given`,
        );
      return verdict.pass(expected, `no polling interval given; the second poll ${ms(o.gapMs)} later got ${second}`);
    }
    const expected = `the second empty poll within ${o.pollingS} s ends the session with policy-violation`;
    if (o.firstPayloads > 0)
      return verdict.unobservable(`the first poll carried ${o.firstPayloads} payload(s), so the second may come at once (§12)`);
    if (o.gapMs >= o.pollingS * 1000)
      return verdict.unobservable(`the two polls were ${ms(o.gapMs)} apart, not within the ${o.pollingS} s polling interval`);
    if (violation) return verdict.pass(expected, `the second poll, ${ms(o.gapMs)} after the first, got policy-violation`);
    return verdict.violation(
      expected,
      `the second empty poll, ${ms(o.gapMs)} after an empty answer (${o.firstWhat}) and well inside polling=${o.pollingS} s, was answered ${second}: a client polling in a tight loop is served as fast as it asks`,
    );
  },
});

export const boshLifetimeRequirements: Requirement[] = [inactivity, pollingSession, overactivity];
export { inactivity, overactivity, pollingSession };
