/**
 * RFC 9112 §3.2 (Request Target, Host): an HTTP/1.1 request names its host in exactly one Host
 * field. A server that serves a request without one, or with two, leaves the choice of target
 * to whichever hop reads which line: the basis of host-header routing and cache-poisoning tricks.
 */
import type { CaseContext } from '../../runner/context.js';
import { buildRequest, hostHeader } from '../../runner/drivers/request.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { serializeRequest } from '../../runner/wire/index.js';
import { timing, until } from '../scenarios/long-polling.js';
import { rfc } from '../sources.js';

type HostCase = 'no Host' | 'two Host lines';

export interface HostProbe {
  sent: HostCase;
  /** null: no status line arrived (`end` says how the exchange ended) */
  status: number | null;
  end: string;
}

export interface HostSeen {
  probes: HostProbe[];
}

/** The long-poll request as bytes, its one Host line removed or doubled. */
function malformed(ctx: CaseContext, channel: string, sent: HostCase): Buffer {
  const block = ctx.manifest.longPoll;
  if (!block) throw new Inconclusive('the manifest has no longPoll block');
  const { req } = buildRequest(ctx, block, channel);
  const text = serializeRequest(
    { ...req, headers: (req.headers ?? []).filter(([k]) => k.toLowerCase() !== 'host') },
    hostHeader(ctx),
  ).toString('latin1');
  const line = /\r\nHost: [^\r]*/.exec(text)?.[0] ?? '';
  return Buffer.from(text.replace(line, sent === 'no Host' ? '' : `${line}${line}`), 'latin1');
}

async function probe(ctx: CaseContext, sent: HostCase): Promise<HostProbe> {
  const t = await timing(ctx);
  const channel = ctx.newChannel();
  const bytes = malformed(ctx, channel, sent);
  const conn = await ctx.connect();
  const tSent = conn.sendRaw(bytes);
  ctx.note(`poll sent with ${sent} on connection #${conn.id}`, tSent, { kind: 'request', conn: conn.id });
  const pending = conn.readResponse(ctx.manifest.longPoll?.method ?? 'GET', tSent, { deadlineMs: t.pollDeadlineMs, signal: ctx.signal });
  // A server that takes the request holds it like any poll: an event ends the hold early.
  if (ctx.env.publisher) {
    await until(ctx, tSent, ctx.rttMs + t.stimulusWindowMs * 0.2);
    await ctx.publish(channel, ctx.nextToken());
  }
  const res = await pending;
  ctx.note(`${sent}: ${res.tHeaders === null ? res.end : `HTTP ${res.status}`}`, res.tEnd ?? ctx.now(), {
    kind: 'response-end',
    conn: conn.id,
  });
  return { sent, status: res.tHeaders === null ? null : res.status, end: res.end };
}

type Judged = { level: 'ok' | 'fail' | 'unknown'; text: string };

function judgeProbe(p: HostProbe): Judged {
  if (p.status === null) {
    if (p.end === 'timeout') return { level: 'unknown', text: `${p.sent}: no answer by the poll deadline` };
    return { level: 'fail', text: `${p.sent}: the connection ended (${p.end}) without an answer, where a 400 is owed` };
  }
  if (p.status === 400) return { level: 'ok', text: `${p.sent}: HTTP 400` };
  if (p.status >= 400 && p.status < 500) return { level: 'ok', text: `${p.sent}: refused with HTTP ${p.status} (RFC 9112 §3.2 names 400)` };
  return {
    level: 'fail',
    text: `${p.sent}: HTTP ${p.status}${p.status < 400 ? ', served like a well-formed request' : ''}`,
  };
}

// RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1
// request message that lacks a Host header field and to any request message that contains more
// than one Host header field line or a Host header field with an invalid field value."
const hostRequired = defineRequirement<HostSeen, Record<string, never>>({
  id: 'h1.host-required',
  spec: 'RFC 9112',
  section: '3.2',
  level: 'must',
  title: 'An HTTP/1.1 long poll without a Host field, or with two Host field lines, is answered 400',
  sources: [rfc(9112, '3.2'), rfc(9110, '7.2')],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: {},
  tolerance: () => 'exact: one poll without Host and one with the Host line sent twice; any 4xx refuses, 400 is the one named',
  faults: ['duplicate-host-served'],
  remedy:
    'answer 400 to an HTTP/1.1 request without Host and to any request with more than one Host line (Node keeps the first Host and serves it: check req.rawHeaders, or let the proxy in front refuse it)',
  async scenario(ctx) {
    const probes = await Promise.all((['no Host', 'two Host lines'] as const).map((sent) => probe(ctx, sent)));
    return { probes };
  },
  evaluate(o): Verdict {
    const judged = o.probes.map(judgeProbe);
    const text = judged.map((j) => j.text).join('; ');
    const expected = 'HTTP 400 to a request without Host and to one with two Host lines';
    if (judged.some((j) => j.level === 'fail'))
      return verdict.violation(
        expected,
        `${text}: which host such a request is for depends on which line (or default) each hop picks, the opening for host-header routing and cache-poisoning tricks`,
      );
    if (judged.some((j) => j.level === 'unknown')) return verdict.unobservable(text);
    return verdict.pass(expected, text);
  },
});

export const hostRequirements: Requirement[] = [hostRequired];
export { hostRequired };
