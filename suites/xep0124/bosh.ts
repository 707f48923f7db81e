/**
 * XEP-0124 (BOSH) v1.11.2 with the XMPP binding of XEP-0206, and RFC 6202 §4.2 on how BOSH uses
 * long polling. pushspec drives the session itself; the event is a message to the session's own
 * JID, so a target needs only `{"bosh": {"url": …, "domain": …}}`.
 */
import { BoshSession } from '../../runner/drivers/bosh.js';
import { EPSILON, EPSILON_TEXT, epsilonMs } from '../../runner/epsilon.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { header } from '../../runner/wire/index.js';
import { ms, secs } from '../format.js';
import { authenticated, boshControlMs, created, heldRequest, newSession, requestedWaitS } from '../scenarios/bosh.js';
import { rfc } from '../sources.js';

const BOSH = ['bosh'] as const;
const xep = (n: string, anchor: string): string => `https://xmpp.org/extensions/xep-${n}.html#${anchor}`;
/** ε from the requirement's own limits, scaled by the conditions the observation was made under. */
const eps = (c: Conditions, l: { slackMs: number; rtts: number }): number => epsilonMs(c.timeScale, c.rttMs, l);
/** the deadline of a request that may be held for `waitMs` */
const heldDeadline = (waitMs: number, timeScale: number): number => waitMs * 1.5 + 2000 * timeScale;

// XEP-0124 §7.2: what a client needs from the session creation response.
interface SessionSeen {
  status: number;
  askedWait: number;
  granted: Record<string, string>;
}

const session = defineRequirement<SessionSeen, Record<string, never>>({
  id: 'bosh.session',
  spec: 'XEP-0124',
  section: '7.2',
  level: 'must',
  title: 'The session creation response carries sid, wait ≤ the request, hold ≤ the request and requests > hold',
  sources: [xep('0124', 'session-create')],
  transports: [...BOSH],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () => 'exact; ver, polling and inactivity missing is a warning',
  faults: ['bosh-session-attrs'],
  remedy:
    'answer the session request with sid, wait (at most the requested one), hold (at most the requested one), requests (hold + 1), ver, polling and inactivity',
  async scenario(ctx) {
    const s = newSession(ctx);
    try {
      const ex = await created(ctx, s);
      return { status: ex.res.status, askedWait: requestedWaitS(ctx), granted: s.granted };
    } finally {
      s.close();
    }
  },
  evaluate(o): Verdict {
    const a = o.granted;
    const expected = `sid, wait ≤ ${o.askedWait}, hold ≤ 1, requests > hold`;
    const wrong: string[] = [];
    if (!(Number(a['wait']) <= o.askedWait)) wrong.push(`wait ${a['wait'] ?? 'missing'} (asked ${o.askedWait})`);
    if (!(Number(a['hold']) <= 1)) wrong.push(`hold ${a['hold'] ?? 'missing'} (asked 1)`);
    if (!(Number(a['requests']) > Number(a['hold'] ?? 1))) wrong.push(`requests ${a['requests'] ?? 'missing'}`);
    const attrs = Object.entries(a)
      .filter(([k]) => k !== 'sid' && k !== 'authid')
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    if (wrong.length)
      return verdict.violation(expected, `the session creation response (HTTP ${o.status}) has ${wrong.join(', ')}: ${attrs}`);
    const missing = ['ver', 'polling', 'inactivity'].filter((k) => a[k] === undefined);
    if (missing.length) return verdict.warn(expected, `${missing.join(', ')} missing (§7.2 SHOULD): ${attrs}`);
    return verdict.pass(expected, attrs);
  },
});

// XEP-0124 §7.1: the client's `content` attribute decides the response Content-Type.
interface ContentSeen {
  asked: string;
  got: string | null;
}

