/**
 * Bayeux 1.0 (the specification as CometD publishes it; sections cited by title), and RFC 6202
 * §4.1 on Bayeux's use of long polling over two connections. pushspec drives the protocol
 * itself: a target needs only `{"bayeux": {"url": …}}`; events are published by a second
 * Bayeux client, so no publish hook is involved.
 */
import type { Advice } from '../../runner/drivers/bayeux.js';
import { EPSILON, EPSILON_TEXT, epsilonMs } from '../../runner/epsilon.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { ms, secs } from '../format.js';
import {
  channelOf,
  connectDeadlineMs,
  connectTimeoutMs,
  controlMs,
  heldConnect,
  newClient,
  replySeen,
  subscribed,
  tokensIn,
  type ReplySeen,
} from '../scenarios/bayeux.js';
import { BAYEUX_SPEC, rfc } from '../sources.js';

const BAYEUX = ['bayeux'] as const;

/** ε from the requirement's own limits, scaled by the conditions the observation was made under. */
const eps = (c: Conditions, l: { slackMs: number; rtts: number }): number => epsilonMs(c.timeScale, c.rttMs, l);

// Bayeux "Successful Handshake Response" and "id": the fields a client needs to go on.
interface HandshakeSeen extends ReplySeen {
  sentId: string;
}

const handshake = defineRequirement<HandshakeSeen, Record<string, never>>({
  id: 'bay.handshake',
  spec: 'Bayeux 1.0',
  section: 'Successful Handshake Response',
  level: 'must',
  title:
    'A successful handshake reply carries channel, version, supportedConnectionTypes (with long-polling), clientId, successful and the request id',
  sources: [BAYEUX_SPEC],
  transports: [...BAYEUX],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () => 'exact: every field present with the right type; long-polling among the connection types',
  faults: ['bayeux-handshake-fields'],
  remedy:
    'answer /meta/handshake with channel, version, supportedConnectionTypes (including long-polling), clientId, successful: true and the id of the request',
  async scenario(ctx) {
    const client = newClient(ctx, 'client');
    try {
      const { ex, reply } = await client.handshake(controlMs(ctx));
      return { ...replySeen(ex, reply), sentId: ex.sent[0]?.id ?? '' };
    } finally {
      client.close();
    }
  },
  evaluate(o): Verdict {
    const expected = 'channel, version, supportedConnectionTypes ∋ long-polling, clientId, successful: true, the request id';
    if (o.problem !== null)
      return verdict.violation(expected, `the handshake answer (HTTP ${o.status}) is not a Bayeux reply: ${o.problem}`);
    const r = o.reply;
    if (!r) return verdict.violation(expected, `no /meta/handshake reply among ${o.replyCount} message(s)`);
    if (r.successful !== true)
      return verdict.inconclusive(
        expected,
        `the handshake was refused (${r.error ?? 'no error given'}); a server may refuse a client, and then nothing else can be judged`,
      );
    const missing: string[] = [];
    if (typeof r.version !== 'string') missing.push('version');
    if (!Array.isArray(r.supportedConnectionTypes)) missing.push('supportedConnectionTypes');
    else if (!r.supportedConnectionTypes.includes('long-polling'))
      missing.push('long-polling in supportedConnectionTypes (every server MUST support it)');
    if (typeof r.clientId !== 'string' || r.clientId === '') missing.push('clientId');
    if (r.id !== o.sentId) missing.push(`id (sent "${o.sentId}", got ${r.id === undefined ? 'none' : `"${String(r.id)}"`})`);
    if (missing.length)
      return verdict.violation(expected, `the successful handshake reply lacks ${missing.join(', ')}: ${JSON.stringify(r).slice(0, 200)}`);
    return verdict.pass(
      expected,
      `clientId of ${String(r.clientId).length} characters, version ${String(r.version)}, types ${JSON.stringify(r.supportedConnectionTypes)}, advice ${JSON.stringify(r.advice ?? {})}`,
    );
  },
});

// Bayeux "Connect Response" and the timeout advice: a long-polling server holds the connect.
interface ConnectHeldSeen {
  conditions: Conditions;
  /** advice.timeout as known after the connects (servers may give it on connect replies only) */
  advisedTimeoutMs: number | null;
  seq: number;
  firstConnectMs: number;
  /** how long the second connect was held; null when it got no complete answer */
  heldMs: number | null;
  end: string;
  successful: boolean;
  problem: string | null;
}

