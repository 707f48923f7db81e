/**
 * RFC 9112 §6.3 (Message Body Length): a body delimited only by the server closing the
 * connection cannot be told from one cut short, and it costs the connection. A long poll's
 * answer is a whole document of known size, so it has no reason to be close-delimited.
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { pollHead, type PollHeadSeen } from '../scenarios/poll-head.js';
import { rfc } from '../sources.js';

// RFC 9112 §6.3 rule 8: "Since there is no way to distinguish a successfully completed,
// close-delimited response message from a partially received message interrupted by network
// failure, a server SHOULD generate encoding or length-delimited messages whenever possible."
const selfDelimited = defineRequirement<PollHeadSeen, Record<string, never>>({
  id: 'h1.self-delimited',
  spec: 'RFC 9112',
  section: '6.3',
  level: 'should',
  title: 'A response to an HTTP/1.1 long poll is delimited by Content-Length or chunked coding, not by closing the connection',
  sources: [rfc(9112, '6.3'), rfc(9112, '8')],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: {},
  tolerance: () => 'exact: the framing of one HTTP/1.1 long poll’s answer',
  faults: ['lp-close-delimited'],
  remedy:
    'answer long polls with a Content-Length (the body is complete when you send it) or chunked coding, so a truncated answer is detectable and the connection can carry the next poll',
  scenario: (ctx) => pollHead(ctx),
  evaluate(o): Verdict {
    if (o.head === null) return verdict.unobservable(`no answer to the poll (${o.end}): no framing to judge`);
    const h = o.head;
    const expected = 'Content-Length or chunked framing on the answer to an HTTP/1.1 request';
    if (h.framing === 'close')
      return verdict.violation(
        expected,
        `HTTP/${h.httpVersion} ${h.status} with neither Content-Length nor chunked coding: the body ends when the server closes, so a client cannot tell a complete answer from one cut short by the network, and every poll needs a new connection`,
      );
    const how = h.framing === 'none' ? 'no content (ends at the header section)' : `${h.framing}-delimited`;
    return verdict.pass(expected, `HTTP/${h.httpVersion} ${h.status}, ${how}`);
  },
});

export const bodyLengthRequirements: Requirement[] = [selfDelimited];
export { selfDelimited };
