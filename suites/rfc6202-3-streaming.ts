import type { CaseContext } from '../runner/context.js';
import { classifyShared } from '../runner/http/cacheability.js';
import { IDLE_LIMIT_MS, idleWindowMs, type StreamKind } from '../runner/drivers/stream.js';
import type { Requirement } from '../runner/requirement.js';
import { fromRun, type LegacyRequirement } from '../runner/legacy-requirement.js';
import { Inconclusive, verdict } from '../runner/verdict.js';
import { header } from '../runner/wire/index.js';
import { rfc } from './sources.js';
import { BUFFERING_HOPS, RECHUNKING_HOPS } from './profiles.js';
import { cutBy, framingOf, largestGap, openStream, parseBytewise, publishSeries, streamHeaders, streamTiming, type Delivery } from './streaming/scenarios.js';
import { ms } from './format.js';

const ST = ['stream', 'sse'] as const;
const s = (x: number): string => `${(x / 1000).toFixed(1)} s`;

function late(d: Delivery[]): string[] {
  return d.filter((x) => x.latencyMs === null || x.latencyMs > x.allowedMs).map((x) => (x.latencyMs === null ? `event ${d.indexOf(x) + 1} never arrived` : `event ${d.indexOf(x) + 1} arrived ${ms(x.latencyMs)} after its publish (allowed ${ms(x.allowedMs)})`));
}

/** Opens the stream, publishes 3 events and returns what happened, stream still open. */
async function threeEvents(ctx: CaseContext, extraHeaders: Array<[string, string]> = [], httpVersion: '1.1' | '1.0' = '1.1', kind: StreamKind = 'stream') {
  const t = streamTiming(ctx, kind);
  const channel = ctx.newChannel();
  const session = await openStream(ctx, kind, channel, { maxMs: 3 * (t.spacingMs + t.waitEventMs) + ctx.ms(5000), extraHeaders, httpVersion });
  const deliveries = await publishSeries(ctx, session, channel, 3, kind);
  return { session, deliveries, t };
}

// RFC 6202 §3.1: the server keeps the request open and sends each update as part of one response.
const staysOpen: LegacyRequirement = {
  id: 'st.stays-open', spec: 'RFC 6202', section: '3.1', level: 'must',
  title: 'A stream stays open after delivering events, carrying several events on one response',
  sources: [rfc(6202, '3.1')], transports: [...ST], needsPublish: true, timing: false,
  tolerance: '3 events published ≥ 300 ms apart; the response must still be open 3·ε after the third',
  via: ['http10', 'nginx-http11'], deploymentCheck: true,
  faults: ['stream-ends-after-event'],
  remedy: 'keep the streaming response open after each event (that is what makes it a stream)',
  async run(ctx) {
    const { session, deliveries } = await threeEvents(ctx);
    await ctx.pause(3 * ctx.epsilonMs);
    const open = !session.isEnded;
    const res = await session.stop();
    const got = deliveries.filter((d) => d.arrival !== null).length;
    const expected = 'all 3 events arrive on one response, which is still open afterwards';
    if (got === 0) throw new Inconclusive(`no event arrived on the stream (${res.status || res.end}); see st.incremental`);
    if (!open) return verdict.violation(expected, `the response ended (${res.end}, ${res.framing}) after ${got} event(s): that is a long poll, not a stream`);
    return verdict.pass(expected, `${got} events on one response, still open`);
  },
};

