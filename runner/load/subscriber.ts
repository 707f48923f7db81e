/**
 * One held request of a load step, from connect to the step's end: a long poll (re-polled with
 * its cursor when its hold runs out, as a client would) or an open stream / SSE connection. It
 * ends in one state a step counts; it never throws for anything the server does.
 */
import { CursorState } from '../drivers/cursor.js';
import { connectionReusable } from '../drivers/request.js';
import type { Cursor } from '../manifest/types.js';
import type { RawRequest, WireResponse } from '../wire/types.js';
import { serializeRequest } from '../wire/connection.js';
import { ConnectError, HeldConnection, type Endpoint, type HeldHooks, type GoneHow } from './client.js';

export type LoadTransport = 'longPoll' | 'stream' | 'sse';

/**
 * `held`: waiting (a poll sent and not answered, a stream whose head arrived); `got`: the step's
 * event arrived; `early`: ended before its hold (a poll answered without the event, a stream that
 * ended); `capped`: 429 or 503; `failed`: refused, reset, any other non-2xx.
 */
export type SubscriberState = 'opening' | 'held' | 'got' | 'early' | 'capped' | 'failed';

export interface SubscriberPlan {
  transport: LoadTransport;
  /** the request with the step's channel; the cursor is applied per poll */
  request: RawRequest;
  url: URL;
  /** where to connect, and for https how */
  endpoint: Endpoint;
  host: string;
  cursor: Cursor;
  /** a poll answered sooner than this without the event ended early (declared or measured hold less ε) */
  earlyBeforeMs: number;
  connectTimeoutMs: number;
  now: () => number;
}

const CAP_STATUSES = new Set([429, 503]);

export class Subscriber {
  state: SubscriberState = 'opening';
  /** why it is early, capped or failed (status, how the connection ended) */
  why: string | null = null;
  tGot: number | null = null;
  /** when a 2xx response head arrived: a stream is held from then on */
  tHead: number | null = null;
  #conn: HeldConnection | null = null;
  #tSent = 0;
  #token: string | null = null;
  #tail = '';
  readonly #cursor: CursorState;
  #changed: (() => void) | null = null;

  constructor(
    private readonly plan: SubscriberPlan,
    private readonly localAddress: string | undefined,
  ) {
    this.#cursor = new CursorState(plan.cursor);
  }

  /** Called when a response head arrives and when the state leaves `held`. */
  onChange(f: () => void): void {
    this.#changed = f;
  }

  /** Connects and sends; a ConnectError whose code is the client's own limit is rethrown for the ramp to stop on. */
  async start(): Promise<void> {
    try {
      await this.#open();
    } catch (e) {
      if (e instanceof ConnectError && isClientLimit(e.code)) throw e;
      this.#end('failed', e instanceof ConnectError ? e.code : String(e));
    }
  }

  /** The step's event: a held request that delivers bytes containing it is `got`. */
  watch(token: string): void {
    this.#token = token;
  }

  close(): void {
    this.#conn?.close();
  }

  /** A client limit the ramp stops on still leaves this one request failed, not opening. */
  fail(why: string): void {
    this.#end('failed', why);
  }

  async #open(): Promise<void> {
    const p = this.plan;
    const hooks: HeldHooks = {
      onHead: (res, t) => this.#onHead(res, t),
      onBody: (chunk, t) => this.#onBody(chunk, t),
      onResponse: (res, t) => this.#onResponse(res, t),
      onGone: (how, _t, detail) => this.#onGone(how, detail),
    };
    this.#conn = await HeldConnection.open(p.endpoint, this.localAddress, p.connectTimeoutMs, p.now, hooks);
    this.#send();
  }

  #send(): void {
    const p = this.plan;
    const url = new URL(p.url);
    const headers = [...(p.request.headers ?? [])];
    this.#cursor.apply(url, headers);
    const bytes = serializeRequest({ ...p.request, path: url.pathname + url.search, headers }, p.host);
    this.#tSent = p.now();
    this.#tail = '';
    this.state = 'held';
    this.#conn?.send(bytes, p.request.method);
  }

  #onHead(res: WireResponse, t: number): void {
    if (this.state !== 'held') return;
    if (CAP_STATUSES.has(res.status)) return this.#end('capped', `HTTP ${res.status}`);
    if (this.plan.transport !== 'longPoll' && (res.status < 200 || res.status >= 300)) return this.#end('failed', `HTTP ${res.status}`);
    this.tHead = t;
    this.#changed?.();
  }

  #onBody(chunk: Buffer, t: number): void {
    if (this.state !== 'held' || this.#token === null) return;
    // A token split over two reads is found in what is kept of the last one.
    const text = this.#tail + chunk.toString('latin1');
    if (text.includes(this.#token)) {
      this.tGot = t;
      this.#end('got', null);
      return;
    }
    this.#tail = text.slice(-(this.#token.length - 1));
  }

  #onResponse(res: WireResponse, t: number): void {
    if (this.state !== 'held') return;
    if (this.plan.transport !== 'longPoll')
      return this.#end('early', `the stream ended (${res.end}) after ${Math.round(t - this.#tSent)} ms`);
    if (res.end !== 'complete') return this.#end('failed', `the response ended ${res.end}`);
    if (res.status >= 300) return this.#end('failed', `HTTP ${res.status}`);
    const heldMs = t - this.#tSent;
    if (heldMs < this.plan.earlyBeforeMs) return this.#end('early', `HTTP ${res.status} without the event after ${Math.round(heldMs)} ms`);
    // The hold ran out with nothing to deliver: poll again with the cursor, as a client does.
    this.#cursor.update(res);
    if (connectionReusable(res)) return this.#send();
    this.#conn?.close();
    this.#open().catch((e: unknown) => this.#end('failed', e instanceof Error ? e.message : String(e)));
  }

  #onGone(how: GoneHow, detail: string): void {
    if (this.state !== 'held') return;
    // A FIN is an orderly (if early) end; a reset or a socket error is a failure.
    if (how === 'fin') this.#end('early', `the connection was closed (FIN) after ${Math.round(this.plan.now() - this.#tSent)} ms`);
    else this.#end('failed', `connection ${how === 'rst' ? 'reset' : `error (${detail})`}`);
  }

  #end(state: Exclude<SubscriberState, 'opening' | 'held'>, why: string | null): void {
    if (this.state !== 'held' && this.state !== 'opening') return;
    this.state = state;
    this.why = why;
    this.#changed?.();
  }
}

/** The client ran out of ports or files: the ramp stops there, the server is not to blame. */
export function isClientLimit(code: string): boolean {
  return code === 'EADDRNOTAVAIL' || code === 'EMFILE' || code === 'ENFILE' || code === 'ENOBUFS';
}
