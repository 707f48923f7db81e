import { holdFloor, holdTime, noCacheRequest, notStorable, timeoutStatus, type HoldSeen } from '../../suites/rfc6202/5-best-practices.js';
import { canned } from './canned.js';
import { LOOPBACK, response } from './observations.js';

const noStore: Array<[string, string]> = [
  ['Cache-Control', 'no-store'],
  ['Content-Type', 'application/json'],
];
const hold = { conditions: LOOPBACK, declaredMs: 2000, measuredMs: 2007, capMs: 3500, response: response(200, noStore) };
/** recorded: pushspec run --fixture --fault timeout-408 --only lp.timeout-status,lp.hold-time,lp.not-storable */
const recorded408: HoldSeen = {
  conditions: { timeScale: 1, epsilonMs: 101.668, rttMs: 0.834 },
  declaredMs: 2000,
  measuredMs: 2007.210794,
  capMs: 3500,
  response: {
    status: 408,
    end: 'complete',
    gotHeaders: true,
    headers: [
      ['Cache-Control', 'no-store'],
      ['Content-Type', 'application/json'],
      ['Content-Length', '19'],
      ['Date', 'Wed, 02 Dec 2026 14:33:27 GMT'],
      ['Connection', 'keep-alive'],
      ['Keep-Alive', 'timeout=65'],
    ],
    framing: 'content-length',
    bodyBytes: 19,
    errors: '',
  },
};
const recorded = 'pushspec run --fixture --fault timeout-408';