const content = defineRequirement<ContentSeen, Record<string, never>>({
  id: 'bosh.content',
  spec: 'XEP-0124',
  section: '7.1',
  level: 'must',
  title: 'Responses use the Content-Type the session request asked for with its content attribute',
  sources: [xep('0124', 'session-request'), xep('0124', 'overview')],
  transports: [...BOSH],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () =>
    "exact: the media type of the response equals content='application/xml; charset=utf-8' (compared without case and spaces)",
  faults: ['bosh-content-ignored'],
  remedy: 'send the Content-Type the client named in the content attribute of its session request on every response of that session',
  async scenario(ctx) {
    const s = newSession(ctx);
    try {
      const asked = 'application/xml; charset=utf-8';
      const ex = await created(ctx, s, asked);
      return { asked, got: header(ex.res, 'content-type') ?? null };
    } finally {
      s.close();
    }
  },
  evaluate(o): Verdict {
    const norm = (v: string | null): string => (v ?? '').toLowerCase().replace(/\s+/g, '');
    const expected = `Content-Type: ${o.asked}`;
    if (norm(o.got) === norm(o.asked)) return verdict.pass(expected, `Content-Type: ${o.got ?? ''}`);
    return verdict.violation(expected, `Content-Type: ${o.got ?? '(none)'} although the session request said content='${o.asked}'`);
  },
});

// XEP-0124 §8 and RFC 6202 §4.2: with nothing to send, hold the request up to `wait`.
interface WaitSeen {
  conditions: Conditions;
  rid: number;
  waitMs: number;
  heldMs: number;
  /** null when the answer was a body; else why not */
  problem: string | null;
  payloads: number;
}

/** Hold and wait agree within ε plus 1 s, or a quarter of the wait when that is less. */
const waitLimits = { ...EPSILON, agreementMs: 1000, agreementFraction: 0.25 };

const wait = defineRequirement<WaitSeen, typeof waitLimits>({
  id: 'bosh.wait',
  spec: 'XEP-0124',
  section: '8',
  level: 'should',
  title: 'An empty request is held until the granted wait, then answered with an empty body',
  sources: [xep('0124', 'payloads'), rfc(6202, '4.2')],
  transports: [...BOSH],
  needsPublish: false,
  timing: true,
  limits: waitLimits,
  tolerance: (l) =>
    `held wait ± (ε + min(${secs(l.agreementMs)}, ${l.agreementFraction * 100} % of it)), ε = ${EPSILON_TEXT}; a request right after authentication may be answered at once`,
  via: ['latency'],
  deploymentCheck: true,
  faults: ['bosh-no-hold'],
  remedy: 'keep an empty request until a payload arrives or wait seconds pass, then answer it with an empty <body/>',
  async scenario(ctx) {
    const { s, waitMs } = await authenticated(ctx);
    try {
      const deadline = heldDeadline(waitMs, ctx.env.options.timeScale);
      // Anything left over from authentication is delivered first.
      await s.request('', deadline);
      const p = await s.start('', deadline);
      const ex = await p.done;
      return {
        conditions: conditions(ctx),
        rid: ex.rid,
        waitMs,
        heldMs: (ex.res.tEnd ?? ctx.now()) - p.tSent,
        problem: ex.body === null ? (ex.problem ?? 'no body') : null,
        payloads: ex.body?.children.length ?? 0,
      };
    } finally {
      s.close();
    }
  },
  evaluate(o, l): Verdict {
    const tol = eps(o.conditions, l) + Math.min(l.agreementMs * o.conditions.timeScale, o.waitMs * l.agreementFraction);
    const expected = `held ${ms(o.waitMs)} (the granted wait) ± ${ms(tol)}, then an empty body`;
    if (o.problem !== null) return verdict.violation(expected, `rid ${o.rid}: ${o.problem}`);
    const measurements = { waitMs: o.waitMs, heldMs: Math.round(o.heldMs) };
    const excessMs = Math.round(Math.abs(o.heldMs - o.waitMs) - tol);
    if (o.heldMs < o.waitMs - tol)
      return verdict.violation(
        expected,
        `rid ${o.rid} with nothing to deliver was answered after ${ms(o.heldMs)}: the connection manager polls, so the client sends a request per round trip`,
        { measurements, excessMs },
      );
    if (o.heldMs > o.waitMs + tol)
      return verdict.violation(expected, `rid ${o.rid} was held ${ms(o.heldMs)}, past the granted wait`, { measurements, excessMs });
    return verdict.pass(expected, `rid ${o.rid} held ${ms(o.heldMs)}, answered with ${o.payloads} payloads`, { measurements });
  },
});

