/**
 * RFC 9112 §6.1 (Transfer-Encoding) on push responses: an HTTP/1.0 recipient does not know the
 * chunked coding, so a server must not apply it to a response to a 1.0 request. Streams are
 * judged by st.http10-eof; this row judges the long poll.
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { http10Poll, type Http10PollSeen } from '../scenarios/http10-poll.js';
import { rfc } from '../sources.js';

// RFC 9112 §6.1: "A server MUST NOT send a response containing Transfer-Encoding unless the
// corresponding request indicates HTTP/1.1 (or later minor revisions)."
const http10NoChunked = defineRequirement<Http10PollSeen, Record<string, never>>({
  id: 'h1.http10-no-chunked',
  spec: 'RFC 9112',
  section: '6.1',
  level: 'must',
  title: 'A long poll sent as HTTP/1.0 is answered without Transfer-Encoding',
  sources: [rfc(9112, '6.1'), rfc(9112, '6.3')],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: {},
  tolerance: () => 'exact: the header section of one HTTP/1.0 long poll without keep-alive',
  faults: ['lp-chunked-to-http10'],
  remedy:
    'answer an HTTP/1.0 request with Content-Length (or a body ended by closing the connection), never Transfer-Encoding: chunked, even when it sends TE: chunked',
  scenario: (ctx) => http10Poll(ctx),
  evaluate(o): Verdict {
    if (o.head === null) return verdict.unobservable(`no answer to the HTTP/1.0 poll (${o.end}): no header section to judge`);
    const h = o.head;
    const expected = 'no Transfer-Encoding on the answer to an HTTP/1.0 request';
    if (h.transferEncoding !== null)
      return verdict.violation(
        expected,
        `HTTP/${h.httpVersion} ${h.status} with "Transfer-Encoding: ${h.transferEncoding}" to an HTTP/1.0 request: an HTTP/1.0 client or proxy does not know the coding and reads the chunk-size lines as part of the body`,
      );
    const length = h.contentLength === null ? '' : ` (Content-Length: ${h.contentLength})`;
    return verdict.pass(expected, `HTTP/${h.httpVersion} ${h.status}, ${h.framing}-delimited${length}, no Transfer-Encoding`);
  },
});

export const transferEncodingRequirements: Requirement[] = [http10NoChunked];
export { http10NoChunked };
