import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { EPSILON_TEXT } from '../../runner/epsilon.js';
import { LongPollClient, type PollResult } from '../../runner/drivers/long-poll.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { rfc } from '../sources.js';
import { ms, secs } from '../format.js';
import { eventPoll } from '../scenarios/long-polling.js';

/** The idle pauses a client may leave between a response and its next poll (catalogue LP-CONN-01). */
const idleLimits = { shortGapMs: 100, midGapMs: 1000, longGapMs: 4000 };
const gapsOf = (l: typeof idleLimits): number[] => [l.shortGapMs, l.midGapMs, l.longGapMs];

/** One pause on the persistent connection and what became of it. */
export interface IdleStep {
  gapMs: number;
  /**
   * kept: the next poll was answered on the same connection; closed-idle: the server closed the
   * idle connection before the next poll was sent; lost: the poll was sent and the connection
   * ended with no response
   */
  outcome: 'kept' | 'closed-idle' | 'lost';
  /** how the connection ended (closed-idle, lost) */
  how: string | null;
  /** closed-idle: response end → close; lost: poll sent → close */
  afterMs: number | null;
}

export interface IdleRepollSeen {
  conditions: Conditions;
  connectionId: number;
  steps: IdleStep[];
}

const ending = (r: PollResult): string => (r.res.tHeaders === null ? r.res.end : `HTTP ${r.res.status}, ${r.res.end}`);

/** Pauses `gapMs` (× time scale) after `prev` on its connection, then polls again on it. */
async function idleStep(ctx: Parameters<Requirement['scenario']>[0], client: LongPollClient, prev: PollResult, gapMs: number) {
  const conn = client.connection;
  if (!conn) throw new Inconclusive(`poll #${prev.seq} left no open connection (${ending(prev)}): lp.persistent judges that`);
  const tEnd = prev.res.tEnd ?? ctx.now();
  const closed = await conn.waitForClose(Math.max(0, tEnd + ctx.ms(gapMs) - ctx.now()));
  if (closed.how === 'local') throw new Inconclusive(`the client closed connection #${conn.id} itself`);
  if (closed.how !== 'timeout') {
    const step: IdleStep = { gapMs, outcome: 'closed-idle', how: closed.how, afterMs: closed.t - tEnd };
    return { step, next: null };
  }
  const { result } = await eventPoll(ctx, client, { optionalEvent: true });
  if (result.connectionId !== conn.id) {
    // Closed between the pause and the send: the client saw it and opened another connection.
    return { step: { gapMs, outcome: 'closed-idle', how: conn.closeHow, afterMs: null } as IdleStep, next: result };
  }
  if (result.res.tHeaders === null && (result.res.end === 'fin' || result.res.end === 'rst')) {
    const afterMs = result.res.tEnd === null ? null : result.res.tEnd - result.tSent;
    return { step: { gapMs, outcome: 'lost', how: result.res.end, afterMs } as IdleStep, next: null };
  }
  if (!result.ok) throw new Inconclusive(`the poll after ${secs(gapMs)} idle did not complete (${ending(result)})`);
  return { step: { gapMs, outcome: 'kept', how: null, afterMs: null } as IdleStep, next: result };
}

