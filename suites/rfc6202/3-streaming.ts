import type { CaseContext } from '../../runner/context.js';
import { EPSILON_TEXT } from '../../runner/epsilon.js';
import type { StreamKind } from '../../runner/drivers/stream.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { conditions, type Conditions } from '../../runner/observation.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { header } from '../../runner/wire/index.js';
import { rfc } from '../sources.js';
import { BUFFERING_HOPS, RECHUNKING_HOPS } from '../profiles.js';
import { framingOf, openStream, parseBytewise, publishSeries, streamHeaders, streamTiming, type Delivery } from '../scenarios/streaming.js';
import { sharedIdle, type IdleObservation } from '../scenarios/streaming-idle.js';
import { evaluateHeartbeat, HEARTBEAT_TOLERANCE, incrementalOf } from '../scenarios/streaming-judgements.js';
import { ms, secs } from '../format.js';

const ST = ['stream', 'sse'] as const;
const EXACT: Record<string, never> = {};

/** One published event on a stream: whether it arrived, its latency and what it was allowed (publish round trip + ε). */
export interface DeliverySeen {
  latencyMs: number | null;
  allowedMs: number;
}

const deliverySeen = (d: Delivery): DeliverySeen => ({ latencyMs: d.latencyMs, allowedMs: d.allowedMs });

function late(d: readonly DeliverySeen[]): string[] {
  return d.flatMap((x, i) =>
    x.latencyMs === null
      ? [`event ${i + 1} never arrived`]
      : x.latencyMs > x.allowedMs
        ? [`event ${i + 1} arrived ${ms(x.latencyMs)} after its publish (allowed ${ms(x.allowedMs)})`]
        : [],
  );
}

/** How far past its allowance the latest event was; Infinity when one never arrived (no excess then). */
const overshoot = (d: readonly DeliverySeen[]): number =>
  Math.max(0, ...d.map((x) => (x.latencyMs === null ? Infinity : x.latencyMs - x.allowedMs)));
const excessOf = (x: number): { excessMs?: number } => (Number.isFinite(x) ? { excessMs: Math.round(x) } : {});

/** The stream checks publish this many small events, spaced beyond the tolerance. */
const three = { events: 3 };

/** Opens the stream, publishes 3 events and returns what happened, stream still open. */
async function threeEvents(
  ctx: CaseContext,
  extraHeaders: Array<[string, string]> = [],
  httpVersion: '1.1' | '1.0' = '1.1',
  kind: StreamKind = 'stream',
) {
  const t = streamTiming(ctx, kind);
  const channel = ctx.newChannel();
  const session = await openStream(ctx, kind, channel, {
    maxMs: three.events * (t.spacingMs + t.waitEventMs) + ctx.ms(5000),
    extraHeaders,
    httpVersion,
  });
  const deliveries = await publishSeries(ctx, session, channel, three.events, kind);
  return { session, deliveries, t };
}

// RFC 6202 §3.1: the server keeps the request open and sends each update as part of one response.
const staysOpen = defineRequirement<{ delivered: number; open: boolean; ending: string; end: string; framing: string }, typeof three>({
  id: 'st.stays-open',
  spec: 'RFC 6202',
  section: '3.1',
  level: 'must',
  title: 'A stream stays open after delivering events, carrying several events on one response',
  sources: [rfc(6202, '3.1')],
  transports: [...ST],
  needsPublish: true,
  timing: false,
  dependsOn: ['st.incremental'],
  limits: three,
  tolerance: (l) => `${l.events} events published ≥ 300 ms apart; the response must still be open 3·ε after the third`,
  via: ['http10', 'nginx-http11'],
  deploymentCheck: true,
  faults: ['stream-ends-after-event'],
  remedy: 'keep the streaming response open after each event (that is what makes it a stream)',
  async scenario(ctx) {
    const { session, deliveries } = await threeEvents(ctx);
    await ctx.pause(3 * ctx.epsilonMs);
    const open = !session.isEnded;
    const res = await session.stop();
    return {
      delivered: deliveries.filter((d) => d.arrival !== null).length,
      open,
      ending: `${res.status || res.end}`,
      end: res.end,
      framing: res.framing,
    };
  },
  evaluate(o, l): Verdict {
    const expected = `all ${l.events} events arrive on one response, which is still open afterwards`;
    if (o.delivered === 0) return verdict.unobservable(`no event arrived on the stream (${o.ending}); see st.incremental`);
    if (!o.open)
      return verdict.violation(
        expected,
        `the response ended (${o.end}, ${o.framing}) after ${o.delivered} event(s): that is a long poll, not a stream`,
      );
    return verdict.pass(expected, `${o.delivered} events on one response, still open`);
  },
});

