/**
 * Bayeux 1.0 session rules a server keeps while a client is connected: a disconnect releases the
 * held connect, a second connect does not leave two held, every message is answered (with an
 * error when it must be), and what the replies say — advice, error strings, the media type — is in
 * the form the specification gives.
 */
import type { CaseContext } from '../../runner/context.js';
import type { BayeuxExchange, BayeuxMessage } from '../../runner/drivers/bayeux.js';
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
  type ReplySeen,
} from '../scenarios/bayeux.js';
import { BAYEUX_ROW } from '../sources.js';
import { adviceProblems, ERROR_FORMAT } from './fields.js';

const eps = (c: Conditions, l: { slackMs: number; rtts: number }): number => epsilonMs(c.timeScale, c.rttMs, l);

/** Sent-time → end of a complete answer; null when the answer never completed (our deadline, a reset). */
const answeredAfter = (ex: BayeuxExchange, since: number): number | null =>
  ex.res.end === 'complete' && ex.res.tEnd !== null ? ex.res.tEnd - since : null;

/** A made-up clientId no server handed out. */
const unknownId = (ctx: CaseContext): string => `pushspec${ctx.nextToken().replace(/-/g, '')}`;

/** Handshake alone, or Inconclusive. */
async function handshaken(ctx: CaseContext, label: string): Promise<ReturnType<typeof newClient>> {
  const client = newClient(ctx, label);
  const hs = await client.handshake(controlMs(ctx));
  if (client.clientId === null) {
    client.close();
    throw new Inconclusive(`setup: the ${label}'s handshake failed (${hs.ex.problem ?? hs.reply?.error ?? `HTTP ${hs.ex.res.status}`})`);
  }
  return client;
}

/**
 * A short session whose exchanges the requirements read: handshake, subscribe, a connect ended by
 * the client's own publish (so it is not held for the whole timeout), and a connect for an
 * unknown clientId (an unsuccessful reply).
 */
async function shortSession(ctx: CaseContext): Promise<Array<{ label: string; ex: BayeuxExchange }>> {
  const channel = channelOf(ctx.channel);
  const client = await subscribed(ctx, 'client', channel);
  const stranger = newClient(ctx, 'stranger');
  try {
    // Not necessarily held (a polling server is judged here too): the publish ends it either way.
    const pending = await client.startConnect(connectDeadlineMs(ctx, connectTimeoutMs(ctx, client)));
    await client.publish(channel, { token: ctx.nextToken() }, controlMs(ctx));
    await pending.done;
    const unknown = await stranger.send(
      [{ channel: '/meta/connect', clientId: unknownId(ctx), connectionType: 'long-polling' }],
      controlMs(ctx),
      'connect',
    );
    // By the id of what was sent: unique per client, where the exchange number is not for overlapping requests.
    const label = (ex: BayeuxExchange): string => `${ex.sent.map((m) => m.channel).join(', ')} (id ${ex.sent[0]?.id ?? '?'})`;
    return [...client.exchanges, unknown].map((ex) => ({ label: ex === unknown ? '/meta/connect (unknown clientId)' : label(ex), ex }));
  } finally {
    client.close();
    stranger.close();
  }
}

// Bayeux "Disconnect": the disconnect is answered, and the server releases a waiting connect.
interface DisconnectSeen extends ReplySeen {
  conditions: Conditions;
  timeoutMs: number;
  connectSeq: number;
  /** disconnect sent → held connect answered; null when it got no complete answer */
  releasedMs: number | null;
  connectEnd: string;
}

const disconnectLimits = { ...EPSILON };

