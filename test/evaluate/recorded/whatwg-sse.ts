// Observations recorded from real runs against the reference server (`pushspec run --fixture`).
import type { StorableHead } from '../../../suites/scenarios/streaming-judgements.js';
import type { FramingProblem } from '../../../runner/framing/types.js';
import type { DispatchSeen, ResumeSeen, SseEventsSeen } from '../../../suites/whatwg-html/9.2-server-sent-events.js';
import type { BrowserRequestSeen, ShapeAttempt } from '../../../suites/whatwg-html/9.2.2-eventsource-request.js';
import type { IdNulSeen, Utf8Seen } from '../../../suites/whatwg-html/9.2.5-event-stream-format.js';

/** recorded: pushspec run --fixture --fault sse-text-plain --only sse.content-type → fail */
export const textPlain = { status: 200, contentType: 'text/plain' };

/** recorded: pushspec run --fixture --fault sse-bad-field-case --only sse.field-names → fail */
export const badFieldCase: SseEventsSeen = {
  arrived: ['pst-ix87od0z-0001-z', 'pst-ix87od0z-0002-z'],
  dispatched: [],
  partial: null,
  findings: [
    {
      code: 'field-name-mismatch',
      text: 'line 4 (byte 19): field name "Data" is not "data" (different letter case); names are compared literally, so user agents ignore the line',
      field: 'data',
    },
    {
      code: 'field-name-mismatch',
      text: 'line 7 (byte 52): field name "Data" is not "data" (different letter case); names are compared literally, so user agents ignore the line',
      field: 'data',
    },
  ],
  unknownFields: ['Data'],
};

/** recorded: pushspec run --fixture --only sse.field-names → pass */
export const cleanFields: SseEventsSeen = {
  arrived: ['pst-rww50m9g-0001-z', 'pst-rww50m9g-0002-z'],
  dispatched: ['pst-rww50m9g-0001-z', 'pst-rww50m9g-0002-z'],
  partial: null,
  findings: [],
  unknownFields: [],
};

/** recorded: pushspec run --fixture --fault sse-single-newline --only sse.dispatch → fail */
export const singleNewline: DispatchSeen = {
  conditions: { timeScale: 1, epsilonMs: 101.488, rttMs: 0.744 },
  events: [
    { arrived: true, blankAfterMs: 307.840324 },
    { arrived: true, blankAfterMs: null },
  ],
};

/** recorded: pushspec run --fixture --only sse.dispatch → pass */
export const cleanDispatch: DispatchSeen = {
  conditions: { timeScale: 1, epsilonMs: 101.744, rttMs: 0.872 },
  events: [
    { arrived: true, blankAfterMs: 0 },
    { arrived: true, blankAfterMs: 0 },
  ],
};

/** recorded: pushspec run --fixture --fault sse-no-id --only sse.ids → warn */
export const noId = { lastEventIds: ['', ''] };

/** recorded: pushspec run --fixture --fault sse-ignore-last-event-id --only sse.resume → fail */
export const ignoreLastEventId: ResumeSeen = {
  lastId: '2',
  reconnectStatus: 200,
  reconnectEnd: '200',
  missedAt: [-1, -1],
  repeated: 0,
  lastArrivalMs: null,
};

/** recorded: pushspec run --fixture --only sse.resume → pass */
export const cleanResume: ResumeSeen = {
  lastId: '2',
  reconnectStatus: 200,
  reconnectEnd: '200',
  missedAt: [25, 58],
  repeated: 0,
  lastArrivalMs: 1.0034740000000966,
};

/** recorded: pushspec run --fixture --fault sse-bad-retry --only sse.retry → fail */
export const badRetry: { retryMs: number | null; findings: FramingProblem[] } = {
  retryMs: null,
  findings: [{ code: 'retry-not-digits', text: 'line 1 (byte 0): retry "2s" is not only ASCII digits; user agents ignore the field' }],
};

/** recorded: pushspec run --fixture --fault sse-cacheable --only sse.not-storable → warn */
export const sseCacheable: StorableHead = {
  status: 200,
  headers: [
    ['Content-Type', 'text/event-stream'],
    ['Cache-Control', 'public, max-age=60'],
    ['X-Accel-Buffering', 'no'],
    ['Date', 'Wed, 02 Dec 2026 14:50:10 GMT'],
    ['Connection', 'keep-alive'],
    ['Keep-Alive', 'timeout=65'],
    ['Transfer-Encoding', 'chunked'],
  ],
  requestHasAuthorization: false,
};

/** recorded: pushspec run --fixture --only sse.utf8 → pass */
export const cleanUtf8: Utf8Seen = { contentType: 'text/event-stream', bytes: 46, findings: [] };

/** recorded: pushspec run --fixture --fault sse-latin1 --only sse.utf8 → fail */
export const latin1: Utf8Seen = {
  contentType: 'text/event-stream',
  bytes: 53,
  findings: [{ code: 'invalid-utf8', text: 'line 1 (byte 0): invalid UTF-8; user agents decode it as U+FFFD: ": caf\uFFFD"' }],
};

/** The declared request (EventSource's headers) of both recorded runs below. */
const declaredShape: ShapeAttempt = {
  added: ['Accept: text/event-stream', 'Cache-Control: no-cache'],
  status: 200,
  contentType: 'text/event-stream',
  eventArrived: true,
  end: 'timeout',
};

/** The browser's request (EventSource's headers, Pragma included) answered with a stream. */
const browserShape: ShapeAttempt = {
  added: ['Accept: text/event-stream', 'Cache-Control: no-cache', 'Pragma: no-cache'],
  status: 200,
  contentType: 'text/event-stream',
  eventArrived: true,
  end: 'timeout',
};

/** recorded: pushspec run --fixture --only sse.browser-request → pass */
export const cleanBrowserRequest: BrowserRequestSeen = {
  manifestSetsAccept: false,
  dropped: [],
  declared: declaredShape,
  browser: browserShape,
  noAccept: { added: ['Cache-Control: no-cache'], status: 200, contentType: 'text/event-stream', eventArrived: true, end: 'timeout' },
};

/** recorded: pushspec run --fixture --fault sse-pragma-refused --only sse.browser-request → warn */
export const pragmaRefused: BrowserRequestSeen = {
  ...cleanBrowserRequest,
  browser: { ...browserShape, status: 400, contentType: 'application/json', eventArrived: null, end: 'complete' },
};

/** recorded: pushspec run --fixture --only sse.id-no-nul → pass */
export const cleanIds: IdNulSeen = { events: 2, lastEventId: '2', findings: [] };

/** recorded: pushspec run --fixture --fault sse-id-nul --only sse.id-no-nul → fail */
export const idNul: IdNulSeen = {
  events: 2,
  lastEventId: '',
  findings: [
    { code: 'id-null', text: 'line 3 (byte 13): id "1\\u0000" contains U+0000 NULL; user agents ignore the whole field' },
    { code: 'id-null', text: 'line 6 (byte 47): id "2\\u0000" contains U+0000 NULL; user agents ignore the whole field' },
  ],
};
