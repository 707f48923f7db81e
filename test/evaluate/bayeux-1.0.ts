import * as b from '../../suites/bayeux/1.0.js';
import * as bh from '../../suites/bayeux/1.0-handshake.js';
import * as bs from '../../suites/bayeux/1.0-session.js';
import * as bi from '../../suites/bayeux/intermediaries.js';
import { canned } from './canned.js';
import { replyIds, type MetaIdsSeen } from '../../suites/bayeux/1.0-ids.js';
import { bayeuxRecorded as rec } from './recorded/bayeux-1.0.js';

const conditions = { timeScale: 1, epsilonMs: 102, rttMs: 1 };

/** An unsuccessful handshake reply as the reference gives it. */
const refusal = {
  status: 200,
  problem: null,
  replyCount: 1,
  reply: {
    channel: '/meta/handshake',
    id: '1',
    successful: false,
    error: '301:x:Connection types not supported',
    advice: { reconnect: 'none' },
  },
};
/** 40 clientIds of 16 bytes each, hex, from a fixed-seed generator (the same on every run). */
let seed = 0x2545f491;
const nextNibble = (): string => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return (seed >>> 27).toString(16).slice(-1);
};
const hexIds = Array.from({ length: 40 }, () => Array.from({ length: 32 }, nextNibble).join(''));
const disconnected = {
  status: 200,
  problem: null,
  replyCount: 1,
  reply: { channel: '/meta/disconnect', successful: true },
  conditions,
  timeoutMs: 2000,
  connectSeq: 2,
  releasedMs: 2,
  connectEnd: 'complete',
};
const twoConnects = {
  conditions,
  timeoutMs: 2000,
  firstMs: 2,
  firstEnd: 'complete',
  secondMs: 2000,
  secondEnd: 'complete',
  deadlineMs: 5000,
  secondReply: { channel: '/meta/connect', successful: true },
};

