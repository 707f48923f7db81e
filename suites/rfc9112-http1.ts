import type { Requirement } from '../runner/requirement.js';
import { buildRequest, hostHeader, summarizeResponse } from '../runner/drivers/request.js';
import { Inconclusive, verdict } from '../runner/verdict.js';
import { hasToken, header } from '../runner/wire/index.js';
import { timing, until } from './long-polling/scenarios.js';
import { rfc } from './sources.js';

// RFC 9112 §9.6: "A server that receives a "close" connection option MUST initiate closure of the
// connection [...] after it sends the final response to the request that contained the "close"
// connection option." RFC 6202 §3.1 relies on it for EOF-delimited exchanges.
const connectionClose: Requirement = {
  id: 'h1.connection-close', spec: 'RFC 9112', section: '9.6', level: 'must',
  title: 'A request sent with Connection: close gets its response and then the server closes the connection',
  sources: [rfc(9112, '9.6'), rfc(6202, '3.1')], transports: ['longPoll'], needsPublish: false, mayPublish: true, timing: false,
  tolerance: 'FIN (or RST) within 2·RTT + 100 ms (× time scale) of the end of the response',
  faults: ['ignore-connection-close'],
  remedy: 'close the connection after the response when the request says Connection: close',
  async run(ctx) {
    const block = ctx.manifest.longPoll;
    if (!block) throw new Inconclusive('the manifest has no longPoll block');
    const t = await timing(ctx);
    const channel = ctx.newChannel();
    const { req } = buildRequest(ctx, block, channel);
    const conn = await ctx.connect();
    const exchange = conn.exchange({ ...req, headers: [...(req.headers ?? []), ['Connection', 'close']] }, { deadlineMs: t.pollDeadlineMs, signal: ctx.signal }, hostHeader(ctx));
    const tSent = ctx.now();
    ctx.note(`poll sent with "Connection: close" on connection #${conn.id}`, tSent);
    if (ctx.env.publisher) {
      await until(ctx, tSent, ctx.rttMs + t.stimulusWindowMs * 0.2);
      await ctx.publish(channel, ctx.nextToken());
    }
    const res = await exchange;
    ctx.note(summarizeResponse(res), res.tEnd ?? ctx.now());
    if (res.end !== 'complete') throw new Inconclusive(`the poll did not complete (${res.status || res.end})`);
    const closed = await conn.waitForClose(ctx.epsilonMs);
    const expected = 'the server closes the connection right after the response';
    const said = hasToken(res, 'connection', 'close') ? 'the response says "Connection: close"' : `the response says "Connection: ${header(res, 'connection') ?? '(nothing)'}"`;
    if (closed.how === 'timeout') return verdict.violation(expected, `the connection was still open ${Math.round(ctx.epsilonMs)} ms after the response (${said}): a client or proxy that relies on the close to end the exchange waits, and a request it sends next is processed against RFC 9112 §9.6`);
    return verdict.pass(expected, `closed (${closed.how}) ${Math.round(closed.t - (res.tEnd ?? closed.t))} ms after the response; ${said}`);
  },
};

export const http1Requirements: Requirement[] = [connectionClose];