// RFC 6202 §3.2 and RFC 9110 §7.6: buffering anywhere (here: in the server) defeats streaming.
const incremental: LegacyRequirement = {
  id: 'st.incremental', spec: 'RFC 6202', section: '3.2', level: 'must',
  title: 'Each event reaches the wire as soon as it is published (no server-side buffering)',
  sources: [rfc(6202, '3.2'), rfc(9110, '7.6')], transports: [...ST], needsPublish: true, timing: true,
  tolerance: 'arrival − publish start ≤ publish round trip + 2·RTT + 100 ms (× time scale) for each of 3 small events',
  // Not rechunk-coalesce: joining chunks within 200 ms delays every event by design (haproxy-like).
  via: ['latency', 'rechunk-split', 'http10', ...BUFFERING_HOPS], deploymentCheck: true,
  // no-proxy-hints passes direct and stalls only behind buffering hops (cause: intermediary).
  faults: ['stream-buffer-8k', 'no-proxy-hints'],
  remedy: 'flush every event to the socket when it is published (disable response buffering and compression buffers)',
  async run(ctx) {
    const { session, deliveries } = await threeEvents(ctx);
    await session.stop();
    const problems = late(deliveries).filter((p) => !(session.isEnded && p.endsWith('never arrived') && deliveries.some((d) => d.arrival !== null)));
    const worst = Math.max(0, ...deliveries.map((d) => d.latencyMs ?? 0));
    // An event that never arrived has no finite overshoot: no excessMs, so no stall excuses it.
    const excess = Math.max(0, ...deliveries.map((d) => (d.latencyMs === null ? Infinity : d.latencyMs - d.allowedMs)));
    const measurements = { worstLatencyMs: Math.round(worst), events: deliveries.length };
    const over = Number.isFinite(excess) ? { excessMs: Math.round(excess) } : {};
    const expected = 'each small event arrives within the publish round trip + ε';
    if (problems.length) return verdict.violation(expected, `${problems.join('; ')}${ctx.via === 'direct' ? ' — the server holds small writes back (a buffer or a compressor that is not flushed)' : ''}`, { measurements, ...over });
    return verdict.pass(expected, `worst latency ${ms(worst)} over ${deliveries.length} events`, { measurements });
  },
};

// RFC 9112 §6.1: "A server MUST NOT send a response containing Transfer-Encoding unless the
// corresponding request indicates HTTP/1.1 (or later minor revisions)."
const http10: LegacyRequirement = {
  id: 'st.http10-eof', spec: 'RFC 9112', section: '6.1', level: 'must',
  title: 'An HTTP/1.0 request gets a close-delimited stream without Transfer-Encoding, still incremental',
  sources: [rfc(9112, '6.1'), rfc(6202, '3.1')], transports: [...ST], needsPublish: true, timing: false,
  tolerance: 'exact for the header; the first event must arrive while the response is open',
  faults: ['chunked-to-http10'],
  remedy: 'answer an HTTP/1.0 request with a close-delimited body (no Transfer-Encoding), flushed per event',
  async run(ctx) {
    const { session, deliveries } = await threeEvents(ctx, [], '1.0');
    const res = await session.stop();
    const head = session.headers ?? res;
    const expected = 'no Transfer-Encoding on the response to HTTP/1.0; events still arrive as they are published';
    if (session.tHeaders === null && res.tHeaders === null) throw new Inconclusive(`no response to the HTTP/1.0 request (${res.end})`);
    const te = header(head, 'transfer-encoding');
    if (te !== undefined) return verdict.violation(expected, `HTTP/${head.httpVersion} ${head.status} with "Transfer-Encoding: ${te}" to an HTTP/1.0 request: a 1.0 client or proxy cannot decode it and sees chunk-size lines as data`);
    if (head.status < 200 || head.status >= 300) return verdict.pass(expected, `the server declines HTTP/1.0 streaming with ${head.status} (no Transfer-Encoding)`);
    if (!deliveries.some((d) => d.arrival !== null)) throw new Inconclusive(`no Transfer-Encoding (good), but no event arrived on the close-delimited response (${res.end}); see st.incremental`);
    return verdict.pass(expected, `HTTP/${head.httpVersion} ${head.status}, ${head.framing}-delimited, ${deliveries.filter((d) => d.arrival !== null).length} events arrived while it was open`);
  },
};