/** The reference server's meta replies (recorded: pushspec run --fixture --only bay.reply-ids). */
const ECHOED: MetaIdsSeen = {
  checked: [
    { channel: '/meta/subscribe', sentId: '2', replyIds: ['2'] },
    { channel: '/meta/connect', sentId: '3', replyIds: ['3'] },
    { channel: '/meta/disconnect', sentId: '4', replyIds: ['4'] },
  ],
  unparsed: [],
};

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
  canned(bh.handshakeRefused, [
    ...rec['bay.handshake-refused'],
    {
      name: 'no connection type in common, yet successful',
      observation: {
        types: { ...refusal, reply: { channel: '/meta/handshake', successful: true, clientId: 'abc' } },
        version: refusal,
      },
      outcome: 'fail',
      actual: 'MUST be unsuccessful',
    },
    {
      name: 'refused with an empty error and advice reconnect "stop"',
      observation: {
        types: { ...refusal, reply: { channel: '/meta/handshake', successful: false, error: ' ', advice: { reconnect: 'stop' } } },
        version: refusal,
      },
      outcome: 'fail',
      actual: 'advice: reconnect "stop" is not one of retry, handshake, none',
    },
    {
      name: 'an HTTP 400 page instead of a reply',
      observation: { types: { status: 400, problem: 'not JSON: "Bad request"', replyCount: 0, reply: null }, version: refusal },
      outcome: 'fail',
      actual: 'not a Bayeux reply',
    },
    {
      name: 'the version refusal alone is malformed',
      observation: { types: refusal, version: { ...refusal, reply: { channel: '/meta/handshake', successful: false } } },
      outcome: 'fail',
      actual: 'version 99.0: error is missing',
    },
  ]),
  canned(bh.handshakeAlone, [
    ...rec['bay.handshake-alone'],
    {
      name: 'the ordinary publish never arrived: nothing to compare with',
      observation: { batchReplies: ['/meta/handshake successful: true'], batchToken: 'a', controlToken: 'b', received: [], connects: 3 },
      outcome: 'inconclusive',
      actual: 'proves nothing',
    },
    {
      name: 'the batched publish answered with an error and not delivered',
      observation: {
        batchReplies: ['/meta/handshake successful: true', '/c successful: false'],
        batchToken: 'a',
        controlToken: 'b',
        received: ['b'],
        connects: 1,
      },
      outcome: 'pass',
    },
  ]),
  canned(bh.clientIdUnique, [
    ...rec['bay.client-id-unique'],
    {
      name: 'a clientId handed out twice',
      observation: { ids: [...hexIds.slice(0, 5), hexIds[2] ?? ''] },
      outcome: 'fail',
      actual: '1 of 6 handshakes got a clientId already handed out',
    },
    { name: '128-bit hex ids in no order', observation: { ids: hexIds }, outcome: 'pass' },
    {
      name: 'UUIDv4: 122 random bits (hyphens and the version digit do not vary)',
      observation: { ids: hexIds.map((h) => `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${h.slice(16, 20)}-${h.slice(20)}`) },
      outcome: 'warn',
      actual: 'bits of apparent randomness',
    },
    {
      name: 'long, but a fixed prefix and a time-ordered tail',
      observation: { ids: Array.from({ length: 12 }, (_, i) => `server-node-7-${(1_700_000_000_000 + i * 37).toString(36)}`) },
      outcome: 'warn',
      actual: 'each id is greater than the one before',
    },
  ]),
  canned(bh.clientIdPrivate, [
    ...rec['bay.client-id-private'],
    {
      name: 'the id hidden in ext',
      observation: { publisherId: 'p1d', delivered: { channel: '/c', data: { token: 't' }, ext: { from: 'p1d' } }, connects: 1 },
      outcome: 'fail',
      actual: 'holds the publisher',
    },
    {
      name: 'a message id equal to a short publisher id is not a leak',
      observation: { publisherId: '2', delivered: { channel: '/c', data: { token: 't' }, id: '2' }, connects: 1 },
      outcome: 'pass',
    },
    {
      name: 'never delivered',
      observation: { publisherId: 'p1d', delivered: null, connects: 2 },
      outcome: 'inconclusive',
      actual: 'never reached the subscriber',
    },
  ]),
  canned(bs.disconnectReleases, [
    ...rec['bay.disconnect-releases'],
    {
      name: 'the disconnect refused',
      observation: {
        ...disconnected,
        reply: { channel: '/meta/disconnect', successful: false, error: '401::Unknown client' },
      },
      outcome: 'fail',
      actual: 'unsuccessful',
    },
    {
      name: 'the held connect never completes',
      observation: { ...disconnected, releasedMs: null, connectEnd: 'timeout' },
      outcome: 'warn',
      actual: 'no complete answer after the disconnect (timeout)',
    },
    {
      name: 'released just inside ε',
      observation: { ...disconnected, releasedMs: 101 },
      outcome: 'pass',
    },
  ]),
  canned(bs.errorFormat, [
    ...rec['bay.error-format'],
    {
      name: 'a number instead of a string',
      observation: { errors: [{ probe: 'connect with an unknown clientId', error: 402 }] },
      outcome: 'fail',
      actual: 'connect with an unknown clientId: 402',
    },
    {
      name: 'a two-digit code',
      observation: { errors: [{ probe: 'subscribe', error: '40::Unknown client' }] },
      outcome: 'fail',
    },
    {
      name: 'a message with a colon in it',
      observation: { errors: [{ probe: 'subscribe', error: '405:/x:invalid: no slash' }] },
      outcome: 'pass',
    },
    { name: 'nothing refused', observation: { errors: [] }, outcome: 'inconclusive' },
  ]),
  canned(bs.adviceTypes, [
    ...rec['bay.advice-types'],
    {
      name: 'timeout in seconds as a fraction, interval as a string',
      observation: { advice: [{ where: '/meta/handshake', advice: { reconnect: 'retry', timeout: 2.5, interval: '0' } }] },
      outcome: 'fail',
      actual: 'interval "0" is not an integer number of ms; /meta/handshake: timeout 2.5 is not an integer',
    },
    {
      name: 'negative interval (do not retry) and multiple-clients',
      observation: { advice: [{ where: '/meta/connect', advice: { reconnect: 'none', interval: -1, 'multiple-clients': true } }] },
      outcome: 'pass',
    },
    { name: 'advice that is not an object', observation: { advice: [{ where: '/meta/connect', advice: 'retry' }] }, outcome: 'fail' },
    { name: 'no advice anywhere', observation: { advice: [] }, outcome: 'inconclusive' },
  ]),
  canned(bs.oneConnect, [
    ...rec['bay.one-connect'],
    {
      name: 'the second refused at once, the first left held',
      observation: {
        ...twoConnects,
        firstMs: 1600,
        secondMs: 4,
        secondReply: { channel: '/meta/connect', successful: false, error: '409::connect already held' },
      },
      outcome: 'pass',
      actual: 'the first stayed held',
    },
    {
      name: 'the first orphaned: never answered',
      observation: { ...twoConnects, firstMs: null, firstEnd: 'timeout', secondMs: 2400 },
      outcome: 'fail',
      actual: 'the first got no complete answer (timeout within 5000 ms of its sending)',
      excessMs: 2298,
    },
  ]),
  canned(bs.responseType, [
    ...rec['bay.response-type'],
    {
      name: 'application/json with another charset',
      observation: { responses: [{ label: '/meta/connect (id 3)', status: 200, contentType: 'application/json; charset=ISO-8859-1' }] },
      outcome: 'fail',
      actual: 'charset not UTF-8',
    },
    {
      name: 'no Content-Type',
      observation: { responses: [{ label: '/meta/handshake (id 1)', status: 200, contentType: null }] },
      outcome: 'fail',
      actual: 'no Content-Type',
    },
    {
      name: 'upper case, quoted charset',
      observation: { responses: [{ label: '/meta/handshake (id 1)', status: 200, contentType: 'Application/JSON;charset="UTF-8"' }] },
      outcome: 'pass',
    },
  ]),
  canned(bs.unconnectedAnswered, [
    ...rec['bay.unconnected-answered'],
    {
      name: 'one of the two reset without an answer',
      observation: {
        deadlineMs: 5000,
        probes: [
          { probe: 'no clientId', answered: false, end: 'rst', status: 0, reply: 'no response (rst)' },
          { probe: 'an unknown clientId', answered: true, end: 'complete', status: 200, reply: '{"successful":false}' },
        ],
      },
      outcome: 'fail',
      actual: 'the publish with no clientId got no answer (rst)',
    },
    {
      name: 'an HTTP 400 is an answer',
      observation: {
        deadlineMs: 5000,
        probes: [{ probe: 'no clientId', answered: true, end: 'complete', status: 400, reply: 'not JSON: "Bad request"' }],
      },
      outcome: 'pass',
    },
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
  canned(replyIds, [
    {
      name: 'every meta reply echoes its id',
      observation: ECHOED,
      outcome: 'pass',
      actual: '/meta/subscribe id "2", /meta/connect id "3", /meta/disconnect id "4" echoed',
    },
    {
      name: 'a connect reply without its id',
      observation: {
        checked: [
          { channel: '/meta/subscribe', sentId: '2', replyIds: ['2'] },
          { channel: '/meta/connect', sentId: '3', replyIds: [null] },
        ],
        unparsed: [],
      },
      outcome: 'fail',
      actual: '/meta/connect sent id "3", reply without an id',
    },
    {
      name: 'a reply with another request’s id',
      observation: { checked: [{ channel: '/meta/connect', sentId: '4', replyIds: ['3'] }], unparsed: [] },
      outcome: 'fail',
      actual: 'reply with id "3"',
    },
    {
      name: 'nothing parsed to compare',
      observation: { checked: [{ channel: '/meta/connect', sentId: '3', replyIds: [] }], unparsed: ['/meta/disconnect: HTTP 502'] },
      outcome: 'inconclusive',
      actual: '/meta/disconnect: HTTP 502',
    },
    {
      name: 'reference fixture',
      recorded: 'pushspec run --fixture --only bay.reply-ids',
      observation: ECHOED,
      outcome: 'pass',
    },
    {
      name: 'fault bayeux-meta-id-dropped',
      recorded: 'pushspec run --fixture --fault bayeux-meta-id-dropped --only bay.reply-ids',
      observation: {
        checked: [
          { channel: '/meta/subscribe', sentId: '2', replyIds: [null] },
          { channel: '/meta/connect', sentId: '3', replyIds: [null] },
          { channel: '/meta/disconnect', sentId: '4', replyIds: [null] },
        ],
        unparsed: [],
      },
      outcome: 'fail',
    },
  ]),
];
