/**
 * RFC 9112 §2.3 and RFC 9110 §2.5 (HTTP version): a server answers with the highest minor
 * version it supports within the request's major version. Answering an HTTP/1.1 long poll as
 * HTTP/1.0 takes chunked coding away from it and makes persistence depend on keep-alive.
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { pollHead, type PollHeadSeen } from '../scenarios/poll-head.js';
import { rfc } from '../sources.js';

// RFC 9110 §2.5: "A server SHOULD send a response version equal to the highest version to which
// the server is conformant that has a major version less than or equal to the one received in
// the request." RFC 9112 §2.3: "A server SHOULD NOT send [an HTTP/1.0 response] [...] unless the
// client is known to be broken" (paraphrased: downgrade only for buggy clients).
const responseVersion = defineRequirement<PollHeadSeen, Record<string, never>>({
  id: 'h1.response-version',
  spec: 'RFC 9112',
  section: '2.3',
  level: 'should',
  title: 'An HTTP/1.1 long poll is answered as HTTP/1.1, not downgraded to HTTP/1.0',
  sources: [rfc(9112, '2.3'), rfc(9110, '2.5')],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: {},
  tolerance: () => 'exact: the status line of one HTTP/1.1 long poll’s answer',
  faults: ['lp-http10-response'],
  remedy:
    'answer HTTP/1.1 requests with an HTTP/1.1 status line (a hand-written "HTTP/1.0 200 OK" is the usual cause; so is a proxy_http_version 1.0 hop in front)',
  scenario: (ctx) => pollHead(ctx),
  evaluate(o): Verdict {
    if (o.head === null) return verdict.unobservable(`no answer to the poll (${o.end}): no status line to judge`);
    const h = o.head;
    const expected = 'an HTTP/1.1 status line on the answer to an HTTP/1.1 request';
    if (h.httpVersion === '1.0')
      return verdict.violation(
        expected,
        `HTTP/1.0 ${h.status} to an HTTP/1.1 request: the answer cannot be chunked and the connection persists only with keep-alive, so a client or proxy may close after every poll`,
      );
    return verdict.pass(expected, `HTTP/${h.httpVersion} ${h.status}`);
  },
});

export const versionRequirements: Requirement[] = [responseVersion];
export { responseVersion };
