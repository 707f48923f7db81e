/**
 * RFC 9112 §9.3.2 (Pipelining): a server may work on pipelined safe requests in parallel, but
 * answers them in the order they were received. Two pipelined long polls are where a push server
 * is tempted not to: the second poll's event is ready while the first poll is still held.
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { pipelinedPolls, type PipelinedAnswer, type PipelinedPollsSeen } from '../scenarios/pipelined-polls.js';
import { ms } from '../format.js';
import { rfc } from '../sources.js';

const said = (a: PipelinedAnswer): string =>
  `${a.status === null ? `no response (${a.end})` : `HTTP ${a.status}, ${a.end}`}${a.endedAfterMs === null ? '' : ` after ${ms(a.endedAfterMs)}`}`;

// RFC 9112 §9.3.2: "A server MAY process a sequence of pipelined requests in parallel if they all
// have safe methods, but it MUST send the corresponding responses in the same order that the
// requests were received."
const pipelineOrder = defineRequirement<PipelinedPollsSeen, Record<string, never>>({
  id: 'h1.pipeline-order',
  spec: 'RFC 9112',
  section: '9.3.2',
  level: 'must',
  title: 'Two pipelined long polls are answered in request order, even when the second has an event first',
  sources: [rfc(9112, '9.3.2'), rfc(6202, '5.2')],
  transports: ['longPoll'],
  needsPublish: true,
  timing: false,
  limits: {},
  tolerance: () =>
    'exact: poll A (quiet channel) and poll B pipelined on one connection, an event published on B’s channel once both were sent; the first response must not carry it',
  faults: ['lp-pipeline-out-of-order'],
  remedy:
    'queue the response to a pipelined request until every earlier response on the connection has been sent (most HTTP stacks do; a hand-written writer to the socket does not)',
  scenario: (ctx) => pipelinedPolls(ctx),
  evaluate(o): Verdict {
    const expected = 'poll A is answered first (at its hold, without the event), then poll B with the event';
    const { first, second } = o;
    const measurements = {
      publishedAfterMs: Math.round(o.publishedAfterMs),
      // BP-PIPE-01/02: how long the queued poll's event waited behind the held one.
      queuedEventDelayMs: second?.tokenAfterPublishMs === null || second === null ? null : Math.round(second.tokenAfterPublishMs),
    };
    const carriesB = (a: PipelinedAnswer): boolean => o.bTokens.some((tok) => a.tokens.includes(tok));
    if (carriesB(first))
      return verdict.violation(
        expected,
        `the first response on the connection (${said(first)}${first.tokenAfterPublishMs === null ? '' : `, ${ms(first.tokenAfterPublishMs)} after the publish`}) carries the event published on poll B's channel: poll B's response overtook poll A's, and a client takes it as A's answer`,
        { measurements },
      );
    if (first.end !== 'complete')
      return verdict.unobservable(`the first pipelined poll did not complete (${said(first)}), so the order could not be observed`, {
        measurements,
      });
    if (first.endedAfterMs !== null && first.endedAfterMs < o.publishedAfterMs)
      return verdict.unobservable(
        `poll A was answered (${said(first)}) before the event was published on B's channel: nothing was held for B to overtake`,
        { measurements },
      );
    if (second === null || second.status === null) {
      const why = first.closes
        ? 'after "Connection: close" on the first response, which a server may do instead of pipelining'
        : `(${second?.end ?? 'not read'})`;
      return verdict.unobservable(`poll B got no response ${why}: the order of two responses could not be observed`, { measurements });
    }
    if (!carriesB(second))
      return verdict.unobservable(
        `poll B's response (${said(second)}) did not carry the event, so which response answers which poll could not be told`,
        { measurements },
      );
    return verdict.pass(
      expected,
      `poll A answered first (${said(first)}), then poll B with its event (${said(second)})${second.tokenAfterPublishMs === null ? '' : `; B's event waited ${ms(second.tokenAfterPublishMs)} behind A`}`,
      { measurements },
    );
  },
});

export const pipeliningRequirements: Requirement[] = [pipelineOrder];
export { pipelineOrder };
