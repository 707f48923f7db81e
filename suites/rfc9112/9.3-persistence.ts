/**
 * RFC 9112 §9.3 (Persistence): an HTTP/1.0 connection persists only when the request carries
 * the keep-alive option. A server that keeps a 1.0 connection open anyway leaves a client that
 * reads to the close waiting, and ties up a connection slot the client has given up.
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { HTTP10_CLOSE_LIMITS, http10CloseAllowanceMs, http10Poll, type Http10PollSeen } from '../scenarios/http10-poll.js';
import { rfc } from '../sources.js';

// RFC 9112 §9.3: "If the received protocol is HTTP/1.0, the "keep-alive" connection option is
// present, [...] then the connection will persist [...]; Otherwise, the connection will close
// after the current response."
const http10Close = defineRequirement<Http10PollSeen, typeof HTTP10_CLOSE_LIMITS>({
  id: 'h1.http10-close',
  spec: 'RFC 9112',
  section: '9.3',
  level: 'must',
  title: 'A long poll sent as HTTP/1.0 without keep-alive gets its response and then the server closes the connection',
  sources: [rfc(9112, '9.3'), rfc(9112, '9.6')],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: HTTP10_CLOSE_LIMITS,
  tolerance: (l) => `FIN (or RST) within ${l.rtts}·RTT + ${l.slackMs + l.graceMs} ms (× time scale) of the end of the response`,
  faults: ['http10-keep-alive'],
  remedy:
    'close the connection after answering an HTTP/1.0 request that has no "Connection: keep-alive", and do not answer it "Connection: keep-alive"',
  scenario: (ctx) => http10Poll(ctx),
  evaluate(o): Verdict {
    if (o.head === null) return verdict.unobservable(`no answer to the HTTP/1.0 poll (${o.end}): nothing to close after`);
    if (o.end !== 'complete')
      return verdict.unobservable(`the answer to the HTTP/1.0 poll did not complete (${o.end}): no end to close after`);
    const h = o.head;
    const expected = 'the server closes the connection right after the response';
    const said = `HTTP/${h.httpVersion} ${h.status} with "Connection: ${h.connection ?? '(nothing)'}"`;
    const allowed = http10CloseAllowanceMs(o.conditions);
    if (o.closed === null || o.closed.afterMs > allowed)
      return verdict.violation(
        expected,
        `the connection was still open ${Math.round(allowed)} ms after the response (${said}): an HTTP/1.0 request without keep-alive does not persist, so a client that reads to the close waits, and the server holds a connection nobody will reuse`,
      );
    return verdict.pass(expected, `closed (${o.closed.how}) ${Math.round(o.closed.afterMs)} ms after the response; ${said}`);
  },
});

export const persistenceRequirements: Requirement[] = [http10Close];
export { http10Close };
