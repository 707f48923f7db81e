/**
 * XEP-0124 (BOSH) v1.11.2 with the XMPP binding of XEP-0206, and RFC 6202 §4.2 on how BOSH uses
 * long polling. pushspec drives the session itself; the event is a message to the session's own
 * JID, so a target needs only `{"bosh": {"url": …, "domain": …}}`.
 */
import type { Requirement } from '../runner/requirement.js';
import { BoshSession } from '../runner/drivers/bosh.js';
import { header } from '../runner/wire/index.js';
import { Inconclusive, verdict } from '../runner/verdict.js';
import { ms } from './format.js';
import { authenticated, boshControlMs, created, heldRequest, newSession, requestedWaitS } from './bosh/session.js';
import { rfc } from './sources.js';

const BOSH = ['bosh'] as const;
const xep = (n: string, anchor: string): string => `https://xmpp.org/extensions/xep-${n}.html#${anchor}`;

// XEP-0124 §7.2: what a client needs from the session creation response.
const session: Requirement = {
  id: 'bosh.session', spec: 'XEP-0124', section: '7.2', level: 'must',
  title: 'The session creation response carries sid, wait ≤ the request, hold ≤ the request and requests > hold',
  sources: [xep('0124', 'session-create')], transports: [...BOSH], needsPublish: false, timing: false,
  tolerance: 'exact; ver, polling and inactivity missing is a warning',
  faults: ['bosh-session-attrs'],
  remedy: 'answer the session request with sid, wait (at most the requested one), hold (at most the requested one), requests (hold + 1), ver, polling and inactivity',
  async run(ctx) {
    const s = newSession(ctx);
    try {
      const ex = await created(ctx, s);
      const a = s.granted;
      const asked = requestedWaitS(ctx);
      const expected = `sid, wait ≤ ${asked}, hold ≤ 1, requests > hold`;
      const wrong: string[] = [];
      if (!(Number(a['wait']) <= asked)) wrong.push(`wait ${a['wait'] ?? 'missing'} (asked ${asked})`);
      if (!(Number(a['hold']) <= 1)) wrong.push(`hold ${a['hold'] ?? 'missing'} (asked 1)`);
      if (!(Number(a['requests']) > Number(a['hold'] ?? 1))) wrong.push(`requests ${a['requests'] ?? 'missing'}`);
      const attrs = Object.entries(a).filter(([k]) => k !== 'sid' && k !== 'authid').map(([k, v]) => `${k}=${v}`).join(' ');
      if (wrong.length) return verdict.violation(expected, `the session creation response (HTTP ${ex.res.status}) has ${wrong.join(', ')}: ${attrs}`);
      const missing = ['ver', 'polling', 'inactivity'].filter((k) => a[k] === undefined);
      if (missing.length) return verdict.warn(expected, `${missing.join(', ')} missing (§7.2 SHOULD): ${attrs}`);
      return verdict.pass(expected, attrs);
    } finally {
      s.close();
    }
  },
};

// XEP-0124 §7.1: the client's `content` attribute decides the response Content-Type.
const content: Requirement = {
  id: 'bosh.content', spec: 'XEP-0124', section: '7.1', level: 'must',
  title: 'Responses use the Content-Type the session request asked for with its content attribute',
  sources: [xep('0124', 'session-request'), xep('0124', 'overview')], transports: [...BOSH], needsPublish: false, timing: false,
  tolerance: 'exact: the media type of the response equals content=\'application/xml; charset=utf-8\' (parameters compared without case and spaces)',
  faults: ['bosh-content-ignored'],
  remedy: 'send the Content-Type the client named in the content attribute of its session request on every response of that session',
  async run(ctx) {
    const s = newSession(ctx);
    try {
      const want = 'application/xml; charset=utf-8';
      const ex = await created(ctx, s, want);
      const got = header(ex.res, 'content-type');
      const norm = (v: string | undefined): string => (v ?? '').toLowerCase().replace(/\s+/g, '');
      const expected = `Content-Type: ${want}`;
      if (norm(got) === norm(want)) return verdict.pass(expected, `Content-Type: ${got ?? ''}`);
      return verdict.violation(expected, `Content-Type: ${got ?? '(none)'} although the session request said content='${want}'`);
    } finally {
      s.close();
    }
  },
};