const disconnectReleases = defineRequirement<DisconnectSeen, typeof disconnectLimits>({
  id: 'bay.disconnect-releases',
  ...BAYEUX_ROW,
  section: 'Disconnect',
  level: 'must',
  title: "A /meta/disconnect is answered successfully, and the client's held /meta/connect is answered at once too",
  timing: true,
  limits: disconnectLimits,
  tolerance: () =>
    `the disconnect reply is successful (else fail); the held connect ends within ε = ${EPSILON_TEXT} of the disconnect (else a warning)`,
  // bayeux-serial too: the disconnect waits behind the held connect, which then ends at its timeout.
  faults: ['bayeux-disconnect-keeps-connect', 'bayeux-serial'],
  remedy: 'on /meta/disconnect, answer the session’s held /meta/connect at once before forgetting the session',
  async scenario(ctx) {
    const client = await handshaken(ctx, 'client');
    try {
      const timeoutMs = connectTimeoutMs(ctx, client);
      const { pending } = await heldConnect(ctx, client, timeoutMs);
      const tSent = ctx.now();
      const ex = await client.disconnect(controlMs(ctx));
      if (ex === null) throw new Inconclusive('setup: the client has no clientId to disconnect');
      const connect = await pending.done;
      return {
        ...replySeen(ex, client.replyTo(ex, '/meta/disconnect')),
        conditions: conditions(ctx),
        timeoutMs,
        connectSeq: connect.seq,
        releasedMs: answeredAfter(connect, tSent),
        connectEnd: connect.res.end,
      };
    } finally {
      client.close();
    }
  },
  evaluate(o, l): Verdict {
    const e = eps(o.conditions, l);
    const expected = `the disconnect answered successful and the held connect answered within ${ms(e)}`;
    if (o.problem !== null) return verdict.violation(expected, `the disconnect got HTTP ${o.status}, not a Bayeux reply: ${o.problem}`);
    if (!o.reply) return verdict.violation(expected, `no /meta/disconnect reply among ${o.replyCount} message(s)`);
    if (o.reply.successful !== true)
      return verdict.violation(expected, `the disconnect of a live session was unsuccessful: ${JSON.stringify(o.reply).slice(0, 160)}`);
    if (o.releasedMs === null)
      return verdict.warn(expected, `the held connect #${o.connectSeq} got no complete answer after the disconnect (${o.connectEnd})`);
    const measurements = { releasedMs: Math.round(o.releasedMs) };
    if (o.releasedMs > e)
      return verdict.warn(
        expected,
        `the held connect #${o.connectSeq} was answered ${ms(o.releasedMs)} after the disconnect (advice.timeout ${ms(o.timeoutMs)}): the client's connection stays occupied after it left`,
        { measurements, excessMs: Math.round(o.releasedMs - e) },
      );
    return verdict.pass(expected, `disconnected; the held connect #${o.connectSeq} was answered ${ms(o.releasedMs)} later`, {
      measurements,
    });
  },
});

// Bayeux "error": error_code ":" error_args ":" error_message.
interface ErrorsSeen {
  /** the error field of each unsuccessful reply, with the probe that drew it */
  errors: Array<{ probe: string; error: unknown }>;
}

const errorFormat = defineRequirement<ErrorsSeen, Record<string, never>>({
  id: 'bay.error-format',
  ...BAYEUX_ROW,
  section: 'error',
  level: 'should',
  title: 'The error field of an unsuccessful reply has the form code:args:message, with a three-digit code',
  timing: false,
  limits: {},
  tolerance: () => `exact: every error string matches ${String(ERROR_FORMAT)}; replies without an error are not judged here`,
  faults: ['bayeux-error-free-text'],
  remedy: 'write every error as code:args:message, e.g. "402:<clientId>:Unknown client" or "405:<channel>:Invalid channel"',
  async scenario(ctx) {
    const client = await handshaken(ctx, 'client');
    const stranger = newClient(ctx, 'stranger');
    try {
      const probes: Array<[string, BayeuxMessage]> = [
        ['connect with an unknown clientId', { channel: '/meta/connect', clientId: unknownId(ctx), connectionType: 'long-polling' }],
        ['subscribe with an unknown clientId', { channel: '/meta/subscribe', clientId: unknownId(ctx), subscription: '/pushspec/x' }],
        ['subscribe to an invalid channel', { channel: '/meta/subscribe', clientId: client.clientId ?? '', subscription: 'no-slash' }],
        [
          'handshake with no known connection type',
          { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['none-such'] },
        ],
      ];
      const errors: ErrorsSeen['errors'] = [];
      for (const [probe, message] of probes) {
        const on = message.channel === '/meta/subscribe' && message.clientId === client.clientId ? client : stranger;
        const ex = await on.send([message], controlMs(ctx), 'control');
        const reply = on.replyTo(ex, message.channel);
        if (reply?.successful === false && reply.error !== undefined) errors.push({ probe, error: reply.error });
      }
      return { errors };
    } finally {
      client.close();
      stranger.close();
    }
  },
  evaluate(o): Verdict {
    const expected = 'every error as code:args:message (three-digit code)';
    if (!o.errors.length) return verdict.inconclusive(expected, 'none of the 4 probes drew an unsuccessful reply with an error field');
    const bad = o.errors.filter((e) => typeof e.error !== 'string' || !ERROR_FORMAT.test(e.error));
    if (bad.length)
      return verdict.violation(
        expected,
        `${bad.map((e) => `${e.probe}: ${JSON.stringify(e.error)}`).join('; ')}: a client cannot read the code to decide what to do`,
      );
    return verdict.pass(expected, o.errors.map((e) => `${e.probe}: "${String(e.error)}"`).join('; '));
  },
});