// RFC 6202 §2.2: polls "work well" on persistent connections, where the short pause between a
// response and the next poll keeps the connection; RFC 9112 §9.3 (persistence) and §9.6
// (a graceful close) say how a server that does time an idle connection out should end it.
const idleRepoll = defineRequirement<IdleRepollSeen, typeof idleLimits>({
  id: 'lp.idle-repoll',
  spec: 'RFC 6202',
  section: '2.2',
  level: 'should',
  title: 'A poll sent after an idle pause on a persistent connection is answered, or the idle connection was closed gracefully first',
  sources: [rfc(6202, '2.2'), rfc(9112, '9.3'), rfc(9112, '9.6')],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  dependsOn: ['lp.persistent'],
  limits: idleLimits,
  tolerance: (l) =>
    `re-polls on one connection after idle pauses of ${gapsOf(l).map(secs).join(', ')} (× time scale); an idle close by FIN passes (the client retries on a new connection, RFC 9112 §9.3.1), a FIN within ε (${EPSILON_TEXT}) of a re-poll is the idle close crossing it`,
  // h1-idle-reset resets the idle connection at 2.5 s, inside the 4 s pause.
  faults: ['lp-idle-reset', 'h1-idle-reset'],
  remedy:
    'keep idle keep-alive connections for longer than the pause between polls (Node keepAliveTimeout, nginx keepalive_timeout: several seconds at least), and end an idle connection with a graceful close (FIN), never a reset',
  async scenario(ctx) {
    const client = new LongPollClient(ctx, ctx.newChannel(), 'idle-pause client');
    let { result } = await eventPoll(ctx, client, { optionalEvent: true });
    if (!result.ok) throw new Inconclusive(`the first poll did not complete (${ending(result)})`);
    const connectionId = result.connectionId;
    const steps: IdleStep[] = [];
    for (const gapMs of gapsOf(idleLimits)) {
      const { step, next } = await idleStep(ctx, client, result, gapMs);
      steps.push(step);
      ctx.note(`after ${secs(gapMs)} idle: ${step.outcome}${step.how ? ` (${step.how})` : ''}`);
      if (step.outcome !== 'kept' || next === null) break;
      result = next;
    }
    return { conditions: conditions(ctx), connectionId, steps };
  },
  evaluate(o): Verdict {
    const expected = 'each re-poll after an idle pause is answered on the persistent connection, or the server closed it gracefully first';
    const last = o.steps.at(-1);
    if (!last) return verdict.unobservable('no idle pause was observed');
    const kept = o.steps.filter((st) => st.outcome === 'kept').map((st) => secs(st.gapMs));
    const keptText = kept.length ? `re-polls after ${kept.join(', ')} idle were answered on connection #${o.connectionId}; ` : '';
    const measurements = {
      keptAfterMs: kept.length ? Math.max(...o.steps.filter((st) => st.outcome === 'kept').map((st) => st.gapMs)) : null,
      idleCloseMs: last.outcome === 'closed-idle' && last.afterMs !== null ? Math.round(last.afterMs) : null,
    };
    if (last.outcome === 'kept') return verdict.pass(expected, `${keptText.replace(/; $/, '')}`, { measurements });
    if (last.outcome === 'closed-idle') {
      const after = last.afterMs === null ? '' : ` ${ms(last.afterMs)} after the response`;
      if (last.how === 'fin')
        return verdict.pass(
          expected,
          `${keptText}the server closed the idle connection gracefully (FIN)${after}, before the re-poll after ${secs(last.gapMs)}; a client polls again on a new connection (RFC 9112 §9.3.1)`,
          { measurements },
        );
      return verdict.violation(
        expected,
        `${keptText}the server ended the idle connection with ${last.how === 'rst' ? 'a reset (RST)' : `"${last.how ?? '?'}"`}${after}, inside a ${secs(last.gapMs)} pause: a client writing its next poll at that moment loses it, and RFC 9112 §9.6 asks for a graceful close`,
        { measurements },
      );
    }
    const after = last.afterMs === null ? '' : ` ${ms(last.afterMs)} after it was sent`;
    if (last.how === 'fin' && last.afterMs !== null && last.afterMs <= o.conditions.epsilonMs)
      return verdict.pass(
        expected,
        `${keptText}the server's idle close (FIN) crossed the re-poll after ${secs(last.gapMs)}${after}; a client retries an idempotent poll on a new connection (RFC 9112 §9.3.1)`,
        { measurements },
      );
    return verdict.violation(
      expected,
      `${keptText}the re-poll after ${secs(last.gapMs)} idle got no response: the connection ended (${last.how ?? '?'})${after}, so the poll was lost`,
      { measurements },
    );
  },
});

export const idleRepollRequirements: Requirement[] = [idleRepoll];
export { idleRepoll };
