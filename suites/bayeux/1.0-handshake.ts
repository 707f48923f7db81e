/**
 * Bayeux 1.0 handshakes and client identity: a refused handshake still says why, a handshake
 * travels alone, and the clientId it hands out is unique, unguessable and never shown to other
 * clients (anyone who learns it can act as that client).
 */
import type { CaseContext } from '../../runner/context.js';
import type { BayeuxClient, BayeuxMessage } from '../../runner/drivers/bayeux.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import {
  channelOf,
  connectDeadlineMs,
  connectTimeoutMs,
  controlMs,
  newClient,
  replySeen,
  subscribed,
  tokensIn,
  type ReplySeen,
} from '../scenarios/bayeux.js';
import { BAYEUX_ROW } from '../sources.js';
import { adviceProblems } from './fields.js';

/** A handshake of a fresh client with some fields replaced; a session it opens is closed again. */
async function probeHandshake(ctx: CaseContext, fields: Partial<BayeuxMessage>): Promise<ReplySeen> {
  const client = newClient(ctx, 'probe');
  try {
    const { ex, reply } = await client.handshake(controlMs(ctx), fields);
    if (client.clientId !== null) await client.disconnect(controlMs(ctx));
    return replySeen(ex, reply);
  } finally {
    client.close();
  }
}

/** Connects until every token arrived or `connects` connects were made; the tokens in arrival order. */
async function collectTokens(
  ctx: CaseContext,
  client: BayeuxClient,
  want: readonly string[],
  connects: number,
): Promise<{ received: string[]; messages: BayeuxMessage[]; connects: number }> {
  const timeoutMs = connectTimeoutMs(ctx, client);
  const received: string[] = [];
  const messages: BayeuxMessage[] = [];
  let made = 0;
  while (made < connects && !want.every((t) => received.includes(t))) {
    const ex = await client.connect(connectDeadlineMs(ctx, timeoutMs));
    made += 1;
    const events = (ex.replies ?? []).filter((m) => !m.channel.startsWith('/meta/'));
    messages.push(...events);
    received.push(...tokensIn(events));
    if (ex.res.end !== 'complete') break;
  }
  return { received, messages, connects: made };
}

/** A subscriber on the case's channel and a handshaken publisher, both closed after `run`. */
async function withPublisher<T>(
  ctx: CaseContext,
  run: (sub: BayeuxClient, pub: BayeuxClient, pubId: string, channel: string) => Promise<T>,
): Promise<T> {
  const channel = channelOf(ctx.channel);
  const sub = await subscribed(ctx, 'subscriber', channel);
  const pub = newClient(ctx, 'publisher');
  try {
    await pub.handshake(controlMs(ctx));
    if (pub.clientId === null) throw new Inconclusive("setup: the publisher's handshake failed");
    return await run(sub, pub, pub.clientId, channel);
  } finally {
    sub.close();
    pub.close();
  }
}

/** Publishes `{token}`, or Inconclusive when the server does not acknowledge it. */
async function publishAcked(ctx: CaseContext, pub: BayeuxClient, channel: string, token: string, what: string): Promise<void> {
  const ack = await pub.publish(channel, { token }, controlMs(ctx));
  if (ack.reply?.successful !== true)
    throw new Inconclusive(`setup: ${what} was not acknowledged (${ack.ex.problem ?? ack.reply?.error ?? `HTTP ${ack.ex.res.status}`})`);
}

// Bayeux "Unsuccessful Handshake Response" (and "Successful Handshake Response": no connection
// type in common MUST make the handshake unsuccessful).
interface RefusedSeen {
  /** only an unknown connection type offered */
  types: ReplySeen;
  /** version and minimumVersion 99.0: a server may accept it, and is judged only if it refuses */
  version: ReplySeen;
}

const UNKNOWN_TYPE = 'pushspec-unknown-transport';
const FUTURE_VERSION = '99.0';

/** What makes a refusal malformed; empty when it is a well-formed unsuccessful reply. */
function refusalProblems(r: BayeuxMessage): string[] {
  const problems: string[] = [];
  if (r.successful !== false) problems.push(`successful is ${JSON.stringify(r.successful)}, not false`);
  if (typeof r.error !== 'string' || r.error.trim() === '')
    problems.push(`error is ${r.error === undefined ? 'missing' : JSON.stringify(r.error)}, not a string saying why`);
  if (r.advice !== undefined) problems.push(...adviceProblems(r.advice).map((p) => `advice: ${p}`));
  return problems;
}