// XEP-0124 §8 (hold) and RFC 6202 §4.2: a new request releases the held one.
interface HoldReleaseSeen {
  conditions: Conditions;
  heldRid: number;
  newRid: number;
  /** the new request sent → the held one answered */
  afterMs: number;
}

const holdLimits = { ...EPSILON };

const holdRelease = defineRequirement<HoldReleaseSeen, typeof holdLimits>({
  id: 'bosh.hold-release',
  spec: 'XEP-0124',
  section: '8',
  level: 'should',
  title: 'With hold=1, a new request makes the connection manager answer the held one at once',
  sources: [xep('0124', 'payloads'), rfc(6202, '4.2')],
  transports: [...BOSH],
  needsPublish: false,
  timing: true,
  limits: holdLimits,
  tolerance: () => `the held request is answered within ε = ${EPSILON_TEXT} of the new one being sent`,
  faults: ['bosh-hold-two'],
  remedy: 'never keep more requests waiting than hold: when another arrives, answer the oldest at once (empty if need be)',
  async scenario(ctx) {
    const { s, waitMs } = await authenticated(ctx);
    try {
      const r1 = await heldRequest(ctx, s, waitMs);
      const r2 = await s.start('', heldDeadline(waitMs, ctx.env.options.timeScale));
      const first = await r1.done;
      await r2.done;
      return { conditions: conditions(ctx), heldRid: r1.rid, newRid: r2.rid, afterMs: (first.res.tEnd ?? ctx.now()) - r2.tSent };
    } finally {
      s.close();
    }
  },
  evaluate(o, l): Verdict {
    const e = eps(o.conditions, l);
    const expected = `rid ${o.heldRid} answered within ${ms(e)} of rid ${o.newRid}`;
    if (o.afterMs <= e) return verdict.pass(expected, `answered ${ms(Math.max(0, o.afterMs))} after rid ${o.newRid} was sent`);
    return verdict.violation(
      expected,
      `rid ${o.heldRid} stayed held ${ms(o.afterMs)} after rid ${o.newRid} arrived: two requests wait at once, and a browser has no connection left to send on`,
      { measurements: { afterMs: Math.round(o.afterMs) }, excessMs: Math.round(o.afterMs - e) },
    );
  },
});

// XEP-0124 §8 and §14.2: responses go in rid order, whatever is ready first.
interface RidOrderSeen {
  conditions: Conditions;
  jid: string;
  heldRid: number;
  newRid: number;
  /** the held request's answer − the new one's (ms; > 0: the newer came first) */
  gapMs: number;
  /** which rid's answer carried the message to self (null: neither; see laterRid) */
  carriedBy: number | null;
  /** the rid of one more request asked when neither carried it, and whether that one did */
  laterRid: number | null;
  laterCarried: boolean;
}

const orderLimits = { ...EPSILON };

