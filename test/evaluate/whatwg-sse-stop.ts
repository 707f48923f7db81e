import { stop204, type StopSeen } from '../../suites/whatwg-html/9.2.2-stop-204.js';
import { canned } from './canned.js';

const recorded = 'reference fixture';
// recorded: pushspec run --fixture --only sse.stop-204 → pass; --fault sse-stop-200 → fail
const clean: StopSeen = {
  declared: true,
  path: '/sse?channel=REPLACE&closed=1',
  status: 204,
  end: 'complete',
  contentType: null,
  transferEncoding: null,
  bodyBytes: 0,
  strayBytes: 0,
  bodyStart: '""',
};
const ended: StopSeen = { ...clean, status: 200, contentType: 'text/event-stream', end: 'complete' };

export const sseStopCases = [
  canned(stop204, [
    { name: '204, nothing after the head', recorded, observation: clean, outcome: 'pass', actual: 'HTTP 204' },
    {
      name: '200 with an empty stream that ends',
      recorded,
      observation: ended,
      outcome: 'fail',
      actual: 'reconnects after its retry time',
    },
    { name: '200 stream that stays open', observation: { ...ended, end: 'timeout' }, outcome: 'fail', actual: 'stayed open' },
    { name: '404', observation: { ...clean, status: 404 }, outcome: 'fail', actual: 'HTTP 404' },
    {
      name: '204 with Transfer-Encoding: chunked (H1-TE-02)',
      observation: { ...clean, transferEncoding: 'chunked', strayBytes: 5, bodyStart: '"0\\r\\n\\r\\n"' },
      outcome: 'fail',
      actual: 'Transfer-Encoding: chunked on a 204',
    },
    {
      name: '204 with body bytes (H1-LEN-01)',
      observation: { ...clean, strayBytes: 2, bodyStart: '"{}"' },
      outcome: 'fail',
      actual: '2 bytes after the head',
    },
    { name: 'no answer', observation: { ...clean, status: null, end: 'timeout' }, outcome: 'inconclusive' },
    {
      name: 'no stopUrl declared',
      observation: { ...clean, declared: false, path: '', status: null },
      outcome: 'skip',
      actual: 'declares no sse.stopUrl',
    },
  ]),
];