// RFC 9112 §6.3 / RFC 6202 §3.1: a Content-Length ends the body at that count.
const noContentLength: LegacyRequirement = {
  id: 'st.no-content-length', spec: 'RFC 9112', section: '6.3', level: 'must',
  title: 'An unbounded stream carries no Content-Length',
  sources: [rfc(9112, '6.3'), rfc(6202, '3.1')], transports: [...ST], needsPublish: false, mayPublish: true, timing: false,
  tolerance: 'exact: the response header section',
  faults: ['stream-content-length'],
  remedy: 'send no Content-Length on an endless stream; use chunked (HTTP/1.1) or close-delimited framing',
  async run(ctx) {
    const { head, end } = await streamHeaders(ctx, 'stream');
    if (!head) throw new Inconclusive(`no response headers arrived (${end}); see st.first-byte`);
    const cl = header(head, 'content-length');
    const expected = 'no Content-Length: the stream is chunked (HTTP/1.1) or close-delimited';
    if (cl !== undefined && header(head, 'transfer-encoding') === undefined) {
      return verdict.violation(expected, `"Content-Length: ${cl}" on an endless stream: clients and proxies end the body after ${cl} bytes and read the rest as garbage (or wait for bytes that never come)`);
    }
    return verdict.pass(expected, `framing: ${head.framing}${cl !== undefined ? ` (Content-Length ${cl} ignored: Transfer-Encoding present)` : ''}`);
  },
};

// RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF.
const chunkSyntax: LegacyRequirement = {
  id: 'st.chunk-syntax', spec: 'RFC 9112', section: '7.1', level: 'must',
  title: 'Chunked stream framing is well formed (size line, data, CRLF)',
  sources: [rfc(9112, '7.1')], transports: [...ST], needsPublish: true, timing: false,
  tolerance: 'exact: byte-level parse of every chunk received while 3 events were published',
  faults: ['bad-chunk-size'],
  remedy: 'emit well-formed chunks: hex size, CRLF, data, CRLF',
  async run(ctx) {
    const { session } = await threeEvents(ctx);
    const res = await session.stop();
    const expected = 'every chunk: hex size, CRLF, exactly that many bytes, CRLF';
    // Syntax only: our own abort leaves the stream "incomplete", which is not the server's doing.
    const CHUNK_SYNTAX = ['bad-chunk-size', 'missing-chunk-crlf', 'chunk-line-cap', 'bare-cr', 'bare-lf', 'chunk-size-ws'];
    const chunkErrors = res.errors.filter((e) => CHUNK_SYNTAX.some((c) => e.startsWith(`${c}:`)));
    if (res.end === 'malformed' || chunkErrors.length) return verdict.violation(expected, `malformed chunked framing: ${(chunkErrors.length ? chunkErrors : res.errors).slice(0, 3).join('; ')}`);
    if (res.framing !== 'chunked') return verdict.pass(expected, `not chunked (${res.framing}-delimited): nothing to check`);
    return verdict.pass(expected, `${res.chunks.length} well-formed chunks`);
  },
};

