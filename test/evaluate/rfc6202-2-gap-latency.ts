import { gapLatency } from '../../suites/rfc6202/2-gap-latency.js';
import { canned } from './canned.js';
import { LOOPBACK } from './observations.js';

/** Through the latency profile: 150 ms each way, so a 300 ms round trip and ε = 700 ms. */
const VIA_LATENCY = { timeScale: 1, epsilonMs: 700, rttMs: 300 };
const reply = { status: 200, end: 'complete', events: 1 };

export const gapLatencyCases = [
  canned(gapLatency, [
    {
      name: 'two transits through the latency profile',
      observation: { conditions: VIA_LATENCY, latencyMs: 312, reply },
      outcome: 'pass',
      actual: 'arrived 312 ms after its publish',
    },
    {
      name: 'a 500 ms batching window on loopback (lp-gap-batching)',
      observation: { conditions: LOOPBACK, latencyMs: 503, reply },
      outcome: 'fail',
      actual: 'past the bound: the server delays a poll that finds events waiting',
      excessMs: 503 - 1.5 - 102,
    },
    {
      name: 'never delivered on the re-poll',
      observation: { conditions: LOOPBACK, latencyMs: null, reply: { ...reply, events: 0 } },
      outcome: 'inconclusive',
      actual: 'lp.gap-no-loss judges delivery',
    },
  ]),
];
