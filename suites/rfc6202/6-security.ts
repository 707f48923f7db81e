/**
 * RFC 6202 §6 (Security Considerations): long polling and streaming are reached cross-origin
 * (CORS, JSONP) and keep many requests open, so a push endpoint's mistakes with foreign origins
 * and with what clients send it matter more than an ordinary resource's. JSONP callbacks are
 * judged by bay.jsonp-callback and the per-client cap by `pushspec load` (SEC-DOS-01).
 */
import type { CaseContext } from '../../runner/context.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { header, headerAll } from '../../runner/wire/index.js';
import { answeredPoll } from '../scenarios/long-polling.js';
import { openStream, streamHeaders, streamTiming } from '../scenarios/streaming.js';
import { ms } from '../format.js';
import { rfc } from '../sources.js';
import { PUSH_LABEL, PUSH_TRANSPORTS, type PushTransport } from '../scenarios/push-transports.js';

/** An origin no deployment allows on purpose: `.invalid` never resolves (RFC 6761 §6.4). */
export const FOREIGN_ORIGIN = 'https://pushspec-foreign.invalid';
const FETCH_CORS = 'https://fetch.spec.whatwg.org/#cors-protocol-and-credentials';

/** The CORS answer of one push transport to a request from a foreign origin. */
export interface CorsSample {
  transport: PushTransport;
  /** null: no response head arrived (`why` says how the exchange ended) */
  status: number | null;
  allowOrigin: string[];
  allowCredentials: string | null;
  why: string;
}

export interface CorsSeen {
  origin: string;
  samples: CorsSample[];
}

async function corsSample(ctx: CaseContext, transport: PushTransport, origin: string): Promise<CorsSample> {
  const said = (head: { status: number; headers: Array<[string, string]> } | null, why: string): CorsSample => ({
    transport,
    status: head?.status ?? null,
    allowOrigin: head ? headerAll(head, 'access-control-allow-origin') : [],
    allowCredentials: head ? (header(head, 'access-control-allow-credentials') ?? null) : null,
    why,
  });
  if (transport !== 'longPoll') {
    const { head, end } = await streamHeaders(ctx, transport, [['Origin', origin]]);
    return said(head, end);
  }
  const { res } = await answeredPoll(ctx, 'cross-origin client', [['Origin', origin]]);
  return said(res.tHeaders === null ? null : res, res.end);
}

// RFC 6202 §6 with the Fetch standard's CORS protocol: a response that names the requesting
// origin (or any origin) and allows credentials lets that origin's scripts read the user's
// push data with the user's cookies.
const corsCredentials = defineRequirement<CorsSeen, Record<string, never>>({
  id: 'sec.cors-credentials',
  spec: 'RFC 6202',
  section: '6',
  level: 'should',
  title:
    "A push endpoint does not let any foreign origin read it with the user's credentials (no reflected Origin with Access-Control-Allow-Credentials: true)",
  sources: [rfc(6202, '6'), FETCH_CORS],
  transports: [...PUSH_TRANSPORTS],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: {},
  tolerance: () => `one request per push transport with Origin: ${FOREIGN_ORIGIN}; exact header comparison`,
  faults: ['cors-reflect-credentials'],
  remedy:
    'answer Access-Control-Allow-Origin only for a list of trusted origins when you send Access-Control-Allow-Credentials: true (never echo the Origin header unchecked, never pair it with *)',
  async scenario(ctx) {
    const samples: CorsSample[] = [];
    for (const transport of PUSH_TRANSPORTS)
      if (ctx.manifest[transport] !== undefined) samples.push(await corsSample(ctx, transport, FOREIGN_ORIGIN));
    return { origin: FOREIGN_ORIGIN, samples };
  },
  evaluate(o): Verdict {
    const answered = o.samples.filter((s) => s.status !== null);
    if (answered.length === 0)
      return verdict.unobservable(
        `no push response head arrived (${o.samples.map((s) => `${PUSH_LABEL[s.transport]}: ${s.why}`).join('; ')})`,
      );
    const expected = `no credentialed cross-origin read for ${o.origin}`;
    const problems: string[] = [];
    const notes: string[] = [];
    for (const s of answered) {
      const credentials = s.allowCredentials?.trim().toLowerCase() === 'true';
      const acao = s.allowOrigin.map((v) => v.trim());
      const said = `${PUSH_LABEL[s.transport]} (HTTP ${s.status}): Access-Control-Allow-Origin: ${acao.length ? acao.join(', ') : '(none)'}, Access-Control-Allow-Credentials: ${s.allowCredentials ?? '(none)'}`;
      if (credentials && acao.includes(o.origin))
        problems.push(
          `${said} — the foreign origin is echoed with credentials allowed, so a script on any site the user visits reads this endpoint with the user's cookies (harmless only while nothing here is authorised by a cookie)`,
        );
      else if (credentials && acao.includes('*'))
        problems.push(
          `${said} — a wildcard with credentials is refused by every browser (Fetch), so credentialed clients fail, and it shows an allow-all policy`,
        );
      else notes.push(said);
    }
    if (problems.length) return verdict.violation(expected, [...problems, ...notes].join('; '));
    return verdict.pass(expected, notes.join('; '));
  },
});

