/**
 * A BOSH client (XEP-0124 with the XMPP binding of XEP-0206) over recorded connections: session
 * creation with the client's `wait`/`hold`/`ver`, SASL ANONYMOUS or PLAIN, stream restart and
 * resource binding, then request/response pairs with the client's own `rid` sequence.
 * It never pipelines (XEP-0124 §18.1): each request takes a connection with nothing outstanding,
 * opening another when both are busy, as a browser with two connections would. Every exchange
 * keeps its `<body/>` parsed with a real XML parser, so suites judge the wrapper's attributes
 * and payloads, and well-formedness (§5) is a fact, not a guess.
 */
import type { Element, Node } from '@oozcitak/dom/lib/dom/interfaces.js';
import { create } from 'xmlbuilder2';
import { xmlProblem } from '../xml/well-formed.js';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { RawRequest, RecordedConnection, WireResponse } from '../wire/index.js';
import type { Door } from './door.js';
import { connectionReusable } from './request.js';

export const HTTPBIND_NS = 'http://jabber.org/protocol/httpbind';
const XBOSH_NS = 'urn:xmpp:xbosh';
const SASL_NS = 'urn:ietf:params:xml:ns:xmpp-sasl';
const BIND_NS = 'urn:ietf:params:xml:ns:xmpp-bind';

/** A parsed `<body/>` wrapper. */
export interface BoshBody {
  /** attributes by qualified name as sent (`sid`, `wait`, `xmpp:version`…), namespace declarations left out */
  attrs: Record<string, string>;
  /** each child element, serialised, in order */
  children: string[];
  /** each child element's `{namespace}localName` */
  childNames: string[];
}

export interface BoshExchange {
  rid: number;
  /** the request body as sent */
  sent: string;
  res: WireResponse;
  body: BoshBody | null;
  /** why the response is not a BOSH body: not XML, another root element, wrong namespace */
  problem: string | null;
  tSent: number;
  connectionId: number;
}

export interface PendingBosh {
  rid: number;
  tSent: number;
  connectionId: number;
  done: Promise<BoshExchange>;
}

/** Parses a response body as one `<body xmlns='http://jabber.org/protocol/httpbind'/>` (XEP-0124 §5). */
export function parseBoshBody(text: string): { body: BoshBody | null; problem: string | null } {
  if (text.trim() === '') return { body: null, problem: 'an empty HTTP body (XEP-0124 §5 wants exactly one <body/> element)' };
  const malformed = xmlProblem(text);
  if (malformed !== null) return { body: null, problem: `not well-formed XML: ${malformed.slice(0, 160)}` };
  let root: XMLBuilder;
  try {
    root = create(text).root();
  } catch (e) {
    return {
      body: null,
      problem: `not well-formed XML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 120) ?? ''}`,
    };
  }
  const element = root.node;
  if (!isElement(element)) return { body: null, problem: 'no root element' };
  if (element.localName !== 'body' || element.namespaceURI !== HTTPBIND_NS) {
    return { body: null, problem: `the root element is {${element.namespaceURI ?? ''}}${element.localName}, not {${HTTPBIND_NS}}body` };
  }
  const attrs: Record<string, string> = {};
  for (const a of Array.from(element.attributes)) {
    if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    attrs[a.name] = a.value;
  }
  const kids = root.map((child) => child, false, false).filter((child) => isElement(child.node));
  return {
    body: {
      attrs,
      children: kids.map((k) => k.toString()),
      childNames: kids.map((k) => {
        const n = k.node;
        return isElement(n) ? `{${n.namespaceURI ?? ''}}${n.localName}` : '';
      }),
    },
    problem: null,
  };
}

function isElement(n: Node): n is Element {
  // Node.ELEMENT_NODE; the DOM enum is not importable at run time here.
  return Number(n.nodeType) === 1;
}

