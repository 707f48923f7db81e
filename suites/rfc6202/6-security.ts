/**
 * RFC 6202 §6 (Security Considerations): long polling and streaming are reached cross-origin
 * (CORS, JSONP) and keep many requests open, so a push endpoint's mistakes with foreign origins
 * and with what clients send it matter more than an ordinary resource's. JSONP callbacks of
 * Bayeux callback-polling are judged by bay.jsonp-callback, the long poll's by sec.jsonp-callback,
 * and the per-client cap by `pushspec load` (SEC-DOS-01).
 */
import type { CaseContext } from '../../runner/context.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { header, headerAll } from '../../runner/wire/index.js';
import { answeredPoll } from '../scenarios/long-polling.js';
import { rawPoll } from '../scenarios/raw-poll.js';
import { judgeHeads, observeHeads, type HeadsSeen, type Judgement } from '../rfc9110/semantics.js';
import type { ResponseSeen } from '../../runner/observation.js';
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

/**
 * Callback names a hostile page puts in a JSONP URL: script that runs before the data, markup
 * that a sniffing browser renders, and an alphanumeric name long enough to carry a whole file
 * (Rosetta Flash, CVE-2014-4671, spelled an SWF in [A-Za-z0-9]).
 */
const JSONP_PROBES = { script: 'alert(1)//', markup: '<script>', overlong: 'A0'.repeat(512) } as const;
const JSONP_PARAMS = ['callback', 'jsonp'] as const;
const jsonpLimits = { bodyChars: 80 };

export interface JsonpProbe {
  param: string;
  probe: keyof typeof JSONP_PROBES;
  /** null: no header section arrived (`end` says how the exchange ended) */
  status: number | null;
  end: string;
  contentType: string | null;
  /** where the callback appears verbatim in the body, -1 when it does not */
  reflectedAt: number;
  bodyStart: string;
}

async function jsonpProbe(ctx: CaseContext, param: string, probe: keyof typeof JSONP_PROBES): Promise<JsonpProbe> {
  const value = JSONP_PROBES[probe];
  const { res } = await rawPoll(ctx, `poll with ${param}=${value.slice(0, 16)}`, (req) => ({
    ...req,
    path: `${req.path}${req.path.includes('?') ? '&' : '?'}${param}=${encodeURIComponent(value)}`,
  }));
  const body = res.body.toString('latin1');
  return {
    param,
    probe,
    status: res.tHeaders === null ? null : res.status,
    end: res.end,
    contentType: header(res, 'content-type') ?? null,
    reflectedAt: body.indexOf(value),
    bodyStart: body.slice(0, jsonpLimits.bodyChars),
  };
}

function judgeJsonp(p: JsonpProbe): { level: 'ok' | 'fail' | 'unknown'; text: string } {
  const what = `${p.param}=${p.probe === 'overlong' ? `(${JSONP_PROBES.overlong.length} alphanumerics)` : JSONP_PROBES[p.probe]}`;
  if (p.status === null) return { level: 'unknown', text: `${what}: no answer (${p.end})` };
  if (p.status >= 400 && p.status < 500) return { level: 'ok', text: `${what}: refused with HTTP ${p.status}` };
  if (p.reflectedAt >= 0)
    return {
      level: 'fail',
      text: `${what}: HTTP ${p.status} (${p.contentType ?? 'no Content-Type'}) carries the callback verbatim at offset ${p.reflectedAt} ("${p.bodyStart.slice(0, 40)}…")`,
    };
  return { level: 'ok', text: `${what}: HTTP ${p.status}, not reflected` };
}

// RFC 6202 §6: cross-domain long polling often relies on JSONP, whose response is script the
// page runs, so "an injection flaw is easy to exploit". A callback name reflected unchecked is
// script (or, sniffed, markup) written by whoever wrote the link.
const jsonpCallback = defineRequirement<{ probes: JsonpProbe[] }, typeof jsonpLimits>({
  id: 'sec.jsonp-callback',
  spec: 'RFC 6202',
  section: '6',
  level: 'must',
  title: 'The long poll does not reflect a callback or jsonp parameter that is not a short plain identifier',
  sources: [rfc(6202, '6'), 'https://nvd.nist.gov/vuln/detail/CVE-2014-4671'],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: jsonpLimits,
  tolerance: () =>
    `exact: callback= and jsonp= each with ${JSONP_PROBES.script}, ${JSONP_PROBES.markup} and ${JSONP_PROBES.overlong.length} alphanumerics; ignored, refused (4xx) or cut to a short [A-Za-z0-9_$.] name passes`,
  faults: ['lp-jsonp-unchecked'],
  remedy:
    'offer JSONP only if you must, accept callback names matching /^[A-Za-z_$][\\w$.]{0,63}$/ and answer 400 otherwise (and send X-Content-Type-Options: nosniff with application/javascript)',
  async scenario(ctx) {
    // One after another: six held polls at once would pile listeners on the case's abort signal.
    const probes: JsonpProbe[] = [];
    for (const param of JSONP_PARAMS)
      for (const p of Object.keys(JSONP_PROBES) as Array<keyof typeof JSONP_PROBES>) probes.push(await jsonpProbe(ctx, param, p));
    return { probes };
  },
  evaluate(o): Verdict {
    const judged = o.probes.map(judgeJsonp);
    const text = judged.map((j) => j.text).join('; ');
    const expected = 'each hostile callback ignored, refused or sanitised';
    if (judged.some((j) => j.level === 'fail'))
      return verdict.violation(
        expected,
        `${judged
          .filter((j) => j.level === 'fail')
          .map((j) => j.text)
          .join(
            '; ',
          )}: any page that links here with such a callback runs its own script (or, for the long name, serves its own file) in this origin`,
      );
    if (judged.every((j) => j.level === 'unknown')) return verdict.unobservable(text);
    return verdict.pass(expected, text);
  },
});