// XEP-0124 §8 and RFC 6202 §4.2: with nothing to send, hold the request up to `wait`.
const wait: Requirement = {
  id: 'bosh.wait', spec: 'XEP-0124', section: '8', level: 'should',
  title: 'An empty request is held until the granted wait, then answered with an empty body',
  sources: [xep('0124', 'payloads'), rfc(6202, '4.2')], transports: [...BOSH], needsPublish: false, timing: true,
  tolerance: 'held wait ± (ε + 1 s), ε = 100 ms + 2 RTT; the first requests after authentication may be answered at once',
  via: ['latency'], deploymentCheck: true,
  faults: ['bosh-no-hold'],
  remedy: 'keep an empty request until a payload arrives or wait seconds pass, then answer it with an empty <body/>',
  async run(ctx) {
    const { s, waitMs } = await authenticated(ctx);
    try {
      const tol = ctx.epsilonMs + ctx.ms(1000);
      const expected = `held ${ms(waitMs)} (the granted wait) ± ${ms(tol)}, then an empty body`;
      // Anything left from authentication is delivered first.
      await s.request('', waitMs * 1.5 + ctx.ms(2000));
      const p = await s.start('', waitMs * 1.5 + ctx.ms(2000));
      const ex = await p.done;
      const held = (ex.res.tEnd ?? ctx.now()) - p.tSent;
      const measurements = { waitMs, heldMs: Math.round(held), excessMs: Math.max(0, Math.round(Math.abs(held - waitMs) - tol)) };
      if (ex.body === null) return verdict.violation(expected, `rid ${ex.rid}: ${ex.problem ?? ''}`);
      if (held < waitMs - tol) return verdict.violation(expected, `rid ${ex.rid} with nothing to deliver was answered after ${ms(held)}: the connection manager polls, so the client sends a request per round trip`, { measurements });
      if (held > waitMs + tol) return verdict.violation(expected, `rid ${ex.rid} was held ${ms(held)}, past the granted wait`, { measurements });
      return verdict.pass(expected, `rid ${ex.rid} held ${ms(held)}, answered with ${ex.body.children.length} payloads`, { measurements });
    } finally {
      s.close();
    }
  },
};

// XEP-0124 §8 (hold) and RFC 6202 §4.2: a new request releases the held one.
const holdRelease: Requirement = {
  id: 'bosh.hold-release', spec: 'XEP-0124', section: '8', level: 'should',
  title: 'With hold=1, a new request makes the connection manager answer the held one at once',
  sources: [xep('0124', 'payloads'), rfc(6202, '4.2')], transports: [...BOSH], needsPublish: false, timing: true,
  tolerance: 'the held request is answered within ε = 100 ms + 2 RTT of the new one being sent',
  faults: ['bosh-hold-two'],
  remedy: 'never keep more requests waiting than hold: when another arrives, answer the oldest at once (empty if need be)',
  async run(ctx) {
    const { s, waitMs } = await authenticated(ctx);
    try {
      const r1 = await heldRequest(ctx, s, waitMs);
      const r2 = await s.start('', waitMs * 1.5 + ctx.ms(2000));
      const first = await r1.done;
      const after = (first.res.tEnd ?? ctx.now()) - r2.tSent;
      await r2.done;
      const expected = `rid ${r1.rid} answered within ${ms(ctx.epsilonMs)} of rid ${r2.rid}`;
      if (after <= ctx.epsilonMs) return verdict.pass(expected, `answered ${ms(Math.max(0, after))} after rid ${r2.rid} was sent`);
      return verdict.violation(expected, `rid ${r1.rid} stayed held ${ms(after)} after rid ${r2.rid} arrived: two requests wait at once, and a browser has no connection left to send on`, { measurements: { afterMs: Math.round(after), excessMs: Math.round(after - ctx.epsilonMs) } });
    } finally {
      s.close();
    }
  },
};

