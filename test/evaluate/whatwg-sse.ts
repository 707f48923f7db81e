import {
  contentType,
  dispatch,
  fieldNames,
  heartbeat,
  ids,
  notStorable,
  resume,
  retry,
} from '../../suites/whatwg-html/9.2-server-sent-events.js';
import { browserRequest } from '../../suites/whatwg-html/9.2.2-eventsource-request.js';
import { idNoNul, retryFloor, utf8 } from '../../suites/whatwg-html/9.2.5-event-stream-format.js';
import type { FramingProblem } from '../../runner/framing/types.js';
import { canned } from './canned.js';
import { LOOPBACK } from './observations.js';
import {
  badFieldCase,
  badRetry,
  sseCacheable,
  cleanDispatch,
  cleanFields,
  cleanResume,
  ignoreLastEventId,
  noId,
  singleNewline,
  textPlain,
  cleanUtf8,
  latin1,
  cleanBrowserRequest,
  pragmaRefused,
  cleanIds,
  idNul,
} from './recorded/whatwg-sse.js';

const recorded = 'reference fixture';
/** A BOM starting a later line: a field name browsers do not recognise, and not the one BOM UTF-8 decode strips. */
const bomInLine: FramingProblem[] = [{ code: 'bom-in-line', text: 'line 4 (byte 20): U+FEFF (BOM) at the start of a line' }];
const clean = { arrived: ['tok1', 'tok2'], dispatched: ['tok1', 'tok2'], partial: null, findings: [], unknownFields: [] };

