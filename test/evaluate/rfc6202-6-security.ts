import {
  corsCredentials,
  FOREIGN_ORIGIN,
  jsonpCallback,
  nosniff,
  oversizedLastEventId,
  type CorsSample,
  type JsonpProbe,
  type OversizedIdSeen,
} from '../../suites/rfc6202/6-security.js';
import type { HeadsSeen } from '../../suites/rfc9110/semantics.js';
import { canned } from './canned.js';
import * as rec from './recorded/rfc6202-6-security.js';

/** Six JSONP probes answered alike (callback= and jsonp=, three names each), `over` changing one. */
const jsonp = (answer: Partial<JsonpProbe>, over: Partial<JsonpProbe> = {}): { probes: JsonpProbe[] } => ({
  probes: (['callback', 'jsonp'] as const).flatMap((param) =>
    (['script', 'markup', 'overlong'] as const).map((probe, i) => ({
      param,
      probe,
      status: 200,
      end: 'complete',
      contentType: 'application/json',
      reflectedAt: -1,
      bodyStart: '{"events":[],"next":0}',
      ...answer,
      ...(param === 'jsonp' && i === 0 ? over : {}),
    })),
  ),
});

/** One push response head per transport, with these header fields. */
const heads = (...answers: Array<[HeadsSeen['samples'][number]['transport'], Array<[string, string]>]>): HeadsSeen => ({
  samples: answers.map(([transport, headers]) => ({
    transport,
    heads: [{ status: 200, end: 'complete', gotHeaders: true, headers, framing: 'content-length', bodyBytes: 20, errors: '' }],
    why: 'complete',
  })),
});
const NOSNIFF: [string, string] = ['X-Content-Type-Options', 'nosniff'];

const sample = (over: Partial<CorsSample> = {}): CorsSample => ({
  transport: 'sse',
  status: 200,
  allowOrigin: [],
  allowCredentials: null,
  why: 'timeout',
  ...over,
});
const cors = (...samples: CorsSample[]): { origin: string; samples: CorsSample[] } => ({ origin: FOREIGN_ORIGIN, samples });
const ids = (oversized: OversizedIdSeen['oversized'], after: OversizedIdSeen['after']): OversizedIdSeen => ({
  idBytes: 8000,
  oversized,
  after,
  waitedMs: 1000,
});
const up = { status: 200, end: 'timeout' };

