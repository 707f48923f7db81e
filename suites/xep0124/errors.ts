/**
 * XEP-0124 §17: how a connection manager reports errors. A client that sent `ver` is not legacy,
 * so errors come as terminal binding conditions in a 200 body; the HTTP codes of §17.3 are only
 * for legacy clients, because an HTTP error may as well come from a proxy on the way.
 */
import type { CaseContext } from '../../runner/context.js';
import type { BoshExchange } from '../../runner/drivers/bosh.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { boshControlMs, created, newSession, requestedWaitS } from '../scenarios/bosh.js';

const xep = (anchor: string): string => `https://xmpp.org/extensions/xep-0124.html#${anchor}`;

/** One error provoked, and how it was answered. */
export interface ProvokedError {
  what: string;
  status: number;
  end: string;
  attrs: Record<string, string>;
  problem: string | null;
}

export interface ErrorsSeen {
  /** the ver of the session creation response (null: a legacy connection manager) */
  cmVer: string | null;
  errors: ProvokedError[];
}

const provoked = (what: string, ex: BoshExchange): ProvokedError => ({
  what,
  status: ex.res.status,
  end: ex.res.end,
  attrs: ex.body?.attrs ?? {},
  problem: ex.problem,
});

/** A request in a session the connection manager never created. */
async function unknownSid(ctx: CaseContext): Promise<ProvokedError> {
  const s = newSession(ctx, 'unknown sid');
  try {
    s.sid = `pushspec-unknown-${ctx.nextToken()}`;
    return provoked('a request with an unknown sid', await s.request('', boshControlMs(ctx)));
  } finally {
    s.close();
  }
}

/** A rid far beyond the window of a live session (created with ver='1.6'); also reports the CM's ver. */
async function ridBeyond(ctx: CaseContext): Promise<{ cmVer: string | null; error: ProvokedError }> {
  const s = newSession(ctx, 'rid beyond the window');
  try {
    await created(ctx, s);
    const rid = s.nextRid + Number(s.granted['requests'] ?? 2) + 10;
    const ex = await s.request('', boshControlMs(ctx) + Number(s.granted['wait'] ?? 0) * 1000, { rid });
    return { cmVer: s.granted['ver'] ?? null, error: provoked(`rid ${rid}, beyond the window of a live session`, ex) };
  } finally {
    s.close();
  }
}

/** A session creation request (ver='1.6') for a domain the server does not serve. */
async function unknownHost(ctx: CaseContext): Promise<ProvokedError> {
  const s = newSession(ctx, 'unknown domain');
  try {
    const ex = await s.create({ to: 'unserved.pushspec.invalid', wait: requestedWaitS(ctx), hold: 1 }, boshControlMs(ctx));
    if (s.sid !== null) await s.terminate(boshControlMs(ctx));
    return provoked("a session creation request with to='unserved.pushspec.invalid'", ex);
  } finally {
    s.close();
  }
}

const isHttpError = (e: ProvokedError): boolean => e.status >= 400;
const isTerminal = (e: ProvokedError): boolean => e.status === 200 && e.attrs['type'] === 'terminate' && e.attrs['condition'] !== undefined;
const answer = (e: ProvokedError): string => {
  if (e.status === 0) return `no response (${e.end})`;
  const condition = e.attrs['condition'];
  if (isHttpError(e)) return `HTTP ${e.status}${condition !== undefined ? ` with condition='${condition}'` : ''}`;
  if (isTerminal(e)) return `HTTP 200 <body type='terminate' condition='${condition ?? ''}'/>`;
  if (e.problem !== null) return `HTTP ${e.status}: ${e.problem}`;
  return e.attrs['type'] === undefined ? 'HTTP 200, accepted (no error to judge)' : `HTTP 200 ${JSON.stringify(e.attrs)}`;
};

// XEP-0124 §17.3: "Non-legacy connection managers SHOULD NOT send HTTP error codes unless they are
// communicating with a legacy client".
const errorConditions = defineRequirement<ErrorsSeen, Record<string, never>>({
  id: 'bosh.error-conditions',
  spec: 'XEP-0124',
  section: '17',
  level: 'should',
  title: 'Errors to a client that sent ver are terminal binding conditions in a 200 body, not HTTP error codes',
  sources: [xep('errorstatus-terminal'), xep('errorstatus-http')],
  transports: ['bosh'],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () =>
    "exact: an unknown sid, a rid beyond the window and an unserved domain (all with ver='1.6') are answered 200 <body type='terminate' condition='…'/>, never HTTP 4xx/5xx; not judged when the connection manager declares no ver",
  faults: ['bosh-http-errors'],
  remedy:
    "answer errors of non-legacy sessions with HTTP 200 and <body type='terminate' condition='…'/> (item-not-found, bad-request, host-unknown…); keep the HTTP codes of §17.3 for clients that sent no ver",
  async scenario(ctx) {
    const { cmVer, error } = await ridBeyond(ctx);
    return { cmVer, errors: [await unknownSid(ctx), error, await unknownHost(ctx)] };
  },
  evaluate(o): Verdict {
    if (o.cmVer === null)
      return verdict.skip('the connection manager sent no ver: it is a legacy one, for which the HTTP codes of §17.3 are the norm');
    const expected = "errors as HTTP 200 <body type='terminate' condition='…'/>";
    const http = o.errors.filter(isHttpError);
    if (http.length)
      return verdict.violation(
        expected,
        `${http.map((e) => `${e.what}: ${answer(e)}`).join('; ')} — with ver='${o.cmVer}' both sides are non-legacy, and a client cannot tell an HTTP error of the connection manager from one of a proxy on the way`,
      );
    const terminal = o.errors.filter(isTerminal);
    if (!terminal.length)
      return verdict.unobservable(`none of the provoked errors was reported: ${o.errors.map((e) => `${e.what}: ${answer(e)}`).join('; ')}`);
    return verdict.pass(expected, o.errors.map((e) => `${e.what}: ${answer(e)}`).join('; '));
  },
});

export const boshErrorRequirements: Requirement[] = [errorConditions];
export { errorConditions };