// RFC 6202 §3.2 and RFC 9110 §7.6: buffering anywhere (here: in the server) defeats streaming.
const incremental = defineRequirement<
  {
    direct: boolean;
    ended: boolean;
    deliveries: DeliverySeen[];
    /** the stream's status, when it came */
    status?: number | null;
    /** ST-BUF-01, reported not judged: body bytes before the first event's token (null: none arrived) */
    bytesBeforeFirstEvent?: number | null;
  },
  typeof three
>({
  id: 'st.incremental',
  spec: 'RFC 6202',
  section: '3.2',
  level: 'must',
  title: 'Each event reaches the wire as soon as it is published (no server-side buffering)',
  sources: [rfc(6202, '3.2'), rfc(9110, '7.6')],
  transports: [...ST],
  needsPublish: true,
  timing: true,
  limits: three,
  tolerance: (l) => `arrival − publish start ≤ publish round trip + ${EPSILON_TEXT} (× time scale) for each of ${l.events} small events`,
  // Not rechunk-coalesce: joining chunks within 200 ms delays every event by design (haproxy-like).
  via: ['latency', 'rechunk-split', 'http10', 'h2-front', ...BUFFERING_HOPS],
  deploymentCheck: true,
  // no-proxy-hints passes direct and stalls only behind buffering hops (cause: intermediary).
  faults: ['stream-buffer-8k', 'no-proxy-hints'],
  remedy: 'flush every event to the socket when it is published (disable response buffering and compression buffers)',
  async scenario(ctx) {
    const { session, deliveries } = await threeEvents(ctx);
    await session.stop();
    return {
      direct: ctx.via === 'direct',
      ended: session.isEnded,
      deliveries: deliveries.map(deliverySeen),
      status: session.headers?.status ?? null,
      bytesBeforeFirstEvent:
        deliveries[0] === undefined || deliveries[0].arrival === null ? null : session.body.indexOf(deliveries[0].token),
    };
  },
  evaluate(o): Verdict {
    // A refused stream delivers nothing and holds nothing back: there is no delay to judge.
    if (o.status !== undefined && o.status !== null && (o.status < 200 || o.status >= 300))
      return verdict.unobservable(`the stream request was answered HTTP ${o.status}, not with a stream: no event to time`);
    // A stream that ended after delivering something is st.stays-open's finding, not a delay.
    const problems = late(o.deliveries).filter(
      (p) => !(o.ended && p.endsWith('never arrived') && o.deliveries.some((d) => d.latencyMs !== null)),
    );
    const worst = Math.max(0, ...o.deliveries.map((d) => d.latencyMs ?? 0));
    // ST-BUF-01 (information only): a ≥ 1 KiB prelude is what some XHR-streaming clients need before they show partial bodies.
    const prelude = o.bytesBeforeFirstEvent ?? null;
    const measurements = {
      worstLatencyMs: Math.round(worst),
      events: o.deliveries.length,
      bytesBeforeFirstEvent: prelude,
      paddedKiB: prelude === null ? null : prelude >= 1024,
    };
    const expected = 'each small event arrives within the publish round trip + ε';
    // An event that never arrived has no finite overshoot: no excessMs, so no stall excuses it.
    if (problems.length)
      return verdict.violation(
        expected,
        `${problems.join('; ')}${o.direct ? ' — the server holds small writes back (a buffer or a compressor that is not flushed)' : ''}`,
        { measurements, ...excessOf(overshoot(o.deliveries)) },
      );
    return verdict.pass(expected, `worst latency ${ms(worst)} over ${o.deliveries.length} events`, { measurements });
  },
});

/** The answer to an HTTP/1.0 stream request: its head and whether events came while it was open. */
export interface Http10Seen {
  httpVersion: string;
  status: number;
  transferEncoding: string | null;
  framing: string;
  end: string;
  delivered: number;
}

