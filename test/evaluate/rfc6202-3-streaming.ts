import {
  appFraming,
  chunkSyntax,
  firstByte,
  gzip,
  heartbeat,
  http10,
  incremental,
  noContentLength,
  staysOpen,
} from '../../suites/rfc6202/3-streaming.js';
import { canned } from './canned.js';
import { LOOPBACK } from './observations.js';
import * as rec from './recorded/rfc6202-3-streaming.js';

const recorded = 'reference fixture';
const onTime = { latencyMs: 3, allowedMs: 105 };

export const streamingCases = [
  canned(staysOpen, [
    {
      name: 'still open',
      observation: { delivered: 3, open: true, ending: '200', end: 'timeout', framing: 'chunked' },
      outcome: 'pass',
      actual: '3 events on one response, still open',
    },
    {
      name: 'ends after the event',
      recorded,
      observation: rec.endsAfterEvent,
      outcome: 'fail',
      actual: 'that is a long poll, not a stream',
    },
    {
      name: 'nothing arrived',
      observation: { delivered: 0, open: true, ending: '200', end: 'timeout', framing: 'chunked' },
      outcome: 'inconclusive',
      actual: 'see st.incremental',
    },
  ]),
  canned(incremental, [
    { name: 'clean', recorded, observation: rec.incrementalClean, outcome: 'pass' },
    {
      name: 'stream refused 403 (nchan chunked over HTTP/2: no TE: chunked there), nothing to time',
      observation: { ...rec.buffer8k, status: 403 },
      outcome: 'inconclusive',
      actual: 'answered HTTP 403, not with a stream',
    },
    {
      name: '8 KiB buffer',
      recorded,
      observation: rec.buffer8k,
      outcome: 'fail',
      actual: 'event 1 never arrived — the server holds small writes back',
      excessMs: null,
    },
    {
      name: 'late by 95 ms through a profile',
      observation: { direct: false, ended: false, deliveries: [onTime, { latencyMs: 200, allowedMs: 105 }] },
      outcome: 'fail',
      actual: 'event 2 arrived 200 ms after its publish (allowed 105 ms)',
      excessMs: 95,
    },
    {
      name: 'ended after an event: st.stays-open judges it',
      observation: { direct: true, ended: true, deliveries: [onTime, { latencyMs: null, allowedMs: 105 }] },
      outcome: 'pass',
    },
  ]),
  canned(http10, [
    { name: 'close-delimited', recorded, observation: rec.http10Clean, outcome: 'pass', actual: 'close-delimited, 3 events' },
    {
      name: 'chunked to HTTP/1.0',
      recorded,
      observation: rec.chunkedToHttp10,
      outcome: 'fail',
      actual: '"Transfer-Encoding: chunked" to an HTTP/1.0 request',
    },
    {
      name: 'declined with 505',
      observation: { httpVersion: '1.1', status: 505, transferEncoding: null, framing: 'content-length', end: 'complete', delivered: 0 },
      outcome: 'pass',
      actual: 'declines HTTP/1.0 streaming with 505',
    },
    {
      name: 'no event',
      observation: { httpVersion: '1.0', status: 200, transferEncoding: null, framing: 'close', end: 'timeout', delivered: 0 },
      outcome: 'inconclusive',
      actual: 'see st.incremental',
    },
  ]),
  canned(noContentLength, [
    {
      name: 'chunked',
      observation: { contentLength: null, transferEncoding: 'chunked', framing: 'chunked' },
      outcome: 'pass',
      actual: 'framing: chunked',
    },
    {
      name: 'Content-Length on a stream',
      recorded,
      observation: rec.contentLength,
      outcome: 'fail',
      actual: '"Content-Length: 1000000" on an endless stream',
    },
    {
      name: 'Content-Length beside Transfer-Encoding',
      observation: { contentLength: '5', transferEncoding: 'chunked', framing: 'chunked' },
      outcome: 'pass',
      actual: 'ignored: Transfer-Encoding present',
    },
  ]),
  canned(chunkSyntax, [
    {
      name: 'our abort only',
      observation: { end: 'timeout', framing: 'chunked', errors: ['incomplete: response ended before the last chunk'], chunks: 4 },
      outcome: 'pass',
      actual: '4 well-formed chunks',
    },
    { name: 'bare LF', recorded, observation: rec.badChunkSize, outcome: 'fail', actual: 'malformed chunked framing: bare-lf:' },
    {
      name: 'close-delimited',
      observation: { end: 'fin', framing: 'close', errors: [], chunks: 0 },
      outcome: 'pass',
      actual: 'nothing to check',
    },
  ]),
  canned(appFraming, [
    {
      name: 'NDJSON per event',
      recorded,
      observation: rec.appFramingClean,
      outcome: 'pass',
      actual: '3 events, each a complete ndjson message',
    },
    {
      name: 'messages only by chunk boundaries',
      recorded,
      observation: rec.chunkBoundary,
      outcome: 'fail',
      actual: 'event 1 never became a complete ndjson message',
    },
    {
      name: 'completed by the next event',
      observation: { declared: 'ndjson', conditions: LOOPBACK, events: [{ n: 1, completedAfterMs: 310 }], messages: 1, parserProblems: [] },
      outcome: 'fail',
      actual: 'event 1 was completed only 310 ms later',
    },
    {
      name: 'declared "chunks"',
      observation: { declared: 'chunks', arrived: 3, framing: 'chunked', chunkSizes: [20, 20, 20] },
      outcome: 'fail',
      actual: 'in 3 chunk(s) of 20, 20, 20 bytes',
    },
  ]),
  canned(gzip, [
    {
      name: 'flushed per event',
      observation: { kinds: [{ name: '', encoding: 'gzip', deliveries: [onTime, onTime, onTime] }] },
      outcome: 'pass',
      actual: 'Content-Encoding: gzip, each event flushed',
    },
    {
      name: 'not compressed',
      observation: { kinds: [{ name: '', encoding: null, deliveries: [] }] },
      outcome: 'pass',
      actual: 'declines to compress',
    },
    {
      name: 'compressor not flushed',
      recorded,
      observation: rec.gzipNoFlush,
      outcome: 'fail',
      actual: 'the compressor holds small events until its buffer fills',
      excessMs: null,
    },
    {
      name: 'SSE late by 45 ms',
      observation: {
        kinds: [
          { name: 'stream: ', encoding: null, deliveries: [] },
          { name: 'SSE: ', encoding: 'gzip', deliveries: [{ latencyMs: 150, allowedMs: 105 }] },
        ],
      },
      outcome: 'fail',
      actual: 'SSE: Content-Encoding: gzip; event 1 arrived 150 ms',
      excessMs: 45,
    },
  ]),
  canned(heartbeat, [
    {
      name: 'heartbeat every second',
      recorded,
      observation: rec.heartbeatClean,
      outcome: 'pass',
      actual: 'largest silence 1.0 s over 1.7 s',
    },
    { name: 'silent', recorded, observation: rec.noHeartbeat, outcome: 'fail', actual: 'silent for 1.7 s (the whole observation)' },
    {
      name: 'declared 30 s',
      observation: { ...rec.heartbeatClean, declaredMs: 30000 },
      outcome: 'fail',
      actual: 'the declared heartbeat is 30.0 s',
    },
    { name: 'ended by itself', observation: { ...rec.heartbeatClean, ended: true }, outcome: 'inconclusive', actual: 'ended by itself' },
    // CI: a 1.2 s silence against a declared 1 s heartbeat, while the in-process server's timers stalled.
    {
      name: 'late beat within the harness stall',
      observation: { ...rec.heartbeatClean, gapMs: 1200, stallMs: 150, discarded: 2 },
      outcome: 'inconclusive',
      actual: "harness's own 0.1 s event-loop stall (3 observations)",
    },
    {
      name: 'late beat beyond the harness stall',
      observation: { ...rec.heartbeatClean, gapMs: 1400, stallMs: 150 },
      outcome: 'fail',
      actual: 'silent for 1.4 s; the declared heartbeat is 1.0 s',
    },
  ]),
  canned(firstByte, [
    { name: 'headers at once', recorded, observation: rec.firstByteClean, outcome: 'pass', actual: 'headers after 2 ms' },
    {
      name: 'deferred headers',
      recorded,
      observation: rec.deferHeaders,
      outcome: 'fail',
      actual: 'the server defers its response until there is data',
    },
    {
      name: 'the allowance scales',
      observation: { timeScale: 2, rttMs: 1, headersAfterMs: null },
      outcome: 'fail',
      actual: 'no response headers after 2002 ms',
    },
  ]),
];
