import * as b from '../../suites/xep0124/bosh.js';
import * as x from '../../suites/xep0124/cross-origin.js';
import * as i from '../../suites/xep0124/intermediaries.js';
import * as l from '../../suites/xep0124/session-lifetime.js';
import * as sec from '../../suites/xep0124/security.js';
import * as err from '../../suites/xep0124/errors.js';
import * as rs from '../../suites/xep0124/resend.js';
import { canned } from './canned.js';
import { boshRecorded as rec } from './recorded/xep0124-bosh.js';

const conditions = { timeScale: 1, epsilonMs: 102, rttMs: 1 };
/** Random sids (Prosody's, recorded): the material the edge cases below are made from. */
const uuids = rec['bosh.sid-unpredictable'][2]?.observation.sids ?? [];
/** Prosody's answers to the provoked errors (recorded): the edge cases below vary them. */
const errorsSeen = rec['bosh.error-conditions'][2]!.observation;
const expiredSeen = rec['bosh.rid-expired'][2]!.observation;

export const boshCases = [
  canned(b.session, [
    ...rec['bosh.session'],
    {
      name: 'ver, polling, inactivity missing',
      observation: { status: 200, askedWait: 3, granted: { sid: 's', wait: '3', hold: '1', requests: '2' } },
      outcome: 'warn',
      actual: 'ver, polling, inactivity missing',
    },
  ]),
  canned(b.content, rec['bosh.content']),
  canned(b.wait, [
    ...rec['bosh.wait'],
    {
      name: 'held past the wait',
      observation: { conditions, rid: 7, waitMs: 2000, heldMs: 4000, problem: null, payloads: 0 },
      outcome: 'fail',
      actual: 'past the granted wait',
      excessMs: 1398,
    },
  ]),
  canned(b.holdRelease, rec['bosh.hold-release']),
  canned(b.ridOrder, [
    ...rec['bosh.rid-order'],
    {
      name: 'the message never came back: loss',
      observation: { conditions, jid: 'a@b/c', heldRid: 1, newRid: 2, gapMs: -10, carriedBy: null, laterRid: 3, laterCarried: false },
      outcome: 'fail',
      actual: 'never came back',
    },
  ]),
  canned(b.ridWindow, [
    ...rec['bosh.rid-window'],
    { name: 'legacy HTTP 404', observation: { rid: 99, status: 404, end: 'complete', attrs: {} }, outcome: 'pass' },
  ]),
  canned(b.ridResend, rec['bosh.rid-resend']),
  canned(b.terminate, rec['bosh.terminate']),
  canned(b.noChunked, rec['bosh.no-chunked']),
  canned(b.ridOutOfOrder, [
    ...rec['bosh.rid-out-of-order'],
    {
      name: 'the message never came back: loss',
      observation: {
        conditions,
        jid: 'a@b/c',
        rid: 10,
        aheadRid: 11,
        aheadPending: true,
        answers: [
          { rid: 10, status: 200, attrs: {}, carried: false, tEnd: 100, problem: null },
          { rid: 11, status: 200, attrs: {}, carried: false, tEnd: 120, problem: null },
        ],
      },
      outcome: 'fail',
      actual: 'never came back',
    },
    {
      name: 'rid n+1 answered long before rid n',
      observation: {
        conditions,
        jid: 'a@b/c',
        rid: 10,
        aheadRid: 11,
        aheadPending: false,
        answers: [
          { rid: 10, status: 200, attrs: {}, carried: false, tEnd: 3000, problem: null },
          { rid: 11, status: 200, attrs: {}, carried: true, tEnd: 10, problem: null },
        ],
      },
      outcome: 'fail',
      actual: 'out of rid order',
      excessMs: 2888,
    },
  ]),
  canned(l.inactivity, [
    ...rec['bosh.inactivity'],
    {
      name: 'no inactivity attribute: nothing to judge',
      observation: {
        conditions,
        inactivityMs: null,
        earlyIdleMs: 0,
        earlyAlive: true,
        earlyWhat: '',
        lateIdleMs: 0,
        lateAlive: true,
        lateWhat: '',
      },
      outcome: 'pass',
      actual: 'no inactivity period',
    },
  ]),
  canned(l.pollingSession, [
    ...rec['bosh.polling-session'],
    {
      name: 'inactivity not above polling',
      observation: { status: 200, granted: { wait: '0', hold: '0', polling: '5', inactivity: '5' } },
      outcome: 'warn',
      actual: 'not above polling',
    },
  ]),
  canned(l.overactivity, [
    ...rec['bosh.overactivity'],
    {
      name: 'no polling attribute: any rate is fine',
      observation: { grantedWait: 0, pollingS: null, firstPayloads: 0, firstWhat: '', gapMs: 5, secondAttrs: {}, secondStatus: 200 },
      outcome: 'pass',
      actual: 'no polling interval',
    },
    {
      name: 'no polling attribute, yet policy-violation',
      observation: {
        grantedWait: 0,
        pollingS: null,
        firstPayloads: 0,
        firstWhat: '',
        gapMs: 5,
        secondAttrs: { type: 'terminate', condition: 'policy-violation' },
        secondStatus: 200,
      },
      outcome: 'fail',
      actual: 'although no polling interval',
    },
    {
      name: 'the first poll carried payloads',
      observation: { grantedWait: 0, pollingS: 5, firstPayloads: 1, firstWhat: '', gapMs: 5, secondAttrs: {}, secondStatus: 200 },
      outcome: 'inconclusive',
      actual: 'carried 1 payload',
    },
  ]),
  canned(x.corsPreflight, [
    ...rec['bosh.cors-preflight'],
    {
      name: 'preflight allows, POST lacks Allow-Origin',
      observation: {
        origin: 'https://app.example.com',
        preflight: { status: 204, end: 'complete', allowOrigin: '*', allowMethods: null, allowHeaders: 'Content-Type' },
        postAllowOrigin: null,
        postStatus: 200,
      },
      outcome: 'fail',
      actual: 'no Access-Control-Allow-Origin',
    },
    {
      name: 'Allow-Headers leaves out content-type',
      observation: {
        origin: 'https://app.example.com',
        preflight: {
          status: 200,
          end: 'complete',
          allowOrigin: 'https://app.example.com',
          allowMethods: 'POST',
          allowHeaders: 'X-Requested-With',
        },
        postAllowOrigin: '*',
        postStatus: 200,
      },
      outcome: 'fail',
      actual: 'does not cover content-type',
    },
  ]),
  canned(i.waitSurvives, rec['bosh.wait-survives']),
  canned(sec.sidUnpredictable, [
    ...rec['bosh.sid-unpredictable'],
    {
      name: 'a sid handed out twice',
      observation: { asked: 24, sids: [...uuids.slice(0, 23), uuids[3] ?? ''], failures: [] },
      outcome: 'fail',
      actual: 'got a sid another session had',
    },
    {
      name: 'a hex counter behind a fixed prefix',
      observation: { asked: 24, sids: uuids.map((_, i) => `sess-${(0x3fa0 + 7 * i).toString(16)}`), failures: [] },
      outcome: 'warn',
      actual: 'count up',
    },
    {
      name: 'random but short (4 hex digits)',
      observation: { asked: 24, sids: uuids.map((u) => u.slice(0, 4)), failures: [] },
      outcome: 'warn',
      actual: 'differ in about 16 bits',
    },
    {
      name: '16 random bytes in base64',
      observation: { asked: 24, sids: uuids.map((u) => Buffer.from(u.replace(/-/g, ''), 'hex').toString('base64url')), failures: [] },
      outcome: 'pass',
    },
    {
      name: 'too few sessions created',
      observation: { asked: 24, sids: uuids.slice(0, 5), failures: ['setup: no BOSH session was created (HTTP 503: {})'] },
      outcome: 'inconclusive',
      actual: 'only 5 of 24 sessions were created (setup: no BOSH session was created',
    },
  ]),
  canned(err.errorConditions, [
    ...rec['bosh.error-conditions'],
    {
      name: 'a legacy connection manager (no ver)',
      observation: { ...errorsSeen, cmVer: null, errors: errorsSeen.errors.map((e) => ({ ...e, status: 404, attrs: {} })) },
      outcome: 'skip',
      actual: 'legacy',
    },
    {
      name: 'HTTP 404 that still carries the terminal body',
      observation: { ...errorsSeen, errors: errorsSeen.errors.map((e, i) => (i === 0 ? { ...e, status: 404 } : e)) },
      outcome: 'fail',
      actual: "HTTP 404 with condition='item-not-found'",
    },
    {
      name: 'nothing reported (every request accepted or unanswered)',
      observation: {
        ...errorsSeen,
        errors: errorsSeen.errors.map((e) => ({ ...e, status: 0, end: 'timeout', attrs: {}, problem: 'no response (timeout)' })),
      },
      outcome: 'inconclusive',
      actual: 'none of the provoked errors was reported',
    },
  ]),
  canned(rs.ridExpired, [
    ...rec['bosh.rid-expired'],
    {
      name: 'legacy HTTP 404',
      observation: { ...expiredSeen, status: 404, attrs: {} },
      outcome: 'pass',
      actual: 'HTTP 404',
    },
    {
      name: 'the original response came back (a longer buffer)',
      observation: { ...expiredSeen, attrs: {}, copyCameBack: true },
      outcome: 'inconclusive',
      actual: 'buffers more than the 2 responses it must',
    },
    {
      name: 'a recoverable error instead of a terminal one',
      observation: { ...expiredSeen, attrs: { type: 'error' } },
      outcome: 'fail',
      actual: 'processed as new',
    },
  ]),
];