// RFC 9112 §6.1: "A server MUST NOT send a response containing Transfer-Encoding unless the
// corresponding request indicates HTTP/1.1 (or later minor revisions)."
const http10 = defineRequirement<Http10Seen, typeof EXACT>({
  id: 'st.http10-eof',
  spec: 'RFC 9112',
  section: '6.1',
  level: 'must',
  title: 'An HTTP/1.0 request gets a close-delimited stream without Transfer-Encoding, still incremental',
  sources: [rfc(9112, '6.1'), rfc(6202, '3.1')],
  transports: [...ST],
  needsPublish: true,
  timing: false,
  dependsOn: ['st.incremental'],
  limits: EXACT,
  tolerance: () => 'exact for the header; the first event must arrive while the response is open',
  faults: ['chunked-to-http10'],
  remedy: 'answer an HTTP/1.0 request with a close-delimited body (no Transfer-Encoding), flushed per event',
  async scenario(ctx) {
    const { session, deliveries } = await threeEvents(ctx, [], '1.0');
    const res = await session.stop();
    const head = session.headers ?? res;
    if (session.tHeaders === null && res.tHeaders === null) throw new Inconclusive(`no response to the HTTP/1.0 request (${res.end})`);
    return {
      httpVersion: head.httpVersion,
      status: head.status,
      transferEncoding: header(head, 'transfer-encoding') ?? null,
      framing: head.framing,
      end: res.end,
      delivered: deliveries.filter((d) => d.arrival !== null).length,
    };
  },
  evaluate(o): Verdict {
    const expected = 'no Transfer-Encoding on the response to HTTP/1.0; events still arrive as they are published';
    if (o.transferEncoding !== null)
      return verdict.violation(
        expected,
        `HTTP/${o.httpVersion} ${o.status} with "Transfer-Encoding: ${o.transferEncoding}" to an HTTP/1.0 request: a 1.0 client or proxy cannot decode it and sees chunk-size lines as data`,
      );
    if (o.status < 200 || o.status >= 300)
      return verdict.pass(expected, `the server declines HTTP/1.0 streaming with ${o.status} (no Transfer-Encoding)`);
    if (o.delivered === 0)
      return verdict.unobservable(
        `no Transfer-Encoding (good), but no event arrived on the close-delimited response (${o.end}); see st.incremental`,
      );
    return verdict.pass(
      expected,
      `HTTP/${o.httpVersion} ${o.status}, ${o.framing}-delimited, ${o.delivered} events arrived while it was open`,
    );
  },
});

// RFC 9112 §6.3 / RFC 6202 §3.1: a Content-Length ends the body at that count.
const noContentLength = defineRequirement<
  { contentLength: string | null; transferEncoding: string | null; framing: string; incremental?: string | null },
  typeof EXACT
>({
  id: 'st.no-content-length',
  spec: 'RFC 9112',
  section: '6.3',
  level: 'must',
  title: 'An unbounded stream carries no Content-Length',
  sources: [rfc(9112, '6.3'), rfc(6202, '3.1')],
  transports: [...ST],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  dependsOn: ['st.first-byte'],
  limits: EXACT,
  tolerance: () => 'exact: the response header section',
  faults: ['stream-content-length'],
  remedy: 'send no Content-Length on an endless stream; use chunked (HTTP/1.1) or close-delimited framing',
  async scenario(ctx) {
    const { head, end } = await streamHeaders(ctx, 'stream');
    if (!head) throw new Inconclusive(`no response headers arrived (${end}); see st.first-byte`);
    return {
      contentLength: header(head, 'content-length') ?? null,
      transferEncoding: header(head, 'transfer-encoding') ?? null,
      framing: head.framing,
      incremental: header(head, 'incremental') ?? null,
    };
  },
  evaluate(o): Verdict {
    const cl = o.contentLength;
    const measurements = incrementalOf(o);
    const expected = 'no Content-Length: the stream is chunked (HTTP/1.1) or close-delimited';
    if (cl !== null && o.transferEncoding === null) {
      return verdict.violation(
        expected,
        `"Content-Length: ${cl}" on an endless stream: clients and proxies end the body after ${cl} bytes and read the rest as garbage (or wait for bytes that never come)`,
        { measurements },
      );
    }
    return verdict.pass(
      expected,
      `framing: ${o.framing}${cl !== null ? ` (Content-Length ${cl} ignored: Transfer-Encoding present)` : ''}`,
      { measurements },
    );
  },
});

