/**
 * A Bayeux 1.0 client over recorded connections: handshake, subscribe, publish, the
 * `/meta/connect` loop and disconnect, by long-polling (POST application/json) or
 * callback-polling (GET `?message=…&jsonp=…`). It keeps two connections, as the spec's
 * two-connection rule (Bayeux "Two connection operation") asks of a client: `/meta/connect` is
 * held on one while every other message goes on the other. It learns `advice` (timeout, interval,
 * reconnect) from the server instead of asking the user for it, and records every exchange with
 * the server's replies parsed, so suites judge what was said without re-parsing.
 */
import type { RawRequest, RecordedConnection, WireResponse } from '../wire/index.js';
import type { Door } from './door.js';
import { connectionReusable } from './request.js';

export type BayeuxTransport = 'long-polling' | 'callback-polling';

/** Bayeux "advice" (reconnect, interval, timeout in ms, multiple-clients, hosts). */
export interface Advice {
  reconnect?: string;
  interval?: number;
  timeout?: number;
  'multiple-clients'?: boolean;
  hosts?: string[];
}

/** One Bayeux message as sent or received; unknown fields are kept as they came. */
export interface BayeuxMessage {
  channel: string;
  id?: string;
  clientId?: string;
  successful?: boolean;
  error?: string;
  advice?: Advice;
  data?: unknown;
  subscription?: string | string[];
  supportedConnectionTypes?: string[];
  version?: string;
  minimumVersion?: string;
  connectionType?: string;
  [field: string]: unknown;
}

export interface BayeuxExchange {
  seq: number;
  sent: BayeuxMessage[];
  res: WireResponse;
  /** the reply array, or null when the body was not one (see `problem`) */
  replies: BayeuxMessage[] | null;
  /** why the body is not a Bayeux reply: not JSON, not an array, wrong JSONP wrapper… */
  problem: string | null;
  tSent: number;
}

export interface PendingConnect {
  seq: number;
  tSent: number;
  /** the request's path and query, to find it at the target's edge behind a hop */
  path: string;
  done: Promise<BayeuxExchange>;
}

const JSONP_CALLBACK = 'pushspecCb';

/** Parses a reply body: a JSON array of messages, or for callback-polling `cb([...]);`. */
export function parseReplies(body: string, jsonp: string | null): { replies: BayeuxMessage[] | null; problem: string | null } {
  let text = body.trim();
  if (jsonp !== null) {
    // Servers prefix `/**/` against content sniffing (faye, CometD); the call itself must be ours.
    const stripped = text.replace(/^\/\*\*\/\s*/, '');
    const open = `${jsonp}(`;
    if (!stripped.startsWith(open))
      return { replies: null, problem: `expected a call of the callback ${jsonp}(…), got ${JSON.stringify(text.slice(0, 60))}` };
    text = stripped.slice(open.length).replace(/\)\s*;?\s*$/, '');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { replies: null, problem: `not JSON: ${JSON.stringify(text.slice(0, 60))}` };
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const replies: BayeuxMessage[] = [];
  for (const m of list) {
    if (typeof m !== 'object' || m === null || typeof (m as { channel?: unknown }).channel !== 'string') {
      return { replies: null, problem: `a message without a channel: ${JSON.stringify(m).slice(0, 60)}` };
    }
    replies.push(m as BayeuxMessage);
  }
  return { replies, problem: null };
}

export class BayeuxClient {
  clientId: string | null = null;
  /** the latest advice the server gave, on any reply */
  advice: Advice = {};
  /** every message on a non-meta channel that arrived, in arrival order */
  readonly delivered: Array<{ message: BayeuxMessage; t: number; exchange: number }> = [];
  readonly exchanges: BayeuxExchange[] = [];
  private control: RecordedConnection | null = null;
  private connectConn: RecordedConnection | null = null;
  private nextId = 1;

  constructor(
    private readonly door: Door,
    readonly url: URL,
    readonly transport: BayeuxTransport = 'long-polling',
    private readonly extraHeaders: Array<[string, string]> = [],
    readonly label = 'bayeux client',
  ) {}