const ridOrder = defineRequirement<RidOrderSeen, typeof orderLimits>({
  id: 'bosh.rid-order',
  spec: 'XEP-0124',
  section: '14.2',
  level: 'must',
  title: 'A payload ready while an older request is held goes on the older one first: requests are answered in rid order',
  sources: [xep('0124', 'rids-order'), xep('0124', 'payloads')],
  transports: [...BOSH],
  needsPublish: false,
  timing: true,
  limits: orderLimits,
  tolerance: () => `the held rid n is answered no later than ε = ${EPSILON_TEXT} after rid n+1; the message arrives on one of them`,
  faults: ['bosh-answer-newest'],
  remedy: 'when a request arrives while an older one is held, answer the older one first (with the ready payloads), then hold the new one',
  async scenario(ctx) {
    const { s, jid, waitMs } = await authenticated(ctx);
    try {
      const deadline = heldDeadline(waitMs, ctx.env.options.timeScale);
      const r1 = await heldRequest(ctx, s, waitMs);
      const token = ctx.nextToken();
      const r2 = await s.start(BoshSession.messageTo(jid, token), deadline);
      const [a, b] = await Promise.all([r1.done, r2.done]);
      const carried = [a, b].find((e) => (e.body?.children ?? []).join('').includes(token)) ?? null;
      const later = carried === null ? await s.request('', deadline) : null;
      return {
        conditions: conditions(ctx),
        jid,
        heldRid: a.rid,
        newRid: b.rid,
        gapMs: (a.res.tEnd ?? ctx.now()) - (b.res.tEnd ?? ctx.now()),
        carriedBy: carried?.rid ?? null,
        laterRid: later?.rid ?? null,
        laterCarried: later !== null && (later.body?.children ?? []).join('').includes(token),
      };
    } finally {
      s.close();
    }
  },
  evaluate(o, l): Verdict {
    const e = eps(o.conditions, l);
    const expected = `rid ${o.heldRid} answered before (or with) rid ${o.newRid}`;
    if (o.carriedBy === null && !o.laterCarried)
      return verdict.loss(expected, `the message to ${o.jid} never came back on rid ${o.heldRid}, ${o.newRid} or ${o.laterRid ?? '?'}`, {
        published: 1,
        lost: 1,
      });
    if (o.gapMs > e)
      return verdict.violation(
        expected,
        `rid ${o.newRid} (carrying the message to self) was answered ${o.carriedBy === o.newRid ? 'with the message ' : ''}${ms(o.gapMs)} before the older held rid ${o.heldRid}, which waited for its wait: a client processes responses in rid order (§14.2), so it sees the event only then`,
        { measurements: { gapMs: Math.round(o.gapMs) }, excessMs: Math.round(o.gapMs - e) },
      );
    return verdict.pass(
      expected,
      `rid ${o.heldRid} answered ${ms(Math.max(0, -o.gapMs))} before rid ${o.newRid}; the message came on rid ${o.carriedBy ?? o.laterRid ?? '?'}`,
    );
  },
});

// XEP-0124 §14.2: requests that arrive out of rid order are processed in rid order.
interface OutOfOrderSeen {
  conditions: Conditions;
  jid: string;
  /** rid n, sent second, and rid n+1 (carrying a message to self), sent first */
  rid: number;
  aheadRid: number;
  /** rid n+1 was still unanswered when rid n was sent */
  aheadPending: boolean;
  answers: Array<{
    rid: number;
    status: number;
    attrs: Record<string, string>;
    carried: boolean;
    tEnd: number | null;
    problem: string | null;
  }>;
}

const outOfOrderLimits = { ...EPSILON };