/** Hold and advice agree within ε plus 1 s, or a quarter of the timeout when that is less. */
const connectLimits = { ...EPSILON, agreementMs: 1000, agreementFraction: 0.25 };

const connectHeld = defineRequirement<ConnectHeldSeen, typeof connectLimits>({
  id: 'bay.connect-held',
  spec: 'Bayeux 1.0',
  section: 'Connect Response',
  level: 'should',
  title: 'An idle /meta/connect is held for about the advised timeout, then answered successfully',
  sources: [BAYEUX_SPEC, rfc(6202, '4.1')],
  transports: [...BAYEUX],
  needsPublish: false,
  timing: true,
  limits: connectLimits,
  tolerance: (l) =>
    `the second connect (the first may return at once) ends within advice.timeout ± (ε + min(${secs(l.agreementMs)}, ${l.agreementFraction * 100} % of it)), ε = ${EPSILON_TEXT}; without advice it must only be held longer than 2ε`,
  via: ['latency'],
  deploymentCheck: true,
  faults: ['bayeux-connect-not-held'],
  remedy: 'hold /meta/connect until an event arrives or advice.timeout passes, then answer it successfully',
  async scenario(ctx) {
    const client = await subscribed(ctx, 'client', channelOf(ctx.channel));
    try {
      const deadline = connectDeadlineMs(ctx, connectTimeoutMs(ctx, client));
      const first = await client.connect(deadline);
      const second = await client.startConnect(deadline);
      const ex = await second.done;
      const reply = client.replyTo(ex, '/meta/connect');
      return {
        conditions: conditions(ctx),
        advisedTimeoutMs: client.advice.timeout ?? null,
        seq: ex.seq,
        firstConnectMs: (first.res.tEnd ?? ctx.now()) - first.tSent,
        heldMs: ex.res.tEnd === null ? null : ex.res.tEnd - second.tSent,
        end: ex.res.end,
        successful: reply?.successful === true,
        problem: ex.problem ?? reply?.error ?? (reply ? null : 'no /meta/connect reply'),
      };
    } finally {
      client.close();
    }
  },
  evaluate(o, l): Verdict {
    const t = o.advisedTimeoutMs;
    const tol = eps(o.conditions, l) + Math.min(l.agreementMs * o.conditions.timeScale, (t ?? Infinity) * l.agreementFraction);
    const expected =
      t === null ? 'an idle connect held (the server advises no timeout)' : `an idle connect held ${ms(t)} (advice.timeout) ± ${ms(tol)}`;
    if (o.heldMs === null) return verdict.violation(expected, `connect #${o.seq} got no complete answer (${o.end})`);
    if (!o.successful)
      return verdict.violation(expected, `connect #${o.seq} ended after ${ms(o.heldMs)} without a successful reply (${o.problem ?? ''})`);
    const measurements = {
      heldMs: Math.round(o.heldMs),
      firstConnectMs: Math.round(o.firstConnectMs),
      ...(t === null ? {} : { timeoutMs: t }),
    };
    const polls = `connect #${o.seq} with nothing to deliver was answered after ${ms(o.heldMs)} (the first after ${ms(o.firstConnectMs)}): the server polls instead of holding, which costs a round trip per advice.interval and hides the two-connection budget`;
    if (t === null) {
      if (o.heldMs < 2 * eps(o.conditions, l)) return verdict.violation(expected, polls, { measurements });
      return verdict.pass(expected, `connect #${o.seq} held ${ms(o.heldMs)}; no advice.timeout was given, so its length is not judged`, {
        measurements,
      });
    }
    const excessMs = Math.round(Math.abs(o.heldMs - t) - tol);
    if (o.heldMs < t - tol) return verdict.violation(expected, polls, { measurements, excessMs });
    if (o.heldMs > t + tol)
      return verdict.violation(
        expected,
        `connect #${o.seq} was held ${ms(o.heldMs)}, longer than the advised ${ms(t)}: a client sizing its own timeout on the advice gives up first`,
        { measurements, excessMs },
      );
    return verdict.pass(expected, `connect #${o.seq} held ${ms(o.heldMs)} (the first connect after ${ms(o.firstConnectMs)})`, {
      measurements,
    });
  },
});

