/**
 * RFC 6202 §5.5 for BOSH: the request a connection manager holds for `wait` is a long poll, and
 * the hops in front time it out like any other. The client picks `wait` (Strophe.js and most
 * BOSH clients ask for 60 s) and the connection manager caps it, so the cap decides whether a
 * session survives a given proxy.
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive } from '../../runner/verdict.js';
import { HOLD_TIMEOUT_HOPS } from '../profiles.js';
import { boshControlMs, boshDomain, newSession, requestedWaitS } from '../scenarios/bosh.js';
import { holdSurvivalLimits, judgeHoldSurvival, observeHoldSurvival, type HoldSurvivalSeen } from '../scenarios/hold-survival.js';
import { rfc } from '../sources.js';

/** The wait common BOSH clients ask for (Strophe.js's default). */
export const CLIENT_WAIT_S = 60;

const waitSurvives = defineRequirement<HoldSurvivalSeen, typeof holdSurvivalLimits>({
  id: 'bosh.wait-survives',
  spec: 'RFC 6202',
  section: '5.5',
  level: 'should',
  title: "A BOSH request held for the wait a client asks for ends before the intermediary's timeout answers 5xx or cuts it",
  sources: [rfc(6202, '5.5'), rfc(6202, '4.2'), 'https://xmpp.org/extensions/xep-0124.html#session-response'],
  transports: ['bosh'],
  needsPublish: false,
  timing: false,
  limits: holdSurvivalLimits,
  tolerance: (l) =>
    `judged from the wait granted to a client asking for ${CLIENT_WAIT_S} s against the profile's tightest timeout with a margin of ε + ${Math.round(l.marginFraction * 100)}%; confirmed live with a request held for a short wait through the profile with its timeouts scaled by the same ratio`,
  via: [...HOLD_TIMEOUT_HOPS],
  directToo: false,
  faults: ['bosh-wait-uncapped'],
  remedy: `cap the granted wait below the tightest proxy timeout on the path (Prosody: bosh_max_wait; ejabberd/MongooseIM: max_wait), or raise the proxy's read timeout above the longest wait the connection manager grants; clients commonly ask for ${CLIENT_WAIT_S} s`,
  async scenario(ctx) {
    const probe = newSession(ctx, 'bosh probe');
    let grantedS: number;
    try {
      await probe.create({ to: boshDomain(ctx), wait: CLIENT_WAIT_S, hold: 1 }, boshControlMs(ctx));
      grantedS = Number(probe.granted['wait']);
    } finally {
      probe.close();
    }
    if (!Number.isFinite(grantedS))
      throw new Inconclusive(`setup: no BOSH session was created for wait=${CLIENT_WAIT_S} (bosh.session judges that)`);
    const shortS = requestedWaitS(ctx);
    return observeHoldSurvival(ctx, {
      holdMs: grantedS * 1000,
      capMs: grantedS * 1000,
      what: 'BOSH request',
      shortHoldMs: shortS * 1000,
      async idle(c, holdMs) {
        const s = newSession(c);
        try {
          const wait = Math.max(1, Math.round(holdMs / 1000));
          await s.create({ to: boshDomain(c), wait, hold: 1 }, boshControlMs(c));
          if (s.sid === null) throw new Inconclusive('setup: no BOSH session was created through the profile');
          const deadline = wait * 1500 + c.ms(2000);
          // Anything left over from session creation comes first; the next empty request is held.
          const first = await s.request('', deadline);
          const cut = first.res.status >= 500 || first.res.end !== 'complete';
          const ex =
            cut || first.res.tEnd === null || first.res.tEnd - first.tSent >= (wait * 1000) / 2 ? first : await s.request('', deadline);
          return { status: ex.res.status, end: ex.res.end, afterMs: (ex.res.tEnd ?? c.now()) - ex.tSent };
        } finally {
          s.close();
        }
      },
    });
  },
  evaluate: judgeHoldSurvival,
});

export const boshIntermediaryRequirements: Requirement[] = [waitSurvives];
export { waitSurvives };
