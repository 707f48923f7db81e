/**
 * RFC 6202 §6: a JSONP answer is script the page runs, so what it carries must be valid script
 * and not only valid JSON. JSON allows U+2028 and U+2029 raw inside strings; JavaScript did not
 * until ES2019 (the JSON superset proposal), so for older engines a raw one inside the callback's
 * argument is a line end in a string literal: a SyntaxError, and the whole answer is lost.
 */
import type { CaseContext } from '../../runner/context.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { header } from '../../runner/wire/index.js';
import { rawPoll } from '../scenarios/raw-poll.js';
import { rfc } from '../sources.js';

/** A plain callback name any JSONP implementation accepts. */
const CALLBACK = 'pushspecJsonp';
const PARAMS = ['callback', 'jsonp'] as const;
const limits = { bodyChars: 80 };

const LS = '\u2028';
const PS = '\u2029';
const countOf = (body: Buffer, needle: string): number => body.toString('utf8').split(needle).length - 1;

/** One poll with a callback parameter, woken by an event that carries U+2028 and U+2029. */
export interface JsonpScriptProbe {
  param: string;
  /** null: no header section arrived (`end` says how the exchange ended) */
  status: number | null;
  end: string;
  contentType: string | null;
  /** the body is a call of the callback (after optional whitespace or a comment) */
  jsonp: boolean;
  /** the event's token is in the body */
  carriesEvent: boolean;
  /** U+2028 and U+2029 raw in the body (UTF-8) */
  raw: number;
  /** \u2028 and \u2029 escapes in the body */
  escaped: number;
  bodyStart: string;
}

async function probe(ctx: CaseContext, param: string): Promise<JsonpScriptProbe> {
  const token = ctx.nextToken();
  const { res } = await rawPoll(
    ctx,
    `poll with ${param}=${CALLBACK}`,
    (req) => ({ ...req, path: `${req.path}${req.path.includes('?') ? '&' : '?'}${param}=${CALLBACK}` }),
    `${token}${LS}${PS}${token}`,
  );
  const text = res.body.toString('utf8');
  return {
    param,
    status: res.tHeaders === null ? null : res.status,
    end: res.end,
    contentType: header(res, 'content-type') ?? null,
    jsonp: new RegExp(`^\\s*(/\\*.*?\\*/\\s*)?${CALLBACK}\\s*\\(`).test(text),
    carriesEvent: text.includes(token),
    raw: countOf(res.body, LS) + countOf(res.body, PS),
    escaped: (text.match(/\\u202[89]/gi) ?? []).length,
    bodyStart: JSON.stringify(text.slice(0, limits.bodyChars)),
  };
}

const jsonpSeparators = defineRequirement<{ probes: JsonpScriptProbe[] }, typeof limits>({
  id: 'sec.jsonp-separators',
  spec: 'RFC 6202',
  section: '6',
  level: 'should',
  title: 'A JSONP answer escapes U+2028 and U+2029 in the data it carries, so engines before ES2019 can parse it',
  sources: [
    rfc(6202, '6'),
    'https://github.com/tc39/proposal-json-superset',
    'https://262.ecma-international.org/9.0/#sec-literals-string-literals',
  ],
  transports: ['longPoll'],
  needsPublish: true,
  timing: false,
  dependsOn: ['sec.jsonp-callback'],
  limits,
  tolerance: () =>
    `exact: a poll with callback=${CALLBACK} (then jsonp=${CALLBACK}) woken by an event carrying U+2028 and U+2029; no JSONP answer is n/a`,
  faults: ['lp-jsonp-raw-separators'],
  remedy:
    'escape U+2028 and U+2029 as \\u2028 and \\u2029 when writing JSON into a JSONP callback (or stop offering JSONP: CORS does the same job)',
  async scenario(ctx) {
    // One after another, and only as far as the first parameter the target answers as JSONP.
    const probes: JsonpScriptProbe[] = [];
    for (const param of PARAMS) {
      const p = await probe(ctx, param);
      probes.push(p);
      if (p.jsonp) break;
    }
    return { probes };
  },
  evaluate(o): Verdict {
    const expected = 'U+2028/U+2029 escaped inside the JSONP script';
    const answered = o.probes.find((p) => p.jsonp);
    if (!answered) {
      if (o.probes.every((p) => p.status === null))
        return verdict.unobservable(o.probes.map((p) => `${p.param}=${CALLBACK}: no answer (${p.end})`).join('; '));
      return verdict.skip(
        `n/a: no JSONP offered — ${o.probes.map((p) => `${p.param}=${CALLBACK} answered ${p.status ?? p.end} (${p.contentType ?? 'no Content-Type'}) ${p.bodyStart}`).join('; ')}`,
      );
    }
    const what = `${answered.param}=${CALLBACK}: HTTP ${answered.status ?? answered.end} (${answered.contentType ?? 'no Content-Type'})`;
    if (!answered.carriesEvent)
      return verdict.unobservable(`${what} answered JSONP, but without the published event: ${answered.bodyStart}`);
    if (answered.raw > 0)
      return verdict.violation(
        expected,
        `${what} carries ${answered.raw} raw U+2028/U+2029: engines before ES2019 (Chrome < 66, Firefox < 62, Safari < 12) read them as line ends inside a string literal, so the whole answer is a SyntaxError and its events are lost`,
      );
    return verdict.pass(
      expected,
      answered.escaped > 0
        ? `${what}: escaped as \\u2028/\\u2029 (${answered.escaped})`
        : `${what}: the event's data arrived with neither character raw`,
    );
  },
});

export const jsonpScriptRequirements: Requirement[] = [jsonpSeparators];
export { jsonpSeparators };