// Bayeux "Delivery": a publish wakes the held connect of a subscribed client.
interface WakeSeen {
  conditions: Conditions;
  timeoutMs: number;
  heldSeq: number;
  heldForMs: number;
  /** publish acknowledged → token on the held connect; null when it was not there */
  onHeldMs: number | null;
  nextSeq: number | null;
  /** publish → token on the following connect; null when not there either (or not asked) */
  onNextMs: number | null;
}

const wakeLimits = { ...EPSILON };

const connectWakes = defineRequirement<WakeSeen, typeof wakeLimits>({
  id: 'bay.connect-wakes',
  spec: 'Bayeux 1.0',
  section: 'Delivery',
  level: 'must',
  title: "A publish from another client is delivered on the subscriber's held /meta/connect at once",
  sources: [BAYEUX_SPEC, rfc(6202, '4.1')],
  transports: [...BAYEUX],
  needsPublish: false,
  timing: true,
  limits: wakeLimits,
  tolerance: () => `the event arrives within ε = ${EPSILON_TEXT} of the publish`,
  via: ['latency', 'http10'],
  deploymentCheck: true,
  faults: ['bayeux-no-wake'],
  remedy: 'answer the held /meta/connect as soon as an event for one of its subscriptions is published',
  async scenario(ctx) {
    const channel = channelOf(ctx.channel);
    const sub = await subscribed(ctx, 'subscriber', channel);
    const pub = newClient(ctx, 'publisher');
    try {
      const timeoutMs = connectTimeoutMs(ctx, sub);
      const { pending } = await heldConnect(ctx, sub, timeoutMs);
      const hs = await pub.handshake(controlMs(ctx));
      if (pub.clientId === null)
        throw new Inconclusive(`setup: the publisher's handshake failed (${hs.ex.problem ?? hs.reply?.error ?? ''})`);
      const token = ctx.nextToken();
      const tPub = ctx.now();
      const ack = await pub.publish(channel, { token }, controlMs(ctx));
      if (ack.reply?.successful !== true)
        throw new Inconclusive(
          `setup: the publish was not acknowledged (${ack.ex.problem ?? ack.reply?.error ?? `HTTP ${ack.ex.res.status}`})`,
        );
      const ex = await pending.done;
      const base = { conditions: conditions(ctx), timeoutMs, heldSeq: ex.seq, heldForMs: (ex.res.tEnd ?? ctx.now()) - pending.tSent };
      if (tokensIn(ex.replies ?? []).includes(token))
        return { ...base, onHeldMs: (ex.res.tEnd ?? ctx.now()) - tPub, nextSeq: null, onNextMs: null };
      const next = await sub.connect(connectDeadlineMs(ctx, timeoutMs));
      return {
        ...base,
        onHeldMs: null,
        nextSeq: next.seq,
        onNextMs: tokensIn(next.replies ?? []).includes(token) ? (next.res.tEnd ?? ctx.now()) - tPub : null,
      };
    } finally {
      sub.close();
      pub.close();
    }
  },
  evaluate(o, l): Verdict {
    const e = eps(o.conditions, l);
    const expected = `the event on the held connect within ${ms(e)} of the publish`;
    if (o.onHeldMs !== null && o.onHeldMs <= e)
      return verdict.pass(expected, `arrived ${ms(o.onHeldMs)} after the publish on connect #${o.heldSeq}`, {
        measurements: { latencyMs: Math.round(o.onHeldMs) },
      });
    if (o.onHeldMs !== null)
      return verdict.violation(
        expected,
        `arrived ${ms(o.onHeldMs)} after the publish, when connect #${o.heldSeq} ended (advice.timeout ${ms(o.timeoutMs)}): the publish did not wake the held connect`,
        { measurements: { latencyMs: Math.round(o.onHeldMs) }, excessMs: Math.round(o.onHeldMs - e) },
      );
    if (o.onNextMs !== null)
      return verdict.violation(
        expected,
        `not on the held connect #${o.heldSeq} (answered after ${ms(o.heldForMs)}), only on connect #${o.nextSeq ?? '?'}, ${ms(o.onNextMs)} after the publish`,
        { measurements: { latencyMs: Math.round(o.onNextMs) }, excessMs: Math.round(o.onNextMs - e) },
      );
    return verdict.loss(
      expected,
      `the publish was acknowledged and the event never arrived: neither on the held connect #${o.heldSeq} nor on connect #${o.nextSeq ?? '?'}`,
      { published: 1, lost: 1 },
    );
  },
});

