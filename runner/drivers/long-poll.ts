import type { CaseDoor } from './door.js';
import type { LongPollBlock } from '../manifest/types.js';
import { findTokens } from '../tokens.js';
import { Inconclusive } from '../verdict.js';
import { firstArrival, type RawRequest, type RecordedConnection, type WireResponse } from '../wire/index.js';
import { CursorState } from './cursor.js';
import { buildRequest, connectionReusable, hostHeader, is2xx } from './request.js';
import { noteBodyAndEnd, noteHead } from './evidence.js';

export interface PollResult {
  seq: number;
  /** when the request that produced this response was sent (after a handshake: the re-poll) */
  tSent: number;
  res: WireResponse;
  connectionId: number;
  /** tokens found in the body, in order, repeats included */
  tokens: string[];
  /** complete 2xx (or 304: nothing new) */
  ok: boolean;
  /** when the first byte of `token` arrived, on the shared clock */
  arrival(token: string): number | null;
}

export interface PendingPoll {
  seq: number;
  tSent: number;
  /** the request target, origin-form */
  path: string;
  /** whether the request carried the client's cursor (a first poll has none) */
  hadCursor: boolean;
  done: Promise<PollResult>;
}

/** A cursorless poll answered sooner than this, empty but with a cursor, is a handshake. */
const HANDSHAKE_AT_ONCE_MS = 500;

export function longPollBlock(ctx: CaseDoor): LongPollBlock {
  const b = ctx.manifest.longPoll;
  if (!b) throw new Inconclusive('the manifest has no longPoll block');
  return b;
}

/**
 * A long-poll client the way a careful browser library behaves: one persistent connection,
 * the declared cursor carried from each response to the next poll, cookies kept.
 */
export class LongPollClient {
  private conn: RecordedConnection | null = null;
  private polls = 0;
  readonly cursor: CursorState;
  readonly connectionIds: number[] = [];

  constructor(
    private readonly ctx: CaseDoor,
    readonly channel: string,
    readonly label = 'client',
    /** sent with every poll besides the manifest's headers (a CORS Origin, say) */
    private readonly extraHeaders: ReadonlyArray<[string, string]> = [],
  ) {
    this.cursor = new CursorState(longPollBlock(ctx).cursor ?? { type: 'none' });
  }

  /** Sends the next poll and returns at once; `done` settles when the response ends. */
  async start(deadlineMs: number): Promise<PendingPoll> {
    const ctx = this.ctx;
    const { url, req } = buildRequest(ctx, longPollBlock(ctx), this.channel);
    const headers = [...(req.headers ?? []), ...this.extraHeaders];
    this.cursor.apply(url, headers);
    const request: RawRequest = { ...req, path: url.pathname + url.search, headers };
    if (!this.conn || this.conn.closed) {
      this.conn = await ctx.connect();
      this.connectionIds.push(this.conn.id);
    }
    const conn = this.conn;
    this.polls += 1;
    const seq = this.polls;
    const hadCursor = this.cursor.hasValue;
    const tSent = ctx.now();
    const first = conn
      .exchange(request, { deadlineMs, signal: ctx.signal }, hostHeader(ctx))
      .then((res) => this.finish(seq, conn, res, tSent));
    const done = hadCursor ? first : first.then((r) => this.afterHandshake(r, deadlineMs - (ctx.now() - tSent)));
    // A scenario may be busy publishing when an unreadable answer rejects `done`; it awaits it
    // later, so the rejection is handled there, not an unhandled crash of the run.
    done.catch(() => undefined);
    ctx.note(`${this.label} poll #${seq} sent on connection #${conn.id}: ${request.method} ${request.path}`, tSent, {
      kind: 'request',
      conn: conn.id,
    });
    return { seq, tSent, path: request.path, hadCursor, done };
  }

  /**
   * Some servers answer a client's first, cursorless poll at once with nothing but a cursor (a
   * handshake) and hold only polls that carry one. A real client re-polls with it, and so do we,
   * once; a server that also answers that poll at once is short polling, and the scenario sees it.
   */
  private async afterHandshake(r: PollResult, deadlineLeftMs: number): Promise<PollResult> {
    // "At once" is judged against what a hold is (seconds), not against ε: through a chain of
    // hops on a loaded machine a handshake answer can take a few hundred ms, and a poll answered
    // within half a second was not held in any sense RFC 6202 §2 means.
    const quick = r.res.tEnd !== null && r.res.tEnd - r.tSent < Math.max(this.ctx.epsilonMs, this.ctx.ms(HANDSHAKE_AT_ONCE_MS));
    if (!(r.ok && quick && r.tokens.length === 0 && this.cursor.hasValue)) return r;
    this.ctx.note(
      `${this.label} poll #${r.seq} was answered at once with a cursor and no events (a handshake): polling again with the cursor`,
    );
    return (await this.start(Math.max(deadlineLeftMs, this.ctx.ms(1000)))).done;
  }

  /** The connection the next poll would use (null when none is open). */
  get connection(): RecordedConnection | null {
    return this.conn && !this.conn.closed ? this.conn : null;
  }

  async poll(deadlineMs: number): Promise<PollResult> {
    return (await this.start(deadlineMs)).done;
  }

  private finish(seq: number, conn: RecordedConnection, res: WireResponse, tSent: number): PollResult {
    const ctx = this.ctx;
    if (res.tHeaders !== null) {
      ctx.sawResponse(res);
      noteHead(ctx, `${this.label} poll #${seq}`, res, res.tHeaders);
    }
    const tokens = findTokens(res.body);
    noteBodyAndEnd(ctx, `${this.label} poll #${seq}`, res, tokens.length ? `, ${tokens.length} event(s)` : '');
    if (res.end === 'malformed' || res.end === 'cap' || res.end === 'error') {
      conn.close();
      if (this.conn === conn) this.conn = null;
      // Bytes we cannot read as HTTP say nothing about the requirement being judged.
      throw new Inconclusive(
        `${this.label} poll #${seq}: the answer could not be read (${res.end}: ${res.errors.slice(0, 2).join('; ') || 'no detail'})`,
      );
    }
    const ok = res.end === 'complete' && (is2xx(res) || res.status === 304);
    if (ok && is2xx(res)) this.cursor.update(res);
    // RFC 9112 §9.6: after "Connection: close" the client must not send another request on it.
    if (!connectionReusable(res)) {
      conn.close();
      if (this.conn === conn) this.conn = null;
    }
    return { seq, tSent, res, connectionId: conn.id, tokens, ok, arrival: (token) => firstArrival(res, token) };
  }
}