// RFC 6202 §3.2 "Framing Techniques": chunk boundaries are not message boundaries; proxies re-chunk.
const appFraming: LegacyRequirement = {
  id: 'st.app-framing', spec: 'RFC 6202', section: '3.2', level: 'must',
  title: 'Messages are delimited inside the byte stream, not by chunk boundaries',
  sources: [rfc(6202, '3.2'), rfc(9112, '7.1.1')], transports: [...ST], needsPublish: true, timing: false,
  tolerance: 'each event is a complete message of the declared framing, parsed one byte at a time, within ε of its arrival',
  via: [...RECHUNKING_HOPS], deploymentCheck: true,
  faults: ['chunk-boundary-framing'],
  remedy: 'delimit every message with the declared framing, independent of chunk boundaries',
  async run(ctx) {
    const framing = framingOf(ctx, 'stream');
    const { session, deliveries } = await threeEvents(ctx);
    await ctx.pause(2 * ctx.epsilonMs);
    await session.stop();
    const arrived = deliveries.filter((d) => d.arrival !== null);
    if (arrived.length === 0) throw new Inconclusive('no event arrived; see st.incremental');
    if (framing.type === 'chunks') {
      const res = await session.done;
      const sizes = res.chunks.map((c) => c.size).filter((n) => n > 0);
      return verdict.violation(`each event is a complete message inside the byte stream, whatever the read boundaries`, `the manifest declares "framing": {"type": "chunks"}: ${arrived.length} events arrived${res.framing === 'chunked' ? ` in ${sizes.length} chunk(s) of ${sizes.slice(0, 6).join(', ')} bytes` : ` (${res.framing} framing, so there are not even chunks to go by)`}, and nothing in the bytes marks where one ends. Chunk boundaries carry no meaning (RFC 9112 §7.1) and any proxy may re-chunk (RFC 6202 §3.2), so a client behind one gets events merged or split`, { measurements: { events: arrived.length, chunks: sizes.length } });
    }
    const parsed = parseBytewise(session, framing);
    const problems: string[] = [];
    for (const d of arrived) {
      const m = parsed.messages.find((x) => x.data.includes(d.token));
      if (!m) problems.push(`event ${deliveries.indexOf(d) + 1} never became a complete ${framing.type} message`);
      else if (d.arrival !== null && m.t - d.arrival > ctx.epsilonMs) problems.push(`event ${deliveries.indexOf(d) + 1} was completed only ${ms(m.t - d.arrival)} later, by the next bytes`);
    }
    const expected = `each event is a complete ${framing.type} message on its own, whatever the read boundaries`;
    if (problems.length) return verdict.violation(expected, `${problems.join('; ')}${parsed.problems.length ? `; parser: ${parsed.problems.slice(0, 2).join('; ')}` : ''} — messages separated only by chunk boundaries fall apart when a proxy re-chunks`, { measurements: { messages: parsed.messages.length } });
    return verdict.pass(expected, `${arrived.length} events, each a complete ${framing.type} message`, { measurements: { messages: parsed.messages.length } });
  },
};

// RFC 6202 §3.2 (buffering), RFC 9110 §7.6: compression buffers like any intermediary does.
const gzip: LegacyRequirement = {
  id: 'st.gzip-flush', spec: 'RFC 6202', section: '3.2', level: 'should',
  title: 'With Accept-Encoding: gzip, each event is still delivered promptly (compression flushed per event) or not compressed',
  sources: [rfc(6202, '3.2'), rfc(9110, '8.4.1')], transports: [...ST], needsPublish: true, timing: true, deploymentCheck: true,
  tolerance: 'decompressed arrival − publish start ≤ publish round trip + 2·RTT + 100 ms (× time scale)',
  faults: ['gzip-no-flush'],
  remedy: 'flush the compressor after every event, or do not compress push responses',
  async run(ctx) {
    // Compressors choose by media type (Express's compression takes text/event-stream but not
    // application/x-ndjson), so a target with both streaming transports is judged on both.
    const kinds: StreamKind[] = ctx.manifest.stream && ctx.manifest.sse ? ['stream', 'sse'] : ['stream'];
    const expected = 'compressed events are flushed one by one, or the stream is not compressed';
    const found: string[] = [];
    let worst = 0;
    const seen: string[] = [];
    for (const kind of kinds) {
      const { session, deliveries } = await threeEvents(ctx, [['Accept-Encoding', 'gzip']], '1.1', kind);
      await session.stop();
      const enc = session.headers ? header(session.headers, 'content-encoding') : undefined;
      const name = kinds.length > 1 ? `${kind === 'sse' ? 'SSE' : 'stream'}: ` : '';
      // Uncompressed, the timing is st.incremental's business.
      if (!enc || /^identity$/i.test(enc)) {
        seen.push(`${name}the server declines to compress the stream`);
        continue;
      }
      const problems = late(deliveries);
      if (problems.length) {
        found.push(`${name}Content-Encoding: ${enc}; ${problems.join('; ')}`);
        worst = Math.max(worst, ...deliveries.map((d) => (d.latencyMs === null ? Infinity : d.latencyMs - d.allowedMs)));
      } else seen.push(`${name}Content-Encoding: ${enc}, each event flushed`);
    }
    if (found.length) return verdict.violation(expected, `${found.join(' | ')} — the compressor holds small events until its buffer fills`, Number.isFinite(worst) ? { excessMs: Math.round(worst) } : {});
    return verdict.pass(expected, seen.join('; '));
  },
};