// RFC 6202 §4.1 and Bayeux "Two connection operation": a held connect must not block the client.
interface TwoConnectionsSeen {
  conditions: Conditions;
  connectSeq: number;
  connectConnection: number;
  ackConnection: number;
  /** publish sent → acknowledged; null when it got no answer */
  ackMs: number | null;
  ackEnd: string;
  /** the acknowledgement came only after the held connect returned */
  ackAfterConnect: boolean;
}

const twoLimits = { ...EPSILON };

const twoConnections = defineRequirement<TwoConnectionsSeen, typeof twoLimits>({
  id: 'bay.two-connections',
  spec: 'Bayeux 1.0',
  section: 'Two connection operation',
  level: 'must',
  title: "While a client's /meta/connect is held, its publish on the second connection is answered at once",
  sources: [BAYEUX_SPEC, rfc(6202, '4.1')],
  transports: [...BAYEUX],
  needsPublish: false,
  timing: true,
  limits: twoLimits,
  tolerance: () => `the publish is acknowledged within ε = ${EPSILON_TEXT} and before the held connect returns`,
  deploymentCheck: true,
  faults: ['bayeux-serial'],
  remedy: "process a client's other requests while its /meta/connect is held; never serialise them behind it",
  async scenario(ctx) {
    const channel = channelOf(ctx.channel);
    const client = await subscribed(ctx, 'client', channel);
    try {
      const timeoutMs = connectTimeoutMs(ctx, client);
      const { pending } = await heldConnect(ctx, client, timeoutMs);
      // Published to another channel, so the client's own connect stays held and cannot be the
      // reason the publish is answered.
      const ack = await client.publish(`${channel}-other`, { token: ctx.nextToken() }, connectDeadlineMs(ctx, timeoutMs));
      const ex = await pending.done;
      const tAck = ack.ex.res.tEnd;
      return {
        conditions: conditions(ctx),
        connectSeq: ex.seq,
        connectConnection: ex.res.connectionId,
        ackConnection: ack.ex.res.connectionId,
        ackMs: tAck === null ? null : tAck - ack.ex.tSent,
        ackEnd: ack.ex.res.end,
        ackAfterConnect: tAck !== null && ex.res.tEnd !== null && tAck >= ex.res.tEnd,
      };
    } finally {
      client.close();
    }
  },
  evaluate(o, l): Verdict {
    const e = eps(o.conditions, l);
    const expected = `the publish acknowledged within ${ms(e)}, while the connect is still held`;
    if (o.ackMs === null)
      return verdict.violation(expected, `the publish got no answer while connect #${o.connectSeq} was held (${o.ackEnd})`);
    const facts = { measurements: { ackMs: Math.round(o.ackMs) }, excessMs: Math.round(o.ackMs - e) };
    if (o.ackAfterConnect && o.ackMs > e)
      return verdict.violation(
        expected,
        `the publish on connection #${o.ackConnection} was answered only after the held connect #${o.connectSeq} returned, ${ms(o.ackMs)} after it was sent: the server serialises a client's requests, so a browser with two connections per host stalls for the whole hold`,
        facts,
      );
    if (o.ackMs > e) return verdict.violation(expected, `the publish took ${ms(o.ackMs)} while the connect was held`, facts);
    return verdict.pass(
      expected,
      `acknowledged in ${ms(o.ackMs)} on connection #${o.ackConnection} while connect #${o.connectSeq} was held on #${o.connectConnection}`,
      { measurements: facts.measurements },
    );
  },
});

// Bayeux "reconnect advice": `handshake` tells a client its session is gone.
interface UnknownClientSeen extends ReplySeen {
  clientId: string;
}

