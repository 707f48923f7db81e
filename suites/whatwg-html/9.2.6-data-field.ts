/**
 * WHATWG HTML §9.2.6 (interpreting an event stream), the data field: how a payload that is not
 * a plain token survives the trip. Each data line appends its value and a LF to the data buffer
 * (the last LF is removed at dispatch), and only one space after the colon is stripped; so a
 * line break in a payload must become several data lines, and a leading space must be preceded
 * by the one space that gets stripped.
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { publishOnSse, sseLines } from '../scenarios/sse-payload.js';
import { EXACT, html, SPEC } from './9.2-server-sent-events.js';

const SSE = ['sse'] as const;

/** The line breaks the multi-line payload uses, between its four lines: all three an EventSource knows. */
const BREAKS = ['\n', '\r\n', '\r'] as const;

/** A multi-line payload published once, and what an EventSource made of it. */
export interface MultilineSeen {
  /** the payload's lines, in order (joined by LF, CRLF and CR) */
  lines: string[];
  /** whether any of the lines reached the stream */
  arrived: boolean;
  /** data of the dispatched events that carry any of the lines */
  dispatched: string[];
  /** raw stream lines that carry a payload line but are not data fields: a line break written raw inside a value */
  strayLines: string[];
}

const quote = (s: string): string => JSON.stringify(s);

const dataMultiline = defineRequirement<MultilineSeen, typeof EXACT>({
  id: 'sse.data-multiline',
  spec: SPEC,
  section: '9.2.6',
  level: 'must',
  title: 'A payload with line breaks is written as several data lines (never a raw CR or LF inside a field value)',
  sources: [html('event-stream-interpretation'), html('parsing-an-event-stream')],
  transports: [...SSE],
  needsPublish: true,
  timing: false,
  dependsOn: ['sse.field-names', 'sse.dispatch'],
  limits: EXACT,
  tolerance: () =>
    'exact: one payload of four lines separated by LF, CRLF and CR; the dispatched data must hold them joined by LF (inside the server’s own encoding, if it wraps payloads), and no payload line may reach the stream outside a data field',
  faults: ['sse-data-raw-newlines'],
  remedy:
    'split the payload at every CRLF, CR and LF and write each piece as its own "data: " line (or encode line breaks in the payload, e.g. as JSON)',
  async scenario(ctx) {
    const token = ctx.nextToken();
    const lines = [1, 2, 3, 4].map((i) => `${token}-${i}`);
    const payload = lines.reduce((acc, line, i) => `${acc}${BREAKS[i - 1] ?? ''}${line}`);
    const run = await publishOnSse(ctx, payload, lines[lines.length - 1] ?? token);
    return {
      lines,
      arrived: run.session.body.includes(token),
      dispatched: run.dispatched.filter((d) => lines.some((l) => d.includes(l))).slice(0, 4),
      strayLines: sseLines(run.session.body)
        .filter((l) => lines.some((p) => l.includes(p)) && !/^data(:|$)/.test(l))
        .slice(0, 4),
    };
  },
  evaluate(o): Verdict {
    const joined = o.lines.join('\n');
    const expected = `the dispatched data ${quote(joined)}: one data line per payload line`;
    if (!o.arrived)
      return verdict.loss(expected, 'the multi-line payload was accepted by the publish hook and never reached the stream', {
        published: 1,
        lost: 1,
      });
    // Nothing of it dispatched at all is no judgement of line breaks: a field name or an event's
    // end the browser does not recognise (sse.field-names, sse.dispatch) loses every payload.
    if (o.dispatched.length === 0)
      return verdict.unobservable(
        `the payload arrived (${o.strayLines.map(quote).join(', ') || 'in the stream'}) but no event carrying any of its lines was dispatched; see sse.field-names and sse.dispatch`,
      );
    if (o.strayLines.length)
      return verdict.violation(
        expected,
        `the payload's line breaks went out raw inside a data value: ${o.strayLines.map(quote).join(', ')} arrived as line(s) of their own, which a browser reads as unknown fields and drops; dispatched: ${o.dispatched.map(quote).join(', ') || 'nothing'}`,
      );
    if (o.dispatched.some((d) => d === joined)) return verdict.pass(expected, `dispatched ${quote(joined)}`);
    if (o.dispatched.some((d) => d.includes(joined)))
      return verdict.pass(expected, `dispatched inside the server's own wrapping: ${o.dispatched.map(quote).join(', ')}`);
    // No raw break and every line there: the server's payload encoding escapes line breaks (JSON does).
    if (o.dispatched.some((d) => o.lines.every((l) => d.includes(l))))
      return verdict.pass(
        expected,
        `the server encodes payloads, so no line break goes out raw (dispatched ${o.dispatched.map(quote).join(', ')}); its own decoder restores them`,
      );
    return verdict.violation(
      expected,
      `only part of the payload was dispatched: ${o.dispatched.map(quote).join(', ') || 'nothing'} — lines ${o.lines
        .filter((l) => !o.dispatched.some((d) => d.includes(l)))
        .map(quote)
        .join(', ')} are missing`,
    );
  },
});