export const bestPracticeCases = [
  canned(timeoutStatus, [
    {
      name: '200 at the hold',
      observation: { ...hold, conditional: false },
      outcome: 'pass',
      actual: 'after 2.0 s: HTTP 200, 2 body bytes',
    },
    {
      name: '408 at the hold',
      recorded,
      observation: { ...recorded408, conditional: false },
      outcome: 'fail',
      actual: 'the server answered 408 — 408 means',
    },
    { name: '504', observation: { ...hold, response: response(504), conditional: false }, outcome: 'fail', actual: 'a 5xx is an error' },
    {
      name: 'dropped without a response',
      observation: { ...hold, response: response(0, [], { gotHeaders: false, end: 'fin' }), conditional: false },
      outcome: 'fail',
      actual: 'ended (fin) with no response at all',
    },
    {
      name: 'cut 200',
      observation: { ...hold, response: response(200, [], { end: 'rst' }), conditional: false },
      outcome: 'fail',
      actual: 'the 200 response was cut (rst)',
    },
    { name: '304 to a conditional poll', observation: { ...hold, response: response(304), conditional: true }, outcome: 'pass' },
    { name: '304 to a plain poll', observation: { ...hold, response: response(304), conditional: false }, outcome: 'fail' },
    {
      name: 'ended long before the declared hold',
      observation: { ...hold, measuredMs: 200, conditional: false },
      outcome: 'inconclusive',
      actual: 'lp.hold-time reports the mismatch',
    },
    {
      name: 'still open at the cap',
      observation: { ...hold, measuredMs: null, response: null, conditional: false },
      outcome: 'inconclusive',
    },
  ]),
  canned(holdTime, [
    {
      name: 'declared and measured 2 s',
      recorded,
      observation: { ...hold, limitMs: 30000 },
      outcome: 'pass',
      actual: 'measured hold 2.0 s (declared 2.0 s)',
    },
    {
      name: 'undeclared 30.05 s is within ε',
      observation: { ...hold, declaredMs: null, measuredMs: 30050, limitMs: 30000 },
      outcome: 'pass',
      actual: '(undeclared)',
    },
    {
      name: 'undeclared 30.2 s is past ε',
      observation: { ...hold, declaredMs: null, measuredMs: 30200, limitMs: 30000 },
      outcome: 'fail',
      actual: 'measured hold 30.2 s. Heroku',
    },
    {
      name: 'declared 60 s',
      observation: { ...hold, declaredMs: 60000, measuredMs: null, limitMs: 30000 },
      outcome: 'fail',
      actual: 'the declared hold is 60.0 s',
    },
    {
      name: 'never ended',
      observation: { ...hold, declaredMs: null, measuredMs: null, capMs: 31500, limitMs: 30000 },
      outcome: 'fail',
      actual: 'still open after 31.5 s',
    },
    {
      name: 'answered long before the declared hold',
      observation: { ...hold, declaredMs: 20000, measuredMs: 100, limitMs: 30000 },
      outcome: 'fail',
      actual: 'see lp.held',
    },
    {
      name: 'held longer than declared',
      observation: { ...hold, declaredMs: 10000, measuredMs: 14000, limitMs: 30000 },
      outcome: 'fail',
      actual: 'longer than the declared 10.0 s',
    },
    {
      name: 'agreement slack scales with --time-scale',
      observation: { ...hold, conditions: { ...LOOPBACK, timeScale: 3 }, declaredMs: 10000, measuredMs: 14000, limitMs: 30000 },
      outcome: 'pass',
    },
  ]),
  canned(holdFloor, [
    {
      name: '12 s hold against the default limit',
      observation: { ...hold, declaredMs: 12000, measuredMs: 12004, limitMs: 30000 },
      outcome: 'pass',
      actual: 'measured hold 12.0 s',
    },
    {
      name: '2 s hold against the default limit',
      recorded,
      observation: { ...hold, limitMs: 30000 },
      outcome: 'fail',
      actual: 'an idle poll was answered after 2.0 s (HTTP 200, declared hold 2.0 s)',
    },
    {
      name: 'the floor scales with --hold-limit',
      observation: { ...hold, limitMs: 6000 },
      outcome: 'pass',
    },
    {
      name: 'undeclared and still open at the cap',
      observation: { ...hold, declaredMs: null, measuredMs: null, capMs: 31500, response: null, limitMs: 30000 },
      outcome: 'pass',
      actual: 'still open after 31.5 s',
    },
    {
      name: 'a 408 at a 3 s hold still measures the hold (nchan)',
      observation: { ...recorded408, measuredMs: 3004, limitMs: 30000 },
      outcome: 'fail',
      actual: 'an idle poll was answered after 3.0 s (HTTP 408',
    },
    {
      name: 'a quick 503 is not a hold',
      observation: { ...hold, measuredMs: 40, response: response(503), limitMs: 30000 },
      outcome: 'inconclusive',
      actual: 'its hold time was not observed',
    },
  ]),
  canned(notStorable, [
    {
      name: 'no-store on both',
      recorded,
      observation: {
        method: 'GET',
        requestHasAuthorization: false,
        responses: [
          { label: 'event response', status: 200, headers: noStore },
          { label: 'timeout response', status: 408, headers: noStore },
        ],
      },
      outcome: 'pass',
      actual: 'event response (200): Cache-Control: no-store forbids storing it',
    },
    {
      name: 'public max-age',
      observation: {
        method: 'GET',
        requestHasAuthorization: false,
        responses: [{ label: 'event response', status: 200, headers: [['Cache-Control', 'public, max-age=60']] }],
      },
      outcome: 'fail',
      actual: 'A cache can then replay a stored answer',
    },
    {
      name: 'Last-Modified only: heuristic freshness',
      observation: {
        method: 'GET',
        requestHasAuthorization: false,
        responses: [{ label: 'timeout response', status: 200, headers: [['Last-Modified', 'Wed, 02 Dec 2026 14:00:00 GMT']] }],
      },
      outcome: 'fail',
    },
  ]),
  canned(noCacheRequest, [
    {
      name: 'served',
      observation: { withDirectives: { status: 200, end: 'complete' }, plain: null },
      outcome: 'pass',
      actual: 'answered HTTP 200',
    },
    { name: 'not modified', observation: { withDirectives: { status: 304, end: 'complete' }, plain: null }, outcome: 'pass' },
    {
      name: 'refused 400',
      observation: { withDirectives: { status: 400, end: 'complete' }, plain: { status: 200, end: 'complete' } },
      outcome: 'fail',
      actual: 'HTTP 400 for the poll with the directives, while the same poll without them got HTTP 200',
    },
    {
      name: 'dropped',
      observation: { withDirectives: { status: null, end: 'rst' }, plain: { status: 200, end: 'complete' } },
      outcome: 'fail',
      actual: 'no answer (rst)',
    },
    {
      name: 'every poll refused',
      observation: { withDirectives: { status: 403, end: 'complete' }, plain: { status: 403, end: 'complete' } },
      outcome: 'inconclusive',
      actual: 'refused too',
    },
    {
      name: 'no answer by the deadline',
      observation: { withDirectives: { status: null, end: 'timeout' }, plain: null },
      outcome: 'inconclusive',
    },
  ]),
];