// XEP-0124 §8 and §14.2: responses go in rid order, whatever is ready first.
const ridOrder: Requirement = {
  id: 'bosh.rid-order', spec: 'XEP-0124', section: '14.2', level: 'must',
  title: 'A payload ready while an older request is held goes on the older one first: requests are answered in rid order',
  sources: [xep('0124', 'rids-order'), xep('0124', 'payloads')], transports: [...BOSH], needsPublish: false, timing: true,
  tolerance: 'the held rid n is answered no later than ε = 100 ms + 2 RTT after rid n+1; the message arrives on one of them',
  faults: ['bosh-answer-newest'],
  remedy: 'when a request arrives while an older one is held, answer the older one first (with the ready payloads), then hold the new one',
  async run(ctx) {
    const { s, jid, waitMs } = await authenticated(ctx);
    try {
      const r1 = await heldRequest(ctx, s, waitMs);
      const token = ctx.nextToken();
      const r2 = await s.start(BoshSession.messageTo(jid, token), waitMs * 1.5 + ctx.ms(2000));
      const [a, b] = await Promise.all([r1.done, r2.done]);
      const expected = `rid ${a.rid} answered before (or with) rid ${b.rid}`;
      const carried = [a, b].find((e) => (e.body?.children ?? []).join('').includes(token));
      if (!carried) {
        const later = await s.request('', waitMs * 1.5 + ctx.ms(2000));
        if (!(later.body?.children ?? []).join('').includes(token)) return verdict.loss(expected, `the message to ${jid} never came back on rid ${a.rid}, ${b.rid} or ${later.rid}`, { published: 1, lost: 1 });
      }
      const gap = (a.res.tEnd ?? ctx.now()) - (b.res.tEnd ?? ctx.now());
      if (gap > ctx.epsilonMs) return verdict.violation(expected, `rid ${b.rid} (carrying the message to self) was answered ${carried === b ? 'with the message ' : ''}${ms(gap)} before the older held rid ${a.rid}, which waited for its wait: a client processes responses in rid order (§14.2), so it sees the event only then`, { measurements: { gapMs: Math.round(gap), excessMs: Math.round(gap - ctx.epsilonMs) } });
      return verdict.pass(expected, `rid ${a.rid} answered ${ms(Math.max(0, -gap))} before rid ${b.rid}; the message came on rid ${carried?.rid ?? 'a later one'}`);
    } finally {
      s.close();
    }
  },
};

// XEP-0124 §14.2: a rid beyond the window ends the session.
const ridWindow: Requirement = {
  id: 'bosh.rid-window', spec: 'XEP-0124', section: '14.2', level: 'must',
  title: 'A rid beyond the window ends the session with item-not-found',
  sources: [xep('0124', 'rids-order')], transports: [...BOSH], needsPublish: false, timing: false,
  tolerance: 'exact: <body type=\'terminate\' condition=\'item-not-found\'/> (or a legacy HTTP 404)',
  faults: ['bosh-rid-unchecked'],
  remedy: 'terminate the session with item-not-found when a rid is larger than the last one plus requests',
  async run(ctx) {
    const s = newSession(ctx);
    try {
      await created(ctx, s);
      const far = s.nextRid + Number(s.granted['requests'] ?? 2) + 10;
      const ex = await s.request('', boshControlMs(ctx) + Number(s.granted['wait'] ?? 0) * 1000, { rid: far });
      const expected = 'terminate with item-not-found';
      const a = ex.body?.attrs ?? {};
      if ((a['type'] === 'terminate' && a['condition'] === 'item-not-found') || ex.res.status === 404) return verdict.pass(expected, `rid ${far}: ${a['type'] ?? ''} ${a['condition'] ?? `HTTP ${ex.res.status}`}`);
      return verdict.violation(expected, `rid ${far} (beyond the window) was answered HTTP ${ex.res.status || ex.res.end} ${JSON.stringify(a)}: a forged or stale request is accepted into the session`);
    } finally {
      s.close();
    }
  },
};

