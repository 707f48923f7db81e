/**
 * Bayeux 1.0 (the specification as CometD publishes it; sections cited by title), and RFC 6202
 * §4.1 on Bayeux's use of long polling over two connections. pushspec drives the protocol
 * itself: a target needs only `{"bayeux": {"url": …}}`; events are published by a second
 * Bayeux client, so no publish hook is involved.
 */
import type { Requirement } from '../runner/requirement.js';
import type { BayeuxMessage } from '../runner/drivers/bayeux.js';
import { findTokens } from '../runner/tokens.js';
import { Inconclusive, verdict } from '../runner/verdict.js';
import { BAYEUX_SPEC, rfc } from './sources.js';
import { ms } from './format.js';
import { connectDeadlineMs, connectTimeoutMs, controlMs, heldConnect, newClient, subscribed } from './bayeux/session.js';

const BAYEUX = ['bayeux'] as const;

const channelOf = (c: string): string => `/pushspec/${c}`;
const tokensIn = (messages: readonly BayeuxMessage[]): string[] => messages.flatMap((m) => findTokens(JSON.stringify(m.data ?? null)));

// Bayeux "Successful Handshake Response" and "id": the fields a client needs to go on.
const handshake: Requirement = {
  id: 'bay.handshake', spec: 'Bayeux 1.0', section: 'Successful Handshake Response', level: 'must',
  title: 'A successful handshake reply carries channel, version, supportedConnectionTypes (with long-polling), clientId, successful and the request id',
  sources: [BAYEUX_SPEC], transports: [...BAYEUX], needsPublish: false, timing: false,
  tolerance: 'exact: every field present with the right type; long-polling among the connection types',
  faults: ['bayeux-handshake-fields'],
  remedy: 'answer /meta/handshake with channel, version, supportedConnectionTypes (including long-polling), clientId, successful: true and the id of the request',
  async run(ctx) {
    const client = newClient(ctx, 'client');
    try {
      const { ex, reply } = await client.handshake(controlMs(ctx));
      const expected = 'channel, version, supportedConnectionTypes ∋ long-polling, clientId, successful: true, the request id';
      if (ex.replies === null) return verdict.violation(expected, `the handshake answer (HTTP ${ex.res.status || ex.res.end}) is not a Bayeux reply: ${ex.problem ?? ''}`);
      if (!reply) return verdict.violation(expected, `no /meta/handshake reply among ${ex.replies.length} message(s)`);
      if (reply.successful !== true) throw new Inconclusive(`the handshake was refused (${reply.error ?? 'no error given'}); a server may refuse a client, and then nothing else can be judged`);
      const missing: string[] = [];
      if (typeof reply.version !== 'string') missing.push('version');
      if (!Array.isArray(reply.supportedConnectionTypes)) missing.push('supportedConnectionTypes');
      else if (!reply.supportedConnectionTypes.includes('long-polling')) missing.push('long-polling in supportedConnectionTypes (every server MUST support it)');
      if (typeof reply.clientId !== 'string' || reply.clientId === '') missing.push('clientId');
      if (reply.id !== ex.sent[0]?.id) missing.push(`id (sent "${ex.sent[0]?.id ?? ''}", got ${reply.id === undefined ? 'none' : `"${String(reply.id)}"`})`);
      if (missing.length) return verdict.violation(expected, `the successful handshake reply lacks ${missing.join(', ')}: ${JSON.stringify(reply).slice(0, 200)}`);
      return verdict.pass(expected, `clientId of ${String(reply.clientId).length} characters, version ${String(reply.version)}, types ${JSON.stringify(reply.supportedConnectionTypes)}, advice ${JSON.stringify(reply.advice ?? {})}`);
    } finally {
      client.close();
    }
  },
};

