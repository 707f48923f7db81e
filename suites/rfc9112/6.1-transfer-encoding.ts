/**
 * RFC 9112 §6.1 (Transfer-Encoding) on push responses: an HTTP/1.0 recipient does not know the
 * chunked coding, so a server must not apply it to a response to a 1.0 request (streams are
 * judged by st.http10-eof; h1.http10-no-chunked judges the long poll); and a message framed by
 * Transfer-Encoding has exactly one length, the chunked one (§6.1, §6.2).
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { http10Poll, type Http10PollSeen } from '../scenarios/http10-poll.js';
import { pollHead, type PollHeadSeen } from '../scenarios/poll-head.js';
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

/** What is wrong with a Transfer-Encoding / Content-Length pair (RFC 9112 §6.1, §6.2), or null. */
function framingProblem(te: readonly string[], cl: readonly string[]): string | null {
  if (te.length === 0) return null;
  const codings = te
    .flatMap((v) => v.split(','))
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '');
  const said = `"Transfer-Encoding: ${te.join(', ')}"`;
  if (cl.length > 0)
    return `${said} together with "Content-Length: ${cl.join(', ')}": a recipient must ignore the length, but one that reads it instead (an old proxy, a cache) ends the body elsewhere: the classic request and response smuggling split`;
  const chunked = codings.filter((c) => c === 'chunked').length;
  if (chunked > 1)
    return `${said}: chunked applied ${chunked} times, which §6.1 forbids (a recipient decodes it once and reads chunk-size lines as data)`;
  if (chunked === 1 && codings.at(-1) !== 'chunked')
    return `${said}: chunked is not the final coding, so the response is delimited by the close and chunked inside it is meaningless to a recipient`;
  return null;
}

// RFC 9112 §6.2: "A sender MUST NOT send a Content-Length header field in any message that
// contains a Transfer-Encoding header field." §6.1: "A sender MUST NOT apply the chunked transfer
// coding more than once to a message body"; a server that applies a coding other than chunked
// last delimits the response by closing (chunked, if used, comes last).
const teWithoutCl = defineRequirement<PollHeadSeen, Record<string, never>>({
  id: 'h1.te-without-cl',
  spec: 'RFC 9112',
  section: '6.2',
  level: 'must',
  title:
    'A long-poll response framed by Transfer-Encoding carries no Content-Length, applies chunked at most once and, if at all, as the final coding',
  sources: [rfc(9112, '6.2'), rfc(9112, '6.1'), rfc(9112, '6.3')],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: {},
  tolerance: () => 'exact: the header section of one HTTP/1.1 long poll',
  faults: ['lp-te-and-cl'],
  remedy:
    'send either Content-Length or Transfer-Encoding: chunked, never both (in Node, do not set Content-Length by hand on a response you also set Transfer-Encoding on), and chunk once, last',
  scenario: (ctx) => pollHead(ctx),
  evaluate(o): Verdict {
    if (o.head === null) return verdict.unobservable(`no answer to the poll (${o.end}): no header section to judge`);
    const h = o.head;
    const expected = 'Transfer-Encoding without Content-Length, chunked once and last (or no Transfer-Encoding)';
    const problem = framingProblem(h.transferEncoding, h.contentLength);
    if (problem) return verdict.violation(expected, `HTTP/${h.httpVersion} ${h.status} with ${problem}`);
    const said = h.transferEncoding.length
      ? `"Transfer-Encoding: ${h.transferEncoding.join(', ')}", no Content-Length`
      : `no Transfer-Encoding (${h.contentLength.length ? `Content-Length: ${h.contentLength.join(', ')}` : `${h.framing}-delimited`})`;
    return verdict.pass(expected, `HTTP/${h.httpVersion} ${h.status}: ${said}`);
  },
});

export const transferEncodingRequirements: Requirement[] = [http10NoChunked, teWithoutCl];
export { http10NoChunked, teWithoutCl };
