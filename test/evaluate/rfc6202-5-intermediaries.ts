import { cacheReplay, holdSurvives, idleSurvives } from '../../suites/rfc6202/5-intermediaries.js';
import { canned } from './canned.js';
import * as rec from './recorded/rfc6202-5-intermediaries.js';

const recorded = 'reference fixture through a simulated profile';

export const intermediaryCases = [
  canned(cacheReplay, [
    { name: 'B held', recorded, observation: rec.replayClean, outcome: 'pass', actual: 'did not replay client A' },
    {
      name: 'replayed from the cache',
      recorded,
      observation: rec.cachePublic,
      outcome: 'fail',
      actual: "client B got client A's event again after 0.0 s (Age: 0)",
    },
    {
      name: 'history from the server itself',
      observation: { ...rec.cachePublic, age: null, xCache: 'MISS', afterMs: 3 },
      outcome: 'pass',
      actual: "the server gives a subscriber without a cursor the channel's history",
    },
    {
      name: 'answered without a replay sign',
      observation: { ...rec.cachePublic, gotEventAgain: false, age: null, ending: '200' },
      outcome: 'inconclusive',
      actual: 'see lp.held',
    },
  ]),
  canned(holdSurvives, [
    {
      name: '2 s hold under 60 s',
      recorded,
      observation: rec.holdSurvivesClean,
      outcome: 'pass',
      actual: 'confirmed live: HTTP 200 after 2.0 s',
    },
    { name: '10 s hold under 60 s', recorded, observation: rec.longHoldSurvives, outcome: 'pass' },
    {
      name: 'predicted to survive, cut live',
      observation: { ...rec.holdSurvivesClean, live: { status: 504, end: 'complete', afterMs: 1900 } },
      outcome: 'fail',
      actual: 'yet live through idle-timeout the poll ended with 504',
    },
    {
      name: '45 s hold behind a 30 s first-byte timeout',
      observation: {
        ...rec.holdSurvivesClean,
        via: 'heroku',
        timeoutMs: 30000,
        firstByteStatus: 503,
        holdMs: 45000,
        live: { status: 503, end: 'complete', afterMs: 15000 },
        divisor: 2,
      },
      outcome: 'fail',
      actual: "the client gets 503 instead of the server's answer. Confirmed live with the timeouts scaled ÷ 2",
    },
    // ε + 5% of the timeout: a hold within that margin of it is called a cut
    {
      name: 'within the 5% margin',
      observation: {
        ...rec.holdSurvivesClean,
        timeoutMs: 30000,
        holdMs: 28400,
        live: { status: 200, end: 'complete', afterMs: 14200 },
        divisor: 2,
      },
      outcome: 'fail',
      actual: 'hold 28.4 s ≥',
      // 28.4 s + 5 % of 30 s is 29.9 s: the last 36 ms over are ε's
      excessMs: 36,
    },
    // CI under load: the round trip through the profile calibrated at 900 ms tipped a 1 s hold
    // over a 3 s timeout; the verdict carries its excess so the runner re-verifies it alone.
    {
      name: '1 s hold behind 3 s, tipped only by an inflated ε',
      observation: {
        ...rec.holdSurvivesClean,
        conditions: { timeScale: 1, epsilonMs: 1900, rttMs: 900 },
        timeoutMs: 3000,
        holdMs: 1000,
        live: { status: 504, end: 'complete', afterMs: 500 },
        divisor: 60,
      },
      outcome: 'fail',
      actual: 'hold 1.0 s ≥',
      excessMs: 50,
    },
  ]),
  canned(idleSurvives, [
    { name: 'heartbeats every second', recorded, observation: rec.idleClean, outcome: 'pass', actual: 'largest silence 1.0 s <' },
    { name: 'no heartbeat', recorded, observation: rec.idleCut, outcome: 'fail', actual: 'no byte at all in 1.7 s of an idle stream' },
    {
      name: 'observation alone decides',
      observation: { ...rec.idleClean, targetMs: 60000, check: null },
      outcome: 'pass',
      actual: 'so it rests on the observation',
    },
    {
      name: 'refused by the hop at once',
      observation: { ...rec.idleClean, check: { live: { cut: true, how: 'complete', afterMs: 5, status: 502 }, divisor: 30 } },
      outcome: 'fail',
      actual: 'the server answered HTTP 502',
    },
  ]),
];