/** A payload that starts with a space, published once, and the dispatched data that carries its token. */
export interface LeadingSpaceSeen {
  payload: string;
  token: string;
  arrived: boolean;
  /** data of the dispatched events that carry the token */
  dispatched: string[];
  /** the raw stream lines that carry the token */
  rawLines: string[];
}

const dataLeadingSpace = defineRequirement<LeadingSpaceSeen, typeof EXACT>({
  id: 'sse.data-leading-space',
  spec: SPEC,
  section: '9.2.6',
  level: 'must',
  title: 'A payload that starts with a space arrives with its space (the one space after "data:" is stripped, so it must be there)',
  sources: [html('event-stream-interpretation')],
  transports: [...SSE],
  needsPublish: true,
  timing: false,
  dependsOn: ['sse.field-names', 'sse.dispatch'],
  limits: EXACT,
  tolerance: () =>
    'exact: one payload " <token>"; the dispatched data must hold it with its leading space (inside the server’s own encoding, if it wraps payloads)',
  faults: ['sse-data-no-space'],
  remedy: 'write "data: " (colon and one space) before every payload line: an EventSource strips exactly one space after the colon',
  async scenario(ctx) {
    const token = ctx.nextToken();
    const payload = ` ${token}`;
    const run = await publishOnSse(ctx, payload, token);
    return {
      payload,
      token,
      arrived: run.session.body.includes(token),
      dispatched: run.dispatched.filter((d) => d.includes(token)).slice(0, 2),
      rawLines: sseLines(run.session.body)
        .filter((l) => l.includes(token))
        .slice(0, 2),
    };
  },
  evaluate(o): Verdict {
    const expected = `the dispatched data ${quote(o.payload)}, leading space kept`;
    if (!o.arrived)
      return verdict.loss(expected, 'the payload was accepted by the publish hook and never reached the stream', { published: 1, lost: 1 });
    if (o.dispatched.length === 0)
      return verdict.unobservable(
        `the payload arrived (${o.rawLines.map(quote).join(', ')}) but no event carrying it was dispatched; see sse.field-names and sse.dispatch`,
      );
    if (o.dispatched.some((d) => d === o.payload))
      return verdict.pass(expected, `dispatched ${quote(o.payload)} (written as ${o.rawLines.map(quote).join(', ')})`);
    if (o.dispatched.some((d) => d.includes(o.payload)))
      return verdict.pass(expected, `dispatched inside the server's own wrapping: ${o.dispatched.map(quote).join(', ')}`);
    return verdict.violation(
      expected,
      `dispatched ${o.dispatched.map(quote).join(', ')}: the leading space is lost (written as ${o.rawLines.map(quote).join(', ')} — the one space after "data:" is the separator a browser strips)`,
    );
  },
});

export const sseDataRequirements: Requirement[] = [dataMultiline, dataLeadingSpace];
export { dataMultiline, dataLeadingSpace };