// RFC 6202 §5.5 and WHATWG HTML §9.2.7: idle connections are cut by intermediaries' timeouts.
const heartbeat: LegacyRequirement = {
  id: 'st.heartbeat', spec: 'RFC 6202', section: '5.5', level: 'should',
  title: 'An idle stream sends bytes (heartbeats) often enough to survive idle timeouts',
  sources: [rfc(6202, '5.5'), 'https://html.spec.whatwg.org/multipage/server-sent-events.html#authoring-notes'], transports: [...ST], needsPublish: false, timing: false, idleWatch: true,
  tolerance: 'largest silence ≤ the declared heartbeat + ε (undeclared: ≤ 20 s), observed over 1.5× that',
  // A server-side buffer swallows heartbeats as well as events: the wire stays silent.
  faults: ['no-heartbeat', 'stream-buffer-8k'],
  remedy: 'send a heartbeat on an idle stream at least every 15–20 s',
  async run(ctx) {
    return judgeHeartbeat(ctx, 'stream');
  },
};

export interface IdleObservation {
  limitMs: number;
  windowMs: number;
  declaredMs: number | null;
  gapMs: number;
  /** body bytes (heartbeats) arrived after the headers within the window */
  heartbeats: number;
  ended: boolean;
  endHow: string;
  elapsedMs: number;
}

/** Opens a stream, publishes nothing, and records the silences over 1.5× the heartbeat limit. */
export async function observeIdle(ctx: CaseContext, kind: 'stream' | 'sse', windowOverrideMs?: number): Promise<IdleObservation> {
  const t = streamTiming(ctx, kind);
  const w = idleWindowMs(t.heartbeatMs, ctx.epsilonMs);
  const limitMs = w.limitMs;
  const windowMs = windowOverrideMs ?? w.windowMs;
  const session = await openStream(ctx, kind, ctx.newChannel(), { maxMs: windowMs + ctx.ms(5000) });
  if (!(await session.waitHeaders(Math.min(windowMs, t.waitEventMs)))) {
    await session.stop();
    throw new Inconclusive(`no response headers within ${ms(Math.min(windowMs, t.waitEventMs))}: the idle stream cannot be observed; see st.first-byte`);
  }
  const tHeaders = session.tHeaders ?? session.tSent;
  const ended = await Promise.race([session.done.then(() => true), ctx.pause(tHeaders + windowMs - ctx.now()).then(() => false)]);
  const res = await session.stop();
  const until = Math.min(ctx.now(), res.tEnd ?? ctx.now());
  const gap = largestGap(session, until);
  const heartbeats = session.pieces().filter((p) => p.t > tHeaders).length;
  return { limitMs, windowMs, declaredMs: t.heartbeatMs, gapMs: gap.gapMs, heartbeats, ended, endHow: res.end, elapsedMs: until - tHeaders };
}

/**
 * The idle observation of the endpoint `kind` resolves to, taken once per run and shared by the
 * heartbeat check and every idle-timeout profile; its timeline is copied into the case's evidence.
 */
export async function sharedIdle(ctx: CaseContext, kind: StreamKind): Promise<IdleObservation> {
  const endpoint = kind === 'stream' && ctx.manifest.stream ? 'stream' : 'sse';
  const o = await ctx.env.shared.memo(`idle:${endpoint}`, (c) => observeIdle(c, kind));
  for (const e of o.timeline) ctx.note(`[idle ${endpoint} observation, shared] ${e.what}`, o.t0 + e.t);
  return o.value;
}

