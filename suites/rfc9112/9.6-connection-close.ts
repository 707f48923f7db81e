import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { EPSILON, epsilonMs } from '../../runner/epsilon.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { hasToken } from '../../runner/wire/index.js';
import { rawPoll } from '../scenarios/raw-poll.js';
import { rfc } from '../sources.js';

/** What a poll sent with "Connection: close" showed about the connection after its response. */
export interface ConnectionCloseObservation {
  conditions: Conditions;
  /** the response's own Connection field ("close" when it announces the close), null when absent */
  responseConnection: string | null;
  responseSaysClose: boolean;
  /** how the connection ended and how long after the end of the response; null when still open when the wait ended */
  closed: { how: string; afterMs: number } | null;
}

/** FIN within ε (slackMs × time scale + rtts × RTT) of the end of the response. */
const closeLimits = { ...EPSILON };

const closeAllowanceMs = (c: Conditions, l: typeof closeLimits): number => epsilonMs(c.timeScale, c.rttMs, l);

// RFC 9112 §9.6: "A server that receives a "close" connection option MUST initiate closure of the
// connection [...] after it sends the final response to the request that contained the "close"
// connection option." RFC 6202 §3.1 relies on it for EOF-delimited exchanges.
const connectionClose = defineRequirement<ConnectionCloseObservation, typeof closeLimits>({
  id: 'h1.connection-close',
  spec: 'RFC 9112',
  section: '9.6',
  level: 'must',
  title: 'A request sent with Connection: close gets its response and then the server closes the connection',
  sources: [rfc(9112, '9.6'), rfc(6202, '3.1')],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: closeLimits,
  tolerance: (l) => `FIN (or RST) within ${l.rtts}·RTT + ${l.slackMs} ms (× time scale) of the end of the response`,
  faults: ['ignore-connection-close'],
  remedy: 'close the connection after the response when the request says Connection: close',
  async scenario(ctx) {
    const { conn, res } = await rawPoll(ctx, 'poll sent with "Connection: close"', (req) => ({
      ...req,
      headers: [...(req.headers ?? []), ['Connection', 'close']],
    }));
    if (res.end !== 'complete') throw new Inconclusive(`the poll did not complete (${res.status || res.end})`);
    const c = conditions(ctx);
    const closed = await conn.waitForClose(closeAllowanceMs(c, closeLimits));
    return {
      conditions: c,
      responseConnection: res.headers.find(([k]) => k.toLowerCase() === 'connection')?.[1] ?? null,
      responseSaysClose: hasToken(res, 'connection', 'close'),
      closed: closed.how === 'timeout' ? null : { how: closed.how, afterMs: closed.t - (res.tEnd ?? closed.t) },
    };
  },
  evaluate(o, l): Verdict {
    const expected = 'the server closes the connection right after the response';
    const said = o.responseSaysClose
      ? 'the response says "Connection: close"'
      : `the response says "Connection: ${o.responseConnection ?? '(nothing)'}"`;
    const allowed = closeAllowanceMs(o.conditions, l);
    if (o.closed === null || o.closed.afterMs > allowed)
      return verdict.violation(
        expected,
        `the connection was still open ${Math.round(allowed)} ms after the response (${said}): a client or proxy that relies on the close to end the exchange waits, and a request it sends next is processed against RFC 9112 §9.6`,
      );
    return verdict.pass(expected, `closed (${o.closed.how}) ${Math.round(o.closed.afterMs)} ms after the response; ${said}`);
  },
});

export const http1Requirements: Requirement[] = [connectionClose];
export { connectionClose };