const FETCH_NOSNIFF = 'https://fetch.spec.whatwg.org/#x-content-type-options-header';

/**
 * Media types a browser may run or render from a push response: script, JSON (run as script by a
 * <script src> without nosniff), and the types the MIME Sniffing standard sniffs (text/plain,
 * text/html, none at all). text/event-stream and application/x-ndjson are neither sniffed
 * nor script-like, so nosniff adds nothing there.
 */
function sniffable(essence: string): boolean {
  return (
    essence === '' ||
    /^(application|text)\/(java|ecma|x-java)script$/.test(essence) ||
    essence === 'application/json' ||
    essence.endsWith('+json') ||
    essence === 'text/plain' ||
    essence === 'text/html'
  );
}

/** What a browser may do with such a response when it does not say nosniff. */
function sniffRisk(essence: string): string {
  if (/script$/.test(essence))
    return 'script any page can run with <script src>; nosniff holds browsers to the declared type, and SEC-INJ-01 asks it on every JSONP-style answer';
  if (essence.includes('json'))
    return 'without nosniff a browser does not refuse it as a <script src> (Fetch blocks only nosniff responses of a non-script type), so a hostile page may load the user’s events';
  return 'a browser may sniff it as HTML (MIME Sniffing) and render markup a publisher put in an event, in this origin';
}

function judgeNosniff(res: ResponseSeen): Judgement {
  const ct = header(res, 'content-type');
  const essence = (ct ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const xcto = header(res, 'x-content-type-options');
  const said = `Content-Type: ${ct ?? '(none)'}`;
  if (xcto?.split(',')[0]?.trim().toLowerCase() === 'nosniff') return { level: 'ok', text: `${said}, X-Content-Type-Options: nosniff` };
  if (!sniffable(essence)) return { level: 'ok', text: `${said}: neither sniffed nor script-like, nosniff not needed` };
  return {
    level: 'fail',
    text: `${said} without X-Content-Type-Options: nosniff${xcto === undefined ? '' : ` (it says "${xcto}")`}: ${sniffRisk(essence)}`,
  };
}

// RFC 6202 §6 (injection in cross-domain long polling is easy to exploit) with the Fetch
// standard's nosniff: a response that says nosniff is blocked as a script unless its type is
// JavaScript, and is never sniffed into HTML.
const nosniff = defineRequirement<HeadsSeen, Record<string, never>>({
  id: 'sec.nosniff',
  spec: 'RFC 6202',
  section: '6',
  level: 'should',
  title:
    'Push responses whose content is script-like or sniffable (JavaScript, JSON, text/plain, text/html) say X-Content-Type-Options: nosniff',
  sources: [rfc(6202, '6'), FETCH_NOSNIFF, 'https://mimesniff.spec.whatwg.org/#rules-for-identifying-an-unknown-mime-type'],
  transports: PUSH_TRANSPORTS,
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: {},
  tolerance: () => 'exact: the shared push response head per declared transport; text/event-stream and other unsniffed types are exempt',
  faults: ['lp-sniffable'],
  remedy: 'send X-Content-Type-Options: nosniff on long-poll (JSON, JSONP) and text/plain or text/html push responses',
  scenario: (ctx) => observeHeads(ctx),
  evaluate: (o) => judgeHeads(o, 'X-Content-Type-Options: nosniff on every script-like or sniffable push response', judgeNosniff),
});

export const securityRequirements: Requirement[] = [corsCredentials, oversizedLastEventId, jsonpCallback, nosniff];
export { corsCredentials, oversizedLastEventId, jsonpCallback, nosniff };
