import {
  batch,
  complete,
  fanout,
  gapAfterTimeout,
  gapNoLoss,
  headerOverhead,
  held,
  noDuplicates,
  order,
  persistent,
  repoll,
  wake,
  type GapSeen,
  type TrialSeen,
} from '../../suites/rfc6202/2-long-polling.js';
import { canned } from './canned.js';
import { LOOPBACK } from './observations.js';
import * as rec from './recorded/rfc6202-2-long-polling.js';

const recorded = 'reference fixture';
const trial = (over: Partial<TrialSeen> = {}): TrialSeen => ({
  tauMs: 600,
  publishMs: 2,
  endedBeforePublish: false,
  latencyMs: 2,
  responseMs: 602,
  endedAfterMs: 603,
  status: 200,
  ending: '200',
  events: 1,
  ...over,
});
const gap: GapSeen = {
  published: ['e1', 'e2', 'e3', 'e4'],
  gapTokens: ['e2', 'e3', 'e4'],
  gapPolls: [['e2', 'e3', 'e4']],
  received: ['e1', 'e2', 'e3', 'e4'],
  cursor: 'query',
};
const repolled = { endedEarly: false, ok: true, delivered: true, ending: '200', events: 1, nextDelivered: null };

export const longPollingCases = [
  canned(held, [
    { name: 'clean', recorded, observation: rec.heldClean, outcome: 'pass', actual: 'all 4 polls were still open at their publish' },
    {
      name: 'short poll',
      recorded,
      observation: rec.shortPoll,
      outcome: 'fail',
      actual: '4/4 polls were answered before any event (first after 7 ms, HTTP 200, 0 events)',
    },
  ]),
  canned(wake, [
    { name: 'clean', recorded, observation: rec.wakeClean, outcome: 'pass', actual: 'worst latency 3 ms over 4 trials, slope 1.00' },
    {
      name: 'answers on its timer',
      recorded,
      observation: rec.ignoreUntilTimeout,
      outcome: 'fail',
      actual: 'the server answers on its timer',
    },
    {
      name: 'never arrived: no excess',
      observation: { conditions: LOOPBACK, trials: [trial({ latencyMs: null, responseMs: null, ending: '200', events: 0 })] },
      outcome: 'fail',
      actual: 'event never arrived on that poll (200)',
      excessMs: null,
    },
    {
      name: 'late by 48 ms',
      observation: { conditions: LOOPBACK, trials: [trial({ latencyMs: 152 })] },
      outcome: 'fail',
      actual: 'allowed 104 ms',
      excessMs: 48,
    },
    {
      name: 'every poll ended early',
      observation: { conditions: LOOPBACK, trials: [trial({ endedBeforePublish: true })] },
      outcome: 'inconclusive',
      actual: 'see lp.held',
    },
  ]),
  canned(complete, [
    {
      name: 'ends with the event',
      observation: { conditions: LOOPBACK, framing: 'content-length', ending: 'complete', endAfterEventMs: 0.3, openAfterEventMs: 1 },
      outcome: 'pass',
      actual: 'ended 0 ms after the event (framing: content-length)',
    },
    {
      name: 'streams on after the event',
      recorded,
      observation: rec.streamAfterEvent,
      outcome: 'fail',
      actual: 'the response ended 1598 ms after the event arrived (framing: chunked)',
    },
    {
      name: 'never completes',
      observation: { conditions: LOOPBACK, framing: 'chunked', ending: 'timeout', endAfterEventMs: null, openAfterEventMs: 3000 },
      outcome: 'fail',
      actual: 'still open 3000 ms after the event (timeout)',
      excessMs: null,
    },
  ]),
  canned(repoll, [
    {
      name: 'each re-poll held',
      observation: { repolls: [repolled, repolled, repolled] },
      outcome: 'pass',
      actual: '3 immediate re-polls',
    },
    {
      name: 'answered at once',
      recorded,
      observation: rec.repollNotHeld,
      outcome: 'fail',
      actual: 're-poll #1 was answered at once (HTTP 200, 0 events)',
    },
    {
      name: 'event came on the poll after',
      observation: { repolls: [{ ...repolled, delivered: false, nextDelivered: true }] },
      outcome: 'pass',
    },
    {
      name: 'event lost while held',
      observation: { repolls: [{ ...repolled, delivered: false, nextDelivered: false }] },
      outcome: 'fail',
      actual: 'never arrived',
    },
    {
      name: '503 to a re-poll',
      observation: { repolls: [{ ...repolled, ok: false, delivered: false, ending: '503' }] },
      outcome: 'fail',
      actual: 're-poll #1 got HTTP 503',
    },
  ]),
  canned(persistent, [
    {
      name: 'one connection',
      observation: {
        conditions: LOOPBACK,
        first: { connectionId: 3, saysClose: false, httpVersion: '1.1', status: 200 },
        closedHow: null,
        second: { connectionId: 3, ok: true, ending: '200' },
      },
      outcome: 'pass',
      actual: 'both polls were served on connection #3',
    },
    { name: 'Connection: close', recorded, observation: rec.connectionClose, outcome: 'fail', actual: 'carries "Connection: close"' },
    {
      name: 'silent close',
      observation: {
        conditions: LOOPBACK,
        first: { connectionId: 3, saysClose: false, httpVersion: '1.1', status: 200 },
        closedHow: 'fin',
        second: null,
      },
      outcome: 'fail',
      actual: 'closed the connection (fin)',
    },
    {
      name: 'an HTTP/1.0 answer, which our client does not keep',
      recorded: 'pushspec run --fixture --fault lp-http10-response --only lp.persistent',
      observation: {
        conditions: { timeScale: 1, epsilonMs: 102.15, rttMs: 1.075 },
        first: { connectionId: 1, saysClose: false, httpVersion: '1.0', status: 200 },
        closedHow: 'local',
        second: null,
      },
      outcome: 'fail',
      actual: 'the poll was answered as HTTP/1.0 (HTTP/1.0 200)',
    },
    {
      name: 'a close of our own after an HTTP/1.1 answer says nothing about the server',
      observation: {
        conditions: LOOPBACK,
        first: { connectionId: 3, saysClose: false, httpVersion: '1.1', status: 200 },
        closedHow: 'local',
        second: null,
      },
      outcome: 'inconclusive',
    },
    {
      name: 'new connection',
      observation: {
        conditions: LOOPBACK,
        first: { connectionId: 3, saysClose: false, httpVersion: '1.1', status: 200 },
        closedHow: null,
        second: { connectionId: 4, ok: true, ending: '200' },
      },
      outcome: 'fail',
      actual: '#4 after #3',
    },
  ]),
  canned(gapNoLoss, [
    { name: 'all delivered', observation: gap, outcome: 'pass', actual: 'all 4 events arrived over 2 polls' },
    {
      name: 'gap dropped',
      recorded,
      observation: rec.dropGap,
      outcome: 'fail',
      actual:
        '3 of 3 events published (hook answered 2xx) while no poll was pending were never delivered (1 re-polls with the query cursor)',
    },
    {
      name: 'no cursor declared',
      observation: { ...gap, cursor: 'none', gapPolls: [[]], received: ['e1'] },
      outcome: 'fail',
      actual: 'the manifest declares no cursor',
    },
  ]),
  canned(gapAfterTimeout, [
    {
      name: 'next poll carries it',
      observation: {
        idle: { seq: 2, status: 200, endedAfterMs: 2002 },
        publishedAfterMs: 1,
        publishStatus: 204,
        repolls: [{ seq: 3, ending: '200', events: 1, delivered: true }],
        cursor: 'query',
      },
      outcome: 'pass',
      actual: 'arrived on poll #3',
    },
    {
      name: 'one poll late',
      observation: {
        idle: { seq: 2, status: 200, endedAfterMs: 2002 },
        publishedAfterMs: 1,
        publishStatus: 204,
        repolls: [
          { seq: 3, ending: '200', events: 0, delivered: false },
          { seq: 4, ending: '200', events: 1, delivered: true },
        ],
        cursor: 'query',
      },
      outcome: 'pass',
      actual: 'one round trip late',
    },
    { name: 'dropped after a timeout', recorded, observation: rec.dropAfterTimeout, outcome: 'fail', actual: 'judged by lp.gap-no-loss' },
  ]),
  canned(noDuplicates, [
    { name: 'once each', observation: gap, outcome: 'pass', actual: '4 tokens received, no repeats' },
    {
      name: 'last event repeated',
      recorded,
      observation: rec.duplicateLast,
      outcome: 'fail',
      actual: '2 event(s) were delivered more than once (received 6 tokens for 4 distinct events)',
    },
  ]),
  canned(order, [
    { name: 'in order', observation: gap, outcome: 'pass', actual: 'received in order 1, 2, 3, 4' },
    { name: 'reversed', recorded, observation: rec.reverseOrder, outcome: 'fail', actual: 'received in order 1, 4, 3, 2' },
    { name: 'only one delivered', observation: { ...gap, received: ['e1'] }, outcome: 'inconclusive', actual: 'see lp.gap-no-loss' },
  ]),
  canned(batch, [
    { name: 'one response', observation: gap, outcome: 'pass', actual: 'all 3 queued events came in one response' },
    {
      name: 'one per response',
      recorded,
      observation: rec.onePerResponse,
      outcome: 'fail',
      actual: 'the first re-poll returned 1 of 3 queued events; they took 3 polls',
    },
    {
      name: 'none delivered',
      observation: { ...gap, gapPolls: [[]], received: ['e1'] },
      outcome: 'inconclusive',
      actual: 'see lp.gap-no-loss',
    },
  ]),
  canned(fanout, [
    {
      name: 'both at once',
      observation: {
        conditions: LOOPBACK,
        clients: [
          { name: 'A', ending: '200', arrival: 700.2 },
          { name: 'B', ending: '200', arrival: 700.9 },
        ],
      },
      outcome: 'pass',
      actual: 'both clients received the event, 1 ms apart',
    },
    {
      name: 'one subscriber woken',
      recorded,
      observation: rec.singleSubscriber,
      outcome: 'fail',
      actual: 'client B got the event 1600 ms after the other',
    },
    {
      name: 'only A',
      observation: {
        conditions: LOOPBACK,
        clients: [
          { name: 'A', ending: '200', arrival: 700 },
          { name: 'B', ending: '200', arrival: null },
        ],
      },
      outcome: 'fail',
      actual: 'only client A received it; the other poll ended with 200',
    },
    {
      name: 'neither',
      observation: {
        conditions: LOOPBACK,
        clients: [
          { name: 'A', ending: '504', arrival: null },
          { name: 'B', ending: '504', arrival: null },
        ],
      },
      outcome: 'inconclusive',
      actual: 'neither poll delivered the event (504, 504); see lp.wake',
    },
  ]),
  canned(headerOverhead, [
    {
      name: 'small headers',
      observation: { headerBytes: 180, bodyBytes: 140 },
      outcome: 'pass',
      actual: '180 header bytes + 140 body bytes = 320',
    },
    {
      name: 'bloated',
      recorded,
      observation: rec.bloatedHeaders,
      outcome: 'fail',
      actual: '2199 header bytes + 140 body bytes = 2339 (headers are 15.71× the body)',
    },
  ]),
];