const ridOutOfOrder = defineRequirement<OutOfOrderSeen, typeof outOfOrderLimits>({
  id: 'bosh.rid-out-of-order',
  spec: 'XEP-0124',
  section: '14.2',
  level: 'must',
  title: 'A request that arrives before an earlier rid waits for it: payloads are forwarded and answered in rid order',
  sources: [xep('0124', 'rids-order')],
  transports: [...BOSH],
  needsPublish: false,
  timing: true,
  limits: outOfOrderLimits,
  tolerance: () =>
    `rid n+1 is not answered more than ε = ${EPSILON_TEXT} before rid n; neither ends the session; the message it carries arrives`,
  // bosh-answer-newest puts the message on rid n+1 at once, before the older rid n.
  faults: ['bosh-rid-gap-terminates', 'bosh-answer-newest'],
  remedy:
    'keep a request whose rid is ahead of the next expected one (within the requests window) until the missing rid arrives, then process both in rid order',
  async scenario(ctx) {
    const { s, jid, waitMs } = await authenticated(ctx);
    try {
      const deadline = heldDeadline(waitMs, ctx.env.options.timeScale);
      const token = ctx.nextToken();
      const rid = s.takeRid();
      const aheadRid = s.takeRid();
      const ahead = await s.start(BoshSession.messageTo(jid, token), deadline, { rid: aheadRid });
      // Long enough for rid n+1 to reach the server first, even through a slow hop.
      const aheadAnswered = await Promise.race([
        ahead.done.then(() => true),
        ctx.pause(Math.max(2 * ctx.rttMs, ctx.ms(200))).then(() => false),
      ]);
      const first = await s.start('', deadline, { rid });
      const a = await first.done;
      // With hold=1, rid n+1 may now be the held request: one more releases it.
      const stillHeld = await Promise.race([ahead.done.then(() => false), ctx.pause(ctx.epsilonMs).then(() => true)]);
      if (stillHeld) s.start('', deadline).catch(() => undefined);
      const b = await ahead.done;
      const answer = (e: typeof a): OutOfOrderSeen['answers'][number] => ({
        rid: e.rid,
        status: e.res.status,
        attrs: e.body?.attrs ?? {},
        carried: (e.body?.children ?? []).join('').includes(token),
        tEnd: e.res.tEnd,
        problem: e.problem,
      });
      return { conditions: conditions(ctx), jid, rid, aheadRid, aheadPending: !aheadAnswered, answers: [answer(a), answer(b)] };
    } finally {
      s.close();
    }
  },
  evaluate(o, l): Verdict {
    const e = eps(o.conditions, l);
    const expected = `rid ${o.aheadRid} (sent first) waits for rid ${o.rid}; both answered in rid order within the session`;
    const [n, ahead] = o.answers;
    if (n === undefined || ahead === undefined) return verdict.error(expected, 'the scenario recorded fewer than two answers');
    const terminated = o.answers.find((x) => x.attrs['type'] === 'terminate' || x.status === 404 || x.problem !== null);
    if (terminated)
      return verdict.violation(
        expected,
        `rid ${o.aheadRid} was sent before rid ${o.rid} (as two connections can deliver them); rid ${terminated.rid} got ${terminated.problem ?? terminated.attrs['condition'] ?? `HTTP ${terminated.status}`}: the session breaks whenever the network reorders a client's requests`,
      );
    if (!o.answers.some((x) => x.carried))
      return verdict.loss(
        expected,
        `the message to ${o.jid} carried by rid ${o.aheadRid} never came back on rid ${o.rid} or ${o.aheadRid}`,
        { published: 1, lost: 1 },
      );
    const gap = (n.tEnd ?? Infinity) - (ahead.tEnd ?? Infinity);
    if (Number.isFinite(gap) && gap > e)
      return verdict.violation(
        expected,
        `rid ${o.aheadRid} was answered ${ms(gap)} before rid ${o.rid}: its payload was processed out of rid order`,
        { measurements: { gapMs: Math.round(gap) }, excessMs: Math.round(gap - e) },
      );
    return verdict.pass(
      expected,
      `rid ${o.aheadRid} ${o.aheadPending ? 'waited' : 'was answered at once'}; the message came on rid ${o.answers.find((x) => x.carried)?.rid ?? '?'}, rid ${o.rid} answered ${Number.isFinite(gap) ? `${ms(Math.max(0, -gap))} before rid ${o.aheadRid}` : ''}`,
    );
  },
});

// XEP-0124 §14.2: a rid beyond the window ends the session.
interface RidWindowSeen {
  rid: number;
  status: number;
  end: string;
  attrs: Record<string, string>;
}