// XEP-0124 §14.3: a resent request gets the buffered copy of its response.
const ridResend: Requirement = {
  id: 'bosh.rid-resend', spec: 'XEP-0124', section: '14.3', level: 'should',
  title: 'A request resent with an answered rid gets the buffered copy of the original response',
  sources: [xep('0124', 'rids-broken')], transports: [...BOSH], needsPublish: false, timing: false,
  tolerance: 'exact: the same payloads (the ack attribute aside)',
  faults: ['bosh-no-resend-buffer'],
  remedy: 'keep the last `requests` responses by rid and answer a repeated rid with the stored copy',
  async run(ctx) {
    const { s, jid, waitMs } = await authenticated(ctx);
    try {
      const token = ctx.nextToken();
      const msg = BoshSession.messageTo(jid, token);
      const first = await s.request(msg, waitMs * 1.5 + ctx.ms(2000));
      if (!(first.body?.children ?? []).join('').includes(token)) throw new Inconclusive(`setup: the message to self did not come back on its own request rid ${first.rid} (it is needed as the response to resend)`);
      const again = await s.request(msg, waitMs * 1.5 + ctx.ms(2000), { rid: first.rid });
      const expected = `rid ${first.rid} resent: the same ${first.body?.children.length ?? 0} payload(s) again`;
      const same = JSON.stringify(again.body?.children ?? null) === JSON.stringify(first.body?.children ?? []);
      if (same) return verdict.pass(expected, 'the buffered copy came back');
      return verdict.violation(expected, `the resent rid ${first.rid} got ${again.problem ?? `${again.body?.children.length ?? 0} payload(s) ${JSON.stringify(again.body?.attrs ?? {})}`}: a client whose connection broke loses what the original response carried`);
    } finally {
      s.close();
    }
  },
};

// XEP-0124 §13: terminate ends the session.
const terminate: Requirement = {
  id: 'bosh.terminate', spec: 'XEP-0124', section: '13', level: 'must',
  title: 'A type=\'terminate\' request ends the session; the next request is unknown',
  sources: [xep('0124', 'terminate')], transports: [...BOSH], needsPublish: false, timing: false,
  tolerance: 'exact: the next request gets terminal item-not-found; a terminate answer that is not an empty <body type=\'terminate\'/> is a warning',
  faults: ['bosh-terminate-ignored'],
  remedy: 'end the session on type=\'terminate\', answer it with an empty <body type=\'terminate\'/>, and treat later requests as an unknown session',
  async run(ctx) {
    const { s, waitMs } = await authenticated(ctx);
    try {
      const bye = await s.terminate(waitMs * 1.5 + ctx.ms(2000));
      const next = await s.request('', waitMs * 1.5 + ctx.ms(2000));
      const expected = 'the session is over after terminate';
      const na = next.body?.attrs ?? {};
      if (!(na['type'] === 'terminate' || next.res.status === 404)) return verdict.violation(expected, `after terminate, rid ${next.rid} was answered as part of a live session (${JSON.stringify(na)}): the session outlives the client`);
      const ba = bye?.body?.attrs ?? {};
      if (ba['type'] !== 'terminate' || (bye?.body?.children.length ?? 0) > 0) return verdict.warn(expected, `the session ended, but the terminate answer was ${JSON.stringify(ba)} with ${bye?.body?.children.length ?? 0} payload(s): §13 asks for an empty <body type='terminate'/>`);
      return verdict.pass(expected, `terminated; rid ${next.rid} then got ${na['condition'] ?? `HTTP ${next.res.status}`}`);
    } finally {
      s.close();
    }
  },
};

// XEP-0124 §5: intermediaries may buffer partial chunked messages.
const noChunked: Requirement = {
  id: 'bosh.no-chunked', spec: 'XEP-0124', section: '5', level: 'should',
  title: 'BOSH responses are not sent with chunked transfer coding',
  sources: [xep('0124', 'overview'), rfc(6202, '4.2')], transports: [...BOSH], needsPublish: false, timing: false,
  tolerance: 'exact: no Transfer-Encoding: chunked on the session creation response or an ordinary response',
  faults: ['bosh-chunked'],
  remedy: 'send each BOSH response with Content-Length',
  async run(ctx) {
    const { s } = await authenticated(ctx);
    try {
      const expected = 'Content-Length framing';
      const chunked = s.exchanges.filter((e) => /chunked/i.test(header(e.res, 'transfer-encoding') ?? ''));
      if (chunked.length) return verdict.violation(expected, `${chunked.length} of ${s.exchanges.length} responses were chunked (rid ${chunked.map((e) => e.rid).join(', ')}): §5 warns intermediaries may hold partial chunks`);
      return verdict.pass(expected, `${s.exchanges.length} responses, none chunked`);
    } finally {
      s.close();
    }
  },
};

export const boshRequirements: readonly Requirement[] = [session, content, wait, holdRelease, ridOrder, ridWindow, ridResend, terminate, noChunked];