// Bayeux "Connect Response" and the timeout advice: a long-polling server holds the connect.
const connectHeld: Requirement = {
  id: 'bay.connect-held', spec: 'Bayeux 1.0', section: 'Connect Response', level: 'should',
  title: 'An idle /meta/connect is held for about the advised timeout, then answered successfully',
  sources: [BAYEUX_SPEC, rfc(6202, '4.1')], transports: [...BAYEUX], needsPublish: false, timing: true,
  tolerance: 'the second connect (the first may return at once) ends within advice.timeout ± (ε + 1 s), ε = 100 ms + 2 RTT',
  via: ['latency'], deploymentCheck: true,
  faults: ['bayeux-connect-not-held'],
  remedy: 'hold /meta/connect until an event arrives or advice.timeout passes, then answer it successfully',
  async run(ctx) {
    const client = await subscribed(ctx, 'client', channelOf(ctx.channel));
    try {
      const deadlineTimeoutMs = connectTimeoutMs(ctx, client);
      const tolMs = ctx.epsilonMs + ctx.ms(1000);
      const first = await client.connect(connectDeadlineMs(ctx, deadlineTimeoutMs));
      const second = await client.startConnect(connectDeadlineMs(ctx, deadlineTimeoutMs));
      const ex = await second.done;
      const reply = client.replyTo(ex, '/meta/connect');
      const heldMs = (ex.res.tEnd ?? ctx.now()) - second.tSent;
      const firstMs = Math.round((first.res.tEnd ?? ctx.now()) - first.tSent);
      // The advice as it stands after the connects: servers may give it on connect replies only.
      const timeoutMs = client.advice.timeout;
      const expected = timeoutMs === undefined ? 'an idle connect held (the server advises no timeout)' : `an idle connect held ${ms(timeoutMs)} (advice.timeout) ± ${ms(tolMs)}`;
      if (ex.res.tEnd === null) return verdict.violation(expected, `connect #${ex.seq} got no complete answer within ${ms(connectDeadlineMs(ctx, deadlineTimeoutMs))} (${ex.res.end})`);
      if (reply?.successful !== true) return verdict.violation(expected, `connect #${ex.seq} ended after ${ms(heldMs)} without a successful reply (${ex.problem ?? reply?.error ?? 'no /meta/connect reply'})`);
      if (timeoutMs === undefined) {
        // No advised timeout to hold to: only "held at all" can be judged.
        const atOnce = 2 * ctx.epsilonMs;
        const facts = { heldMs: Math.round(heldMs), firstConnectMs: firstMs };
        if (heldMs < atOnce) return verdict.violation(expected, `connect #${ex.seq} with nothing to deliver was answered after ${ms(heldMs)}: the server polls instead of holding`, { measurements: facts });
        return verdict.pass(expected, `connect #${ex.seq} held ${ms(heldMs)}; no advice.timeout was given, so its length is not judged`, { measurements: facts });
      }
      const excess = Math.abs(heldMs - timeoutMs) - tolMs;
      const measurements = { timeoutMs, heldMs: Math.round(heldMs), firstConnectMs: firstMs, excessMs: Math.max(0, Math.round(excess)) };
      if (heldMs < timeoutMs - tolMs) return verdict.violation(expected, `connect #${ex.seq} with nothing to deliver was answered after ${ms(heldMs)} (the first after ${firstMs} ms): the server polls instead of holding, which costs a round trip per advice.interval and hides the two-connection budget`, { measurements });
      if (heldMs > timeoutMs + tolMs) return verdict.violation(expected, `connect #${ex.seq} was held ${ms(heldMs)}, longer than the advised ${ms(timeoutMs)}: a client sizing its own timeout on the advice gives up first`, { measurements });
      return verdict.pass(expected, `connect #${ex.seq} held ${ms(heldMs)} (the first connect after ${firstMs} ms)`, { measurements });
    } finally {
      client.close();
    }
  },
};

