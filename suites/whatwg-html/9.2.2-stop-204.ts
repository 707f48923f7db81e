/**
 * WHATWG HTML §9.2.2 (with the note of §9.2.1): a response other than 200 text/event-stream
 * fails the EventSource connection for good, and "HTTP 204 No Content ... can be used to
 * prevent the user agent from reconnecting". A 200 with an empty body that ends is a normal
 * end of stream: the browser reconnects after its retry time, forever. Only the target knows
 * which requests mean "this stream is over", so it declares one (sse.stopUrl); RFC 9112 §§6.1,
 * 6.3 then say a 204 carries neither Transfer-Encoding nor body bytes.
 */
import { buildRequest, eventSourceHeaders, hostHeader } from '../../runner/drivers/request.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { header } from '../../runner/wire/index.js';
import { rfc } from '../sources.js';
import { streamTiming } from '../scenarios/streaming.js';
import { html, SPEC } from './9.2-server-sent-events.js';

/** Body bytes kept for quoting; the exchange itself reads at most maxBodyBytes. */
const limits = { maxBodyBytes: 64 * 1024, quoteChars: 60 };

/** The answer to the declared stop URL. */
export interface StopSeen {
  /** false: the manifest declares no sse.stopUrl, nothing was sent */
  declared: boolean;
  /** the stop URL as requested (path and query) */
  path: string;
  /** null: no header section arrived */
  status: number | null;
  end: string;
  contentType: string | null;
  transferEncoding: string | null;
  /** body bytes of the response as framed, plus bytes after a bodiless one (stray) */
  bodyBytes: number;
  strayBytes: number;
  bodyStart: string;
}

const stop204 = defineRequirement<StopSeen, typeof limits>({
  id: 'sse.stop-204',
  spec: SPEC,
  section: '9.2.2',
  level: 'must',
  title:
    'An event stream the target has ended for good is answered 204 No Content (no body, no Transfer-Encoding), so EventSource stops reconnecting',
  sources: [html('the-eventsource-interface'), html('server-sent-events-intro'), rfc(9112, '6.1'), rfc(9112, '6.3')],
  transports: ['sse'],
  needsPublish: false,
  timing: false,
  limits,
  tolerance: (l) =>
    `exact: one EventSource request to the manifest's sse.stopUrl; status 204, no Transfer-Encoding, no body bytes (read up to ${l.maxBodyBytes / 1024} KiB, then 2ε for bytes after the head); no stopUrl declared is n/a`,
  faults: ['sse-stop-200'],
  remedy:
    'answer a stream that is over (unsubscribed, session gone, channel deleted) with 204 No Content and no body; a 200 that ends makes every browser reconnect after its retry time, forever',
  async scenario(ctx) {
    const sse = ctx.manifest.sse;
    const stopUrl = sse?.stopUrl;
    // The plan marks the case n/a when the field is absent; a direct call still says why.
    if (!sse || stopUrl === undefined)
      return {
        declared: false,
        path: '',
        status: null,
        end: 'no sse.stopUrl declared',
        contentType: null,
        transferEncoding: null,
        bodyBytes: 0,
        strayBytes: 0,
        bodyStart: '',
      };
    const t = streamTiming(ctx, 'sse');
    const block = { ...sse, url: stopUrl };
    const { req } = buildRequest(ctx, block, ctx.newChannel());
    const conn = await ctx.connect();
    const request = { ...req, headers: [...(req.headers ?? []), ...eventSourceHeaders(ctx.manifest, block, true)] };
    ctx.note(`stop request on connection #${conn.id}: ${request.method} ${request.path}`, ctx.now(), { kind: 'request', conn: conn.id });
    // A stop answered as a stream stays open: the event wait is how long "it did not end" is watched.
    const res = await conn.exchange(
      request,
      { deadlineMs: 2 * t.waitEventMs, signal: ctx.signal, maxBodyBytes: limits.maxBodyBytes },
      hostHeader(ctx),
    );
    await conn.waitForClose(2 * ctx.epsilonMs);
    // strayBytes is read when waitForClose is called: ask again for what came during the wait.
    const after = await conn.waitForClose(0);
    conn.close();
    return {
      declared: true,
      path: request.path,
      status: res.tHeaders === null ? null : res.status,
      end: res.end,
      contentType: header(res, 'content-type') ?? null,
      transferEncoding: header(res, 'transfer-encoding') ?? null,
      bodyBytes: res.body.length,
      strayBytes: after.strayBytes,
      bodyStart: JSON.stringify(Buffer.concat([res.body, after.stray]).toString('latin1').slice(0, limits.quoteChars)),
    };
  },
  evaluate(o): Verdict {
    if (!o.declared)
      return verdict.skip('n/a: the manifest declares no sse.stopUrl (a request the target answers as "this stream is over")');
    const expected = `GET ${o.path} answered 204 No Content, no Transfer-Encoding, no body`;
    if (o.status === null) return verdict.unobservable(`no answer to ${o.path} (${o.end})`);
    // A response the client refused to read as HTTP has no status to judge (h2.no-connection-fields, h1.* say why).
    if (o.end === 'malformed')
      return verdict.unobservable(`the answer to ${o.path} could not be read as HTTP (HTTP ${o.status}, malformed)`);
    if (o.status !== 204) {
      const how =
        o.status === 200
          ? `a 200 (${o.contentType ?? 'no Content-Type'}) that ${o.end === 'complete' || o.end === 'close' ? `ended after ${o.bodyBytes} body bytes` : `stayed open (${o.end})`}: EventSource treats that as a dropped stream and reconnects after its retry time, forever`
          : `EventSource fails the connection, as for any error, but a 204 says so on purpose`;
      return verdict.violation(expected, `HTTP ${o.status}: ${how}`);
    }
    const problems = [
      ...(o.transferEncoding !== null
        ? [`Transfer-Encoding: ${o.transferEncoding} on a 204 (RFC 9112 §6.1: a server MUST NOT send it)`]
        : []),
      ...(o.bodyBytes + o.strayBytes > 0
        ? [
            `${o.bodyBytes + o.strayBytes} bytes after the head (${o.bodyStart}): a 204 ends at the blank line (RFC 9112 §6.3), so they poison the next response on the connection`,
          ]
        : []),
    ];
    if (problems.length) return verdict.violation(expected, `HTTP 204, but ${problems.join('; ')}`);
    return verdict.pass(expected, `HTTP 204, no Transfer-Encoding, nothing after the head`);
  },
});

export const sseStopRequirements: Requirement[] = [stop204];
export { stop204 };