// Bayeux "advice" ("reconnect advice", "interval advice", "timeout advice").
interface AdviceSeen {
  advice: Array<{ where: string; advice: unknown }>;
}

const adviceTypes = defineRequirement<AdviceSeen, Record<string, never>>({
  id: 'bay.advice-types',
  ...BAYEUX_ROW,
  section: 'advice',
  level: 'must',
  title: 'advice.reconnect is retry, handshake or none, and advice.timeout and advice.interval are integers (ms)',
  timing: false,
  limits: {},
  tolerance: () =>
    'exact, on every advice of a short session (handshake, subscribe, connect, a connect for an unknown clientId): reconnect ∈ {retry, handshake, none}, timeout and interval integers, multiple-clients boolean, hosts an array of strings',
  faults: ['bayeux-advice-invalid'],
  remedy: 'send advice as {"reconnect": "retry" | "handshake" | "none", "interval": <integer ms>, "timeout": <integer ms>}',
  async scenario(ctx) {
    const exchanges = await shortSession(ctx);
    return {
      advice: exchanges.flatMap(({ label, ex }) =>
        (ex.replies ?? [])
          .filter((m) => m.advice !== undefined)
          .map((m) => ({ where: `${m.channel} reply to ${label}`, advice: m.advice })),
      ),
    };
  },
  evaluate(o): Verdict {
    const expected = 'reconnect ∈ {retry, handshake, none}; timeout and interval integers';
    if (!o.advice.length) return verdict.inconclusive(expected, 'no reply of the session carried advice');
    const bad = o.advice.flatMap(({ where, advice }) => adviceProblems(advice).map((p) => `${where}: ${p}`));
    if (bad.length) return verdict.violation(expected, `${bad.join('; ')}: a client cannot follow advice it does not understand`);
    return verdict.pass(expected, o.advice.map(({ where, advice }) => `${where}: ${JSON.stringify(advice)}`).join('; '));
  },
});

// Bayeux "Connect Request": a client keeps one connect outstanding; the server ends the older one.
interface OneConnectSeen {
  conditions: Conditions;
  timeoutMs: number;
  /** second connect sent → first answered; null when it got no complete answer */
  firstMs: number | null;
  firstEnd: string;
  /** second connect sent → second answered; null when it got no complete answer */
  secondMs: number | null;
  secondEnd: string;
  /** how long pushspec waited for each */
  deadlineMs: number;
  secondReply: BayeuxMessage | null;
}

const oneConnectLimits = { ...EPSILON };

