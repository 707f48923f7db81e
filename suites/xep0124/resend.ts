/**
 * XEP-0124 §14.3 (broken connections): a resent rid whose response the connection manager no
 * longer buffers cannot be answered faithfully, so it must end the session with item-not-found
 * rather than treat the request as new. (A resend of a buffered rid is bosh.rid-resend.)
 */
import { BoshSession } from '../../runner/drivers/bosh.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { authenticated } from '../scenarios/bosh.js';

const xep = (anchor: string): string => `https://xmpp.org/extensions/xep-0124.html#${anchor}`;

export interface ExpiredSeen {
  /** the session's requests attribute (how many responses it must buffer at least) */
  requests: number;
  /** the rid resent, and how many requests were answered after it */
  rid: number;
  answeredAfter: number;
  status: number;
  attrs: Record<string, string>;
  /** the resend got the original payload back: the response was still buffered */
  copyCameBack: boolean;
  problem: string | null;
}

/** Requests answered after the resent rid beyond the `requests` a connection manager must buffer. */
const expiredLimits = { beyondBuffer: 2 };

const ridExpired = defineRequirement<ExpiredSeen, typeof expiredLimits>({
  id: 'bosh.rid-expired',
  spec: 'XEP-0124',
  section: '14.3',
  level: 'must',
  title: 'A resent rid whose response is no longer buffered ends the session with item-not-found',
  sources: [xep('rids-broken')],
  transports: ['bosh'],
  needsPublish: false,
  timing: false,
  dependsOn: ['bosh.rid-resend'],
  limits: expiredLimits,
  tolerance: (l) =>
    `exact: after requests + ${l.beyondBuffer} further answered requests, the resent rid gets <body type='terminate' condition='item-not-found'/> (or a legacy HTTP 404)`,
  faults: ['bosh-expired-rid-accepted'],
  remedy:
    "when a rid at or below the last one has no buffered response, answer <body type='terminate' condition='item-not-found'/> and end the session; never process it as a new request",
  async scenario(ctx) {
    const { s, jid, waitMs } = await authenticated(ctx);
    try {
      const deadline = waitMs * 1.5 + ctx.ms(2000);
      const requests = Number(s.granted['requests'] ?? 2);
      // Messages to self come back on their own request at once, so each is answered and buffered.
      const tokens = Array.from({ length: requests + 1 + expiredLimits.beyondBuffer }, () => ctx.nextToken());
      const sent = [];
      for (const t of tokens) sent.push(await s.request(BoshSession.messageTo(jid, t), deadline));
      const first = sent[0];
      if (first === undefined || !(first.body?.children ?? []).join('').includes(tokens[0] ?? ''))
        throw new Inconclusive(`setup: the message to self did not come back on its own request rid ${first?.rid ?? '?'}`);
      const again = await s.request(BoshSession.messageTo(jid, tokens[0] ?? ''), deadline, { rid: first.rid });
      return {
        requests,
        rid: first.rid,
        answeredAfter: sent.length - 1,
        status: again.res.status,
        attrs: again.body?.attrs ?? {},
        copyCameBack: (again.body?.children ?? []).join('').includes(tokens[0] ?? ''),
        problem: again.problem,
      };
    } finally {
      s.close();
    }
  },
  evaluate(o): Verdict {
    const expected = `rid ${o.rid}, resent after ${o.answeredAfter} later requests were answered: terminal item-not-found`;
    if ((o.attrs['type'] === 'terminate' && o.attrs['condition'] === 'item-not-found') || o.status === 404)
      return verdict.pass(expected, `${o.attrs['type'] ?? ''} ${o.attrs['condition'] ?? `HTTP ${o.status}`}`.trim());
    if (o.copyCameBack)
      return verdict.unobservable(
        `the original response of rid ${o.rid} came back: the connection manager buffers more than the ${o.requests} responses it must, so nothing had expired`,
      );
    return verdict.violation(
      expected,
      `rid ${o.rid} got ${o.problem ?? `HTTP ${o.status} ${JSON.stringify(o.attrs)}`}: a request the connection manager can no longer answer faithfully was processed as new, and the client never learns that the responses it missed are gone`,
    );
  },
});

export const boshResendRequirements: Requirement[] = [ridExpired];
export { ridExpired };