// Bayeux "Delivery": a publish wakes the held connect of a subscribed client.
const connectWakes: Requirement = {
  id: 'bay.connect-wakes', spec: 'Bayeux 1.0', section: 'Delivery', level: 'must',
  title: 'A publish from another client is delivered on the subscriber\'s held /meta/connect at once',
  sources: [BAYEUX_SPEC, rfc(6202, '4.1')], transports: [...BAYEUX], needsPublish: false, timing: true,
  tolerance: 'the event arrives within ε = 100 ms + 2 RTT of the publish being acknowledged',
  via: ['latency', 'http10'], deploymentCheck: true,
  faults: ['bayeux-no-wake'],
  remedy: 'answer the held /meta/connect as soon as an event for one of its subscriptions is published',
  async run(ctx) {
    const channel = channelOf(ctx.channel);
    const sub = await subscribed(ctx, 'subscriber', channel);
    const pub = newClient(ctx, 'publisher');
    try {
      const timeoutMs = connectTimeoutMs(ctx, sub);
      const { pending } = await heldConnect(ctx, sub, timeoutMs);
      const hs = await pub.handshake(controlMs(ctx));
      if (pub.clientId === null) throw new Inconclusive(`setup: the publisher's handshake failed (${hs.ex.problem ?? hs.reply?.error ?? ''})`);
      const token = ctx.nextToken();
      const tPub = ctx.now();
      const ack = await pub.publish(channel, { token }, controlMs(ctx));
      if (ack.reply?.successful !== true) throw new Inconclusive(`setup: the publish was not acknowledged (${ack.ex.problem ?? ack.reply?.error ?? `HTTP ${ack.ex.res.status}`})`);
      const ex = await pending.done;
      const expected = `the event on the held connect within ${ms(ctx.epsilonMs)} of the publish`;
      const got = tokensIn(ex.replies ?? []).includes(token);
      const latency = (ex.res.tEnd ?? ctx.now()) - tPub;
      if (got && latency <= ctx.epsilonMs) return verdict.pass(expected, `arrived ${ms(latency)} after the publish on connect #${ex.seq}`, { measurements: { latencyMs: Math.round(latency) } });
      if (got) return verdict.violation(expected, `arrived ${ms(latency)} after the publish, when connect #${ex.seq} ended (advice.timeout ${ms(timeoutMs)}): the publish did not wake the held connect`, { measurements: { latencyMs: Math.round(latency), excessMs: Math.round(latency - ctx.epsilonMs) } });
      const next = await sub.connect(connectDeadlineMs(ctx, timeoutMs));
      if (tokensIn(next.replies ?? []).includes(token)) {
        const late = (next.res.tEnd ?? ctx.now()) - tPub;
        return verdict.violation(expected, `not on the held connect #${ex.seq} (answered after ${ms((ex.res.tEnd ?? ctx.now()) - pending.tSent)}), only on connect #${next.seq}, ${ms(late)} after the publish`, { measurements: { latencyMs: Math.round(late), excessMs: Math.round(late - ctx.epsilonMs) } });
      }
      return verdict.loss(expected, `the publish was acknowledged and the event never arrived: neither on the held connect #${ex.seq} nor on connect #${next.seq}`, { published: 1, lost: 1 });
    } finally {
      sub.close();
      pub.close();
    }
  },
};

// RFC 6202 §4.1 and Bayeux "Two connection operation": a held connect must not block the client.
const twoConnections: Requirement = {
  id: 'bay.two-connections', spec: 'Bayeux 1.0', section: 'Two connection operation', level: 'must',
  title: 'While a client\'s /meta/connect is held, its publish on the second connection is answered at once',
  sources: [BAYEUX_SPEC, rfc(6202, '4.1')], transports: [...BAYEUX], needsPublish: false, timing: true,
  tolerance: 'the publish is acknowledged within ε = 100 ms + 2 RTT and before the held connect returns',
  deploymentCheck: true,
  faults: ['bayeux-serial'],
  remedy: 'process a client\'s other requests while its /meta/connect is held; never serialise them behind it',
  async run(ctx) {
    const channel = channelOf(ctx.channel);
    const client = await subscribed(ctx, 'client', channel);
    try {
      const timeoutMs = connectTimeoutMs(ctx, client);
      const { pending } = await heldConnect(ctx, client, timeoutMs);
      // Published to another channel, so the client's own connect stays held and cannot be the
      // reason the publish is answered.
      const ack = await client.publish(`${channel}-other`, { token: ctx.nextToken() }, connectDeadlineMs(ctx, timeoutMs));
      const ex = await pending.done;
      const ackMs = (ack.ex.res.tEnd ?? ctx.now()) - ack.ex.tSent;
      const expected = `the publish acknowledged within ${ms(ctx.epsilonMs)}, while the connect is still held`;
      if (ack.ex.res.tEnd === null) return verdict.violation(expected, `the publish got no answer while connect #${ex.seq} was held (${ack.ex.res.end})`);
      const afterConnect = ex.res.tEnd !== null && ack.ex.res.tEnd >= ex.res.tEnd && ackMs > ctx.epsilonMs;
      if (afterConnect) return verdict.violation(expected, `the publish on connection #${ack.ex.res.connectionId} was answered only after the held connect #${ex.seq} returned, ${ms(ackMs)} after it was sent: the server serialises a client's requests, so a browser with two connections per host stalls for the whole hold`, { measurements: { ackMs: Math.round(ackMs), excessMs: Math.round(ackMs - ctx.epsilonMs) } });
      if (ackMs > ctx.epsilonMs) return verdict.violation(expected, `the publish took ${ms(ackMs)} while the connect was held`, { measurements: { ackMs: Math.round(ackMs), excessMs: Math.round(ackMs - ctx.epsilonMs) } });
      return verdict.pass(expected, `acknowledged in ${ms(ackMs)} on connection #${ack.ex.res.connectionId} while connect #${ex.seq} was held on #${ex.res.connectionId}`, { measurements: { ackMs: Math.round(ackMs) } });
    } finally {
      client.close();
    }
  },
};