/** A probe's reply, or why it cannot be one: `null` when it is a reply to judge. */
function notAReply(name: string, s: ReplySeen): string | null {
  if (s.problem !== null) return `the handshake offering ${name} got HTTP ${s.status}, not a Bayeux reply: ${s.problem}`;
  if (!s.reply) return `the handshake offering ${name} got no /meta/handshake reply among ${s.replyCount} message(s)`;
  return null;
}

const handshakeRefused = defineRequirement<RefusedSeen, Record<string, never>>({
  id: 'bay.handshake-refused',
  ...BAYEUX_ROW,
  section: 'Unsuccessful Handshake Response',
  level: 'must',
  title:
    'A handshake the server cannot accept (no connection type in common, an unsupported version) gets an unsuccessful reply with channel, successful: false and an error string',
  timing: false,
  limits: {},
  tolerance: () =>
    `exact: offering only "${UNKNOWN_TYPE}" is refused with channel /meta/handshake, successful: false, a non-empty error string and valid advice if any; a refusal of version ${FUTURE_VERSION} is held to the same form (accepting it is not judged)`,
  faults: ['bayeux-refusal-bare'],
  remedy:
    'refuse a handshake with no connection type in common with [{"channel": "/meta/handshake", "successful": false, "error": "301:<types>:Connection types not supported", "supportedConnectionTypes": [...], "advice": {"reconnect": "none"}}]',
  async scenario(ctx) {
    return {
      types: await probeHandshake(ctx, { supportedConnectionTypes: [UNKNOWN_TYPE] }),
      version: await probeHandshake(ctx, { version: FUTURE_VERSION, minimumVersion: FUTURE_VERSION }),
    };
  },
  evaluate(o): Verdict {
    const expected = 'successful: false with an error string (and valid advice, if any) on the /meta/handshake channel';
    const typesName = `only the connection type "${UNKNOWN_TYPE}"`;
    const missing = notAReply(typesName, o.types);
    if (missing !== null) return verdict.violation(expected, `${missing}: a client cannot tell why it was refused`);
    const r = o.types.reply as BayeuxMessage;
    if (r.successful === true)
      return verdict.violation(
        expected,
        `the handshake offering ${typesName} was answered successful (${JSON.stringify(r).slice(0, 160)}): with no connection type in common it MUST be unsuccessful`,
      );
    const problems = refusalProblems(r).map((p) => `${typesName}: ${p}`);
    const v = o.version.reply;
    const versionRefused = o.version.problem === null && v !== null && v.successful !== true;
    if (versionRefused) problems.push(...refusalProblems(v).map((p) => `version ${FUTURE_VERSION}: ${p}`));
    if (problems.length) return verdict.violation(expected, `the refusal is malformed: ${problems.join('; ')}`);
    const versionNote = versionRefused
      ? `version ${FUTURE_VERSION} refused with "${String(v.error)}"`
      : `version ${FUTURE_VERSION} was ${v?.successful === true ? 'accepted (not judged)' : `not answered with a reply (${o.version.problem ?? 'none'}; not judged)`}`;
    return verdict.pass(
      expected,
      `${typesName} refused with "${String(r.error)}", advice ${JSON.stringify(r.advice ?? null)}; ${versionNote}`,
    );
  },
});

// Bayeux "Handshake Request": "A server MUST ignore any other message sent in the same request
// as a handshake message."
interface AloneSeen {
  /** the replies to the [handshake, publish] batch: channel and successful, or why none */
  batchReplies: string[];
  batchToken: string;
  controlToken: string;
  received: string[];
  connects: number;
}

const aloneLimits = { connects: 3 };

