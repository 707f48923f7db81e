/**
 * RFC 9110 (HTTP semantics) on push responses: the header fields every origin response owes its
 * recipients (Date, Content-Type, well-formed validators) and an answer to HEAD. Caches, proxies
 * and monitoring tools act on these before any push logic is involved.
 */
import type { CaseContext } from '../../runner/context.js';
import { buildRequest, hostHeader } from '../../runner/drivers/request.js';
import { streamBlock } from '../../runner/drivers/stream.js';
import { entityTagProblem, httpDateProblem, mediaTypeProblem } from '../../runner/http/field-syntax.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { seen, type ResponseSeen } from '../../runner/observation.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { header, headerAll, type WireResponse } from '../../runner/wire/index.js';
import { secs } from '../format.js';
import { answeredPoll, timing } from '../scenarios/long-polling.js';
import { sseHeaders, streamHeaders } from '../scenarios/streaming.js';
import { rfc } from '../sources.js';
import { PUSH_LABEL, PUSH_TRANSPORTS, type PushTransport } from '../scenarios/push-transports.js';

interface Sample {
  transport: PushTransport;
  /** null when no response head arrived; `why` says what happened instead */
  head: WireResponse | null;
  why: string;
}

/**
 * One push response per declared transport, observed once per run and shared by the field
 * checks: for a long poll the answer that carries an event (or, without a publish hook, the
 * idle poll's answer), for a stream its header section.
 */
async function samples(ctx: CaseContext): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const transport of PUSH_TRANSPORTS) {
    if (ctx.manifest[transport] === undefined) continue;
    const o = await ctx.env.shared.memo(`head:${transport}`, (c) => observe(c, transport));
    for (const e of o.timeline) ctx.note(`[${PUSH_LABEL[transport]} sample, shared] ${e.what}`, o.t0 + e.t, e);
    out.push(o.value);
  }
  return out;
}

async function observe(ctx: CaseContext, transport: PushTransport): Promise<Sample> {
  if (transport !== 'longPoll') {
    const { head, end } = await streamHeaders(ctx, transport);
    return { transport, head, why: end };
  }
  if (!ctx.env.publisher) {
    const h = await ctx.env.shared.hold();
    return {
      transport,
      head: h.result?.res.tHeaders !== null && h.result?.res.tHeaders !== undefined ? h.result.res : null,
      why: h.problem ?? h.result?.res.end ?? 'no poll',
    };
  }
  const { res } = await answeredPoll(ctx, 'sample');
  return { transport, head: res.tHeaders === null ? null : res, why: res.end };
}

/** RFC 9112 §6.3: HEAD, 1xx, 204 and 304 responses have no content; neither has a zero length. */
function hasContent(res: ResponseSeen): boolean {
  if (res.status < 200 || res.status === 204 || res.status === 304) return false;
  if (res.framing === 'content-length') return Number(header(res, 'content-length') ?? '0') > 0;
  return res.framing !== 'none';
}

type Level = 'ok' | 'warn' | 'fail';

export interface Judgement {
  level: Level;
  text: string;
}

/** One verdict from several per-transport judgements: any fail fails, else any warn warns. */
function worstOf(expected: string, levels: readonly Level[], text: string): Verdict {
  if (levels.includes('fail')) return verdict.violation(expected, text);
  if (levels.includes('warn')) return verdict.warn(expected, text);
  return verdict.pass(expected, text);
}

/** The push response heads seen per declared transport: the shared sample first, then any more. */
export interface HeadsSeen {
  samples: Array<{ transport: PushTransport; heads: ResponseSeen[]; why: string }>;
}

