import { connectionClose } from '../../suites/rfc9112/9.6-connection-close.js';
import { canned } from './canned.js';

const conditions = { timeScale: 1, epsilonMs: 102, rttMs: 1 };

export const http1Cases = [
  canned(connectionClose, [
    {
      name: 'FIN right after the response',
      observation: { conditions, responseConnection: 'close', responseSaysClose: true, closed: { how: 'fin', afterMs: 0.4 } },
      outcome: 'pass',
      actual: 'closed (fin) 0 ms after the response; the response says "Connection: close"',
    },
    {
      name: 'still open after the allowance',
      observation: { conditions, responseConnection: 'keep-alive', responseSaysClose: false, closed: null },
      outcome: 'fail',
      actual: 'still open 102 ms after the response (the response says "Connection: keep-alive")',
      excessMs: null,
    },
    {
      name: 'the allowance scales with --time-scale',
      observation: {
        conditions: { timeScale: 3, epsilonMs: 302, rttMs: 1 },
        responseConnection: null,
        responseSaysClose: false,
        closed: null,
      },
      outcome: 'fail',
      actual: 'still open 302 ms after the response (the response says "Connection: (nothing)")',
    },
    {
      name: 'reference fixture',
      recorded: 'pushspec run --fixture --only h1.connection-close',
      observation: {
        conditions: { timeScale: 1, epsilonMs: 101.882, rttMs: 0.941 },
        responseConnection: 'close',
        responseSaysClose: true,
        closed: { how: 'fin', afterMs: 1.484059000000002 },
      },
      outcome: 'pass',
    },
    {
      name: 'fault ignore-connection-close',
      recorded: 'pushspec run --fixture --fault ignore-connection-close --only h1.connection-close',
      observation: {
        conditions: { timeScale: 1, epsilonMs: 102.108, rttMs: 1.054 },
        responseConnection: 'keep-alive',
        responseSaysClose: false,
        closed: null,
      },
      outcome: 'fail',
    },
  ]),
];