// Bayeux "reconnect advice": `handshake` tells a client its session is gone.
const unknownClient: Requirement = {
  id: 'bay.unknown-client', spec: 'Bayeux 1.0', section: 'reconnect advice', level: 'must',
  title: 'A /meta/connect with an unknown clientId is unsuccessful and advises reconnect: handshake',
  sources: [BAYEUX_SPEC], transports: [...BAYEUX], needsPublish: false, timing: false,
  tolerance: 'successful: false, and advice.reconnect "handshake" (a missing advice is a warning); the error code is not judged (servers use 401, 402, 403)',
  faults: ['bayeux-unknown-client-ok'],
  remedy: 'answer a connect for a clientId you do not know with successful: false and advice {"reconnect": "handshake"}',
  async run(ctx) {
    const client = newClient(ctx, 'client');
    try {
      const bogus = `pushspec${ctx.nextToken().replace(/-/g, '')}`;
      const ex = await client.send([{ channel: '/meta/connect', clientId: bogus, connectionType: 'long-polling' }], ctx.ms(10_000), 'connect');
      const reply = client.replyTo(ex, '/meta/connect');
      const expected = 'successful: false with advice.reconnect "handshake"';
      if (ex.replies === null) return verdict.violation(expected, `HTTP ${ex.res.status || ex.res.end}, not a Bayeux reply: ${ex.problem ?? ''}`);
      if (!reply) return verdict.violation(expected, `no /meta/connect reply among ${ex.replies.length} message(s)`);
      if (reply.successful !== false) return verdict.violation(expected, `the connect for the made-up clientId "${bogus}" was answered successful: ${JSON.stringify(reply).slice(0, 200)}; a client whose session expired is never told to handshake again`);
      if (reply.advice?.reconnect !== 'handshake') return verdict.warn(expected, `unsuccessful (${reply.error ?? 'no error'}) but the advice is ${JSON.stringify(reply.advice ?? null)}: a client cannot tell a lost session from a transient error`);
      return verdict.pass(expected, `unsuccessful (${reply.error ?? 'no error'}), advice ${JSON.stringify(reply.advice)}`);
    } finally {
      client.close();
    }
  },
};

