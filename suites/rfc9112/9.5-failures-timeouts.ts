/**
 * RFC 9112 §9.5 (Failures and Timeouts): a server may time out an idle persistent connection,
 * but gracefully. A reset instead of a FIN can destroy a poll the client sent a moment before,
 * and an idle timeout shorter than the pause a long-poll client may take between polls
 * (LP-CONN-01: up to 4 s) costs a new connection per poll.
 */
import type { CaseContext } from '../../runner/context.js';
import { connectionReusable } from '../../runner/drivers/request.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { ms, secs } from '../format.js';
import { timing } from '../scenarios/long-polling.js';
import { rawPoll } from '../scenarios/raw-poll.js';
import { rfc } from '../sources.js';

/**
 * `minIdleMs`: an idle close sooner than this is too soon for a client that pauses between polls
 * (catalogue LP-CONN-01's longest pause). It is the server's timer, so it is not scaled.
 */
const idleLimits = { minIdleMs: 4000 };

export interface IdleCloseSeen {
  status: number;
  /** false when the response announced the close (or was HTTP/1.0): no idle persistent connection was left */
  reusable: boolean;
  /** how long the idle connection was watched after the response ended */
  watchedMs: number;
  /** how the server ended the idle connection, null when it stayed open for the whole watch */
  closed: { how: 'fin' | 'rst' | 'error'; afterMs: number } | null;
}

async function observeIdleClose(ctx: CaseContext): Promise<IdleCloseSeen> {
  const { conn, res } = await rawPoll(ctx, 'poll sent');
  if (res.end !== 'complete') throw new Inconclusive(`the poll did not complete (${res.status || res.end}): no idle connection to watch`);
  const tEnd = res.tEnd ?? ctx.now();
  // The watch is the poll deadline this run already waits for a held poll, capped at the
  // threshold: long enough to see a close under 4 s whenever the declared hold allows it, and
  // never the run's longest wait.
  const { pollDeadlineMs } = await timing(ctx);
  const watchedMs = Math.min(ctx.ms(idleLimits.minIdleMs), pollDeadlineMs) + ctx.epsilonMs;
  const waited = await conn.waitForClose(Math.max(0, tEnd + watchedMs - ctx.now()));
  const how = waited.how === 'timeout' || waited.how === 'local' ? null : waited.how;
  ctx.note(
    how === null
      ? `connection #${conn.id} still open ${ms(watchedMs)} after the response`
      : `connection #${conn.id} ended by the server (${how}) ${ms(waited.t - tEnd)} after the response`,
  );
  return {
    status: res.status,
    reusable: connectionReusable(res),
    watchedMs,
    closed: how === null ? null : { how, afterMs: waited.t - tEnd },
  };
}

// RFC 9112 §9.5: "Servers will usually have some timeout value beyond which they will no longer
// maintain an inactive connection. [...] When a client or server wishes to time out, it SHOULD
// issue a graceful close on the connection."
const idleClose = defineRequirement<IdleCloseSeen, typeof idleLimits>({
  id: 'h1.idle-close',
  spec: 'RFC 9112',
  section: '9.5',
  level: 'should',
  title: 'An idle persistent connection after a long poll is closed gracefully (FIN, not RST), and not within 4 s',
  sources: [rfc(9112, '9.5'), rfc(9112, '9.3')],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: idleLimits,
  tolerance: (l) =>
    `a close by FIN at or after ${secs(l.minIdleMs)} of idle; watched for ${secs(l.minIdleMs)} (× time scale, at most the poll deadline) + ε after the response`,
  faults: ['h1-idle-reset'],
  remedy:
    'time out idle keep-alive connections with a graceful close (FIN after the last response, never SO_LINGER 0 or an abort), and keep them at least several seconds so a long-poll client that pauses between polls can reuse its connection',
  scenario: (ctx) => observeIdleClose(ctx),
  evaluate(o, l): Verdict {
    const expected = `an idle keep-alive connection kept ${secs(l.minIdleMs)} or more, and closed with a FIN`;
    if (!o.reusable)
      return verdict.unobservable(`HTTP ${o.status} announced the close (or was HTTP/1.0): no idle persistent connection to time out`);
    if (o.closed === null)
      return verdict.pass(
        expected,
        `still open ${ms(o.watchedMs)} after HTTP ${o.status}${o.watchedMs < l.minIdleMs ? ` (the watch is bounded by the poll deadline: a close after ${ms(o.watchedMs)} is not seen)` : ''}`,
      );
    const after = `${ms(o.closed.afterMs)} after HTTP ${o.status}`;
    if (o.closed.how !== 'fin')
      return verdict.violation(
        expected,
        `the server ended the idle connection with ${o.closed.how === 'rst' ? 'an RST' : `a socket error`} ${after}: a poll the client sent just before is destroyed unanswered, and it cannot tell whether the server saw it`,
      );
    if (o.closed.afterMs < l.minIdleMs)
      return verdict.violation(
        expected,
        `the server closed the idle connection (FIN) ${after}, under ${secs(l.minIdleMs)}: a long-poll client that pauses between polls needs a new connection (and handshake) for each`,
      );
    return verdict.pass(expected, `closed with a FIN ${after}`);
  },
});

export const timeoutRequirements: Requirement[] = [idleClose];
export { idleClose };