const oneConnect = defineRequirement<OneConnectSeen, typeof oneConnectLimits>({
  id: 'bay.one-connect',
  ...BAYEUX_ROW,
  section: 'Connect Request',
  level: 'should',
  title:
    'When a second /meta/connect arrives for a client whose connect is held, the held one is answered at once (or the second is refused)',
  timing: true,
  limits: oneConnectLimits,
  tolerance: () =>
    `the first connect, or an unsuccessful reply to the second, within ε = ${EPSILON_TEXT} of the second connect; a warning when both are held`,
  faults: ['bayeux-connects-both-held'],
  remedy: 'keep one held /meta/connect per client: answer the held one as soon as another connect for the same clientId arrives',
  async scenario(ctx) {
    const client = await handshaken(ctx, 'client');
    try {
      const timeoutMs = connectTimeoutMs(ctx, client);
      const { pending } = await heldConnect(ctx, client, timeoutMs);
      const tSent = ctx.now();
      // On the other connection: the connect connection is busy with the held one.
      const deadlineMs = connectDeadlineMs(ctx, timeoutMs);
      const second = client.send(
        [{ channel: '/meta/connect', clientId: client.clientId ?? '', connectionType: 'long-polling' }],
        deadlineMs,
        'control',
      );
      const [a, b] = await Promise.all([pending.done, second]);
      return {
        conditions: conditions(ctx),
        timeoutMs,
        firstMs: answeredAfter(a, tSent),
        firstEnd: a.res.end,
        secondMs: answeredAfter(b, tSent),
        secondEnd: b.res.end,
        deadlineMs,
        secondReply: client.replyTo(b, '/meta/connect'),
      };
    } finally {
      client.close();
    }
  },
  evaluate(o, l): Verdict {
    const e = eps(o.conditions, l);
    const expected = `the held connect answered (or the second refused) within ${ms(e)} of the second connect`;
    const second =
      o.secondMs === null
        ? `the second got no complete answer (${o.secondEnd} within ${ms(o.deadlineMs)})`
        : `the second was answered after ${ms(o.secondMs)}${o.secondReply?.successful === false ? ` unsuccessful (${o.secondReply.error ?? 'no error'})` : ''}`;
    if (o.firstMs !== null && o.firstMs <= e)
      return verdict.pass(expected, `the held connect was answered ${ms(o.firstMs)} after the second arrived; ${second}`);
    if (o.secondMs !== null && o.secondMs <= e && o.secondReply?.successful === false)
      return verdict.pass(expected, `${second}, and the first stayed held`);
    const first =
      o.firstMs === null
        ? `the first got no complete answer (${o.firstEnd} within ${ms(o.deadlineMs)} of its sending)`
        : `the first was answered after ${ms(o.firstMs)}`;
    const ends = [o.firstMs, o.secondMs].filter((x): x is number => x !== null);
    return verdict.violation(
      expected,
      `both connects were held (advice.timeout ${ms(o.timeoutMs)}): ${first}; ${second}; a client that reconnects after a network change holds two of its connections to this host`,
      ends.length ? { excessMs: Math.round(Math.min(...ends) - e) } : {},
    );
  },
});

// Bayeux "long-polling response messages": unwrapped application/json (UTF-8).
interface ResponseTypeSeen {
  responses: Array<{ label: string; status: number; contentType: string | null }>;
}