export async function judgeHeartbeat(ctx: CaseContext, kind: 'stream' | 'sse'): Promise<ReturnType<typeof verdict.pass>> {
  const o = await sharedIdle(ctx, kind);
  const measurements = { largestGapMs: Math.round(o.gapMs), observedMs: Math.round(o.windowMs), declaredHeartbeatMs: o.declaredMs };
  const expected = `no silence longer than ${s(o.limitMs)} on an idle stream`;
  if (o.declaredMs !== null && o.declaredMs > IDLE_LIMIT_MS) return verdict.violation(expected, `the declared heartbeat is ${s(o.declaredMs)}: ${cutBy(o.declaredMs)}`, { measurements });
  if (o.ended) throw new Inconclusive(`the idle stream ended by itself after ${ms(o.elapsedMs)} (${o.endHow}); silence cannot be judged`);
  if (o.gapMs > o.limitMs) {
    const none = o.heartbeats === 0;
    return verdict.violation(expected, `silent for ${s(o.gapMs)}${none ? ' (the whole observation)' : ''}; ${o.declaredMs !== null ? `the declared heartbeat is ${s(o.declaredMs)}; ` : ''}${none ? 'a stream with no heartbeat at all is cut by every idle timeout (nginx/ELB 60 s, Heroku 55 s, Cloudflare 100 s)' : cutBy(o.gapMs)}`, { measurements });
  }
  return verdict.pass(expected, `largest silence ${s(o.gapMs)} over ${s(o.windowMs)}; ${cutBy(o.gapMs)}`, { measurements });
}

// RFC 6202 §3.1 / §5.5: a response deferred until the first event dies at first-byte timeouts.
const firstByte: LegacyRequirement = {
  id: 'st.first-byte', spec: 'RFC 6202', section: '5.5', level: 'should',
  title: 'A stream sends its response headers at once, so a quiet stream survives first-byte timeouts',
  sources: [rfc(6202, '5.5'), rfc(6202, '3.1')], transports: [...ST], needsPublish: false, timing: true,
  tolerance: 'headers within 1 s + 2·RTT (× time scale) with nothing published',
  faults: ['defer-headers'],
  remedy: 'send the response headers at once, before the first event',
  async run(ctx) {
    const limit = ctx.ms(1000) + 2 * ctx.env.rttMs;
    const session = await openStream(ctx, 'stream', ctx.newChannel(), { maxMs: limit + ctx.ms(2000) });
    const got = await session.waitHeaders(limit);
    const res = await session.stop();
    const expected = `response headers within ${ms(limit)}, before any event`;
    if (!got) {
      if (res.end !== 'timeout' && res.end !== 'complete' && res.tHeaders === null) throw new Inconclusive(`the connection ended (${res.end}) without a response`);
      return verdict.violation(expected, `no response headers after ${ms(limit)} with no event published: the server defers its response until there is data, so a quiet stream is cut by first-byte timeouts (Heroku 30 s, AWS API Gateway 29 s, CloudFront/GCP 30 s, Varnish 60 s)`);
    }
    return verdict.pass(expected, `headers after ${ms((session.tHeaders ?? 0) - session.tSent)}`);
  },
};

export function storableVerdict(ctx: CaseContext, head: { status: number; headers: Array<[string, string]> }, kind: string): ReturnType<typeof verdict.pass> {
  const auth = Object.keys({ ...ctx.manifest.headers }).some((k) => k.toLowerCase() === 'authorization');
  const c = classifyShared({ method: 'GET', status: head.status, headers: head.headers, requestHasAuthorization: auth });
  const expected = `the ${kind} response forbids storage by shared caches (Cache-Control: no-store, or no-cache/private)`;
  if (c.storable) return verdict.violation(expected, `${c.why}: a cache can hand a late joiner a stored copy of the stream instead of live events`);
  return verdict.pass(expected, c.why);
}

export const streamingRequirements: Requirement[] = [staysOpen, incremental, http10, noContentLength, chunkSyntax, appFraming, gzip, heartbeat, firstByte].map(fromRun);