/** `more` may add heads for a transport whose header values vary per response, judged alike. */
export async function observeHeads(
  ctx: CaseContext,
  more?: (ctx: CaseContext, s: Sample & { head: WireResponse }) => Promise<WireResponse[]>,
): Promise<HeadsSeen> {
  const out: HeadsSeen['samples'] = [];
  for (const s of await samples(ctx)) {
    const heads = s.head === null ? [] : [s.head, ...(more ? await more(ctx, { ...s, head: s.head }) : [])];
    // The body is no field check's business: kept out so a report's observation stays small.
    out.push({ transport: s.transport, heads: heads.map((h) => seen(h)), why: s.why });
  }
  return { samples: out };
}

/** Judges each transport's heads and combines the worst into one verdict; no head at all is inconclusive. */
export function judgeHeads(o: HeadsSeen, expected: string, judge: (res: ResponseSeen) => Judgement): Verdict {
  const withHeads = o.samples.filter((s) => s.heads.length > 0);
  if (withHeads.length === 0)
    return verdict.unobservable(
      `no push response head arrived (${o.samples.map((s) => `${PUSH_LABEL[s.transport]}: ${s.why}`).join('; ')})`,
    );
  const results = withHeads.map(({ transport, heads }) => {
    const judged = heads.map(judge);
    const bad = judged.filter((j) => j.level !== 'ok');
    const worst: Judgement = bad.find((j) => j.level === 'fail') ?? bad[0] ?? judged[0] ?? { level: 'ok', text: '' };
    const of = heads.length > 1 ? (bad.length ? ` (${bad.length} of ${heads.length} responses)` : ` (all ${heads.length} responses)`) : '';
    return { transport, status: heads[0]?.status ?? 0, j: { level: worst.level, text: `${worst.text}${of}` } };
  });
  const text = results.map(({ transport, status, j }) => `${PUSH_LABEL[transport]} (HTTP ${status}): ${j.text}`).join('; ');
  return worstOf(
    expected,
    results.map(({ j }) => j.level),
    text,
  );
}

/**
 * A multipart boundary is chosen per response (nchan draws 32 random characters, "/" among
 * them), so one response says little about its syntax. With p the share of bad boundaries,
 * BOUNDARY_SAMPLES clean responses in a row happen with (1 − p)^n: below 10⁻⁵ for p ≥ 0.3.
 */
const BOUNDARY_SAMPLES = 32;

