import { contentType, date, etagSyntax, head, type HeadsSeen } from '../../suites/rfc9110/semantics.js';
import { canned } from './canned.js';
import { response } from './observations.js';
import { headAnswered, headUnanswered, noContentType, sseNoDate } from './recorded/rfc9110-semantics.js';

const DATE: [string, string] = ['Date', 'Wed, 02 Dec 2026 14:36:13 GMT'];
const one = (headers: Array<[string, string]>, over = {}): HeadsSeen => ({
  samples: [{ transport: 'longPoll', heads: [response(200, headers, over)], why: 'complete' }],
});
const none: HeadsSeen = { samples: [{ transport: 'stream', heads: [], why: 'rst' }] };
const recorded = 'reference fixture';

export const semanticsCases = [
  canned(date, [
    { name: 'IMF-fixdate', observation: one([DATE]), outcome: 'pass', actual: 'long poll (HTTP 200): Date: Wed' },
    { name: 'SSE without Date', recorded, observation: sseNoDate, outcome: 'fail', actual: 'SSE (HTTP 200): no Date header field' },
    { name: 'two Date lines', observation: one([DATE, DATE]), outcome: 'fail', actual: '2 Date field lines' },
    { name: 'not IMF-fixdate', observation: one([['Date', '2026-12-02T14:36:13Z']]), outcome: 'fail' },
    {
      name: 'a 503 may omit it',
      observation: { samples: [{ transport: 'sse', heads: [response(503)], why: 'complete' }] },
      outcome: 'pass',
      actual: 'Date is optional',
    },
    { name: 'no head at all', observation: none, outcome: 'inconclusive', actual: 'no push response head arrived (stream: rst)' },
  ]),
  canned(contentType, [
    { name: 'application/json', observation: one([['Content-Type', 'application/json']]), outcome: 'pass' },
    {
      name: 'stream without Content-Type',
      recorded,
      observation: noContentType,
      outcome: 'warn',
      actual: 'no Content-Type on a response with content (chunked framing)',
    },
    { name: 'malformed media type', observation: one([['Content-Type', 'text/event-stream; charset']]), outcome: 'fail' },
    { name: '204 needs none', observation: one([], { status: 204 }), outcome: 'pass', actual: 'no content, no Content-Type needed' },
    {
      name: 'one bad multipart boundary of three',
      observation: {
        samples: [
          {
            transport: 'stream',
            why: 'timeout',
            heads: ['abc', 'a/b', 'xyz'].map((b) =>
              response(200, [['Content-Type', `multipart/mixed; boundary=${b}`]], { framing: 'chunked' }),
            ),
          },
        ],
      },
      outcome: 'fail',
      actual: '(1 of 3 responses)',
    },
  ]),
  canned(etagSyntax, [
    { name: 'no ETag', observation: one([DATE]), outcome: 'pass', actual: 'no ETag' },
    { name: 'quoted and weak', observation: one([['ETag', 'W/"7"']]), outcome: 'pass' },
    { name: 'unquoted', observation: one([['ETag', '1']]), outcome: 'fail', actual: 'the value 1 is not an entity-tag' },
  ]),
  canned(head, [
    { name: 'all answered', recorded, observation: headAnswered, outcome: 'pass' },
    { name: 'SSE HEAD unanswered', recorded, observation: headUnanswered, outcome: 'fail', actual: 'SSE: no answer within 210' },
    {
      name: 'HEAD stream reset over HTTP/2 (nchan 1.3.6 behind nginx 1.22 with TLS and h2, measured)',
      observation: { answers: [{ transport: 'sse', kind: 'reset', why: 'the server reset the stream (RST_STREAM INTERNAL_ERROR)' }] },
      outcome: 'fail',
      actual: 'SSE: the server reset the stream (RST_STREAM INTERNAL_ERROR) instead of answering',
    },
    {
      name: 'stray body bytes',
      observation: {
        answers: [{ transport: 'longPoll', kind: 'answered', status: 200, tookMs: 1, strayBytes: 12, allow: null, getStatus: 200 }],
      },
      outcome: 'fail',
      actual: 'followed by 12 body bytes',
    },
    {
      name: '405 with Allow',
      observation: {
        answers: [{ transport: 'stream', kind: 'answered', status: 405, tookMs: 1, strayBytes: 0, allow: 'GET', getStatus: 200 }],
      },
      outcome: 'pass',
      actual: 'HEAD refused cleanly (Allow: GET)',
    },
    {
      name: '404 where GET is 200',
      observation: {
        answers: [{ transport: 'stream', kind: 'answered', status: 404, tookMs: 1, strayBytes: 0, allow: null, getStatus: 200 }],
      },
      outcome: 'warn',
    },
    {
      name: 'POST endpoint only',
      observation: { answers: [{ transport: 'longPoll', kind: 'n/a', why: 'the endpoint is POST, HEAD mirrors GET only' }] },
      outcome: 'skip',
      actual: 'n/a: long poll: the endpoint is POST',
    },
  ]),
];