/** The wire parser's codes (the "<WireErrorCode>:" prefix of its errors) that are chunk syntax. */
const CHUNK_SYNTAX = ['bad-chunk-size', 'missing-chunk-crlf', 'chunk-line-cap', 'bare-cr', 'bare-lf', 'chunk-size-ws'];

// RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF.
const chunkSyntax = defineRequirement<{ end: string; framing: string; errors: string[]; chunks: number }, typeof three>({
  id: 'st.chunk-syntax',
  spec: 'RFC 9112',
  section: '7.1',
  level: 'must',
  title: 'Chunked stream framing is well formed (size line, data, CRLF)',
  sources: [rfc(9112, '7.1')],
  transports: [...ST],
  needsPublish: true,
  timing: false,
  limits: three,
  tolerance: (l) => `exact: byte-level parse of every chunk received while ${l.events} events were published`,
  faults: ['bad-chunk-size'],
  remedy: 'emit well-formed chunks: hex size, CRLF, data, CRLF',
  async scenario(ctx) {
    const { session } = await threeEvents(ctx);
    const res = await session.stop();
    return { end: res.end, framing: res.framing, errors: res.errors.slice(0, 20), chunks: res.chunks.length };
  },
  evaluate(o): Verdict {
    const expected = 'every chunk: hex size, CRLF, exactly that many bytes, CRLF';
    // Syntax only: our own abort leaves the stream "incomplete", which is not the server's doing.
    const chunkErrors = o.errors.filter((e) => CHUNK_SYNTAX.some((c) => e.startsWith(`${c}:`)));
    if (o.end === 'malformed' || chunkErrors.length)
      return verdict.violation(
        expected,
        `malformed chunked framing: ${(chunkErrors.length ? chunkErrors : o.errors).slice(0, 3).join('; ')}`,
      );
    if (o.framing !== 'chunked') return verdict.pass(expected, `not chunked (${o.framing}-delimited): nothing to check`);
    return verdict.pass(expected, `${o.chunks} well-formed chunks`);
  },
});

/** How the events' bytes were framed: declared "chunks" (nothing in-band), or parsed with the declared framing. */
export type AppFramingSeen =
  | { declared: 'chunks'; arrived: number; framing: string; chunkSizes: number[] }
  | {
      declared: string;
      conditions: Conditions;
      /** per arrived event: its number, and completion − arrival of its message (null: never completed) */
      events: Array<{ n: number; completedAfterMs: number | null }>;
      messages: number;
      parserProblems: string[];
    };

// RFC 6202 §3.2 "Framing Techniques": chunk boundaries are not message boundaries; proxies re-chunk.
const appFraming = defineRequirement<AppFramingSeen, typeof EXACT>({
  id: 'st.app-framing',
  spec: 'RFC 6202',
  section: '3.2',
  level: 'must',
  title: 'Messages are delimited inside the byte stream, not by chunk boundaries',
  sources: [rfc(6202, '3.2'), rfc(9112, '7.1.1')],
  transports: [...ST],
  needsPublish: true,
  timing: false,
  dependsOn: ['st.incremental'],
  limits: EXACT,
  tolerance: () => 'each event is a complete message of the declared framing, parsed one byte at a time, within ε of its arrival',
  via: [...RECHUNKING_HOPS],
  deploymentCheck: true,
  faults: ['chunk-boundary-framing'],
  remedy: 'delimit every message with the declared framing, independent of chunk boundaries',
  async scenario(ctx) {
    const framing = framingOf(ctx, 'stream');
    const { session, deliveries } = await threeEvents(ctx);
    await ctx.pause(2 * ctx.epsilonMs);
    await session.stop();
    const arrived = deliveries.filter((d) => d.arrival !== null);
    if (arrived.length === 0) throw new Inconclusive('no event arrived; see st.incremental');
    if (framing.type === 'chunks') {
      const res = await session.done;
      return {
        declared: 'chunks',
        arrived: arrived.length,
        framing: res.framing,
        chunkSizes: res.chunks.map((c) => c.size).filter((n) => n > 0),
      };
    }
    const parsed = parseBytewise(session, framing);
    const events = arrived.map((d) => {
      const m = parsed.messages.find((x) => x.data.includes(d.token));
      return { n: deliveries.indexOf(d) + 1, completedAfterMs: m && d.arrival !== null ? m.t - d.arrival : null };
    });
    return {
      declared: framing.type,
      conditions: conditions(ctx),
      events,
      messages: parsed.messages.length,
      parserProblems: parsed.problems.slice(0, 2),
    };
  },
  evaluate(o): Verdict {
    if (!('events' in o)) {
      const sizes = o.chunkSizes;
      return verdict.violation(
        `each event is a complete message inside the byte stream, whatever the read boundaries`,
        `the manifest declares "framing": {"type": "chunks"}: ${o.arrived} events arrived${o.framing === 'chunked' ? ` in ${sizes.length} chunk(s) of ${sizes.slice(0, 6).join(', ')} bytes` : ` (${o.framing} framing, so there are not even chunks to go by)`}, and nothing in the bytes marks where one ends. Chunk boundaries carry no meaning (RFC 9112 §7.1) and any proxy may re-chunk (RFC 6202 §3.2), so a client behind one gets events merged or split`,
        { measurements: { events: o.arrived, chunks: sizes.length } },
      );
    }
    const problems: string[] = [];
    for (const e of o.events) {
      if (e.completedAfterMs === null) problems.push(`event ${e.n} never became a complete ${o.declared} message`);
      else if (e.completedAfterMs > o.conditions.epsilonMs)
        problems.push(`event ${e.n} was completed only ${ms(e.completedAfterMs)} later, by the next bytes`);
    }
    const expected = `each event is a complete ${o.declared} message on its own, whatever the read boundaries`;
    const measurements = { messages: o.messages };
    if (problems.length)
      return verdict.violation(
        expected,
        `${problems.join('; ')}${o.parserProblems.length ? `; parser: ${o.parserProblems.join('; ')}` : ''} — messages separated only by chunk boundaries fall apart when a proxy re-chunks`,
        { measurements },
      );
    return verdict.pass(expected, `${o.events.length} events, each a complete ${o.declared} message`, { measurements });
  },
});

