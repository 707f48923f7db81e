import { idleRepoll, type IdleStep } from '../../suites/rfc6202/2-idle-repoll.js';
import { canned } from './canned.js';
import { LOOPBACK } from './observations.js';

const kept = (gapMs: number): IdleStep => ({ gapMs, outcome: 'kept', how: null, afterMs: null });
const seen = (...steps: IdleStep[]) => ({ conditions: LOOPBACK, connectionId: 3, steps });

export const idleRepollCases = [
  canned(idleRepoll, [
    {
      name: 'kept through every pause',
      observation: seen(kept(100), kept(1000), kept(4000)),
      outcome: 'pass',
      actual: 're-polls after 0.1 s, 1 s, 4 s idle were answered on connection #3',
    },
    {
      name: 'closed gracefully while idle (Node 5 s default would not; a 2 s keep-alive would)',
      observation: seen(kept(100), kept(1000), { gapMs: 4000, outcome: 'closed-idle', how: 'fin', afterMs: 2003 }),
      outcome: 'pass',
      actual: 'closed the idle connection gracefully (FIN) 2003 ms after the response',
    },
    {
      name: 'reset while idle (the lp-idle-reset fault)',
      observation: seen(kept(100), { gapMs: 1000, outcome: 'closed-idle', how: 'rst', afterMs: 702 }),
      outcome: 'fail',
      actual: 'ended the idle connection with a reset (RST) 702 ms after the response, inside a 1 s pause',
    },
    {
      name: 're-poll reset without an answer',
      observation: seen(kept(100), kept(1000), { gapMs: 4000, outcome: 'lost', how: 'rst', afterMs: 3 }),
      outcome: 'fail',
      actual: 'the re-poll after 4 s idle got no response: the connection ended (rst) 3 ms after it was sent',
    },
    {
      name: 'an idle FIN crossing the re-poll',
      observation: seen(kept(100), { gapMs: 1000, outcome: 'lost', how: 'fin', afterMs: 1 }),
      outcome: 'pass',
      actual: 'crossed the re-poll after 1 s',
    },
    {
      name: 'a request read, then FIN without an answer',
      observation: seen({ gapMs: 100, outcome: 'lost', how: 'fin', afterMs: 900 }),
      outcome: 'fail',
      actual: 'so the poll was lost',
    },
  ]),
];