async function moreBoundaries(ctx: CaseContext, s: Sample & { head: WireResponse }): Promise<WireResponse[]> {
  const essence = (header(s.head, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (s.transport === 'longPoll' || !essence.startsWith('multipart/')) return [];
  const o = await ctx.env.shared.memo(`boundaries:${s.transport}`, async (c) => {
    const heads: WireResponse[] = [];
    for (let i = 1; i < BOUNDARY_SAMPLES; i++) {
      const { head } = await streamHeaders(c, s.transport === 'stream' ? 'stream' : 'sse');
      if (head) heads.push(head);
    }
    return heads;
  });
  ctx.note(`${o.value.length} more ${PUSH_LABEL[s.transport]} heads taken for their multipart boundaries (shared)`, o.t0);
  return o.value;
}

// RFC 9110 §6.6.1: "An origin server with a clock MUST generate a Date header field in all 2xx,
// 3xx and 4xx responses"; caches compute age and heuristic freshness from it (RFC 9111 §4.2).
const date = defineRequirement<HeadsSeen, Record<string, never>>({
  id: 'http.date',
  spec: 'RFC 9110',
  section: '6.6.1',
  level: 'must',
  title: 'Push responses carry a Date header field in IMF-fixdate form',
  sources: [rfc(9110, '6.6.1'), rfc(9110, '5.6.7')],
  transports: PUSH_TRANSPORTS,
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: {},
  tolerance: () => 'exact: one push response per declared transport (a delivered long poll where a publish hook exists)',
  faults: ['sse-no-date'],
  remedy: "send Date on every 2xx, 3xx and 4xx response (Node's ServerResponse does; a head written by hand on the socket does not)",
  scenario: (ctx) => observeHeads(ctx),
  evaluate: (o) =>
    judgeHeads(o, 'a Date header field in IMF-fixdate form', (res) => {
      if (res.status >= 500 || res.status < 200) return { level: 'ok', text: 'Date is optional on this status' };
      const values = headerAll(res, 'date');
      if (values.length === 0)
        return {
          level: 'fail',
          text: 'no Date header field: a cache cannot compute the age of the response, and RFC 9110 §6.6.1 makes it a MUST for an origin server with a clock',
        };
      if (values.length > 1)
        return { level: 'fail', text: `${values.length} Date field lines (${values.join(' | ')}); Date is a singleton field` };
      const problem = httpDateProblem(values[0] ?? '');
      return problem ? { level: 'fail', text: problem } : { level: 'ok', text: `Date: ${values[0] ?? ''}` };
    }),
});

// RFC 9110 §8.3: "A sender that generates a message containing content SHOULD generate a
// Content-Type header field"; without one a recipient may sniff (browsers do) or assume
// application/octet-stream. §8.3.1 and §5.6.6 fix the grammar of the value.
const contentType = defineRequirement<HeadsSeen, { boundarySamples: number }>({
  id: 'http.content-type',
  spec: 'RFC 9110',
  section: '8.3',
  level: 'must',
  title: 'Push responses with content say what it is: a Content-Type that is a well-formed media type',
  sources: [rfc(9110, '8.3'), rfc(9110, '8.3.1'), rfc(9110, '5.6.6')],
  transports: PUSH_TRANSPORTS,
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: { boundarySamples: BOUNDARY_SAMPLES },
  tolerance: (l) =>
    `exact: one push response per declared transport (${l.boundarySamples} for a multipart stream, whose boundary changes per response); missing is a warning (SHOULD), malformed a failure (grammar)`,
  faults: ['stream-no-content-type'],
  remedy:
    'send a Content-Type on every response with content (e.g. application/x-ndjson, text/event-stream, application/json), quoting parameter values that are not tokens',
  scenario: (ctx) => observeHeads(ctx, moreBoundaries),
  evaluate: (o) =>
    judgeHeads(o, 'a well-formed Content-Type on every response with content', (res) => {
      const ct = header(res, 'content-type');
      if (ct === undefined) {
        if (!hasContent(res)) return { level: 'ok', text: 'no content, no Content-Type needed' };
        return {
          level: 'warn',
          text: `no Content-Type on a response with content (${res.framing === 'content-length' ? 'Content-Length' : res.framing} framing): recipients guess, browsers sniff, and a compressing or filtering proxy cannot tell an event stream from a download`,
        };
      }
      const problem = mediaTypeProblem(ct);
      return problem ? { level: 'fail', text: problem } : { level: 'ok', text: `Content-Type: ${ct}` };
    }),
});

// RFC 9110 §8.8.3: an entity-tag is a quoted string; caches revalidate with it (RFC 9111 §4.3.1)
// and a recipient may reject or mangle one that is not.
const etagSyntax = defineRequirement<HeadsSeen, Record<string, never>>({
  id: 'http.etag-syntax',
  spec: 'RFC 9110',
  section: '8.8.3',
  level: 'must',
  title: 'An ETag on a push response is a well-formed entity-tag (double-quoted)',
  sources: [rfc(9110, '8.8.3'), rfc(9111, '4.3.1')],
  transports: PUSH_TRANSPORTS,
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: {},
  tolerance: () => 'exact: one push response per declared transport; no ETag is a pass',
  faults: ['etag-unquoted'],
  remedy: 'quote the ETag value ("7", W/"7"); clients that echo it in If-None-Match keep working',
  scenario: (ctx) => observeHeads(ctx),
  evaluate: (o) =>
    judgeHeads(o, 'no ETag, or a double-quoted entity-tag', (res) => {
      const values = headerAll(res, 'etag');
      if (values.length === 0) return { level: 'ok', text: 'no ETag' };
      const problems = values.map(entityTagProblem).filter((p): p is string => p !== null);
      return problems.length ? { level: 'fail', text: problems.join('; ') } : { level: 'ok', text: `ETag: ${values.join(', ')}` };
    }),
});

/**
 * How long a HEAD may take: a long poll's GET may be held for its hold (the poll deadline, hold ×
 * 1.5 + 2 s), a stream's head comes at once (streamMs × time scale + ε + 2·RTT).
 */
const headLimits = { streamMs: 2000 };

async function headDeadlineMs(ctx: CaseContext, transport: PushTransport): Promise<number> {
  if (transport === 'longPoll') return (await timing(ctx)).pollDeadlineMs;
  return ctx.ms(headLimits.streamMs) + ctx.epsilonMs + 2 * ctx.rttMs;
}

/** What one HEAD request got: not sent (n/a), no answer by its deadline, or an answer. */
export type HeadProbe =
  | { transport: PushTransport; kind: 'n/a'; why: string }
  | { transport: PushTransport; kind: 'unanswered'; deadlineMs: number }
  /** HTTP/2: the server reset the stream (RST_STREAM) instead of answering */
  | { transport: PushTransport; kind: 'reset'; why: string }
  | {
      transport: PushTransport;
      kind: 'answered';
      status: number;
      tookMs: number;
      strayBytes: number;
      allow: string | null;
      getStatus: number | null;
    };

async function headOnce(ctx: CaseContext, transport: PushTransport, getStatus: number | null): Promise<HeadProbe> {
  const block = transport === 'longPoll' ? ctx.manifest.longPoll : streamBlock(ctx, transport);
  if (!block) return { transport, kind: 'n/a', why: 'not declared' };
  const method = (block.method ?? 'GET').toUpperCase();
  if (method !== 'GET') return { transport, kind: 'n/a', why: `the endpoint is ${method}, HEAD mirrors GET only` };
  const { req } = buildRequest(ctx, block, ctx.newChannel());
  const extra = transport === 'longPoll' ? [] : sseHeaders(ctx, transport);
  const deadlineMs = await headDeadlineMs(ctx, transport);
  const conn = await ctx.connect();
  const tSent = ctx.now();
  ctx.note(`HEAD ${req.path} on connection #${conn.id} (answer expected within ${Math.round(deadlineMs)} ms)`, tSent, {
    kind: 'request',
    conn: conn.id,
  });
  const { body: _noContent, ...get } = req;
  const res = await conn.exchange(
    { ...get, method: 'HEAD', headers: [...(req.headers ?? []), ...extra] },
    { deadlineMs, signal: ctx.signal },
    hostHeader(ctx),
  );
  // Bytes after the header section are a body the client must not read (RFC 9112 §6.3 rule 1).
  const stray = res.tHeaders === null ? 0 : (await conn.waitForClose(ctx.epsilonMs)).strayBytes;
  conn.close();
  ctx.note(
    res.tHeaders === null
      ? `no answer (${res.end}) after ${Math.round(ctx.now() - tSent)} ms`
      : `HTTP ${res.status} after ${Math.round(res.tHeaders - tSent)} ms${stray ? `, then ${stray} stray bytes` : ''}`,
    res.tHeaders ?? ctx.now(),
    { kind: res.tHeaders === null ? 'response-end' : 'response-head', conn: conn.id },
  );
  if (res.tHeaders === null) {
    if (res.end === 'timeout') return { transport, kind: 'unanswered', deadlineMs };
    const reset = res.errors.find((e) => e.includes('the server reset the stream'));
    if (res.end === 'rst' && reset !== undefined) return { transport, kind: 'reset', why: reset.replace(/^[a-z0-9-]+: /, '') };
    throw new Inconclusive(
      `the HEAD request to the ${PUSH_LABEL[transport]} endpoint got no response (${res.end}: ${res.errors.slice(0, 1).join('')})`,
    );
  }
  return {
    transport,
    kind: 'answered',
    status: res.status,
    tookMs: res.tHeaders - tSent,
    strayBytes: stray,
    allow: header(res, 'allow') ?? null,
    getStatus,
  };
}

function judgeHead(a: HeadProbe): Judgement | null {
  if (a.kind === 'n/a') return null;
  if (a.kind === 'reset')
    return {
      level: 'fail',
      text: `${a.why} instead of answering: a client, health check or cache that sends HEAD gets an error where a GET would be answered`,
    };
  if (a.kind === 'unanswered')
    return {
      level: 'fail',
      text: `no answer within ${Math.round(a.deadlineMs)} ms: a client, health check or cache that sends HEAD hangs until its own timeout, and the connection is lost for anything else`,
    };
  const took = `after ${Math.round(a.tookMs)} ms`;
  if (a.strayBytes > 0)
    return {
      level: 'fail',
      text: `HTTP ${a.status} ${took}, followed by ${a.strayBytes} body bytes: a HEAD response ends at its header section (RFC 9112 §6.3 rule 1), so the client reads them as the next response`,
    };
  if (a.status === 405 || a.status === 501)
    return { level: 'ok', text: `HTTP ${a.status} ${took}: HEAD refused cleanly${a.allow ? ` (Allow: ${a.allow})` : ''}` };
  if (a.status >= 400 && a.getStatus !== null && a.getStatus < 300) {
    return {
      level: 'warn',
      text: `HTTP ${a.status} ${took}, where the same request with GET gets ${a.getStatus}: HEAD is GET without content (RFC 9110 §9.3.2); a server that does not support it on this resource answers 405 with Allow (§15.5.6)`,
    };
  }
  return { level: 'ok', text: `HTTP ${a.status} ${took}, no content` };
}

// RFC 9110 §9.1: "All general-purpose servers MUST support the methods GET and HEAD"; §9.3.2:
// HEAD is identical to GET except that the server does not send content.
const head = defineRequirement<{ answers: HeadProbe[] }, typeof headLimits>({
  id: 'http.head',
  spec: 'RFC 9110',
  section: '9.3.2',
  level: 'must',
  title: "A HEAD request to a push endpoint gets a prompt answer with no content (the GET's header section, or 405)",
  sources: [rfc(9110, '9.3.2'), rfc(9110, '9.1'), rfc(9112, '6.3')],
  transports: PUSH_TRANSPORTS,
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: headLimits,
  tolerance: (l) =>
    `a long poll within its hold × 1.5 + 2 s (a HEAD may be held like its GET); a stream within ${secs(l.streamMs)} + ε + 2·RTT (× time scale); ε for stray bytes`,
  faults: ['head-unanswered'],
  remedy:
    'end HEAD responses right after the header section (in Node, call res.end() for HEAD: writeHead() alone sends nothing), or answer 405 with Allow: GET',
  async scenario(ctx) {
    const gets = new Map((await samples(ctx)).map((s) => [s.transport, s.head?.status ?? null]));
    const answers: HeadProbe[] = [];
    for (const transport of PUSH_TRANSPORTS) {
      if (ctx.manifest[transport] === undefined) continue;
      answers.push(await headOnce(ctx, transport, gets.get(transport) ?? null));
    }
    return { answers };
  },
  evaluate(o): Verdict {
    const judged = o.answers.map((a) => ({ a, j: judgeHead(a) }));
    const levels = judged.flatMap(({ j }) => (j ? [j.level] : []));
    const text = judged.map(({ a, j }) => `${PUSH_LABEL[a.transport]}: ${j ? j.text : a.kind === 'n/a' ? a.why : ''}`).join('; ');
    if (levels.length === 0) return verdict.skip(`n/a: ${text}`);
    return worstOf('HEAD answered promptly, without content', levels, text);
  },
});

export const semanticsRequirements: Requirement[] = [date, head, contentType, etagSyntax];
export { date, head, contentType, etagSyntax };