/** Per streaming transport asked with Accept-Encoding: gzip: the encoding chosen and the event latencies. */
export interface GzipSeen {
  kinds: Array<{ name: string; encoding: string | null; deliveries: DeliverySeen[] }>;
}

// RFC 6202 §3.2 (buffering), RFC 9110 §7.6: compression buffers like any intermediary does.
const gzip = defineRequirement<GzipSeen, typeof EXACT>({
  id: 'st.gzip-flush',
  spec: 'RFC 6202',
  section: '3.2',
  level: 'should',
  title: 'With Accept-Encoding: gzip, each event is still delivered promptly (compression flushed per event) or not compressed',
  sources: [rfc(6202, '3.2'), rfc(9110, '8.4.1')],
  transports: [...ST],
  needsPublish: true,
  timing: true,
  deploymentCheck: true,
  limits: EXACT,
  tolerance: () => `decompressed arrival − publish start ≤ publish round trip + ${EPSILON_TEXT} (× time scale)`,
  faults: ['gzip-no-flush'],
  remedy: 'flush the compressor after every event, or do not compress push responses',
  async scenario(ctx) {
    // Compressors choose by media type (Express's compression takes text/event-stream but not
    // application/x-ndjson), so a target with both streaming transports is judged on both.
    const kinds: StreamKind[] = ctx.manifest.stream && ctx.manifest.sse ? ['stream', 'sse'] : ['stream'];
    const out: GzipSeen['kinds'] = [];
    for (const kind of kinds) {
      const { session, deliveries } = await threeEvents(ctx, [['Accept-Encoding', 'gzip']], '1.1', kind);
      await session.stop();
      const enc = session.headers ? header(session.headers, 'content-encoding') : undefined;
      out.push({
        name: kinds.length > 1 ? `${kind === 'sse' ? 'SSE' : 'stream'}: ` : '',
        encoding: enc ?? null,
        deliveries: deliveries.map(deliverySeen),
      });
    }
    return { kinds: out };
  },
  evaluate(o): Verdict {
    const expected = 'compressed events are flushed one by one, or the stream is not compressed';
    const found: string[] = [];
    const seen: string[] = [];
    let worst = 0;
    for (const { name, encoding: enc, deliveries } of o.kinds) {
      // Uncompressed, the timing is st.incremental's business.
      if (!enc || /^identity$/i.test(enc)) {
        seen.push(`${name}the server declines to compress the stream`);
        continue;
      }
      const problems = late(deliveries);
      if (problems.length) {
        found.push(`${name}Content-Encoding: ${enc}; ${problems.join('; ')}`);
        worst = Math.max(worst, overshoot(deliveries));
      } else seen.push(`${name}Content-Encoding: ${enc}, each event flushed`);
    }
    if (found.length)
      return verdict.violation(
        expected,
        `${found.join(' | ')} — the compressor holds small events until its buffer fills`,
        excessOf(worst),
      );
    return verdict.pass(expected, seen.join('; '));
  },
});

