import { eventSource, type EventSourceSeen } from '../../suites/clients/eventsource.js';
import { canned } from './canned.js';

/** recorded: pushspec run --fixture --only client.eventsource --clients chromium → pass */
const clean: EventSourceSeen = {
  conditions: { timeScale: 1, epsilonMs: 102.936, rttMs: 1.468 },
  bindingMs: 60.790970000000016,
  states: ['open'],
  events: [
    { token: 'pst-slb7tbfn-0001-z', wireMs: 14.845593000000008, pageMs: 17.785306999999648 },
    { token: 'pst-slb7tbfn-0002-z', wireMs: 4.083918000000267, pageMs: 15.486627000000226 },
    { token: 'pst-slb7tbfn-0003-z', wireMs: 3.934415000000172, pageMs: 5.96166200000016 },
  ],
};

/** recorded: pushspec run --fixture --fault sse-single-newline --only client.eventsource --clients chromium → warn */
const singleNewline: EventSourceSeen = {
  conditions: { timeScale: 1, epsilonMs: 101.954, rttMs: 0.977 },
  bindingMs: 25.864094999999907,
  states: ['open'],
  events: [
    { token: 'pst-bzyfzeen-0001-z', wireMs: 3.9769259999993665, pageMs: 335.75595799999974 },
    { token: 'pst-bzyfzeen-0002-z', wireMs: 24.155260000000453, pageMs: 341.7033930000007 },
    { token: 'pst-bzyfzeen-0003-z', wireMs: 3.359888000000865, pageMs: 1006.7033060000003 },
  ],
};

const recorded = 'pushspec run --fixture --clients chromium';

export const clientCases = [
  canned(eventSource, [
    { name: 'dispatched as it arrives', recorded, observation: clean, outcome: 'pass', actual: '3 events dispatched in the page' },
    {
      name: 'blank line only with the next event',
      recorded,
      observation: singleNewline,
      outcome: 'fail',
      actual: 'event 1 reached the wire 4 ms after its publish, the page 332 ms later',
    },
    {
      name: 'never dispatched',
      observation: { ...clean, events: [{ token: 't', wireMs: 5, pageMs: null }] },
      outcome: 'fail',
      actual: 'was never dispatched in the page',
      excessMs: null,
    },
    {
      name: 'the EventSource failed the connection',
      observation: { ...clean, states: ['error (readyState 2)'], events: [] },
      outcome: 'fail',
      actual: "Chromium's EventSource never opened the stream (error (readyState 2))",
    },
    {
      name: 'nothing reached the wire',
      observation: { ...clean, events: [{ token: 't', wireMs: null, pageMs: null }] },
      outcome: 'inconclusive',
    },
    {
      name: 'one subscriber per channel (sockjs): the page got it, the wire did not',
      observation: { ...clean, events: [{ token: 't', wireMs: null, pageMs: 12 }] },
      outcome: 'inconclusive',
      actual: 'the channel serves one subscriber at a time',
    },
    {
      name: 'late by less than the page → harness allowance',
      observation: { ...clean, bindingMs: 200, events: [{ token: 't', wireMs: 5, pageMs: 300 }] },
      outcome: 'pass',
    },
  ]),
];