export const sseCases = [
  canned(contentType, [
    {
      name: 'text/event-stream with charset',
      observation: { status: 200, contentType: 'text/event-stream; charset=utf-8' },
      outcome: 'pass',
    },
    { name: 'text/plain', recorded, observation: textPlain, outcome: 'fail', actual: 'HTTP 200 with Content-Type: text/plain' },
    { name: 'no Content-Type', observation: { status: 200, contentType: null }, outcome: 'fail', actual: 'Content-Type: (none)' },
    { name: '204', observation: { status: 204, contentType: 'text/event-stream' }, outcome: 'fail' },
    // RFC 10036: reported as a measurement, never judged
    {
      name: 'Incremental: ?1 (information only)',
      observation: { status: 200, contentType: 'text/event-stream', incremental: '?1' },
      outcome: 'pass',
    },
  ]),
  canned(fieldNames, [
    { name: 'clean', recorded, observation: cleanFields, outcome: 'pass', actual: '2 events parsed' },
    { name: '"Data:" lines', recorded, observation: badFieldCase, outcome: 'fail', actual: 'field name "Data" is not "data"' },
    {
      name: 'BOM glued to a field name',
      observation: { ...clean, findings: bomInLine },
      outcome: 'fail',
      actual: 'U+FEFF (BOM)',
    },
    // judged on codes: a retry problem, however worded, is not a field-name problem
    {
      name: 'a retry problem is not a field-name problem',
      observation: { ...clean, findings: [{ code: 'retry-not-digits', text: 'field name field name' }] },
      outcome: 'pass',
    },
    {
      name: 'payload on an unknown field',
      observation: { ...clean, dispatched: ['tok1'], unknownFields: ['payload'] },
      outcome: 'fail',
      actual: '1 event(s) sent on lines a browser ignores (fields seen: payload)',
    },
    { name: 'payload still pending at the end', observation: { ...clean, dispatched: ['tok1'], partial: 'data: tok2\n' }, outcome: 'pass' },
  ]),
  canned(dispatch, [
    { name: 'clean', recorded, observation: cleanDispatch, outcome: 'pass', actual: '2 events, each dispatched on arrival' },
    {
      name: 'single newline: one event late',
      recorded,
      observation: singleNewline,
      outcome: 'fail',
      actual: "event 1's blank line came 30",
    },
    {
      name: '150 ms late',
      observation: {
        conditions: LOOPBACK,
        events: [
          { arrived: true, blankAfterMs: 250 },
          { arrived: true, blankAfterMs: 0 },
        ],
      },
      outcome: 'fail',
      excessMs: 148,
    },
    {
      name: 'never dispatched: no excess',
      observation: {
        conditions: LOOPBACK,
        events: [
          { arrived: true, blankAfterMs: null },
          { arrived: false, blankAfterMs: null },
        ],
      },
      outcome: 'fail',
      actual: 'event 1 was never followed by a blank line',
      excessMs: null,
    },
    { name: 'within ε', observation: { conditions: LOOPBACK, events: [{ arrived: true, blankAfterMs: 101 }] }, outcome: 'pass' },
  ]),
  canned(ids, [
    { name: 'changing ids', observation: { lastEventIds: ['1', '2'] }, outcome: 'pass', actual: 'ids "1", "2"' },
    { name: 'no ids', recorded, observation: noId, outcome: 'fail', actual: 'last event IDs after each event: "", ""' },
    { name: 'repeated id', observation: { lastEventIds: ['7', '7'] }, outcome: 'fail' },
    { name: 'nothing dispatched', observation: { lastEventIds: [] }, outcome: 'inconclusive', actual: 'see sse.dispatch' },
  ]),
  canned(resume, [
    { name: 'clean', recorded, observation: cleanResume, outcome: 'pass', actual: 'both missed events replayed in order' },
    {
      name: 'Last-Event-ID ignored',
      recorded,
      observation: ignoreLastEventId,
      outcome: 'fail',
      actual: '2 of the 2 events published while disconnected never arrived (reconnect: 200)',
    },
    {
      name: 'replays from the start',
      observation: { ...cleanResume, repeated: 2 },
      outcome: 'fail',
      actual: '2 event(s) the client already had were sent again',
    },
    { name: 'out of order', observation: { ...cleanResume, missedAt: [90, 40] }, outcome: 'fail', actual: 'out of order' },
    { name: '400 to the reconnect', observation: { ...cleanResume, reconnectStatus: 400 }, outcome: 'fail', actual: 'answered 400' },
  ]),
  canned(retry, [
    { name: 'no retry', observation: { retryMs: null, findings: [] }, outcome: 'pass', actual: 'no retry field sent' },
    { name: 'retry: 3000', observation: { retryMs: 3000, findings: [] }, outcome: 'pass', actual: 'retry: 3000 ms' },
    { name: 'retry: 2s', recorded, observation: badRetry, outcome: 'fail', actual: 'retry "2s" is not only ASCII digits' },
    {
      name: '"Retry:" is ignored too',
      observation: {
        retryMs: null,
        findings: [{ code: 'field-name-mismatch', field: 'retry', text: 'field name "Retry" is not "retry"' }],
      },
      outcome: 'fail',
    },
    {
      name: 'a misspelt data field is not a retry problem',
      observation: { retryMs: null, findings: [{ code: 'field-name-mismatch', field: 'data', text: 'retry retry' }] },
      outcome: 'pass',
    },
  ]),
  canned(heartbeat, [
    {
      name: 'comments every second',
      observation: {
        limitMs: 1102,
        windowMs: 1653,
        declaredMs: 1000,
        gapMs: 1001,
        heartbeats: 1,
        ended: false,
        endHow: 'timeout',
        elapsedMs: 1653,
      },
      outcome: 'pass',
    },
    {
      name: 'no comments',
      observation: {
        limitMs: 1102,
        windowMs: 1653,
        declaredMs: 1000,
        gapMs: 1653,
        heartbeats: 0,
        ended: false,
        endHow: 'timeout',
        elapsedMs: 1653,
      },
      outcome: 'fail',
      actual: '(the whole observation)',
    },
  ]),
  canned(notStorable, [
    {
      name: 'no-store',
      observation: { status: 200, headers: [['Cache-Control', 'no-store, no-transform']], requestHasAuthorization: false },
      outcome: 'pass',
      actual: 'no-store',
    },
    { name: 'max-age=60', recorded, observation: sseCacheable, outcome: 'fail', actual: 'a cache can hand a late joiner a stored copy' },
  ]),
  canned(utf8, [
    { name: 'clean', recorded, observation: cleanUtf8, outcome: 'pass', actual: '46 bytes, all valid UTF-8' },
    { name: 'a Latin-1 byte', recorded, observation: latin1, outcome: 'fail', actual: 'invalid UTF-8' },
    {
      name: 'a BOM starting a later line',
      observation: { ...cleanUtf8, findings: bomInLine },
      outcome: 'fail',
      actual: 'U+FEFF (BOM)',
    },
    {
      name: 'charset=iso-8859-1 declared, bytes valid',
      observation: { ...cleanUtf8, contentType: 'text/event-stream; charset=ISO-8859-1' },
      outcome: 'warn',
      actual: 'declares iso-8859-1',
    },
    { name: 'charset=utf-8 declared', observation: { ...cleanUtf8, contentType: 'text/event-stream;charset="UTF-8"' }, outcome: 'pass' },
    // judged on codes: an id or retry problem is not an encoding problem
    {
      name: 'other findings',
      observation: { ...cleanUtf8, findings: [{ code: 'id-null', text: 'invalid UTF-8 invalid UTF-8' }] },
      outcome: 'pass',
    },
  ]),
  canned(browserRequest, [
    { name: 'clean', recorded, observation: cleanBrowserRequest, outcome: 'pass', actual: 'it streams without Accept too' },
    {
      name: 'Pragma: no-cache refused',
      recorded,
      observation: pragmaRefused,
      outcome: 'fail',
      actual: "the browser's request (Accept, Cache-Control and Pragma: no-cache) got HTTP 400",
    },
    {
      name: 'needs a header script cannot set',
      observation: {
        ...cleanBrowserRequest,
        dropped: ['X-Api-Key'],
        browser: { ...cleanBrowserRequest.browser, status: 401, contentType: 'text/plain', eventArrived: null, end: 'complete' },
      },
      outcome: 'fail',
      actual: "without the manifest's X-Api-Key",
    },
    {
      name: 'streams without the manifest headers too',
      observation: { ...cleanBrowserRequest, dropped: ['Authorization'] },
      outcome: 'pass',
      actual: "without the manifest's Authorization",
    },
    // Every browser sends Accept (nchan answers 403 without it, faye 400): recorded, never a warning.
    {
      name: 'refused without Accept',
      observation: {
        ...cleanBrowserRequest,
        noAccept: { ...cleanBrowserRequest.declared, added: [], status: 403, contentType: 'text/plain' },
      },
      outcome: 'pass',
      actual: 'without Accept it answers HTTP 403',
    },
    {
      name: 'the manifest sets Accept',
      observation: { ...cleanBrowserRequest, manifestSetsAccept: true, noAccept: null },
      outcome: 'pass',
      actual: 'the manifest sets Accept itself',
    },
    // the declared request is the one every SSE check sends: sse.content-type judges it
    {
      name: 'declared request refused',
      observation: { ...cleanBrowserRequest, declared: { ...cleanBrowserRequest.declared, status: 400, contentType: 'application/json' } },
      outcome: 'inconclusive',
      actual: 'see sse.content-type',
    },
    {
      name: 'no response head',
      observation: { ...cleanBrowserRequest, declared: { ...cleanBrowserRequest.declared, status: null, contentType: null } },
      outcome: 'inconclusive',
    },
    {
      name: 'stream opened, event lost',
      observation: { ...cleanBrowserRequest, declared: { ...cleanBrowserRequest.declared, eventArrived: false } },
      outcome: 'inconclusive',
      actual: 'st.incremental',
    },
  ]),
  canned(idNoNul, [
    { name: 'clean', recorded, observation: cleanIds, outcome: 'pass', actual: 'last event ID "2"' },
    { name: 'NUL-terminated ids', recorded, observation: idNul, outcome: 'fail', actual: 'no last event ID is set' },
    {
      name: 'one NUL id among good ones',
      observation: { ...cleanIds, findings: idNul.findings.slice(0, 1) },
      outcome: 'fail',
      actual: 'the last event ID stays "2"',
    },
    { name: 'no ids at all (sse.ids judges that)', observation: { events: 2, lastEventId: '', findings: [] }, outcome: 'pass' },
  ]),
  canned(retryFloor, [
    // recorded: pushspec run --fixture --only sse.retry-floor → pass; --fault sse-retry-short → warn
    { name: 'retry: 2000', recorded, observation: { retryMs: 2000 }, outcome: 'pass', actual: 'retry: 2000' },
    { name: 'retry: 100', recorded, observation: { retryMs: 100 }, outcome: 'fail', actual: 'retry: 100' },
    { name: 'exactly the floor', observation: { retryMs: 1000 }, outcome: 'pass' },
    { name: 'retry: 0', observation: { retryMs: 0 }, outcome: 'fail' },
    { name: 'none sent', observation: { retryMs: null }, outcome: 'pass', actual: 'no valid retry field' },
  ]),
];