const handshakeAlone = defineRequirement<AloneSeen, typeof aloneLimits>({
  id: 'bay.handshake-alone',
  ...BAYEUX_ROW,
  section: 'Handshake Request',
  level: 'must',
  title: 'A message sent in the same request as a /meta/handshake is ignored: a publish batched with a handshake is not delivered',
  timing: false,
  limits: aloneLimits,
  tolerance: (l) =>
    `exact: a subscriber that receives an ordinary publish sent after the batch (within ${l.connects} connects) never receives the batched one`,
  faults: ['bayeux-handshake-batch'],
  remedy: 'when a request holds a /meta/handshake, process the handshake alone and drop the other messages of that request',
  scenario: (ctx) =>
    withPublisher(ctx, async (sub, pub, pubId, channel) => {
      const batchToken = ctx.nextToken();
      // A publish with the publisher's own, valid clientId: only the batching can make it ignored.
      const batch = await pub.send(
        [
          { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] },
          { channel, clientId: pubId, data: { token: batchToken } },
        ],
        controlMs(ctx),
        'control',
      );
      const controlToken = ctx.nextToken();
      await publishAcked(ctx, pub, channel, controlToken, 'the ordinary publish');
      const seen = await collectTokens(ctx, sub, [controlToken], aloneLimits.connects);
      return {
        batchReplies: batch.replies?.map(
          (m) => `${m.channel}${m.successful === undefined ? '' : ` successful: ${String(m.successful)}`}`,
        ) ?? [`no reply (${batch.problem ?? ''})`],
        batchToken,
        controlToken,
        received: seen.received,
        connects: seen.connects,
      };
    }),
  evaluate(o): Verdict {
    const expected = 'the publish batched with a handshake is not delivered';
    if (!o.received.includes(o.controlToken))
      return verdict.inconclusive(
        expected,
        `the ordinary publish after the batch did not reach the subscriber either (${o.connects} connects), so the absence of the batched one proves nothing`,
      );
    const replies = `the batch was answered with [${o.batchReplies.join(', ')}]`;
    if (o.received.includes(o.batchToken))
      return verdict.violation(
        expected,
        `the publish sent in the same request as a /meta/handshake was delivered to the subscriber (${replies}): the server processes messages it MUST ignore`,
      );
    return verdict.pass(expected, `only the ordinary publish arrived; ${replies}`);
  },
});

// Bayeux "Client ID": unique (MUST), from a strong random source of at least 128 bits (SHOULD).
interface ClientIdsSeen {
  /** the clientIds of consecutive handshakes, in the order they were handed out */
  ids: string[];
}

const idLimits = { handshakes: 40, minBits: 128 };

/** Apparent randomness: the positions that vary across the ids, times log2 of the characters seen there. */
export function apparentBits(ids: readonly string[]): { bits: number; varying: number; alphabet: number } {
  const len = Math.min(...ids.map((i) => i.length));
  const chars = new Set<string>();
  let varying = 0;
  for (let p = 0; p < len; p++) {
    const here = new Set(ids.map((i) => i[p] ?? ''));
    if (here.size < 2) continue;
    varying += 1;
    for (const c of here) chars.add(c);
  }
  return { bits: varying * Math.log2(Math.max(chars.size, 1)), varying, alphabet: chars.size };
}

/** Every id greater than the one before (shorter first, as numbers compare): a counter or a clock. */
export function ascending(ids: readonly string[]): boolean {
  const greater = (a: string, b: string): boolean => a.length > b.length || (a.length === b.length && a > b);
  return ids.length > 2 && ids.every((id, i) => i === 0 || greater(id, ids[i - 1] ?? ''));
}