const ridWindow = defineRequirement<RidWindowSeen, { beyond: number }>({
  id: 'bosh.rid-window',
  spec: 'XEP-0124',
  section: '14.2',
  level: 'must',
  title: 'A rid beyond the window ends the session with item-not-found',
  sources: [xep('0124', 'rids-order')],
  transports: [...BOSH],
  needsPublish: false,
  timing: false,
  limits: { beyond: 10 },
  tolerance: (l) =>
    `exact: a rid ${l.beyond} past the window gets <body type='terminate' condition='item-not-found'/> (or a legacy HTTP 404)`,
  faults: ['bosh-rid-unchecked'],
  remedy: 'terminate the session with item-not-found when a rid is larger than the last one plus requests',
  async scenario(ctx) {
    const s = newSession(ctx);
    try {
      await created(ctx, s);
      const rid = s.nextRid + Number(s.granted['requests'] ?? 2) + 10;
      const ex = await s.request('', boshControlMs(ctx) + Number(s.granted['wait'] ?? 0) * 1000, { rid });
      return { rid, status: ex.res.status, end: ex.res.end, attrs: ex.body?.attrs ?? {} };
    } finally {
      s.close();
    }
  },
  evaluate(o): Verdict {
    const expected = 'terminate with item-not-found';
    if ((o.attrs['type'] === 'terminate' && o.attrs['condition'] === 'item-not-found') || o.status === 404)
      return verdict.pass(expected, `rid ${o.rid}: ${o.attrs['type'] ?? ''} ${o.attrs['condition'] ?? `HTTP ${o.status}`}`);
    return verdict.violation(
      expected,
      `rid ${o.rid} (beyond the window) was answered HTTP ${o.status || o.end} ${JSON.stringify(o.attrs)}: a forged or stale request is accepted into the session`,
    );
  },
});

// XEP-0124 §14.3: a resent request gets the buffered copy of its response.
interface ResendSeen {
  rid: number;
  original: string[];
  /** the payloads of the answer to the resend, or null with `problem` */
  again: string[] | null;
  againAttrs: Record<string, string>;
  problem: string | null;
}

const ridResend = defineRequirement<ResendSeen, Record<string, never>>({
  id: 'bosh.rid-resend',
  spec: 'XEP-0124',
  section: '14.3',
  level: 'should',
  title: 'A request resent with an answered rid gets the buffered copy of the original response',
  sources: [xep('0124', 'rids-broken')],
  transports: [...BOSH],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () => 'exact: the same payloads (the ack attribute aside)',
  faults: ['bosh-no-resend-buffer'],
  remedy: 'keep the last `requests` responses by rid and answer a repeated rid with the stored copy',
  async scenario(ctx) {
    const { s, jid, waitMs } = await authenticated(ctx);
    try {
      const deadline = heldDeadline(waitMs, ctx.env.options.timeScale);
      const token = ctx.nextToken();
      const msg = BoshSession.messageTo(jid, token);
      const first = await s.request(msg, deadline);
      if (!(first.body?.children ?? []).join('').includes(token))
        throw new Inconclusive(
          `setup: the message to self did not come back on its own request rid ${first.rid} (it is needed as the response to resend)`,
        );
      const again = await s.request(msg, deadline, { rid: first.rid });
      return {
        rid: first.rid,
        original: first.body?.children ?? [],
        again: again.body?.children ?? null,
        againAttrs: again.body?.attrs ?? {},
        problem: again.problem,
      };
    } finally {
      s.close();
    }
  },
  evaluate(o): Verdict {
    const expected = `rid ${o.rid} resent: the same ${o.original.length} payload(s) again`;
    if (o.again !== null && JSON.stringify(o.again) === JSON.stringify(o.original))
      return verdict.pass(expected, 'the buffered copy came back');
    return verdict.violation(
      expected,
      `the resent rid ${o.rid} got ${o.problem ?? `${o.again?.length ?? 0} payload(s) ${JSON.stringify(o.againAttrs)}`}: a client whose connection broke loses what the original response carried`,
    );
  },
});

// XEP-0124 §13: terminate ends the session.
interface TerminateSeen {
  byeAttrs: Record<string, string>;
  byePayloads: number;
  nextRid: number;
  nextStatus: number;
  nextAttrs: Record<string, string>;
}