// Bayeux "Delivery" across connects, and RFC 6202 §2.2: nothing is lost while no connect is held.
const noLoss: Requirement = {
  id: 'bay.no-loss', spec: 'Bayeux 1.0', section: 'Delivery', level: 'must',
  title: 'Events published while a subscriber has no /meta/connect outstanding arrive on its next connect, in order',
  sources: [BAYEUX_SPEC, rfc(6202, '2.2')], transports: [...BAYEUX], needsPublish: false, timing: false,
  tolerance: 'exact: the 3 events arrive once each, in publish order, within 3 connects',
  via: ['latency'], deploymentCheck: true,
  faults: ['bayeux-drop-between-connects'],
  remedy: 'queue events on the session between connects and deliver them on the next /meta/connect',
  async run(ctx) {
    const channel = channelOf(ctx.channel);
    const sub = await subscribed(ctx, 'subscriber', channel);
    const pub = newClient(ctx, 'publisher');
    try {
      const timeoutMs = connectTimeoutMs(ctx, sub);
      await pub.handshake(controlMs(ctx));
      if (pub.clientId === null) throw new Inconclusive('setup: the publisher\'s handshake failed');
      const published: string[] = [];
      for (let i = 0; i < 3; i++) {
        const token = ctx.nextToken();
        const ack = await pub.publish(channel, { token }, controlMs(ctx));
        if (ack.reply?.successful !== true) throw new Inconclusive(`setup: publish ${i + 1} was not acknowledged (${ack.ex.problem ?? ack.reply?.error ?? ''})`);
        published.push(token);
      }
      const received: string[] = [];
      for (let i = 0; i < 3 && !published.every((p) => received.includes(p)); i++) {
        const ex = await sub.connect(connectDeadlineMs(ctx, timeoutMs));
        received.push(...tokensIn(ex.replies ?? []).filter((t) => published.includes(t)));
        if (ex.res.end !== 'complete') break;
      }
      const expected = `all ${published.length} events once each, in publish order`;
      const missing = published.filter((p) => !received.includes(p));
      if (missing.length) return verdict.loss(expected, `${missing.length} of ${published.length} acknowledged events never arrived over ${sub.exchanges.filter((e) => e.sent.some((m) => m.channel === '/meta/connect')).length} connects: the session does not queue events between connects`, { published: published.length, lost: missing.length });
      if (received.length !== new Set(received).size) return verdict.violation(expected, `an event arrived twice: ${received.join(', ')}`);
      if (received.join() !== published.join()) return verdict.violation(expected, `out of order: received ${received.join(', ')} for ${published.join(', ')}`);
      return verdict.pass(expected, `all ${published.length} arrived in order`);
    } finally {
      sub.close();
      pub.close();
    }
  },
};

// Bayeux "Multiple clients operation": one browser, several tabs, two connections.
const multipleClients: Requirement = {
  id: 'bay.multiple-clients', spec: 'Bayeux 1.0', section: 'Multiple clients operation', level: 'should',
  title: 'A second session from one browser (BAYEUX_BROWSER cookie) is not held: it gets multiple-clients advice or an interval',
  sources: [BAYEUX_SPEC, rfc(6202, '5.1')], transports: [...BAYEUX], needsPublish: false, timing: true,
  tolerance: 'the second session\'s connect returns within ε + 1 s with advice multiple-clients: true or interval > 0',
  faults: ['bayeux-hold-all-browsers'],
  remedy: 'track sessions per BAYEUX_BROWSER cookie and answer the connects of all but one at once with advice {"multiple-clients": true, "interval": N}',
  async run(ctx) {
    const channel = channelOf(ctx.channel);
    const first = newClient(ctx, 'tab 1');
    const hs = await first.handshake(controlMs(ctx));
    const set = hs.ex.res.headers.find(([k, v]) => k.toLowerCase() === 'set-cookie' && /^BAYEUX_BROWSER=/i.test(v))?.[1];
    // The server's own cookie when it sets one; otherwise one of ours, as a browser would keep.
    const cookie = set?.split(';')[0] ?? `BAYEUX_BROWSER=${ctx.nextToken()}`;
    first.close();
    const a = await subscribed(ctx, 'tab 1', channel, 'long-polling', [['Cookie', cookie]]);
    const b = await subscribed(ctx, 'tab 2', channel, 'long-polling', [['Cookie', cookie]]);
    try {
      const timeoutMs = connectTimeoutMs(ctx, a);
      await heldConnect(ctx, a, timeoutMs);
      const limit = ctx.epsilonMs + ctx.ms(1000);
      const tSent = ctx.now();
      const ex = await b.connect(connectDeadlineMs(ctx, timeoutMs));
      const took = (ex.res.tEnd ?? ctx.now()) - tSent;
      const advice = b.replyTo(ex, '/meta/connect')?.advice ?? {};
      const expected = `tab 2's connect back within ${ms(limit)} with multiple-clients or interval > 0`;
      const told = advice['multiple-clients'] === true || (advice.interval ?? 0) > 0;
      if (took <= limit && told) return verdict.pass(expected, `answered after ${ms(took)} with advice ${JSON.stringify(advice)}${set ? '' : ' (the server set no BAYEUX_BROWSER cookie; pushspec sent its own)'}`);
      return verdict.violation(expected, `tab 2's connect (same ${cookie.split('=')[0] ?? ''} cookie, ${set ? 'set by the server' : 'pushspec\'s own: the server sets none'}) was answered after ${ms(took)} with advice ${JSON.stringify(advice)}: both tabs hold a connect, and with the browser's other requests they exhaust its connections to this host`, { measurements: { tookMs: Math.round(took) } });
    } finally {
      a.close();
      b.close();
    }
  },
};

