import { connectionClose } from '../../suites/rfc9112/9.6-connection-close.js';
import { http10NoChunked, teWithoutCl } from '../../suites/rfc9112/6.1-transfer-encoding.js';
import { selfDelimited } from '../../suites/rfc9112/6.3-message-body-length.js';
import { responseVersion } from '../../suites/rfc9112/2.3-http-version.js';
import { hostRequired, type HostProbe } from '../../suites/rfc9112/3.2-host.js';
import type { PollHeadSeen } from '../../suites/scenarios/poll-head.js';
import { http10Close } from '../../suites/rfc9112/9.3-persistence.js';
import { noStrayBytes, type StraySeen } from '../../suites/rfc9112/9.2-associating-responses.js';
import type { Http10PollSeen } from '../../suites/scenarios/http10-poll.js';
import { idleClose, type IdleCloseSeen } from '../../suites/rfc9112/9.5-failures-timeouts.js';
import { canned, type CannedCase } from './canned.js';

const conditions = { timeScale: 1, epsilonMs: 102, rttMs: 1 };

type Http10Head = NonNullable<Http10PollSeen['head']>;

/** The reference server's answer to an HTTP/1.0 poll, with what a case changes. */
function http10Head(over: Partial<Http10Head> = {}): Http10Head {
  return {
    httpVersion: '1.1',
    status: 200,
    transferEncoding: null,
    contentLength: '59',
    connection: 'close',
    framing: 'content-length',
    ...over,
  };
}

/** An HTTP/1.0 poll answered completely, closed (FIN) afterMs after the response or (null) still open. */
const answered = (over: Partial<Http10Head>, afterMs: number | null): Http10PollSeen => ({
  conditions,
  head: http10Head(over),
  end: 'complete',
  closed: afterMs === null ? null : { how: 'fin', afterMs },
});

/** A poll answered 200 on a keep-alive connection watched 4.1 s idle; `closed` says how it ended. */
const idled = (closed: IdleCloseSeen['closed'], over: Partial<IdleCloseSeen> = {}): IdleCloseSeen => ({
  status: 200,
  reusable: true,
  watchedMs: 4102,
  closed,
  ...over,
});

/** A poll answered 200 on a connection left open, watched for a second; `over` says what arrived. */
const idle = (over: Partial<StraySeen> = {}): StraySeen => ({
  status: 200,
  reusable: true,
  framing: 'content-length',
  watchedMs: 1000,
  closedHow: null,
  strayBytes: 0,
  nonCrlfBytes: 0,
  sample: '',
  ...over,
});

/** An HTTP/1.1 poll answered 200 with Content-Length: 59, with what a case changes. */
const polled = (over: Partial<NonNullable<PollHeadSeen['head']>> = {}): PollHeadSeen => ({
  head: { httpVersion: '1.1', status: 200, transferEncoding: [], contentLength: ['59'], framing: 'content-length', ...over },
  end: 'complete',
});
const chunked = { transferEncoding: ['chunked'], contentLength: [], framing: 'chunked' };

/** The two Host probes: without Host, then with two Host lines. */
const hostProbes = (none: Omit<HostProbe, 'sent'>, two: Omit<HostProbe, 'sent'>): { probes: HostProbe[] } => ({
  probes: [
    { sent: 'no Host', ...none },
    { sent: 'two Host lines', ...two },
  ],
});
const refused = { status: 400, end: 'complete' };

/** One HTTP/1.0 poll is shared by both rows, so one recorded run judges both. */
const referenceHttp10: CannedCase<Http10PollSeen> = {
  name: 'reference fixture',
  recorded: 'pushspec run --fixture --only h1.http10-no-chunked,h1.http10-close',
  observation: {
    conditions: { timeScale: 1, epsilonMs: 101.602, rttMs: 0.801 },
    head: http10Head(),
    end: 'complete',
    closed: { how: 'fin', afterMs: 2.874610000000075 },
  },
  outcome: 'pass',
};

