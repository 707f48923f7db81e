import { cancelIsolated, concurrentStreams, type CancelSeen, type ConcurrencySeen } from '../../suites/rfc9113/5.1-streams.js';
import { noConnectionFields, type FieldSample } from '../../suites/rfc9113/8.2-fields.js';
import { slowReaderIsolated, type SlowReaderSeen } from '../../suites/rfc9113/5.2-flow-control.js';
import { canned } from './canned.js';

const fields = (over: Partial<FieldSample> = {}): FieldSample => ({
  transport: 'sse',
  status: 200,
  fields: [
    ['content-type', 'text/event-stream'],
    ['cache-control', 'no-store'],
  ],
  end: 'error',
  refused: null,
  ...over,
});
const REFUSED =
  'h2-refused: our HTTP/2 client (nghttp2, as browsers do) reset the stream with PROTOCOL_ERROR: the response broke an RFC 9113 §8 rule (e.g. a connection-specific field, §8.2.2)';

const streams = (over: Partial<ConcurrencySeen> = {}): ConcurrencySeen => ({
  maxConcurrent: 128,
  transport: 'sse',
  held: 8,
  stillHeld: 8,
  ordinary: { status: 200, end: 'complete', tookMs: 3 },
  ...over,
});

const cancel = (over: Partial<CancelSeen> = {}): CancelSeen => ({
  transport: 'sse',
  cancelledHeaders: true,
  sibling: { status: 200, openAfter: true, end: 'open' },
  connection: 'open',
  after: { status: 200, end: 'complete' },
  waitedMs: 520,
  ...over,
});

const slowReader = (over: Partial<SlowReaderSeen> = {}): SlowReaderSeen => ({
  transport: 'sse',
  windowBytes: 16_384,
  publishedBytes: 65_536,
  slowReceived: 16_384,
  probeLatencyMs: 4,
  allowedMs: 110,
  ...over,
});

export const http2Cases = [
  canned(slowReaderIsolated, [
    { name: 'the unread stream held at its window, the other served at once', observation: slowReader(), outcome: 'pass' },
    {
      name: 'the fan-out waits for the unread stream',
      observation: slowReader({ probeLatencyMs: null }),
      outcome: 'fail',
      actual: 'one slow reader stalls the channel for everyone',
    },
    {
      name: 'late',
      observation: slowReader({ probeLatencyMs: 900 }),
      outcome: 'fail',
      actual: 'after 900 ms (allowed 110 ms)',
      excessMs: 790,
    },
    { name: 'flow control never engaged', observation: slowReader({ slowReceived: 70_000 }), outcome: 'inconclusive' },
    {
      name: 'the reading stream ended first',
      observation: slowReader({ probeLatencyMs: null, fastEnded: 'rst' }),
      outcome: 'inconclusive',
    },
  ]),
  canned(noConnectionFields, [
    {
      name: 'lower-case fields, none connection-specific',
      observation: { samples: [fields(), fields({ transport: 'longPoll', end: 'complete' })] },
      outcome: 'pass',
    },
    {
      name: 'Connection: keep-alive on an event stream, refused by our client',
      observation: {
        samples: [fields({ fields: [...fields().fields, ['connection', 'keep-alive']], end: 'malformed', refused: REFUSED })],
      },
      outcome: 'fail',
      actual: 'connection: keep-alive',
    },
    {
      name: 'Transfer-Encoding: chunked copied from HTTP/1.1',
      observation: { samples: [fields({ transport: 'stream', fields: [['transfer-encoding', 'chunked']] })] },
      outcome: 'fail',
      actual: 'transfer-encoding: chunked',
    },
    {
      name: 'an upper-case field name',
      observation: { samples: [fields({ fields: [['Content-Type', 'text/event-stream']] })] },
      outcome: 'fail',
      actual: 'upper-case name "Content-Type"',
    },
    {
      name: 'refused for another reason',
      observation: { samples: [fields({ refused: REFUSED, end: 'malformed' })] },
      outcome: 'fail',
      actual: 'PROTOCOL_ERROR',
    },
    { name: 'no head arrived', observation: { samples: [fields({ status: null, fields: [], end: 'timeout' })] }, outcome: 'inconclusive' },
  ]),
  canned(concurrentStreams, [
    { name: 'nginx-like 128, ordinary request answered', observation: streams(), outcome: 'pass' },
    { name: 'no limit advertised', observation: streams({ maxConcurrent: null }), outcome: 'pass', actual: 'unlimited' },
    {
      name: 'limit 4',
      observation: streams({ maxConcurrent: 4, held: 3, stillHeld: 3 }),
      outcome: 'fail',
      actual: 'the 5th poll or EventSource',
    },
    {
      name: 'ordinary request starved beside held streams',
      observation: streams({ ordinary: { status: null, end: 'timeout', tookMs: null } }),
      outcome: 'fail',
      actual: 'starve every other request',
    },
    { name: 'nothing stayed held', observation: streams({ stillHeld: 0 }), outcome: 'inconclusive' },
  ]),
  canned(cancelIsolated, [
    { name: 'sibling open, next request answered', observation: cancel(), outcome: 'pass' },
    {
      name: 'session destroyed on cancel',
      observation: cancel({
        sibling: { status: 200, openAfter: false, end: 'fin' },
        connection: 'closed (fin)',
        after: { status: null, end: 'not sent: the connection was gone' },
      }),
      outcome: 'fail',
      actual: 'the connection was closed (fin)',
    },
    {
      name: 'sibling reset, connection kept',
      observation: cancel({ sibling: { status: 200, openAfter: false, end: 'rst' } }),
      outcome: 'fail',
      actual: 'the other SSE request ended too (rst)',
    },
  ]),
];
