import type { CaseContext } from '../../runner/context.js';
import { StreamSession, streamBlock, type StreamKind, type StreamOpenOptions } from '../../runner/drivers/stream.js';
import { eventSourceHeaders } from '../../runner/drivers/request.js';
import { createParser, createSseParser, type SseParser } from '../../runner/framing/index.js';
import type { FramingParser, FramingSpec, ParseResult } from '../../runner/framing/types.js';
import type { PublishResult } from '../../runner/publish.js';
import { Inconclusive } from '../../runner/verdict.js';
import { header, type WireResponse } from '../../runner/wire/index.js';

/** Waits a stream scenario derives from the run: spacing between events and how long "never" is. */
export function streamTiming(ctx: CaseContext, kind: StreamKind): { spacingMs: number; waitEventMs: number; heartbeatMs: number | null } {
  const hb = streamBlock(ctx, kind).heartbeatSeconds;
  return {
    // Events spaced well beyond the tolerance, so one held back until the next is unmistakable.
    spacingMs: Math.max(ctx.ms(300), 3 * ctx.epsilonMs),
    // Past this an event counts as not delivered (far beyond any tolerance a check applies).
    waitEventMs: ctx.ms(2000) + ctx.epsilonMs,
    heartbeatMs: hb === undefined ? null : hb * 1000,
  };
}

/** SSE requests carry what EventSource sends, unless the manifest already says otherwise. */
export function sseHeaders(ctx: CaseContext, kind: StreamKind): Array<[string, string]> {
  // Streaming checks run against the sse block when there is no stream block: that is an
  // EventSource endpoint too.
  return eventSourceHeaders(ctx.manifest, streamBlock(ctx, kind), kind === 'sse' || !ctx.manifest.stream);
}

export async function openStream(ctx: CaseContext, kind: StreamKind, channel: string, o: StreamOpenOptions): Promise<StreamSession> {
  return StreamSession.open(ctx, kind, channel, { ...o, extraHeaders: [...sseHeaders(ctx, kind), ...(o.extraHeaders ?? [])] });
}

export interface Delivery {
  token: string;
  pub: PublishResult;
  /** arrival of the token's last byte, null if not delivered within waitEventMs */
  arrival: number | null;
  latencyMs: number | null;
  /** publish round trip + ε */
  allowedMs: number;
}

/**
 * Publishes n events one after another on an open stream, waiting for each to arrive (or for
 * `waitEventMs`) before spacing out the next; stops after the first one that does not arrive.
 */
export async function publishSeries(ctx: CaseContext, s: StreamSession, channel: string, n: number, kind: StreamKind): Promise<Delivery[]> {
  const t = streamTiming(ctx, kind);
  // Subscribed once the headers are out; a server that defers them gets a short grace instead.
  if (!(await s.waitHeaders(t.waitEventMs))) await ctx.pause(t.spacingMs);
  const out: Delivery[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) await ctx.pause(t.spacingMs);
    const token = ctx.nextToken();
    const pub = await ctx.publish(channel, token);
    const arrival = await s.waitFor(token, t.waitEventMs);
    out.push({
      token,
      pub,
      arrival,
      latencyMs: arrival === null ? null : arrival - pub.tStart,
      allowedMs: pub.tEnd - pub.tStart + ctx.epsilonMs,
    });
    if (arrival === null) break;
  }
  return out;
}

/** The declared message framing of a stream block (SSE for the sse block). */
export function framingOf(ctx: CaseContext, kind: StreamKind): FramingSpec {
  if (kind === 'sse' || !ctx.manifest.stream) return { type: 'sse' };
  const f = ctx.manifest.stream.framing;
  if (!f)
    throw new Inconclusive('the manifest declares no stream.framing, so messages cannot be parsed; add e.g. "framing": {"type": "ndjson"}');
  return f;
}

/**
 * Parses what arrived with the declared framing, one byte at a time: a parser that only works
 * when reads line up with messages would hide exactly the fault §3.2 warns about.
 */
export function parseBytewise(s: StreamSession, framing: FramingSpec): ParseResult & { parser: FramingParser } {
  return feedBytewise(s, createParser(framing, s.headers ? header(s.headers, 'content-type') : undefined));
}

/** The same for an event stream, keeping the SSE parser's own state (last event ID, retry, fields). */
export function parseSseBytewise(s: StreamSession): ParseResult & { parser: SseParser } {
  return feedBytewise(s, createSseParser());
}

function feedBytewise<P extends FramingParser>(s: StreamSession, parser: P): ParseResult & { parser: P } {
  const messages = [];
  for (const piece of s.pieces()) {
    for (let i = 0; i < piece.bytes.length; i++) messages.push(...parser.push(piece.bytes.subarray(i, i + 1), piece.t));
  }
  const { partial } = parser.finish();
  return {
    messages,
    partial,
    problems: [...parser.problems],
    findings: [...parser.findings],
    heartbeatTimes: [...parser.heartbeatTimes],
    parser,
  };
}

/** Largest silence between body bytes from the headers to `until`, for idle-timeout judgements. */
export function largestGap(s: StreamSession, until: number): { gapMs: number; from: number } {
  const start = s.tHeaders ?? s.tSent;
  const times = [
    start,
    ...s
      .pieces()
      .map((p) => p.t)
      .filter((t) => t >= start),
    until,
  ].sort((a, b) => a - b);
  let gapMs = 0;
  let from = start;
  for (let i = 1; i < times.length; i++) {
    const g = (times[i] ?? 0) - (times[i - 1] ?? 0);
    if (g > gapMs) {
      gapMs = g;
      from = times[i - 1] ?? start;
    }
  }
  return { gapMs, from };
}

/** Real-world idle timeouts a silent stream runs into (requirements.md §3, real-intermediaries.md). */
export const IDLE_CUTTERS: ReadonlyArray<[number, string]> = [
  [15_000, 'legacy proxies (the WHATWG note suggests a comment every 15 s)'],
  [30_000, 'Cloudflare proxy write timeout'],
  [55_000, 'Heroku rolling window'],
  [60_000, 'nginx proxy_read_timeout, AWS ELB, Varnish between_bytes_timeout'],
  [100_000, 'Cloudflare proxy read timeout'],
];

export function cutBy(gapMs: number): string {
  const hits = IDLE_CUTTERS.filter(([limit]) => gapMs >= limit).map(([limit, who]) => `${limit / 1000} s: ${who}`);
  return hits.length
    ? `a silence that long is cut by idle timeouts of ${hits.join('; ')}`
    : 'it survives the common idle timeouts (15 s legacy proxies, 55 s Heroku, 60 s nginx/ELB, 100 s Cloudflare)';
}

/**
 * The header section of a stream response: waits for it, and if the server holds it back until
 * there is data, publishes one event (when it can) to bring it out. Null when none came.
 */
export async function streamHeaders(
  ctx: CaseContext,
  kind: StreamKind,
  extraHeaders: Array<[string, string]> = [],
): Promise<{ head: WireResponse | null; end: string }> {
  const t = streamTiming(ctx, kind);
  const channel = ctx.newChannel();
  const session = await openStream(ctx, kind, channel, { maxMs: t.waitEventMs * 2, extraHeaders });
  if (!(await session.waitHeaders(t.waitEventMs)) && ctx.env.publisher) {
    await ctx.publish(channel, ctx.nextToken());
    await session.waitHeaders(t.waitEventMs);
  }
  const res = await session.stop();
  return { head: session.headers, end: res.end };
}