const terminate = defineRequirement<TerminateSeen, Record<string, never>>({
  id: 'bosh.terminate',
  spec: 'XEP-0124',
  section: '13',
  level: 'must',
  title: "A type='terminate' request ends the session; the next request is unknown",
  sources: [xep('0124', 'terminate')],
  transports: [...BOSH],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () =>
    "exact: the next request gets terminal item-not-found; a terminate answer that is not an empty <body type='terminate'/> is a warning",
  faults: ['bosh-terminate-ignored'],
  remedy:
    "end the session on type='terminate', answer it with an empty <body type='terminate'/>, and treat later requests as an unknown session",
  async scenario(ctx) {
    const { s, waitMs } = await authenticated(ctx);
    try {
      const deadline = heldDeadline(waitMs, ctx.env.options.timeScale);
      const bye = await s.terminate(deadline);
      const next = await s.request('', deadline);
      return {
        byeAttrs: bye?.body?.attrs ?? {},
        byePayloads: bye?.body?.children.length ?? 0,
        nextRid: next.rid,
        nextStatus: next.res.status,
        nextAttrs: next.body?.attrs ?? {},
      };
    } finally {
      s.close();
    }
  },
  evaluate(o): Verdict {
    const expected = 'the session is over after terminate';
    if (!(o.nextAttrs['type'] === 'terminate' || o.nextStatus === 404))
      return verdict.violation(
        expected,
        `after terminate, rid ${o.nextRid} was answered as part of a live session (${JSON.stringify(o.nextAttrs)}): the session outlives the client`,
      );
    if (o.byeAttrs['type'] !== 'terminate' || o.byePayloads > 0)
      return verdict.warn(
        expected,
        `the session ended, but the terminate answer was ${JSON.stringify(o.byeAttrs)} with ${o.byePayloads} payload(s): §13 asks for an empty <body type='terminate'/>`,
      );
    return verdict.pass(expected, `terminated; rid ${o.nextRid} then got ${o.nextAttrs['condition'] ?? `HTTP ${o.nextStatus}`}`);
  },
});

// XEP-0124 §5: intermediaries may buffer partial chunked messages.
interface ChunkedSeen {
  responses: number;
  chunkedRids: number[];
}

const noChunked = defineRequirement<ChunkedSeen, Record<string, never>>({
  id: 'bosh.no-chunked',
  spec: 'XEP-0124',
  section: '5',
  level: 'should',
  title: 'BOSH responses are not sent with chunked transfer coding',
  sources: [xep('0124', 'overview'), rfc(6202, '4.2')],
  transports: [...BOSH],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () => 'exact: no Transfer-Encoding: chunked on the session creation, authentication and binding responses',
  // HTTP/2 has no chunked coding: every response is DATA frames.
  protocols: ['http/1.1'],
  faults: ['bosh-chunked'],
  remedy: 'send each BOSH response with Content-Length',
  async scenario(ctx) {
    const { s } = await authenticated(ctx);
    try {
      return {
        responses: s.exchanges.length,
        chunkedRids: s.exchanges.filter((e) => /chunked/i.test(header(e.res, 'transfer-encoding') ?? '')).map((e) => e.rid),
      };
    } finally {
      s.close();
    }
  },
  evaluate(o): Verdict {
    const expected = 'Content-Length framing';
    if (o.chunkedRids.length)
      return verdict.violation(
        expected,
        `${o.chunkedRids.length} of ${o.responses} responses were chunked (rid ${o.chunkedRids.join(', ')}): §5 warns intermediaries may hold partial chunks`,
      );
    return verdict.pass(expected, `${o.responses} responses, none chunked`);
  },
});

export { content, holdRelease, noChunked, ridOrder, ridOutOfOrder, ridResend, ridWindow, session, terminate, wait };
export const boshRequirements: Requirement[] = [
  session,
  content,
  wait,
  holdRelease,
  ridOrder,
  ridOutOfOrder,
  ridWindow,
  ridResend,
  terminate,
  noChunked,
];
