/**
 * WHATWG HTML §9.2.5 (parsing an event stream) and §9.2.6 (interpreting it): the bytes and field
 * values an EventSource silently discards or obeys to the server's harm. The checks that decide
 * whether events arrive at all live in 9.2-server-sent-events.ts.
 */
import type { FramingProblem } from '../../runner/framing/types.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import { header } from '../../runner/wire/index.js';
import { ms } from '../format.js';
import { EXACT, html, keepFindings, sseEvents, SPEC } from './9.2-server-sent-events.js';

const SSE = ['sse'] as const;

/** The encoding of the stream as received: what the parser found and what the header declared. */
export interface Utf8Seen {
  contentType: string | null;
  /** body bytes parsed */
  bytes: number;
  /** the parser's invalid-utf8 and bom-in-line findings */
  findings: FramingProblem[];
}

/** The charset parameter of a Content-Type, lower case, or null when there is none. */
function charsetOf(contentType: string | null): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m?.[1]?.toLowerCase() ?? null;
}

// WHATWG HTML §9.2.5: "Event streams are always decoded as UTF-8"; only one leading BOM is stripped.
const utf8 = defineRequirement<Utf8Seen, typeof EXACT>({
  id: 'sse.utf8',
  spec: SPEC,
  section: '9.2.5',
  level: 'must',
  title: 'The event stream is UTF-8, with no U+FEFF at the start of a line after the first bytes',
  sources: [html('parsing-an-event-stream'), 'https://encoding.spec.whatwg.org/#utf-8-decode'],
  transports: [...SSE],
  needsPublish: true,
  timing: false,
  limits: EXACT,
  tolerance: () => 'exact: every byte of the stream while one event is published; a charset other than utf-8 declared is a warning',
  faults: ['sse-latin1'],
  remedy: 'encode everything written to the event stream as UTF-8 (and declare no other charset)',
  async scenario(ctx) {
    const { session, parsed } = await sseEvents(ctx, 1);
    const head = session.headers;
    return {
      contentType: head ? (header(head, 'content-type') ?? null) : null,
      bytes: session.body.length,
      findings: keepFindings(parsed.findings.filter((f) => f.code === 'invalid-utf8' || f.code === 'bom-in-line')),
    };
  },
  evaluate(o): Verdict {
    const expected = 'UTF-8 bytes only, no U+FEFF starting a line after the first';
    const invalid = o.findings.filter((f) => f.code === 'invalid-utf8').map((f) => f.text);
    const boms = o.findings.filter((f) => f.code === 'bom-in-line').map((f) => f.text);
    if (invalid.length || boms.length)
      return verdict.violation(
        expected,
        `${[...invalid.slice(0, 2), ...boms.slice(0, 2)].join('; ')} — browsers decode the stream as UTF-8 whatever the server meant`,
      );
    const charset = charsetOf(o.contentType);
    if (charset !== null && charset !== 'utf-8' && charset !== 'utf8')
      return verdict.warn(
        expected,
        `${o.bytes} bytes, all valid UTF-8, but "Content-Type: ${o.contentType ?? ''}" declares ${charset}: browsers ignore it and decode UTF-8, so a server that really writes ${charset} corrupts every non-ASCII character`,
      );
    return verdict.pass(expected, `${o.bytes} bytes, all valid UTF-8${charset ? ` (charset=${charset} declared)` : ''}`);
  },
});

/** What the ids of the stream were, as far as the parser saw them. */
export interface IdNulSeen {
  /** events dispatched */
  events: number;
  /** the last event ID after the last event ('' when none was set) */
  lastEventId: string;
  /** the parser's id-null findings */
  findings: FramingProblem[];
}

/** How many events the id check publishes. */
const idEvents = { events: 2 };

// WHATWG HTML §9.2.6: "If the field value does not contain U+0000 NULL, then set the last event ID buffer".
const idNoNul = defineRequirement<IdNulSeen, typeof idEvents>({
  id: 'sse.id-no-nul',
  spec: SPEC,
  section: '9.2.6',
  level: 'must',
  title: 'No id field contains U+0000 NULL (browsers ignore such an id)',
  sources: [html('event-stream-interpretation')],
  transports: [...SSE],
  needsPublish: true,
  timing: false,
  limits: idEvents,
  tolerance: (l) => `exact: every id line of the stream while ${l.events} events are published`,
  faults: ['sse-id-nul'],
  remedy: 'write ids without NUL characters (a NUL-terminated buffer must be written without its terminator)',
  async scenario(ctx) {
    const { parsed } = await sseEvents(ctx, idEvents.events);
    return {
      events: parsed.messages.length,
      lastEventId: parsed.parser.lastEventId,
      findings: keepFindings(parsed.findings.filter((f) => f.code === 'id-null')),
    };
  },
  evaluate(o): Verdict {
    const expected = 'id values without U+0000';
    if (o.findings.length)
      return verdict.violation(
        expected,
        `${o.findings.length} id line(s) with U+0000: ${o.findings
          .slice(0, 2)
          .map((f) => f.text)
          .join(
            '; ',
          )} — browsers ignore those id fields, so ${o.lastEventId === '' ? 'no last event ID is set and a reconnect cannot resume' : `the last event ID stays ${JSON.stringify(o.lastEventId)}`}`,
      );
    return verdict.pass(
      expected,
      `${o.events} events, no id with U+0000${o.lastEventId === '' ? ' (no id set)' : `; last event ID ${JSON.stringify(o.lastEventId)}`}`,
    );
  },
});

/** Below this reconnection time, every client of a failing server reconnects several times a second. */
const retryLimits = { minRetryMs: 1000 };

// WHATWG HTML §9.2.6 sets the reconnection time from "retry"; §9.2.3 reconnects after it. A tiny
// value turns every server restart or proxy timeout into a reconnect storm.
const retryFloor = defineRequirement<{ retryMs: number | null }, typeof retryLimits>({
  id: 'sse.retry-floor',
  spec: SPEC,
  section: '9.2.6',
  level: 'should',
  title: 'A retry field asks for at least a second between reconnects',
  sources: [html('event-stream-interpretation'), html('sse-processing-model')],
  transports: [...SSE],
  needsPublish: true,
  timing: false,
  dependsOn: ['sse.retry'],
  limits: retryLimits,
  tolerance: (l) => `the last valid retry value ≥ ${ms(l.minRetryMs)}; none sent passes (browsers use their default, about 3 s)`,
  faults: ['sse-retry-short'],
  remedy: 'send retry: 1000 or more (several seconds is common), and back off further when the server is overloaded',
  async scenario(ctx) {
    const { parsed } = await sseEvents(ctx, 1);
    return { retryMs: parsed.parser.retry };
  },
  evaluate(o, l): Verdict {
    const expected = `retry ≥ ${ms(l.minRetryMs)}`;
    const measurements = { retryMs: o.retryMs };
    if (o.retryMs === null) return verdict.pass(expected, 'no valid retry field sent (browsers use their default)', { measurements });
    if (o.retryMs < l.minRetryMs)
      return verdict.violation(
        expected,
        `retry: ${o.retryMs} — every browser reconnects ${ms(o.retryMs)} after a disconnect, so a server restart or an idle timeout brings all clients back at once, several times a second`,
        { measurements },
      );
    return verdict.pass(expected, `retry: ${o.retryMs}`, { measurements });
  },
});

export const sseFormatRequirements: Requirement[] = [utf8, idNoNul, retryFloor];
export { utf8, idNoNul, retryFloor };
