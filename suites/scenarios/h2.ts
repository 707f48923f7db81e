/**
 * Steps shared by the RFC 9113 checks: one HTTP/2 connection of the case, push requests opened
 * on it as streams, and an ordinary request beside them.
 */
import type { CaseContext } from '../../runner/context.js';
import { buildRequest, eventSourceHeaders } from '../../runner/drivers/request.js';
import { H2Connection } from '../../runner/h2/connection.js';
import type { WireResponse } from '../../runner/wire/index.js';
import { Inconclusive } from '../../runner/verdict.js';
import type { RawRequest } from '../../runner/wire/index.js';
import { PUSH_TRANSPORTS, type PushTransport } from './push-transports.js';

/** The case's connection as HTTP/2; the plan runs RFC 9113 checks only where the client speaks h2. */
export async function h2Connection(ctx: CaseContext, o: { streamWindowBytes?: number } = {}): Promise<H2Connection> {
  const conn = await ctx.connect(o);
  if (!(conn instanceof H2Connection)) throw new Error(`harness: ${ctx.via} case of an RFC 9113 check got an ${conn.protocol} connection`);
  if (!(await conn.whenSettings(ctx.ms(5000))))
    throw new Inconclusive(`connection #${conn.id}: no SETTINGS frame from the server within ${ctx.ms(5000)} ms of our preface`);
  return conn;
}

/** The push request of one transport on a fresh channel (a long poll without a cursor: held). */
export function pushRequest(ctx: CaseContext, transport: PushTransport, channel: string): RawRequest {
  const block = ctx.manifest[transport];
  if (block === undefined) throw new Error(`harness: the target declares no ${transport} endpoint`);
  const { req } = buildRequest(ctx, block, channel);
  req.headers = [...(req.headers ?? []), ...eventSourceHeaders(ctx.manifest, block, transport === 'sse')];
  return req;
}

/** The push transports the target offers, in report order; a stream first where there is one (it answers at once). */
export function offeredPush(ctx: CaseContext): PushTransport[] {
  const offered = PUSH_TRANSPORTS.filter((t) => ctx.manifest[t] !== undefined);
  return [...offered.filter((t) => t !== 'longPoll'), ...offered.filter((t) => t === 'longPoll')];
}

/** An ordinary GET of the target's base URL: what a page fetches beside its held push requests. */
export function ordinaryRequest(ctx: CaseContext): RawRequest {
  const base = new URL(ctx.manifest.baseUrl);
  return { method: 'GET', path: base.pathname + base.search, headers: [...Object.entries(ctx.manifest.headers ?? {})] };
}

/**
 * The header section of one push request on its own stream: at once for a stream, at an event
 * published after `waitMs` (or at the hold) for a long poll or a server that defers its head.
 * Read off the frames, so a head our client refuses is still seen.
 */
export async function pushHead(ctx: CaseContext, conn: H2Connection, transport: PushTransport, waitMs: number): Promise<WireResponse> {
  const channel = ctx.newChannel();
  const r = conn.request(pushRequest(ctx, transport, channel), ctx.host, waitMs * 3);
  if (!(await r.head(waitMs)) && r.res.tEnd === null && ctx.env.publisher) {
    await ctx.publish(channel, ctx.nextToken());
    await r.head(waitMs);
  }
  r.cancel();
  ctx.sawResponse(r.res);
  return r.res;
}