const esc = (v: string): string => v.replace(/&/g, '&amp;').replace(/'/g, '&apos;').replace(/</g, '&lt;');

export interface SessionRequest {
  /** the XMPP domain (`to`) */
  to: string;
  wait: number;
  hold: number;
  ver?: string;
  /** XEP-0124 §7.1 `content`: the Content-Type the client wants on responses */
  content?: string;
}

export type Credentials = { mechanism: 'ANONYMOUS' } | { mechanism: 'PLAIN'; jid: string; password: string };

export class BoshSession {
  sid: string | null = null;
  /** the session creation response's attributes (wait, hold, requests, inactivity, polling, ver…) */
  granted: Record<string, string> = {};
  /** the full JID bound after authentication */
  jid: string | null = null;
  readonly exchanges: BoshExchange[] = [];
  private rid: number;
  private readonly conns: RecordedConnection[] = [];
  private readonly busy = new Set<RecordedConnection>();

  constructor(
    private readonly door: Door,
    readonly url: URL,
    private readonly extraHeaders: Array<[string, string]> = [],
    readonly label = 'bosh',
    /** XEP-0124 §19: the first rid is random and large enough never to wrap (< 2^53) */
    firstRid: number = Math.floor(Math.random() * 2 ** 32) + 1000,
  ) {
    this.rid = firstRid;
  }

  /** The rid the next request will carry. */
  get nextRid(): number {
    return this.rid;
  }

  /** Takes the next rid for a request the caller sends later with `{ rid }` (to send rids out of order). */
  takeRid(): number {
    return this.rid++;
  }

  /** Session creation request (XEP-0124 §7.1, XEP-0206 §3). */
  async create(r: SessionRequest, deadlineMs: number): Promise<BoshExchange> {
    const attrs = [
      ['content', r.content ?? 'text/xml; charset=utf-8'],
      ['hold', String(r.hold)],
      ['rid', String(this.rid++)],
      ['to', r.to],
      ['ver', r.ver ?? '1.6'],
      ['wait', String(r.wait)],
      ['xml:lang', 'en'],
      ['xmpp:version', '1.0'],
    ];
    const xml = `<body ${attrs.map(([k, v]) => `${k}='${esc(v ?? '')}'`).join(' ')} xmlns='${HTTPBIND_NS}' xmlns:xmpp='${XBOSH_NS}'/>`;
    const ex = await this.sendXml(xml, this.rid - 1, deadlineMs);
    if (ex.body?.attrs['sid'] !== undefined) {
      this.sid = ex.body.attrs['sid'];
      this.granted = ex.body.attrs;
    }
    return ex;
  }

  /** Starts a request carrying `payload` (XML, may be empty) with the next rid, or the given one. */
  async start(payload: string, deadlineMs: number, opts: { rid?: number; attrs?: Record<string, string> } = {}): Promise<PendingBosh> {
    const rid = opts.rid ?? this.rid++;
    const extra = Object.entries(opts.attrs ?? {})
      .map(([k, v]) => ` ${k}='${esc(v)}'`)
      .join('');
    const open = `<body rid='${rid}' sid='${esc(this.sid ?? '')}'${extra} xmlns='${HTTPBIND_NS}'${extra.includes('xmpp:') ? ` xmlns:xmpp='${XBOSH_NS}'` : ''}`;
    const xml = payload === '' ? `${open}/>` : `${open}>${payload}</body>`;
    return this.begin(xml, rid, deadlineMs);
  }

  async request(payload: string, deadlineMs: number, opts: { rid?: number; attrs?: Record<string, string> } = {}): Promise<BoshExchange> {
    return (await this.start(payload, deadlineMs, opts)).done;
  }

  /**
   * SASL (RFC 6120 §6) inside the session, the stream restart (XEP-0206 §5) and resource binding;
   * resolves to the bound JID, or throws with what the server said.
   */
  async authenticate(credentials: Credentials, deadlineMs: number): Promise<string> {
    const initial =
      credentials.mechanism === 'PLAIN'
        ? Buffer.from(`\0${credentials.jid.split('@')[0] ?? ''}\0${credentials.password}`).toString('base64')
        : '';
    const auth = await this.request(`<auth xmlns='${SASL_NS}' mechanism='${credentials.mechanism}'>${initial}</auth>`, deadlineMs);
    if (!auth.body?.childNames.includes(`{${SASL_NS}}success`))
      throw new Error(
        `SASL ${credentials.mechanism} was not accepted: ${auth.problem ?? auth.body?.children.join('').slice(0, 200) ?? ''}`,
      );
    const restart = await this.request('', deadlineMs, {
      attrs: { 'xmpp:restart': 'true', to: this.granted['from'] ?? '', 'xml:lang': 'en' },
    });
    if (restart.body === null) throw new Error(`the stream restart was not answered with a body: ${restart.problem ?? ''}`);
    const bind = await this.request(`<iq type='set' id='bind_1' xmlns='jabber:client'><bind xmlns='${BIND_NS}'/></iq>`, deadlineMs);
    const jid = /<jid>([^<]+)<\/jid>/.exec(bind.body?.children.join('') ?? '')?.[1];
    if (jid === undefined)
      throw new Error(`resource binding gave no JID: ${bind.problem ?? bind.body?.children.join('').slice(0, 200) ?? ''}`);
    this.jid = jid;
    // RFC 3921 session establishment, still required by some servers; harmless where optional.
    if (restart.body.children.join('').includes('urn:ietf:params:xml:ns:xmpp-session')) {
      await this.request(
        `<iq type='set' id='sess_1' xmlns='jabber:client'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>`,
        deadlineMs,
      );
    }
    return jid;
  }

  /** A chat message to our own full JID: the server routes it back as an event for this session. */
  static messageTo(jid: string, text: string): string {
    return `<message to='${esc(jid)}' type='chat' xmlns='jabber:client'><body>${esc(text)}</body></message>`;
  }

  async terminate(deadlineMs: number): Promise<BoshExchange | null> {
    if (this.sid === null) return null;
    return this.request(`<presence type='unavailable' xmlns='jabber:client'/>`, deadlineMs, { attrs: { type: 'terminate' } });
  }

  close(): void {
    for (const c of this.conns) c.close();
  }

  private async sendXml(xml: string, rid: number, deadlineMs: number): Promise<BoshExchange> {
    return (await this.begin(xml, rid, deadlineMs)).done;
  }

  private async begin(xml: string, rid: number, deadlineMs: number): Promise<PendingBosh> {
    const conn = await this.idleConnection();
    this.busy.add(conn);
    const req: RawRequest = {
      method: 'POST',
      path: this.url.pathname + this.url.search,
      headers: [['Content-Type', 'text/xml; charset=utf-8'], ...this.extraHeaders],
      body: xml,
    };
    const tSent = this.door.now();
    this.door.note(`${this.label} rid ${rid} on connection #${conn.id}: ${xml.length > 160 ? `${xml.slice(0, 160)}…` : xml}`, tSent, {
      kind: 'request',
      conn: conn.id,
      bytes: Buffer.byteLength(xml),
    });
    const done = conn.exchange(req, { deadlineMs, signal: this.door.signal }, this.door.host).then((res) => {
      this.busy.delete(conn);
      if (!connectionReusable(res)) conn.close();
      const parsed = res.tHeaders === null ? { body: null, problem: `no response (${res.end})` } : parseBoshBody(res.body.toString('utf8'));
      const ex: BoshExchange = { rid, sent: xml, res, ...parsed, tSent, connectionId: conn.id };
      this.exchanges.push(ex);
      const what =
        parsed.problem ??
        `<body${Object.entries(parsed.body?.attrs ?? {})
          .filter(([k]) => k !== 'sid')
          .map(([k, v]) => ` ${k}='${v}'`)
          .join('')}> with ${parsed.body?.children.length ?? 0} payload(s)`;
      this.door.note(
        `${this.label} rid ${rid} answered HTTP ${res.status || res.end} after ${Math.round((res.tEnd ?? this.door.now()) - tSent)} ms: ${what}`,
        res.tEnd ?? this.door.now(),
        { kind: 'response-end', conn: conn.id, bytes: res.body.length },
      );
      return ex;
    });
    done.catch(() => this.busy.delete(conn));
    return { rid, tSent, connectionId: conn.id, done };
  }

  private async idleConnection(): Promise<RecordedConnection> {
    const free = this.conns.find((c) => !c.closed && !this.busy.has(c));
    if (free) return free;
    const conn = await this.door.connect();
    this.conns.push(conn);
    return conn;
  }
}