export const http1Cases = [
  canned(connectionClose, [
    {
      name: 'FIN right after the response',
      observation: { conditions, responseConnection: 'close', responseSaysClose: true, closed: { how: 'fin', afterMs: 0.4 } },
      outcome: 'pass',
      actual: 'closed (fin) 0 ms after the response; the response says "Connection: close"',
    },
    {
      name: 'still open after the allowance',
      observation: { conditions, responseConnection: 'keep-alive', responseSaysClose: false, closed: null },
      outcome: 'fail',
      actual: 'still open 102 ms after the response (the response says "Connection: keep-alive")',
      excessMs: null,
    },
    {
      name: 'the allowance scales with --time-scale',
      observation: {
        conditions: { timeScale: 3, epsilonMs: 302, rttMs: 1 },
        responseConnection: null,
        responseSaysClose: false,
        closed: null,
      },
      outcome: 'fail',
      actual: 'still open 302 ms after the response (the response says "Connection: (nothing)")',
    },
    {
      name: 'reference fixture',
      recorded: 'pushspec run --fixture --only h1.connection-close',
      observation: {
        conditions: { timeScale: 1, epsilonMs: 101.882, rttMs: 0.941 },
        responseConnection: 'close',
        responseSaysClose: true,
        closed: { how: 'fin', afterMs: 1.484059000000002 },
      },
      outcome: 'pass',
    },
    {
      name: 'fault ignore-connection-close',
      recorded: 'pushspec run --fixture --fault ignore-connection-close --only h1.connection-close',
      observation: {
        conditions: { timeScale: 1, epsilonMs: 102.108, rttMs: 1.054 },
        responseConnection: 'keep-alive',
        responseSaysClose: false,
        closed: null,
      },
      outcome: 'fail',
    },
  ]),
  canned(http10NoChunked, [
    {
      name: 'Content-Length to HTTP/1.0',
      observation: answered({}, 2),
      outcome: 'pass',
      actual: 'HTTP/1.1 200, content-length-delimited (Content-Length: 59), no Transfer-Encoding',
    },
    {
      name: 'close-delimited to HTTP/1.0',
      observation: answered({ httpVersion: '1.0', contentLength: null, framing: 'close' }, 0),
      outcome: 'pass',
      actual: 'HTTP/1.0 200, close-delimited, no Transfer-Encoding',
    },
    {
      name: 'chunked to HTTP/1.0',
      observation: answered({ transferEncoding: 'chunked', contentLength: null, framing: 'chunked' }, 3),
      outcome: 'fail',
      actual: 'HTTP/1.1 200 with "Transfer-Encoding: chunked" to an HTTP/1.0 request',
    },
    {
      name: 'a refusal without Transfer-Encoding is no violation',
      observation: answered({ status: 505, contentLength: '0' }, 1),
      outcome: 'pass',
      actual: 'HTTP/1.1 505',
    },
    {
      name: 'no answer is inconclusive',
      observation: { conditions, head: null, end: 'timeout', closed: null },
      outcome: 'inconclusive',
      actual: 'no answer to the HTTP/1.0 poll (timeout)',
    },
    referenceHttp10,
    {
      name: 'fault lp-chunked-to-http10',
      recorded: 'pushspec run --fixture --fault lp-chunked-to-http10 --only h1.http10-no-chunked',
      observation: {
        conditions: { timeScale: 1, epsilonMs: 102.02, rttMs: 1.01 },
        head: http10Head({ transferEncoding: 'chunked', contentLength: null, framing: 'chunked' }),
        end: 'complete',
        closed: { how: 'fin', afterMs: 3.2961370000000443 },
      },
      outcome: 'fail',
    },
  ]),
  canned(http10Close, [
    {
      name: 'FIN right after the response',
      observation: answered({}, 3),
      outcome: 'pass',
      actual: 'closed (fin) 3 ms after the response; HTTP/1.1 200 with "Connection: close"',
    },
    {
      name: 'close-delimited: the close is the end of the response',
      observation: answered({ httpVersion: '1.0', contentLength: null, connection: null, framing: 'close' }, 0),
      outcome: 'pass',
      actual: 'closed (fin) 0 ms after the response; HTTP/1.0 200 with "Connection: (nothing)"',
    },
    {
      name: 'still open after the allowance',
      observation: answered({ connection: 'keep-alive' }, null),
      outcome: 'fail',
      actual: 'still open 1102 ms after the response (HTTP/1.1 200 with "Connection: keep-alive")',
    },
    {
      name: 'closed, but later than the allowance (ε + 1 s grace)',
      observation: answered({ connection: null }, 1500),
      outcome: 'fail',
    },
    {
      name: 'the allowance scales with --time-scale',
      observation: { ...answered({}, 2500), conditions: { timeScale: 3, epsilonMs: 302, rttMs: 1 } },
      outcome: 'pass',
    },
    {
      name: 'an answer cut short has no end to close after',
      observation: { conditions, head: http10Head(), end: 'rst', closed: null },
      outcome: 'inconclusive',
      actual: 'did not complete (rst)',
    },
    referenceHttp10,
    {
      name: 'fault http10-keep-alive',
      recorded: 'pushspec run --fixture --fault http10-keep-alive --only h1.http10-close',
      observation: {
        conditions: { timeScale: 1, epsilonMs: 102.012, rttMs: 1.006 },
        head: http10Head({ connection: 'keep-alive' }),
        end: 'complete',
        closed: null,
      },
      outcome: 'fail',
    },
  ]),
  canned(noStrayBytes, [
    {
      name: 'nothing on the idle connection',
      observation: idle(),
      outcome: 'pass',
      actual: 'nothing after HTTP 200; the connection stayed open for the 1000 ms watched',
    },
    {
      name: 'lone CRLFs are allowed',
      observation: idle({ strayBytes: 4, sample: '\\r\\n\\r\\n' }),
      outcome: 'pass',
      actual: 'only 4 CR/LF bytes (allowed)',
    },
    {
      name: 'a close after a Connection: close response is no stray byte',
      observation: idle({ reusable: false, closedHow: 'fin' }),
      outcome: 'pass',
      actual: 'nothing after HTTP 200 (which announced the close); then fin',
    },
    {
      name: 'a late second body',
      observation: idle({ strayBytes: 25, nonCrlfBytes: 25, sample: '{"events":[],"next":3}' }),
      outcome: 'fail',
      actual: '25 bytes arrived after HTTP 200, past the body’s declared Content-Length, with no request outstanding',
    },
    {
      name: 'after a chunked body the bytes are stray, not beyond a length',
      observation: idle({ framing: 'chunked', strayBytes: 2, nonCrlfBytes: 2, sample: 'ok' }),
      outcome: 'fail',
      actual: '2 bytes arrived after HTTP 200 with no request outstanding',
    },
    {
      name: 'bytes before the close still count',
      observation: idle({ reusable: false, closedHow: 'fin', strayBytes: 1, nonCrlfBytes: 1, sample: ' ' }),
      outcome: 'fail',
      actual: 'then fin',
    },
    {
      name: 'reference fixture',
      recorded: 'pushspec run --fixture --only h1.no-stray-bytes',
      observation: idle(),
      outcome: 'pass',
    },
    {
      name: 'fault lp-stray-bytes',
      recorded: 'pushspec run --fixture --fault lp-stray-bytes --only h1.no-stray-bytes',
      observation: idle({ strayBytes: 4, nonCrlfBytes: 2, sample: 'ok\\r\\n' }),
      outcome: 'fail',
    },
  ]),
  canned(teWithoutCl, [
    { name: 'Content-Length alone', observation: polled(), outcome: 'pass', actual: 'no Transfer-Encoding (Content-Length: 59)' },
    { name: 'chunked alone', observation: polled(chunked), outcome: 'pass', actual: '"Transfer-Encoding: chunked", no Content-Length' },
    {
      name: 'gzip then chunked',
      observation: polled({ ...chunked, transferEncoding: ['gzip, chunked'] }),
      outcome: 'pass',
    },
    {
      name: 'both Transfer-Encoding and Content-Length',
      observation: polled({ ...chunked, contentLength: ['59'] }),
      outcome: 'fail',
      actual: '"Transfer-Encoding: chunked" together with "Content-Length: 59"',
    },
    {
      name: 'chunked twice, over two field lines',
      observation: polled({ ...chunked, transferEncoding: ['chunked', 'Chunked'] }),
      outcome: 'fail',
      actual: 'chunked applied 2 times',
    },
    {
      name: 'chunked not last',
      observation: polled({ transferEncoding: ['chunked, gzip'], contentLength: [], framing: 'close' }),
      outcome: 'fail',
      actual: 'chunked is not the final coding',
    },
    { name: 'no answer', observation: { head: null, end: 'timeout' }, outcome: 'inconclusive', actual: 'no answer to the poll (timeout)' },
    {
      name: 'reference fixture',
      recorded: 'pushspec run --fixture --only h1.te-without-cl,h1.self-delimited',
      observation: polled(),
      outcome: 'pass',
    },
    {
      name: 'fault lp-te-and-cl',
      recorded: 'pushspec run --fixture --fault lp-te-and-cl --only h1.te-without-cl',
      observation: {
        head: { httpVersion: '1.1', status: 200, transferEncoding: ['chunked'], contentLength: ['59'], framing: 'chunked' },
        end: 'complete',
      },
      outcome: 'fail',
    },
  ]),
  canned(selfDelimited, [
    { name: 'Content-Length', observation: polled(), outcome: 'pass', actual: 'HTTP/1.1 200, content-length-delimited' },
    { name: 'chunked', observation: polled(chunked), outcome: 'pass', actual: 'chunked-delimited' },
    {
      name: '204 without content',
      observation: polled({ status: 204, contentLength: [], framing: 'none' }),
      outcome: 'pass',
      actual: 'no content',
    },
    {
      name: 'close-delimited, even as an HTTP/1.0 answer',
      observation: polled({ httpVersion: '1.0', contentLength: [], framing: 'close' }),
      outcome: 'fail',
      actual: 'HTTP/1.0 200 with neither Content-Length nor chunked coding',
    },
    { name: 'no answer', observation: { head: null, end: 'rst' }, outcome: 'inconclusive', actual: 'no answer to the poll (rst)' },
    {
      name: 'reference fixture',
      recorded: 'pushspec run --fixture --only h1.te-without-cl,h1.self-delimited',
      observation: polled(),
      outcome: 'pass',
    },
    {
      name: 'fault lp-close-delimited',
      recorded: 'pushspec run --fixture --fault lp-close-delimited --only h1.self-delimited',
      observation: {
        head: { httpVersion: '1.1', status: 200, transferEncoding: [], contentLength: [], framing: 'close' },
        end: 'complete',
      },
      outcome: 'fail',
    },
  ]),
  canned(responseVersion, [
    { name: 'HTTP/1.1', observation: polled(), outcome: 'pass', actual: 'HTTP/1.1 200' },
    {
      name: 'downgraded to HTTP/1.0',
      observation: polled({ httpVersion: '1.0' }),
      outcome: 'fail',
      actual: 'HTTP/1.0 200 to an HTTP/1.1 request',
    },
    { name: 'no answer', observation: { head: null, end: 'timeout' }, outcome: 'inconclusive' },
    {
      name: 'reference fixture',
      recorded: 'pushspec run --fixture --only h1.response-version',
      observation: polled(),
      outcome: 'pass',
    },
    {
      name: 'fault lp-http10-response',
      recorded: 'pushspec run --fixture --fault lp-http10-response --only h1.response-version',
      observation: {
        head: { httpVersion: '1.0', status: 200, transferEncoding: [], contentLength: ['59'], framing: 'content-length' },
        end: 'complete',
      },
      outcome: 'fail',
    },
  ]),
  canned(hostRequired, [
    {
      name: 'both refused 400',
      observation: hostProbes(refused, refused),
      outcome: 'pass',
      actual: 'no Host: HTTP 400; two Host lines: HTTP 400',
    },
    {
      name: 'another 4xx still refuses',
      observation: hostProbes(refused, { status: 421, end: 'complete' }),
      outcome: 'pass',
      actual: 'refused with HTTP 421',
    },
    {
      name: 'a Host-less poll served',
      observation: hostProbes({ status: 200, end: 'complete' }, refused),
      outcome: 'fail',
      actual: 'no Host: HTTP 200, served like a well-formed request',
    },
    {
      name: 'dropped without an answer',
      observation: hostProbes(refused, { status: null, end: 'fin' }),
      outcome: 'fail',
      actual: 'the connection ended (fin) without an answer',
    },
    {
      name: 'a 5xx is no refusal',
      observation: hostProbes(refused, { status: 500, end: 'complete' }),
      outcome: 'fail',
      actual: 'two Host lines: HTTP 500',
    },
    {
      name: 'no answer by the deadline',
      observation: hostProbes(refused, { status: null, end: 'timeout' }),
      outcome: 'inconclusive',
      actual: 'no answer by the poll deadline',
    },
    {
      name: 'reference fixture',
      recorded: 'pushspec run --fixture --only h1.host-required',
      observation: hostProbes(refused, refused),
      outcome: 'pass',
    },
    {
      name: 'fault duplicate-host-served',
      recorded: 'pushspec run --fixture --fault duplicate-host-served --only h1.host-required',
      observation: {
        probes: [
          { sent: 'no Host', status: 400, end: 'complete' },
          { sent: 'two Host lines', status: 200, end: 'complete' },
        ],
      },
      outcome: 'fail',
    },
  ]),
  canned(idleClose, [
    { name: 'kept open through the watch', observation: idled(null), outcome: 'pass', actual: 'still open 4102 ms after HTTP 200' },
    {
      name: 'a watch bounded by a short poll deadline says what it could not see',
      observation: idled(null, { watchedMs: 3602 }),
      outcome: 'pass',
      actual: 'a close after 3602 ms is not seen',
    },
    { name: 'a FIN after 4 s', observation: idled({ how: 'fin', afterMs: 4050 }), outcome: 'pass', actual: 'closed with a FIN 4050 ms' },
    {
      name: 'a FIN under 4 s',
      observation: idled({ how: 'fin', afterMs: 1000 }),
      outcome: 'fail',
      actual: 'closed the idle connection (FIN) 1000 ms after HTTP 200, under 4 s',
    },
    { name: 'an RST', observation: idled({ how: 'rst', afterMs: 5000 }), outcome: 'fail', actual: 'with an RST 5000 ms' },
    {
      name: 'a response that announced the close leaves no idle connection',
      observation: idled({ how: 'fin', afterMs: 1 }, { reusable: false }),
      outcome: 'inconclusive',
      actual: 'announced the close',
    },
    {
      name: 'reference fixture',
      recorded: 'pushspec run --fixture --only h1.idle-close --via direct',
      observation: { status: 200, reusable: true, watchedMs: 4102.06, closed: null },
      outcome: 'pass',
    },
    {
      name: 'fault h1-idle-reset',
      recorded: 'pushspec run --fixture --fault h1-idle-reset --only h1.idle-close --via direct',
      observation: { status: 200, reusable: true, watchedMs: 4102.304, closed: { how: 'rst', afterMs: 2500.189421 } },
      outcome: 'fail',
    },
  ]),
];
