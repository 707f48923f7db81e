/**
 * RFC 6202 §5.5 and §5.6 for Bayeux: a held `/meta/connect` is a long poll, and the hops in front
 * time it out and may cache it like any other. The hold is the server's `advice.timeout`, so the
 * server decides whether its clients survive a given proxy; callback-polling is a GET, so the
 * server's Cache-Control decides whether a shared cache may replay it.
 */
import { classifyShared } from '../../runner/http/cacheability.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { HOLD_TIMEOUT_HOPS } from '../profiles.js';
import { connectDeadlineMs, connectTimeoutMs, controlMs, subscribed } from '../scenarios/bayeux.js';
import { holdSurvivalLimits, judgeHoldSurvival, observeHoldSurvival, type HoldSurvivalSeen } from '../scenarios/hold-survival.js';
import { BAYEUX_SPEC, rfc } from '../sources.js';

const connectSurvives = defineRequirement<HoldSurvivalSeen, typeof holdSurvivalLimits>({
  id: 'bay.connect-survives',
  spec: 'RFC 6202',
  section: '5.5',
  level: 'should',
  title: "A held /meta/connect ends with the server's reply before the intermediary's timeout answers 5xx or cuts it",
  sources: [rfc(6202, '5.5'), BAYEUX_SPEC],
  transports: ['bayeux'],
  needsPublish: false,
  timing: false,
  limits: holdSurvivalLimits,
  tolerance: (l) =>
    `judged from advice.timeout against the profile's tightest timeout with a margin of ε + ${Math.round(l.marginFraction * 100)}%; confirmed live with a held connect, through the real profile when it should survive, through the profile with its timeouts scaled below the hold when it should not`,
  via: [...HOLD_TIMEOUT_HOPS],
  directToo: false,
  faults: ['bayeux-long-timeout'],
  remedy:
    'advise a /meta/connect timeout (advice.timeout) below the tightest proxy timeout on the path (≤ 25 s behind Heroku, API Gateway, CloudFront; CometD and faye default to 30 s and 45 s)',
  async scenario(ctx) {
    const probe = await subscribed(ctx, 'probe', `/pushspec/${ctx.newChannel()}`);
    const advised = probe.advice.timeout;
    probe.close();
    if (advised === undefined)
      throw new Inconclusive(
        "the server advises no /meta/connect timeout, so its hold cannot be compared with the profile's timeouts (bay.connect-held judges the hold)",
      );
    return observeHoldSurvival(ctx, {
      holdMs: advised,
      capMs: advised,
      what: '/meta/connect',
      async idle(c, hold) {
        const client = await subscribed(c, 'client', `/pushspec/${c.newChannel()}`);
        try {
          const deadline = connectDeadlineMs(c, hold);
          // The first connect after a handshake may be answered at once; the second is held.
          const first = await client.connect(Math.max(deadline, controlMs(c)));
          const cut = first.res.status >= 500 || first.res.end !== 'complete';
          const held = first.res.tEnd !== null && first.res.tEnd - first.tSent >= hold / 2;
          const p = cut || held ? null : await client.startConnect(deadline);
          const ex = p === null ? first : await p.done;
          return { status: ex.res.status, end: ex.res.end, afterMs: (ex.res.tEnd ?? c.now()) - ex.tSent };
        } finally {
          client.close();
        }
      },
    });
  },
  evaluate: judgeHoldSurvival,
});

// RFC 6202 §5.6 and RFC 9111 §3: callback-polling replies are GET responses a shared cache may store.
interface BayeuxStorableSeen {
  responses: Array<{ label: string; status: number; headers: Array<[string, string]> }>;
}

const notStorable = defineRequirement<BayeuxStorableSeen, Record<string, never>>({
  id: 'bay.not-storable',
  spec: 'RFC 6202',
  section: '5.6',
  level: 'should',
  title: 'callback-polling (GET) replies are not storable by a shared cache',
  sources: [rfc(6202, '5.6'), rfc(9111, '3'), BAYEUX_SPEC],
  transports: ['bayeux'],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () => 'exact: RFC 9111 §3 storability of the GET handshake, subscribe and held /meta/connect replies',
  faults: ['bayeux-cacheable'],
  remedy:
    'send "Cache-Control: no-store" (or no-cache, private) on every Bayeux reply, GET (callback-polling) ones above all, so no cache replays a /meta/connect answer',
  async scenario(ctx) {
    const client = await subscribed(ctx, 'jsonp client', `/pushspec/${ctx.newChannel()}`, 'callback-polling');
    try {
      const connect = await client.connect(connectDeadlineMs(ctx, connectTimeoutMs(ctx, client)));
      const all = [...client.exchanges, connect].filter((e, i, a) => a.indexOf(e) === i && e.res.tHeaders !== null);
      if (all.length === 0) throw new Inconclusive('no callback-polling reply could be observed');
      return {
        responses: all.map((e) => ({
          label: `${e.sent.map((m) => m.channel).join('+')} #${e.seq}`,
          status: e.res.status,
          headers: e.res.headers,
        })),
      };
    } finally {
      client.close();
    }
  },
  evaluate(o): Verdict {
    const judged = o.responses.map((r) => ({
      label: `${r.label} (${r.status})`,
      ...classifyShared({ method: 'GET', status: r.status, headers: r.headers, requestHasAuthorization: false }),
    }));
    const expected = 'every callback-polling reply forbids storage by shared caches (Cache-Control: no-store, or no-cache/private)';
    const bad = judged.filter((j) => j.storable);
    if (bad.length)
      return verdict.violation(
        expected,
        `${bad.map((b) => `${b.label}: ${b.why}`).join('; ')}. A cache can then replay a stored /meta/connect answer instead of letting the server hold the next one`,
      );
    return verdict.pass(expected, judged.map((j) => `${j.label}: ${j.why}`).join('; '));
  },
});

export const bayeuxIntermediaryRequirements: Requirement[] = [connectSurvives, notStorable];
export { connectSurvives, notStorable };
