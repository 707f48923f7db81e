import { pipelineOrder } from '../../suites/rfc9112/9.3.2-pipelining.js';
import type { PipelinedAnswer } from '../../suites/scenarios/pipelined-polls.js';
import { canned } from './canned.js';
import { LOOPBACK } from './observations.js';

const token = 'pst-7f3a';
const quiet: PipelinedAnswer = { status: 200, end: 'complete', closes: false, tokens: [], endedAfterMs: 2004, tokenAfterPublishMs: null };
const withEvent = (endedAfterMs: number, tokenAfterPublishMs: number): PipelinedAnswer => ({
  status: 200,
  end: 'complete',
  closes: false,
  tokens: [token],
  endedAfterMs,
  tokenAfterPublishMs,
});
const seen = { conditions: LOOPBACK, token, bTokens: [token], publishedAfterMs: 402 };

export const pipeliningCases = [
  canned(pipelineOrder, [
    {
      name: 'in order: B waits behind A’s hold',
      observation: { ...seen, first: quiet, second: withEvent(2005, 1603) },
      outcome: 'pass',
      actual: "B's event waited 1603 ms behind A",
    },
    {
      name: 'out of order: B’s event on the first response (lp-pipeline-out-of-order)',
      observation: { ...seen, first: withEvent(408, 5), second: quiet },
      outcome: 'fail',
      actual: "poll B's response overtook poll A's",
    },
    {
      name: 'after a handshake retry, B carries the event of the first attempt',
      observation: {
        ...seen,
        bTokens: ['pst-0001', token],
        first: quiet,
        second: { ...withEvent(1502, 1100), tokens: ['pst-0001'], tokenAfterPublishMs: null },
      },
      outcome: 'pass',
      actual: 'then poll B with its event (HTTP 200, complete after 1502 ms)',
    },
    {
      name: 'A answered before the publish (short polling)',
      observation: { ...seen, first: { ...quiet, endedAfterMs: 3 }, second: withEvent(410, 8) },
      outcome: 'inconclusive',
      actual: 'nothing was held for B to overtake',
    },
    {
      name: 'Connection: close after A, B unanswered',
      observation: { ...seen, first: { ...quiet, closes: true }, second: { ...quiet, status: null, end: 'fin', endedAfterMs: 2005 } },
      outcome: 'inconclusive',
      actual: 'which a server may do instead of pipelining',
    },
    {
      name: 'A cut by a reset',
      observation: { ...seen, first: { ...quiet, status: null, end: 'rst' }, second: null },
      outcome: 'inconclusive',
      actual: 'did not complete',
    },
  ]),
];
