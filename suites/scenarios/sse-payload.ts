import { Inconclusive } from '../../runner/verdict.js';
import type { CaseContext } from '../../runner/context.js';
import type { StreamSession } from '../../runner/drivers/stream.js';
import { openStream, parseSseBytewise, streamTiming } from './streaming.js';

/** One crafted payload published on an open SSE stream: what came back, parsed as EventSource parses it. */
export interface SsePayloadRun {
  session: StreamSession;
  /** arrival of `lastNeedle`, null when it did not arrive within the event wait */
  arrival: number | null;
  /** data of every dispatched event */
  dispatched: string[];
  /** undispatched data left at the end */
  partial: string | null;
}

/**
 * Opens an event stream, publishes `payload` once through the hook and watches until
 * `lastNeedle` (the payload's last distinctive part) arrives or the event wait passes, then a
 * settle of 2ε so the blank line that dispatches it is in. The payload is arbitrary text, so a
 * check can ask how the server writes line breaks and spaces, not only tokens.
 */
export async function publishOnSse(ctx: CaseContext, payload: string, lastNeedle: string): Promise<SsePayloadRun> {
  const t = streamTiming(ctx, 'sse');
  const channel = ctx.newChannel();
  const session = await openStream(ctx, 'sse', channel, { maxMs: t.spacingMs + 2 * t.waitEventMs + ctx.ms(5000) });
  // Subscribed once the headers are out; a server that defers them gets a short grace instead.
  if (!(await session.waitHeaders(t.waitEventMs))) await ctx.pause(t.spacingMs);
  await ctx.publish(channel, payload);
  const arrival = await session.waitFor(lastNeedle, t.waitEventMs);
  await ctx.pause(2 * ctx.epsilonMs);
  await session.stop();
  // A stream the client could not read as HTTP (an HTTP/2 stack refusing its fields) carries no
  // payload to judge; the check that owns the refusal says so.
  const res = await session.done;
  if (res.end === 'malformed')
    throw new Inconclusive(
      `the event stream could not be read (${res.errors.slice(0, 2).join('; ') || 'malformed'}), so the payload's trip cannot be judged`,
    );
  const parsed = parseSseBytewise(session);
  return { session, arrival, dispatched: parsed.messages.map((m) => m.data), partial: parsed.partial };
}

/** The lines of an event-stream body as the parser splits them (CRLF, lone CR, LF). */
export const sseLines = (body: string): string[] => body.split(/\r\n|\r|\n/);