const unknownClient = defineRequirement<UnknownClientSeen, Record<string, never>>({
  id: 'bay.unknown-client',
  spec: 'Bayeux 1.0',
  section: 'reconnect advice',
  level: 'must',
  title: 'A /meta/connect with an unknown clientId is unsuccessful and advises reconnect: handshake',
  sources: [BAYEUX_SPEC],
  transports: [...BAYEUX],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () =>
    'successful: false, and advice.reconnect "handshake" (a missing advice is a warning); the error code is not judged (servers use 401, 402, 403)',
  faults: ['bayeux-unknown-client-ok'],
  remedy: 'answer a connect for a clientId you do not know with successful: false and advice {"reconnect": "handshake"}',
  async scenario(ctx) {
    const client = newClient(ctx, 'client');
    try {
      const clientId = `pushspec${ctx.nextToken().replace(/-/g, '')}`;
      const ex = await client.send([{ channel: '/meta/connect', clientId, connectionType: 'long-polling' }], ctx.ms(10_000), 'connect');
      return { clientId, ...replySeen(ex, client.replyTo(ex, '/meta/connect')) };
    } finally {
      client.close();
    }
  },
  evaluate(o): Verdict {
    const expected = 'successful: false with advice.reconnect "handshake"';
    if (o.problem !== null) return verdict.violation(expected, `HTTP ${o.status}, not a Bayeux reply: ${o.problem}`);
    const r = o.reply;
    if (!r) return verdict.violation(expected, `no /meta/connect reply among ${o.replyCount} message(s)`);
    if (r.successful !== false)
      return verdict.violation(
        expected,
        `the connect for the made-up clientId "${o.clientId}" was answered successful: ${JSON.stringify(r).slice(0, 200)}; a client whose session expired is never told to handshake again`,
      );
    const advice: Advice | null = r.advice ?? null;
    if (advice?.reconnect !== 'handshake')
      return verdict.warn(
        expected,
        `unsuccessful (${r.error ?? 'no error'}) but the advice is ${JSON.stringify(advice)}: a client cannot tell a lost session from a transient error`,
      );
    return verdict.pass(expected, `unsuccessful (${r.error ?? 'no error'}), advice ${JSON.stringify(advice)}`);
  },
});

// Bayeux "Delivery" across connects, and RFC 6202 §2.2: nothing is lost while no connect is held.
interface NoLossSeen {
  published: string[];
  /** published tokens in arrival order, repeats included */
  received: string[];
  connects: number;
}

const noLossLimits = { events: 3, connects: 3 };

const noLoss = defineRequirement<NoLossSeen, typeof noLossLimits>({
  id: 'bay.no-loss',
  spec: 'Bayeux 1.0',
  section: 'Delivery',
  level: 'must',
  title: 'Events published while a subscriber has no /meta/connect outstanding arrive on its next connect, in order',
  sources: [BAYEUX_SPEC, rfc(6202, '2.2')],
  transports: [...BAYEUX],
  needsPublish: false,
  timing: false,
  limits: noLossLimits,
  tolerance: (l) => `exact: the ${l.events} events arrive once each, in publish order, within ${l.connects} connects`,
  via: ['latency'],
  deploymentCheck: true,
  faults: ['bayeux-drop-between-connects'],
  remedy: 'queue events on the session between connects and deliver them on the next /meta/connect',
  async scenario(ctx) {
    const channel = channelOf(ctx.channel);
    const sub = await subscribed(ctx, 'subscriber', channel);
    const pub = newClient(ctx, 'publisher');
    try {
      const timeoutMs = connectTimeoutMs(ctx, sub);
      await pub.handshake(controlMs(ctx));
      if (pub.clientId === null) throw new Inconclusive("setup: the publisher's handshake failed");
      const published: string[] = [];
      for (let i = 0; i < noLossLimits.events; i++) {
        const token = ctx.nextToken();
        const ack = await pub.publish(channel, { token }, controlMs(ctx));
        if (ack.reply?.successful !== true)
          throw new Inconclusive(`setup: publish ${i + 1} was not acknowledged (${ack.ex.problem ?? ack.reply?.error ?? ''})`);
        published.push(token);
      }
      const received: string[] = [];
      let connects = 0;
      while (connects < noLossLimits.connects && !published.every((p) => received.includes(p))) {
        const ex = await sub.connect(connectDeadlineMs(ctx, timeoutMs));
        connects += 1;
        received.push(...tokensIn(ex.replies ?? []).filter((t) => published.includes(t)));
        if (ex.res.end !== 'complete') break;
      }
      return { published, received, connects };
    } finally {
      sub.close();
      pub.close();
    }
  },
  evaluate(o): Verdict {
    const expected = `all ${o.published.length} events once each, in publish order`;
    const missing = o.published.filter((p) => !o.received.includes(p));
    if (missing.length)
      return verdict.loss(
        expected,
        `${missing.length} of ${o.published.length} acknowledged events never arrived over ${o.connects} connects: the session does not queue events between connects`,
        { published: o.published.length, lost: missing.length },
      );
    if (o.received.length !== new Set(o.received).size)
      return verdict.violation(expected, `an event arrived twice: ${o.received.join(', ')}`);
    if (o.received.join() !== o.published.join())
      return verdict.violation(expected, `out of order: received ${o.received.join(', ')} for ${o.published.join(', ')}`);
    return verdict.pass(expected, `all ${o.published.length} arrived in order over ${o.connects} connect(s)`);
  },
});

