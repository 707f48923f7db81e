import * as b from '../../suites/xep0124/bosh.js';
import { canned } from './canned.js';
import { boshRecorded as rec } from './recorded/xep0124-bosh.js';

const conditions = { timeScale: 1, epsilonMs: 102, rttMs: 1 };

export const boshCases = [
  canned(b.session, [...rec['bosh.session'], { name: 'ver, polling, inactivity missing', observation: { status: 200, askedWait: 3, granted: { sid: 's', wait: '3', hold: '1', requests: '2' } }, outcome: 'warn', actual: 'ver, polling, inactivity missing' }]),
  canned(b.content, rec['bosh.content']),
  canned(b.wait, [...rec['bosh.wait'], { name: 'held past the wait', observation: { conditions, rid: 7, waitMs: 2000, heldMs: 4000, problem: null, payloads: 0 }, outcome: 'fail', actual: 'past the granted wait', excessMs: 1398 }]),
  canned(b.holdRelease, rec['bosh.hold-release']),
  canned(b.ridOrder, [
    ...rec['bosh.rid-order'],
    { name: 'the message never came back: loss', observation: { conditions, jid: 'a@b/c', heldRid: 1, newRid: 2, gapMs: -10, carriedBy: null, laterRid: 3, laterCarried: false }, outcome: 'fail', actual: 'never came back' },
  ]),
  canned(b.ridWindow, [...rec['bosh.rid-window'], { name: 'legacy HTTP 404', observation: { rid: 99, status: 404, end: 'complete', attrs: {} }, outcome: 'pass' }]),
  canned(b.ridResend, rec['bosh.rid-resend']),
  canned(b.terminate, rec['bosh.terminate']),
  canned(b.noChunked, rec['bosh.no-chunked']),
];