export const securityCases = [
  canned(corsCredentials, [
    {
      name: 'no CORS headers',
      observation: cors(sample(), sample({ transport: 'longPoll', why: 'complete' })),
      outcome: 'pass',
      actual: 'Access-Control-Allow-Origin: (none)',
    },
    { name: 'public wildcard without credentials', observation: cors(sample({ allowOrigin: ['*'] })), outcome: 'pass' },
    { name: 'reflected without credentials (public data)', observation: cors(sample({ allowOrigin: [FOREIGN_ORIGIN] })), outcome: 'pass' },
    {
      name: 'reflected with credentials',
      observation: cors(sample({ allowOrigin: [FOREIGN_ORIGIN], allowCredentials: 'true' })),
      outcome: 'fail',
      actual: 'the foreign origin is echoed with credentials allowed',
    },
    {
      name: 'wildcard with credentials',
      observation: cors(sample({ transport: 'stream', allowOrigin: ['*'], allowCredentials: 'TRUE' })),
      outcome: 'fail',
      actual: 'a wildcard with credentials is refused by every browser',
    },
    {
      name: 'a fixed trusted origin with credentials',
      observation: cors(sample({ allowOrigin: ['https://app.example'], allowCredentials: 'true' })),
      outcome: 'pass',
    },
    { name: 'no head', observation: cors(sample({ status: null, why: 'rst' })), outcome: 'inconclusive', actual: 'SSE: rst' },
  ]),
  canned(oversizedLastEventId, [
    {
      name: 'ignored: 200',
      observation: ids({ status: 200, end: 'timeout', tookMs: 3 }, up),
      outcome: 'pass',
      actual: 'accepted or ignored it with HTTP 200',
    },
    {
      name: 'refused: 431',
      observation: ids({ status: 431, end: 'complete', tookMs: 2 }, up),
      outcome: 'pass',
      actual: 'refused it with HTTP 431',
    },
    { name: '500', observation: ids({ status: 500, end: 'complete', tookMs: 2 }, up), outcome: 'fail', actual: 'answered HTTP 500' },
    {
      name: 'connection dropped',
      observation: ids({ status: null, end: 'fin', tookMs: null }, up),
      outcome: 'fail',
      actual: 'no answer: the connection ended (fin)',
    },
    {
      name: 'server gone afterwards',
      observation: ids({ status: null, end: 'rst', tookMs: null }, { status: null, end: 'rst' }),
      outcome: 'fail',
      actual: 'the server stopped serving',
    },
    {
      name: 'answered, then refused everything',
      observation: ids({ status: 400, end: 'complete', tookMs: 2 }, { status: null, end: 'fin' }),
      outcome: 'fail',
      actual: 'stopped serving after it',
    },
    {
      name: 'headers wait for the first event',
      observation: ids({ status: null, end: 'timeout', tookMs: null }, { status: null, end: 'timeout' }),
      outcome: 'inconclusive',
    },
  ]),
  canned(jsonpCallback, [
    { name: 'ignored', observation: jsonp({}), outcome: 'pass', actual: 'callback=alert(1)//: HTTP 200, not reflected' },
    { name: 'refused', observation: jsonp({ status: 400 }), outcome: 'pass', actual: 'jsonp=<script>: refused with HTTP 400' },
    {
      name: 'sanitised: a short name left of the hostile one',
      observation: jsonp({ contentType: 'application/javascript', bodyStart: 'alert1({"events":[],"next":0})' }),
      outcome: 'pass',
    },
    {
      name: 'one reflection is enough',
      observation: jsonp({}, { contentType: 'application/javascript', reflectedAt: 0, bodyStart: 'alert(1)//({"events":[],"next":0})' }),
      outcome: 'fail',
      actual: 'jsonp=alert(1)//: HTTP 200 (application/javascript) carries the callback verbatim at offset 0',
    },
    {
      name: 'the overlong name reflected in full',
      observation: {
        probes: [
          {
            param: 'callback',
            probe: 'overlong',
            status: 200,
            end: 'complete',
            contentType: 'text/javascript',
            reflectedAt: 9,
            bodyStart: '/**/ try{A0A0A0A0',
          },
        ],
      },
      outcome: 'fail',
      actual: 'callback=(1024 alphanumerics)',
    },
    { name: 'no answers at all', observation: jsonp({ status: null, end: 'timeout' }), outcome: 'inconclusive' },
    {
      name: 'reference fixture',
      recorded: 'pushspec run --fixture --only sec.jsonp-callback',
      observation: jsonp({ bodyStart: '{"events":[{"id":1,"data":"pst-mhdxxyuf-0001-z"}],"next":1}' }),
      outcome: 'pass',
    },
    {
      name: 'fault lp-jsonp-unchecked (its first two probes of six)',
      recorded: 'pushspec run --fixture --fault lp-jsonp-unchecked --only sec.jsonp-callback',
      observation: {
        probes: [
          {
            param: 'callback',
            probe: 'script',
            status: 200,
            end: 'complete',
            contentType: 'application/javascript',
            reflectedAt: 0,
            bodyStart: 'alert(1)//({"events":[{"id":1,"data":"pst-x3kuljsn-0001-z"}],"next":1})',
          },
          {
            param: 'callback',
            probe: 'markup',
            status: 200,
            end: 'complete',
            contentType: 'application/javascript',
            reflectedAt: 0,
            bodyStart: '<script>({"events":[{"id":1,"data":"pst-x3kuljsn-0002-z"}],"next":1})',
          },
        ],
      },
      outcome: 'fail',
    },
  ]),
  canned(nosniff, [
    {
      name: 'JSON long poll with nosniff, SSE exempt',
      observation: heads(['longPoll', [['Content-Type', 'application/json'], NOSNIFF]], ['sse', [['Content-Type', 'text/event-stream']]]),
      outcome: 'pass',
      actual: 'Content-Type: text/event-stream: neither sniffed nor script-like',
    },
    {
      name: 'JSON without nosniff',
      observation: heads(['longPoll', [['Content-Type', 'application/json; charset=utf-8']]]),
      outcome: 'fail',
      actual: 'Content-Type: application/json; charset=utf-8 without X-Content-Type-Options: nosniff',
    },
    { name: 'text/plain without nosniff', observation: heads(['longPoll', [['Content-Type', 'text/plain']]]), outcome: 'fail' },
    { name: 'no Content-Type is sniffed', observation: heads(['stream', []]), outcome: 'fail', actual: 'Content-Type: (none) without' },
    {
      name: 'a misspelt value is no nosniff',
      observation: heads([
        'longPoll',
        [
          ['Content-Type', 'application/javascript'],
          ['X-Content-Type-Options', 'no-sniff'],
        ],
      ]),
      outcome: 'fail',
      actual: '(it says "no-sniff")',
    },
    { name: 'ndjson stream exempt', observation: heads(['stream', [['Content-Type', 'application/x-ndjson']]]), outcome: 'pass' },
    { name: 'no head at all', observation: { samples: [{ transport: 'longPoll', heads: [], why: 'timeout' }] }, outcome: 'inconclusive' },
    {
      name: 'reference fixture',
      recorded: 'pushspec run --fixture --only sec.nosniff',
      observation: rec.nosniffReference,
      outcome: 'pass',
    },
    {
      name: 'fault lp-sniffable',
      recorded: 'pushspec run --fixture --fault lp-sniffable --only sec.nosniff',
      observation: rec.lpSniffable,
      outcome: 'fail',
    },
  ]),
];