// RFC 6202 §5.5 and WHATWG HTML §9.2.7: idle connections are cut by intermediaries' timeouts.
const heartbeat = defineRequirement<IdleObservation, typeof EXACT>({
  id: 'st.heartbeat',
  spec: 'RFC 6202',
  section: '5.5',
  level: 'should',
  title: 'An idle stream sends bytes (heartbeats) often enough to survive idle timeouts',
  sources: [rfc(6202, '5.5'), 'https://html.spec.whatwg.org/multipage/server-sent-events.html#authoring-notes'],
  transports: [...ST],
  needsPublish: false,
  timing: false,
  idleWatch: true,
  dependsOn: ['st.first-byte'],
  limits: EXACT,
  tolerance: () => HEARTBEAT_TOLERANCE,
  // A server-side buffer swallows heartbeats as well as events: the wire stays silent.
  faults: ['no-heartbeat', 'stream-buffer-8k'],
  remedy: 'send a heartbeat on an idle stream at least every 15–20 s',
  scenario: (ctx) => sharedIdle(ctx, 'stream'),
  evaluate: (o) => evaluateHeartbeat(o),
});

/** The stream's head must come within headersMs × time scale + rtts × the run's RTT, with nothing published. */
const firstByteLimits = { headersMs: 1000, rtts: 2 };

// RFC 6202 §3.1 / §5.5: a response deferred until the first event dies at first-byte timeouts.
const firstByte = defineRequirement<{ timeScale: number; rttMs: number; headersAfterMs: number | null }, typeof firstByteLimits>({
  id: 'st.first-byte',
  spec: 'RFC 6202',
  section: '5.5',
  level: 'should',
  title: 'A stream sends its response headers at once, so a quiet stream survives first-byte timeouts',
  sources: [rfc(6202, '5.5'), rfc(6202, '3.1')],
  transports: [...ST],
  needsPublish: false,
  timing: true,
  limits: firstByteLimits,
  tolerance: (l) => `headers within ${secs(l.headersMs)} + ${l.rtts}·RTT (× time scale) with nothing published`,
  faults: ['defer-headers'],
  remedy: 'send the response headers at once, before the first event',
  async scenario(ctx) {
    const o = { timeScale: ctx.env.options.timeScale, rttMs: ctx.env.rttMs };
    const limit = firstByteAllowance(o, firstByteLimits);
    const session = await openStream(ctx, 'stream', ctx.newChannel(), { maxMs: limit + ctx.ms(2000) });
    const got = await session.waitHeaders(limit);
    const res = await session.stop();
    if (!got && res.end !== 'timeout' && res.end !== 'complete' && res.tHeaders === null)
      throw new Inconclusive(`the connection ended (${res.end}) without a response`);
    return { ...o, headersAfterMs: got ? (session.tHeaders ?? 0) - session.tSent : null };
  },
  evaluate(o, l): Verdict {
    const limit = firstByteAllowance(o, l);
    const expected = `response headers within ${ms(limit)}, before any event`;
    // The scenario waited exactly the allowance: headers seen are headers in time.
    if (o.headersAfterMs === null) {
      return verdict.violation(
        expected,
        `no response headers after ${ms(limit)} with no event published: the server defers its response until there is data, so a quiet stream is cut by first-byte timeouts (Heroku 30 s, AWS API Gateway 29 s, CloudFront/GCP 30 s, Varnish 60 s)`,
      );
    }
    return verdict.pass(expected, `headers after ${ms(o.headersAfterMs)}`);
  },
});

function firstByteAllowance(o: { timeScale: number; rttMs: number }, l: typeof firstByteLimits): number {
  return l.headersMs * o.timeScale + l.rtts * o.rttMs;
}

export const streamingRequirements: Requirement[] = [
  staysOpen,
  incremental,
  http10,
  noContentLength,
  chunkSyntax,
  appFraming,
  gzip,
  heartbeat,
  firstByte,
];
export { staysOpen, incremental, http10, noContentLength, chunkSyntax, appFraming, gzip, heartbeat, firstByte };