  /** `/meta/handshake` (Bayeux §4.1); remembers clientId and advice when successful. */
  async handshake(deadlineMs: number, fields: Partial<BayeuxMessage> = {}): Promise<{ ex: BayeuxExchange; reply: BayeuxMessage | null }> {
    const ex = await this.send(
      [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: [this.transport], ...fields }],
      deadlineMs,
      'control',
    );
    const reply = this.replyTo(ex, '/meta/handshake');
    if (reply?.successful === true && typeof reply.clientId === 'string') this.clientId = reply.clientId;
    return { ex, reply };
  }

  async subscribe(channel: string, deadlineMs: number): Promise<{ ex: BayeuxExchange; reply: BayeuxMessage | null }> {
    const ex = await this.send([{ channel: '/meta/subscribe', clientId: this.id(), subscription: channel }], deadlineMs, 'control');
    return { ex, reply: this.replyTo(ex, '/meta/subscribe') };
  }

  /** Publishes `data` to `channel` on the control connection; the reply acknowledges it. */
  async publish(channel: string, data: unknown, deadlineMs: number): Promise<{ ex: BayeuxExchange; reply: BayeuxMessage | null }> {
    const ex = await this.send([{ channel, clientId: this.id(), data }], deadlineMs, 'control');
    return { ex, reply: this.replyTo(ex, channel) };
  }

  /** Starts a `/meta/connect` on the connect connection; the server holds it until advice.timeout or an event. */
  async startConnect(deadlineMs: number, fields: Partial<BayeuxMessage> = {}): Promise<PendingConnect> {
    const messages: BayeuxMessage[] = [{ channel: '/meta/connect', clientId: this.id(), connectionType: this.transport, ...fields }];
    const started = await this.start(messages, deadlineMs, 'connect');
    return started;
  }

  /** One `/meta/connect`, awaited. */
  async connect(deadlineMs: number): Promise<BayeuxExchange> {
    return (await this.startConnect(deadlineMs)).done;
  }

  async disconnect(deadlineMs: number): Promise<BayeuxExchange | null> {
    if (this.clientId === null) return null;
    return this.send([{ channel: '/meta/disconnect', clientId: this.clientId }], deadlineMs, 'control');
  }

  /** The reply on `channel` in an exchange (matched by the id we sent when the server echoes it). */
  replyTo(ex: BayeuxExchange, channel: string): BayeuxMessage | null {
    const sentId = ex.sent.find((m) => m.channel === channel)?.id;
    const on = (ex.replies ?? []).filter((m) => m.channel === channel);
    return on.find((m) => m.id === sentId) ?? on[0] ?? null;
  }

  /** Sends messages as one request and waits for the reply. */
  async send(messages: BayeuxMessage[], deadlineMs: number, on: 'control' | 'connect'): Promise<BayeuxExchange> {
    return (await this.start(messages, deadlineMs, on)).done;
  }

  /** Sends raw bytes as the body of a long-polling POST (for malformed-JSON checks). */
  async sendRaw(body: string, deadlineMs: number): Promise<WireResponse> {
    const conn = await this.connection('control');
    return conn.exchange(this.postRequest(body), { deadlineMs, signal: this.door.signal }, this.door.host);
  }

  /** A GET with the given query parameters on the control connection (callback-polling probes). */
  async rawGet(params: Record<string, string>, deadlineMs: number): Promise<WireResponse> {
    const conn = await this.connection('control');
    const q = new URLSearchParams(this.url.search);
    for (const [k, v] of Object.entries(params)) q.set(k, v);
    return conn.exchange(
      { method: 'GET', path: `${this.url.pathname}?${q.toString()}`, headers: [...this.extraHeaders] },
      { deadlineMs, signal: this.door.signal },
      this.door.host,
    );
  }

  close(): void {
    this.control?.close();
    this.connectConn?.close();
  }

  private id(): string {
    return this.clientId ?? '';
  }

  private async start(messages: BayeuxMessage[], deadlineMs: number, on: 'control' | 'connect'): Promise<PendingConnect> {
    const sent = messages.map((m) => ({ ...m, id: String(this.nextId++) }));
    const conn = await this.connection(on);
    const seq = this.exchanges.length + 1;
    const body = JSON.stringify(sent);
    const req = this.transport === 'callback-polling' ? this.getRequest(body) : this.postRequest(body);
    const tSent = this.door.now();
    this.door.note(`${this.label} #${seq} on connection #${conn.id}: ${sent.map((m) => m.channel).join(', ')}`, tSent, {
      kind: 'request',
      conn: conn.id,
      bytes: Buffer.byteLength(body),
    });
    const done = conn
      .exchange(req, { deadlineMs, signal: this.door.signal }, this.door.host)
      .then((res) => this.finish(seq, sent, res, tSent));
    // Awaited later by the scenario; a rejection must not surface as an unhandled one first.
    done.catch(() => undefined);
    return { seq, tSent, path: req.path, done };
  }

  private finish(seq: number, sent: BayeuxMessage[], res: WireResponse, tSent: number): BayeuxExchange {
    const { replies, problem } =
      res.tHeaders === null
        ? { replies: null, problem: `no response (${res.end})` }
        : parseReplies(res.body.toString('utf8'), this.transport === 'callback-polling' ? JSONP_CALLBACK : null);
    const ex: BayeuxExchange = { seq, sent, res, replies, problem, tSent };
    if (!connectionReusable(res)) this.retire(res.connectionId);
    this.exchanges.push(ex);
    for (const m of replies ?? []) {
      if (m.advice) this.advice = { ...this.advice, ...m.advice };
      if (!m.channel.startsWith('/meta/')) this.delivered.push({ message: m, t: res.tEnd ?? this.door.now(), exchange: seq });
    }
    const summary =
      problem ?? (replies ?? []).map((m) => `${m.channel}${m.successful === false ? ` failed (${m.error ?? 'no error'})` : ''}`).join(', ');
    this.door.note(
      `${this.label} #${seq} answered HTTP ${res.status || res.end} after ${Math.round((res.tEnd ?? this.door.now()) - tSent)} ms: ${summary}`,
      res.tEnd ?? this.door.now(),
      { kind: 'response-end', conn: res.connectionId, bytes: res.body.length },
    );
    return ex;
  }

  /** Forgets a connection the server will not reuse, so the next message opens another. */
  private retire(connectionId: number): void {
    for (const c of [this.control, this.connectConn]) if (c?.id === connectionId) c.close();
  }

  private async connection(on: 'control' | 'connect'): Promise<RecordedConnection> {
    const current = on === 'control' ? this.control : this.connectConn;
    if (current && !current.closed) return current;
    const conn = await this.door.connect();
    if (on === 'control') this.control = conn;
    else this.connectConn = conn;
    return conn;
  }

  private postRequest(body: string): RawRequest {
    return {
      method: 'POST',
      path: this.url.pathname + this.url.search,
      headers: [['Content-Type', 'application/json;charset=UTF-8'], ...this.extraHeaders],
      body,
    };
  }

  private getRequest(body: string): RawRequest {
    const q = new URLSearchParams(this.url.search);
    q.set('message', body);
    q.set('jsonp', JSONP_CALLBACK);
    return { method: 'GET', path: `${this.url.pathname}?${q.toString()}`, headers: [...this.extraHeaders] };
  }
}