const clientIdUnique = defineRequirement<ClientIdsSeen, typeof idLimits>({
  id: 'bay.client-id-unique',
  ...BAYEUX_ROW,
  section: 'Client ID',
  level: 'must',
  title: 'Every handshake gets a clientId no other has; it should carry at least 128 random bits and not follow a sequence',
  timing: false,
  limits: idLimits,
  tolerance: (l) =>
    `${l.handshakes} handshakes: a repeated clientId fails; a warning when the positions that vary across them × log2(characters seen there) is below ${l.minBits} bits, or when each id is greater than the one before`,
  faults: ['bayeux-client-id-counter'],
  remedy:
    'make each clientId from at least 128 bits of a cryptographic random source (e.g. 16 random bytes, hex-encoded), never a counter or a time',
  async scenario(ctx) {
    const client = newClient(ctx, 'client');
    try {
      const ids: string[] = [];
      for (let i = 0; i < idLimits.handshakes; i++) {
        const { ex, reply } = await client.handshake(controlMs(ctx));
        if (reply?.successful !== true || typeof reply.clientId !== 'string')
          throw new Inconclusive(`setup: handshake ${i + 1} failed (${ex.problem ?? reply?.error ?? `HTTP ${ex.res.status}`})`);
        ids.push(reply.clientId);
      }
      return { ids };
    } finally {
      client.close();
    }
  },
  evaluate(o, l): Verdict {
    const expected = `${o.ids.length} distinct clientIds with ≥ ${l.minBits} bits of apparent randomness, in no sequence`;
    const seen = new Set<string>();
    const repeated = o.ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
    if (repeated.length)
      return verdict.violation(
        expected,
        `${repeated.length} of ${o.ids.length} handshakes got a clientId already handed out (${[...new Set(repeated)].slice(0, 3).join(', ')}): two clients share one session`,
      );
    const { bits, varying, alphabet } = apparentBits(o.ids);
    const measurements = { apparentBits: Math.round(bits), shortestId: Math.min(...o.ids.map((i) => i.length)) };
    const weak: string[] = [];
    if (bits < l.minBits)
      weak.push(`only ${Math.round(bits)} bits of apparent randomness (${varying} varying positions × log2 ${alphabet} characters)`);
    if (ascending(o.ids)) weak.push('each id is greater than the one before (a counter or a clock)');
    const sample = o.ids.slice(0, 3).join(', ');
    if (weak.length)
      return verdict.warn(expected, `clientIds like ${sample}: ${weak.join('; ')}, so another client can guess a live one`, {
        measurements,
      });
    return verdict.pass(expected, `${o.ids.length} distinct clientIds like ${sample}, ≈ ${Math.round(bits)} bits of apparent randomness`, {
      measurements,
    });
  },
});

// Bayeux "clientId" (security): a client's clientId shown to another lets it act as that client.
interface PrivateSeen {
  publisherId: string;
  /** the copy of the event the subscriber got, or null when it never arrived */
  delivered: BayeuxMessage | null;
  connects: number;
}

const privateLimits = { connects: 2 };

/** Whether a string value anywhere in the delivered copy is `id`, leaving out its own id, channel and our token. */
export function carriesId(m: BayeuxMessage, id: string): boolean {
  const walk = (v: unknown): boolean =>
    typeof v === 'string' ? v === id : typeof v === 'object' && v !== null ? Object.values(v).some(walk) : false;
  return Object.entries(m).some(([k, v]) => k !== 'id' && k !== 'channel' && walk(v));
}

const clientIdPrivate = defineRequirement<PrivateSeen, typeof privateLimits>({
  id: 'bay.client-id-private',
  ...BAYEUX_ROW,
  section: 'clientId',
  level: 'must',
  title: "An event delivered to subscribers does not carry the publisher's clientId",
  timing: false,
  limits: privateLimits,
  tolerance: (l) =>
    `exact: no field of the subscriber's copy (within ${l.connects} connects) holds the publisher's clientId (the message's own id and channel excepted)`,
  faults: ['bayeux-client-id-leak'],
  remedy: 'remove clientId (and anything else naming the publishing session) from a published message before delivering it to others',
  scenario: (ctx) =>
    withPublisher(ctx, async (sub, pub, pubId, channel) => {
      const token = ctx.nextToken();
      await publishAcked(ctx, pub, channel, token, 'the publish');
      const seen = await collectTokens(ctx, sub, [token], privateLimits.connects);
      const delivered = seen.messages.find((m) => tokensIn([m]).includes(token)) ?? null;
      return { publisherId: pubId, delivered, connects: seen.connects };
    }),
  evaluate(o): Verdict {
    const expected = "the subscriber's copy without the publisher's clientId";
    if (o.delivered === null)
      return verdict.inconclusive(
        expected,
        `the acknowledged event never reached the subscriber (${o.connects} connects), so its copy cannot be read`,
      );
    if (carriesId(o.delivered, o.publisherId))
      return verdict.violation(
        expected,
        `the subscriber received ${JSON.stringify(o.delivered).slice(0, 200)}, which holds the publisher's clientId "${o.publisherId}": any subscriber can connect, publish and unsubscribe as the publisher`,
      );
    return verdict.pass(expected, `the subscriber received ${JSON.stringify(o.delivered).slice(0, 160)}`);
  },
});

export { clientIdPrivate, clientIdUnique, handshakeAlone, handshakeRefused };
export const bayeuxHandshakeRequirements: Requirement[] = [handshakeRefused, handshakeAlone, clientIdUnique, clientIdPrivate];