// Bayeux "Multiple clients operation": one browser, several tabs, two connections.
interface MultipleClientsSeen {
  conditions: Conditions;
  cookieName: string;
  /** the BAYEUX_BROWSER cookie came from the server (else pushspec made one up) */
  cookieFromServer: boolean;
  tookMs: number;
  advice: Advice;
}

const multiLimits = { ...EPSILON, promptMs: 1000 };

const multipleClients = defineRequirement<MultipleClientsSeen, typeof multiLimits>({
  id: 'bay.multiple-clients',
  spec: 'Bayeux 1.0',
  section: 'Multiple clients operation',
  level: 'should',
  title: 'A second session from one browser (BAYEUX_BROWSER cookie) is not held: it gets multiple-clients advice or an interval',
  sources: [BAYEUX_SPEC, rfc(6202, '5.1')],
  transports: [...BAYEUX],
  needsPublish: false,
  timing: true,
  limits: multiLimits,
  tolerance: (l) =>
    `the second session's connect returns within ε + ${secs(l.promptMs)} (ε = ${EPSILON_TEXT}) with advice multiple-clients: true or interval > 0`,
  faults: ['bayeux-hold-all-browsers'],
  remedy:
    'track sessions per BAYEUX_BROWSER cookie and answer the connects of all but one at once with advice {"multiple-clients": true, "interval": N}',
  async scenario(ctx) {
    const channel = channelOf(ctx.channel);
    const first = newClient(ctx, 'tab 1');
    const hs = await first.handshake(controlMs(ctx));
    const set = hs.ex.res.headers.find(([k, v]) => k.toLowerCase() === 'set-cookie' && /^BAYEUX_BROWSER=/i.test(v))?.[1];
    first.close();
    // The server's own cookie when it sets one; otherwise one of ours, as a browser would keep.
    const cookie = set?.split(';')[0] ?? `BAYEUX_BROWSER=${ctx.nextToken()}`;
    const a = await subscribed(ctx, 'tab 1', channel, 'long-polling', [['Cookie', cookie]]);
    const b = await subscribed(ctx, 'tab 2', channel, 'long-polling', [['Cookie', cookie]]);
    try {
      const timeoutMs = connectTimeoutMs(ctx, a);
      await heldConnect(ctx, a, timeoutMs);
      const tSent = ctx.now();
      const ex = await b.connect(connectDeadlineMs(ctx, timeoutMs));
      return {
        conditions: conditions(ctx),
        cookieName: cookie.split('=')[0] ?? '',
        cookieFromServer: set !== undefined,
        tookMs: (ex.res.tEnd ?? ctx.now()) - tSent,
        advice: b.replyTo(ex, '/meta/connect')?.advice ?? {},
      };
    } finally {
      a.close();
      b.close();
    }
  },
  evaluate(o, l): Verdict {
    const limit = eps(o.conditions, l) + l.promptMs * o.conditions.timeScale;
    const expected = `tab 2's connect back within ${ms(limit)} with multiple-clients or interval > 0`;
    const told = o.advice['multiple-clients'] === true || (o.advice.interval ?? 0) > 0;
    if (o.tookMs <= limit && told)
      return verdict.pass(
        expected,
        `answered after ${ms(o.tookMs)} with advice ${JSON.stringify(o.advice)}${o.cookieFromServer ? '' : ' (the server set no BAYEUX_BROWSER cookie; pushspec sent its own)'}`,
      );
    return verdict.violation(
      expected,
      `tab 2's connect (same ${o.cookieName} cookie, ${o.cookieFromServer ? 'set by the server' : "pushspec's own: the server sets none"}) was answered after ${ms(o.tookMs)} with advice ${JSON.stringify(o.advice)}: both tabs hold a connect, and with the browser's other requests they exhaust its connections to this host`,
      { measurements: { tookMs: Math.round(o.tookMs) } },
    );
  },
});