/** Last-Event-ID values a client may send: a server's own ids are short, a hostile client's need not be. */
const oversizedLimits = { idBytes: 8000 };

export interface OversizedIdSeen {
  idBytes: number;
  /** the stream opened with the oversized Last-Event-ID */
  oversized: { status: number | null; end: string; tookMs: number | null };
  /** a plain stream opened right after: is the server still serving? */
  after: { status: number | null; end: string };
  waitedMs: number;
}

async function openAndWait(
  ctx: CaseContext,
  headers: Array<[string, string]>,
  waitMs: number,
  label: string,
): Promise<{ status: number | null; end: string; tookMs: number | null }> {
  const session = await openStream(ctx, 'sse', ctx.newChannel(), { maxMs: waitMs * 2, extraHeaders: headers, label });
  const t0 = ctx.now();
  const got = await session.waitHeaders(waitMs);
  const tookMs = got && session.tHeaders !== null ? session.tHeaders - t0 : null;
  const res = await session.stop();
  return { status: session.headers?.status ?? null, end: res.end, tookMs };
}

// RFC 6202 §6 (the many held requests make denial of service easier) and WHATWG HTML §9.2.4:
// the Last-Event-ID a client sends is untrusted input; refusing it (4xx) or ignoring it is fine,
// erring on it (5xx) or dropping the connection is not.
const oversizedLastEventId = defineRequirement<OversizedIdSeen, typeof oversizedLimits>({
  id: 'sec.last-event-id-oversized',
  spec: 'RFC 6202',
  section: '6',
  level: 'should',
  title:
    'An oversized Last-Event-ID is refused with a 4xx or ignored, not answered 5xx or with a dropped connection, and the server keeps serving',
  sources: [rfc(6202, '6'), 'https://html.spec.whatwg.org/multipage/server-sent-events.html#the-last-event-id-header', rfc(9110, '15.5')],
  transports: ['sse'],
  needsPublish: false,
  timing: false,
  limits: oversizedLimits,
  tolerance: (l) =>
    `Last-Event-ID of ${l.idBytes} ASCII digits; a 2xx or 4xx header section within the wait a plain stream needs, then a plain stream still answered`,
  faults: ['sse-last-event-id-crash'],
  remedy:
    'bound the Last-Event-ID you accept (answer 400 or 431, or ignore an id you never issued) and never let it reach a parser that can throw',
  async scenario(ctx) {
    const t = streamTiming(ctx, 'sse');
    const id = '9'.repeat(oversizedLimits.idBytes);
    const oversized = await openAndWait(
      ctx,
      [['Last-Event-ID', id]],
      t.waitEventMs,
      `stream with a ${oversizedLimits.idBytes}-byte Last-Event-ID`,
    );
    const after = await openAndWait(ctx, [], t.waitEventMs, 'plain stream after it');
    return { idBytes: oversizedLimits.idBytes, oversized, after, waitedMs: t.waitEventMs };
  },
  evaluate(o): Verdict {
    const expected = `a 2xx or 4xx answer to a ${o.idBytes}-byte Last-Event-ID, and the server still serving`;
    const s = o.oversized.status;
    const afterSaid =
      o.after.status === null
        ? `a plain stream opened after it got no header section (${o.after.end})`
        : `a plain stream opened after it got HTTP ${o.after.status}`;
    if (s !== null && s >= 500)
      return verdict.violation(expected, `answered HTTP ${s}: a header the client chose made the server err; ${afterSaid}`);
    if (s === null && o.after.status === null) {
      // Neither got a head: a server that sends its header section with the first event, or one
      // that stopped serving. Only the connection's end tells them apart.
      if (o.oversized.end === 'timeout' && o.after.end === 'timeout')
        return verdict.unobservable(
          `neither stream got a header section within ${ms(o.waitedMs)} (the server may send it with the first event); nothing to compare`,
        );
      return verdict.violation(
        expected,
        `the connection ended (${o.oversized.end}) without an answer, and ${afterSaid}: the server stopped serving`,
      );
    }
    if (s === null)
      return verdict.violation(
        expected,
        `no answer: the connection ended (${o.oversized.end}) without a header section, while ${afterSaid}`,
      );
    if (o.after.status === null && o.after.end === 'timeout')
      return verdict.unobservable(
        `answered HTTP ${s}, but ${afterSaid} within ${ms(o.waitedMs)} (the server may send it with the first event), so whether it still serves is unknown`,
      );
    if (o.after.status === null)
      return verdict.violation(expected, `answered HTTP ${s}, but ${afterSaid}: the server stopped serving after it`);
    const how = s >= 400 ? 'refused it' : 'accepted or ignored it';
    return verdict.pass(
      expected,
      `${how} with HTTP ${s}${o.oversized.tookMs === null ? '' : ` after ${ms(o.oversized.tookMs)}`}; ${afterSaid}`,
    );
  },
});

export const securityRequirements: Requirement[] = [corsCredentials, oversizedLastEventId];
export { corsCredentials, oversizedLastEventId };