/** What is wrong with a long-polling reply's Content-Type; null when it is application/json in UTF-8. */
export function contentTypeProblem(contentType: string | null): string | null {
  if (contentType === null) return 'no Content-Type';
  const [type = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return `Content-Type ${contentType}`;
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8') return `Content-Type ${contentType} (charset not UTF-8)`;
  return null;
}

const responseType = defineRequirement<ResponseTypeSeen, Record<string, never>>({
  id: 'bay.response-type',
  ...BAYEUX_ROW,
  section: 'long-polling response messages',
  level: 'should',
  title: 'Long-polling replies are sent as application/json in UTF-8',
  timing: false,
  limits: {},
  tolerance: () =>
    'exact, on every reply of a short session (handshake, subscribe, connect, publish, an unsuccessful connect): media type application/json, charset UTF-8 if one is given',
  faults: ['bayeux-text-plain'],
  remedy: 'send long-polling replies with Content-Type: application/json; charset=utf-8',
  async scenario(ctx) {
    const exchanges = await shortSession(ctx);
    return {
      responses: exchanges
        .filter(({ ex }) => ex.res.tHeaders !== null)
        .map(({ label, ex }) => ({
          label,
          status: ex.res.status,
          contentType: ex.res.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? null,
        })),
    };
  },
  evaluate(o): Verdict {
    const expected = 'application/json (UTF-8) on every long-polling reply';
    if (!o.responses.length) return verdict.inconclusive(expected, 'no reply of the session was received');
    const bad = o.responses.flatMap((r) => {
      const problem = contentTypeProblem(r.contentType);
      return problem === null ? [] : [`${r.label} (HTTP ${r.status}): ${problem}`];
    });
    if (bad.length)
      return verdict.violation(
        expected,
        `${bad.join('; ')}: a client or an intermediary that goes by the media type may not treat it as JSON`,
      );
    return verdict.pass(expected, `${o.responses.length} replies, all ${[...new Set(o.responses.map((r) => r.contentType))].join(' / ')}`);
  },
});

// Bayeux "Unconnected operation": a message without a handshake may be refused, but is answered.
interface UnconnectedSeen {
  deadlineMs: number;
  probes: Array<{ probe: string; answered: boolean; end: string; status: number; reply: string }>;
}

const unconnectedLimits = { answerMs: 5000 };

const unconnectedAnswered = defineRequirement<UnconnectedSeen, typeof unconnectedLimits>({
  id: 'bay.unconnected-answered',
  ...BAYEUX_ROW,
  section: 'Unconnected operation',
  level: 'must',
  title: 'A publish with no clientId, or one the server does not know, is answered (an error is allowed), never left hanging',
  timing: false,
  limits: unconnectedLimits,
  tolerance: (l) => `an HTTP answer to each of the two publishes within ${secs(l.answerMs)} (scaled); its content is not judged`,
  faults: ['bayeux-unconnected-hangs'],
  remedy:
    'answer a message from no known session at once, e.g. with successful: false, "402::Unknown client" and advice {"reconnect": "handshake"}',
  async scenario(ctx) {
    const channel = channelOf(ctx.channel);
    const deadlineMs = ctx.ms(unconnectedLimits.answerMs);
    // Both at once, each on a fresh client: a hanging request takes its connection with it.
    const probe = async (name: string, clientId: string | undefined): Promise<UnconnectedSeen['probes'][number]> => {
      const client = newClient(ctx, `unconnected (${name})`);
      try {
        const message: BayeuxMessage = { channel, data: { token: ctx.nextToken() }, ...(clientId ? { clientId } : {}) };
        const ex = await client.send([message], deadlineMs, 'control');
        const reply = client.replyTo(ex, channel);
        return {
          probe: name,
          answered: ex.res.tHeaders !== null,
          end: ex.res.end,
          status: ex.res.status,
          reply: reply ? JSON.stringify(reply).slice(0, 160) : (ex.problem ?? 'no reply on the channel'),
        };
      } finally {
        client.close();
      }
    };
    const probes = await Promise.all([probe('no clientId', undefined), probe('an unknown clientId', unknownId(ctx))]);
    return { deadlineMs, probes };
  },
  evaluate(o): Verdict {
    const expected = `an answer to each publish within ${ms(o.deadlineMs)}`;
    const hung = o.probes.filter((p) => !p.answered);
    if (hung.length)
      return verdict.violation(
        expected,
        `${hung.map((p) => `the publish with ${p.probe} got no answer (${p.end})`).join('; ')}: the client cannot tell a refusal from a network failure, and the request holds a connection`,
      );
    return verdict.pass(expected, o.probes.map((p) => `${p.probe}: HTTP ${p.status} ${p.reply}`).join('; '));
  },
});

export { adviceTypes, disconnectReleases, errorFormat, oneConnect, responseType, unconnectedAnswered };
export const bayeuxSessionRequirements: Requirement[] = [
  disconnectReleases,
  errorFormat,
  adviceTypes,
  oneConnect,
  responseType,
  unconnectedAnswered,
];