// RFC 6202 §6 (script injection) and Bayeux "callback-polling": the callback name is code.
interface JsonpSeen {
  callback: string;
  status: number;
  /** the first 200 characters of the answer */
  bodyStart: string;
  reflected: boolean;
}

const jsonpCallback = defineRequirement<JsonpSeen, Record<string, never>>({
  id: 'bay.jsonp-callback',
  spec: 'Bayeux 1.0',
  section: 'callback-polling',
  level: 'must',
  title: 'callback-polling does not reflect a jsonp callback that is not a plain identifier',
  sources: [BAYEUX_SPEC, rfc(6202, '6')],
  transports: [...BAYEUX],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () => 'exact: the answer to jsonp=alert(1)// is an error (4xx) or does not contain the injected text',
  faults: ['bayeux-jsonp-unchecked'],
  remedy: 'accept only callback names matching /^[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*$/ and answer 400 otherwise',
  async scenario(ctx) {
    const probe = newClient(ctx, 'callback client', 'callback-polling');
    try {
      const ok = await probe.handshake(controlMs(ctx));
      if (ok.reply?.successful !== true)
        throw new Inconclusive(
          `callback-polling is not offered: the GET handshake got ${ok.ex.problem ?? ok.reply?.error ?? `HTTP ${ok.ex.res.status}`}`,
        );
      const callback = 'alert(1)//';
      const res = await probe.rawGet(
        {
          jsonp: callback,
          message: JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['callback-polling'] }]),
        },
        controlMs(ctx),
      );
      const body = res.body.toString('utf8');
      return { callback, status: res.status, bodyStart: body.slice(0, 200), reflected: body.includes(`${callback}(`) };
    } finally {
      probe.close();
    }
  },
  evaluate(o): Verdict {
    const expected = 'an error, or an answer without the injected callback';
    if (o.status >= 400 && o.status < 500) return verdict.pass(expected, `HTTP ${o.status} for jsonp=${o.callback}`);
    if (o.reflected)
      return verdict.violation(
        expected,
        `HTTP ${o.status} ${JSON.stringify(o.bodyStart.slice(0, 80))}: the callback parameter is written into a script as is, so any page can run its own code in the answer (RFC 6202 §6)`,
      );
    return verdict.pass(expected, `HTTP ${o.status}; the callback was not reflected`);
  },
});

// RFC 9110 §15.5.1: a request the server cannot parse is the client's error.
interface JsonErrorSeen {
  gotHeaders: boolean;
  status: number;
  end: string;
}

const jsonErrors = defineRequirement<JsonErrorSeen, Record<string, never>>({
  id: 'bay.json-errors',
  spec: 'Bayeux 1.0',
  section: 'long-polling request messages',
  level: 'should',
  title: 'A Bayeux request body that is not JSON is answered 400, not with a server error',
  sources: [BAYEUX_SPEC, rfc(9110, '15.5.1')],
  transports: [...BAYEUX],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () => 'exact: a 4xx status',
  faults: ['bayeux-json-500'],
  remedy: 'answer an unparseable Bayeux body with 400 Bad Request',
  async scenario(ctx) {
    const client = newClient(ctx, 'client');
    try {
      const res = await client.sendRaw('[{"channel":"/meta/handshake",', controlMs(ctx));
      return { gotHeaders: res.tHeaders !== null, status: res.status, end: res.end };
    } finally {
      client.close();
    }
  },
  evaluate(o): Verdict {
    const expected = 'HTTP 400 (or another 4xx)';
    if (!o.gotHeaders) return verdict.violation(expected, `no answer (${o.end})`);
    if (o.status >= 400 && o.status < 500) return verdict.pass(expected, `HTTP ${o.status}`);
    return verdict.violation(
      expected,
      `HTTP ${o.status} for a truncated JSON body: ${o.status >= 500 ? 'a server error tells monitoring the server broke, and clients retry' : 'an answer that looks like success'}`,
    );
  },
});

export { connectHeld, connectWakes, handshake, jsonErrors, jsonpCallback, multipleClients, noLoss, twoConnections, unknownClient };
export const bayeuxRequirements: Requirement[] = [
  handshake,
  connectHeld,
  connectWakes,
  twoConnections,
  unknownClient,
  noLoss,
  multipleClients,
  jsonpCallback,
  jsonErrors,
];
