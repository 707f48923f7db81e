/**
 * BOSH exists for browsers (XEP-0124 §1, §2), and a web client is usually served from another
 * origin than its connection manager. Its POST carries `Content-Type: text/xml`, which is not a
 * CORS-safelisted type, so the browser sends a preflight first (Fetch §3.2) and drops the session
 * when the answer does not allow the request.
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { header } from '../../runner/wire/index.js';
import { boshControlMs, boshUrl, created, newSession } from '../scenarios/bosh.js';

/** An origin that is never the target's own (RFC 2606 reserves example.com). */
const ORIGIN = 'https://app.example.com';
const FETCH_CORS = 'https://fetch.spec.whatwg.org/#http-cors-protocol';

interface CorsSeen {
  origin: string;
  preflight: { status: number; end: string; allowOrigin: string | null; allowMethods: string | null; allowHeaders: string | null };
  /** Access-Control-Allow-Origin on the session creation response to a request with Origin */
  postAllowOrigin: string | null;
  postStatus: number;
}

const listHas = (v: string | null, item: string): boolean =>
  (v ?? '')
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .some((x) => x === item || x === '*');

const corsPreflight = defineRequirement<CorsSeen, Record<string, never>>({
  id: 'bosh.cors-preflight',
  spec: 'XEP-0124',
  section: '2',
  level: 'should',
  title: "The BOSH endpoint answers a browser's CORS preflight and allows the cross-origin POST",
  sources: ['https://xmpp.org/extensions/xep-0124.html#reqs', FETCH_CORS],
  transports: ['bosh'],
  needsPublish: false,
  timing: false,
  limits: {},
  tolerance: () =>
    `exact: OPTIONS with Origin: ${ORIGIN}, Access-Control-Request-Method: POST and Access-Control-Request-Headers: content-type gets a 2xx whose Access-Control-Allow-Origin is that origin or *, and whose Access-Control-Allow-Headers covers content-type; the POST's response carries Access-Control-Allow-Origin too`,
  faults: ['bosh-no-cors'],
  remedy:
    "answer OPTIONS on the BOSH path with 200/204, Access-Control-Allow-Origin (the web client's origin, or *), Access-Control-Allow-Methods: POST and Access-Control-Allow-Headers: Content-Type, and send Access-Control-Allow-Origin on every BOSH response (Prosody: http_cors; ejabberd: the CORS option of its HTTP listener)",
  async scenario(ctx) {
    const url = boshUrl(ctx);
    const conn = await ctx.connect();
    let preflight: CorsSeen['preflight'];
    try {
      const res = await conn.exchange(
        {
          method: 'OPTIONS',
          path: url.pathname + url.search,
          headers: [
            ['Origin', ORIGIN],
            ['Access-Control-Request-Method', 'POST'],
            ['Access-Control-Request-Headers', 'content-type'],
          ],
        },
        { deadlineMs: boshControlMs(ctx), signal: ctx.signal },
        ctx.host,
      );
      preflight = {
        status: res.status,
        end: res.end,
        allowOrigin: header(res, 'access-control-allow-origin') ?? null,
        allowMethods: header(res, 'access-control-allow-methods') ?? null,
        allowHeaders: header(res, 'access-control-allow-headers') ?? null,
      };
    } finally {
      conn.close();
    }
    const s = newSession(ctx, 'bosh', [['Origin', ORIGIN]]);
    try {
      const ex = await created(ctx, s);
      return {
        origin: ORIGIN,
        preflight,
        postAllowOrigin: header(ex.res, 'access-control-allow-origin') ?? null,
        postStatus: ex.res.status,
      };
    } finally {
      s.close();
    }
  },
  evaluate(o): Verdict {
    const p = o.preflight;
    const expected = `the preflight from ${o.origin} allows POST with Content-Type, and the POST is readable cross-origin`;
    const originOk = (v: string | null): boolean => v === '*' || v === o.origin;
    const wrong: string[] = [];
    if (p.status < 200 || p.status > 299) wrong.push(`the preflight got ${p.status ? `HTTP ${p.status}` : p.end}`);
    else {
      if (!originOk(p.allowOrigin))
        wrong.push(`the preflight's Access-Control-Allow-Origin is ${p.allowOrigin === null ? 'missing' : `"${p.allowOrigin}"`}`);
      if (!listHas(p.allowHeaders, 'content-type'))
        wrong.push(
          `Access-Control-Allow-Headers ${p.allowHeaders === null ? 'is missing' : `"${p.allowHeaders}" does not cover content-type`}`,
        );
      if (p.allowMethods !== null && !listHas(p.allowMethods, 'post'))
        wrong.push(`Access-Control-Allow-Methods "${p.allowMethods}" leaves out POST`);
    }
    if (!originOk(o.postAllowOrigin))
      wrong.push(
        `the POST's response (HTTP ${o.postStatus}) has ${o.postAllowOrigin === null ? 'no' : `"${o.postAllowOrigin}" as`} Access-Control-Allow-Origin`,
      );
    if (wrong.length)
      return verdict.violation(
        expected,
        `${wrong.join('; ')}: a web client on another origin cannot open a session (the browser blocks it before or after the request)`,
      );
    return verdict.pass(
      expected,
      `preflight HTTP ${p.status}: Allow-Origin ${p.allowOrigin ?? ''}, Allow-Headers ${p.allowHeaders ?? ''}${p.allowMethods === null ? '' : `, Allow-Methods ${p.allowMethods}`}; POST Allow-Origin ${o.postAllowOrigin ?? ''}`,
    );
  },
});

export const boshCrossOriginRequirements: Requirement[] = [corsPreflight];
export { corsPreflight };