// RFC 6202 §6 (script injection) and Bayeux "callback-polling": the callback name is code.
const jsonpCallback: Requirement = {
  id: 'bay.jsonp-callback', spec: 'Bayeux 1.0', section: 'callback-polling', level: 'must',
  title: 'callback-polling does not reflect a jsonp callback that is not a plain identifier',
  sources: [BAYEUX_SPEC, rfc(6202, '6')], transports: [...BAYEUX], needsPublish: false, timing: false,
  tolerance: 'exact: the answer to jsonp=alert(1)// is an error (4xx) or does not contain the injected text',
  faults: ['bayeux-jsonp-unchecked'],
  remedy: 'accept only callback names matching /^[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*$/ and answer 400 otherwise',
  async run(ctx) {
    const probe = newClient(ctx, 'callback client', 'callback-polling');
    try {
      const ok = await probe.handshake(controlMs(ctx));
      if (ok.reply?.successful !== true) throw new Inconclusive(`callback-polling is not offered: the GET handshake got ${ok.ex.problem ?? ok.reply?.error ?? `HTTP ${ok.ex.res.status}`}`);
      const evil = 'alert(1)//';
      const res = await probe.rawGet({ jsonp: evil, message: JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['callback-polling'] }]) }, controlMs(ctx));
      const body = res.body.toString('utf8');
      const expected = 'an error, or an answer without the injected callback';
      if (res.status >= 400 && res.status < 500) return verdict.pass(expected, `HTTP ${res.status} for jsonp=${evil}`);
      if (body.includes(`${evil}(`)) return verdict.violation(expected, `HTTP ${res.status} ${JSON.stringify(body.slice(0, 80))}: the callback parameter is written into a script as is, so any page can run its own code in the answer (RFC 6202 §6)`);
      return verdict.pass(expected, `HTTP ${res.status}; the callback was not reflected`);
    } finally {
      probe.close();
    }
  },
};

// RFC 9110 §15.5.1: a request the server cannot parse is the client's error.
const jsonErrors: Requirement = {
  id: 'bay.json-errors', spec: 'Bayeux 1.0', section: 'long-polling request messages', level: 'should',
  title: 'A Bayeux request body that is not JSON is answered 400, not with a server error',
  sources: [BAYEUX_SPEC, rfc(9110, '15.5.1')], transports: [...BAYEUX], needsPublish: false, timing: false,
  tolerance: 'exact: a 4xx status',
  faults: ['bayeux-json-500'],
  remedy: 'answer an unparseable Bayeux body with 400 Bad Request',
  async run(ctx) {
    const client = newClient(ctx, 'client');
    try {
      const res = await client.sendRaw('[{"channel":"/meta/handshake",', controlMs(ctx));
      const expected = 'HTTP 400 (or another 4xx)';
      if (res.tHeaders === null) return verdict.violation(expected, `no answer (${res.end})`);
      if (res.status >= 400 && res.status < 500) return verdict.pass(expected, `HTTP ${res.status}`);
      return verdict.violation(expected, `HTTP ${res.status} for a truncated JSON body: ${res.status >= 500 ? 'a server error tells monitoring the server broke, and clients retry' : 'an answer that looks like success'}`);
    } finally {
      client.close();
    }
  },
};

export const bayeuxRequirements: readonly Requirement[] = [handshake, connectHeld, connectWakes, twoConnections, unknownClient, noLoss, multipleClients, jsonpCallback, jsonErrors];
