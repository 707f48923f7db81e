import * as b from '../../suites/bayeux/1.0.js';
import * as bi from '../../suites/bayeux/intermediaries.js';
import { canned } from './canned.js';
import { bayeuxRecorded as rec } from './recorded/bayeux-1.0.js';

const conditions = { timeScale: 1, epsilonMs: 102, rttMs: 1 };

export const bayeuxCases = [
  canned(b.handshake, [
    ...rec['bay.handshake'],
    {
      name: 'refused handshake: nothing else can be judged',
      observation: {
        status: 200,
        problem: null,
        replyCount: 1,
        reply: { channel: '/meta/handshake', successful: false, error: '403::forbidden' },
        sentId: '1',
      },
      outcome: 'inconclusive',
      actual: 'the handshake was refused (403::forbidden)',
    },
    {
      name: 'an HTML error page is not a Bayeux reply',
      observation: { status: 502, problem: 'not JSON: "<html>"', replyCount: 0, reply: null, sentId: '1' },
      outcome: 'fail',
      actual: 'is not a Bayeux reply',
    },
  ]),
  canned(b.connectHeld, [
    ...rec['bay.connect-held'],
    {
      name: 'no advice.timeout: only "held at all" is judged',
      observation: {
        conditions,
        advisedTimeoutMs: null,
        seq: 4,
        firstConnectMs: 5,
        heldMs: 10_000,
        end: 'complete',
        successful: true,
        problem: null,
      },
      outcome: 'pass',
      actual: 'no advice.timeout was given',
    },
    {
      name: 'held longer than advised',
      observation: {
        conditions,
        advisedTimeoutMs: 2000,
        seq: 4,
        firstConnectMs: 5,
        heldMs: 4000,
        end: 'complete',
        successful: true,
        problem: null,
      },
      outcome: 'fail',
      actual: 'longer than the advised 2000 ms',
      excessMs: 1398,
    },
  ]),
  canned(b.connectWakes, [
    ...rec['bay.connect-wakes'],
    {
      name: 'acknowledged and never delivered: loss',
      observation: { conditions, timeoutMs: 2000, heldSeq: 3, heldForMs: 2000, onHeldMs: null, nextSeq: 4, onNextMs: null },
      outcome: 'fail',
      actual: 'never arrived',
    },
    {
      name: 'only on the next connect',
      observation: { conditions, timeoutMs: 2000, heldSeq: 3, heldForMs: 2000, onHeldMs: null, nextSeq: 4, onNextMs: 2100 },
      outcome: 'fail',
      actual: 'only on connect #4',
    },
  ]),
  canned(b.twoConnections, [
    ...rec['bay.two-connections'],
    {
      name: 'no answer at all',
      observation: {
        conditions,
        connectSeq: 3,
        connectConnection: 2,
        ackConnection: 1,
        ackMs: null,
        ackEnd: 'timeout',
        ackAfterConnect: false,
      },
      outcome: 'fail',
      actual: 'got no answer',
    },
  ]),
  canned(b.unknownClient, [
    ...rec['bay.unknown-client'],
    {
      name: 'unsuccessful without handshake advice',
      observation: {
        clientId: 'x',
        status: 200,
        problem: null,
        replyCount: 1,
        reply: { channel: '/meta/connect', successful: false, error: '402::Unknown client' },
      },
      outcome: 'warn',
      actual: 'cannot tell a lost session',
    },
  ]),
  canned(b.noLoss, [
    ...rec['bay.no-loss'],
    {
      name: 'out of order',
      observation: { published: ['a', 'b', 'c'], received: ['b', 'a', 'c'], connects: 1 },
      outcome: 'fail',
      actual: 'out of order',
    },
    {
      name: 'twice',
      observation: { published: ['a', 'b', 'c'], received: ['a', 'b', 'b', 'c'], connects: 2 },
      outcome: 'fail',
      actual: 'arrived twice',
    },
  ]),
  canned(b.multipleClients, rec['bay.multiple-clients']),
  canned(b.jsonpCallback, [
    ...rec['bay.jsonp-callback'],
    {
      name: 'a 200 that does not reflect the callback',
      observation: { callback: 'alert(1)//', status: 200, bodyStart: '/**/jsonpcallback([])', reflected: false },
      outcome: 'pass',
    },
  ]),
  canned(b.jsonErrors, [
    ...rec['bay.json-errors'],
    { name: 'no answer', observation: { gotHeaders: false, status: 0, end: 'timeout' }, outcome: 'fail', actual: 'no answer (timeout)' },
  ]),
  canned(bi.connectSurvives, rec['bay.connect-survives']),
  canned(bi.notStorable, [
    {
      name: 'no-store on every reply',
      observation: {
        responses: [
          {
            label: '/meta/handshake #1',
            status: 200,
            headers: [
              ['Content-Type', 'text/javascript'],
              ['Cache-Control', 'no-cache, no-store'],
            ],
          },
          { label: '/meta/connect #3', status: 200, headers: [['Cache-Control', 'no-store']] },
        ],
      },
      outcome: 'pass',
    },
    {
      name: 'public, max-age=60 on the connect',
      observation: {
        responses: [
          { label: '/meta/handshake #1', status: 200, headers: [['Cache-Control', 'no-store']] },
          { label: '/meta/connect #3', status: 200, headers: [['Cache-Control', 'public, max-age=60']] },
        ],
      },
      outcome: 'fail',
      actual: '/meta/connect #3 (200)',
    },
    {
      name: 'no Cache-Control but Last-Modified: heuristic freshness',
      observation: {
        responses: [{ label: '/meta/connect #3', status: 200, headers: [['Last-Modified', 'Mon, 01 Jan 2024 00:00:00 GMT']] }],
      },
      outcome: 'fail',
      actual: 'replay a stored /meta/connect answer',
    },
  ]),
];
