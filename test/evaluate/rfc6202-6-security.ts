import {
  corsCredentials,
  FOREIGN_ORIGIN,
  oversizedLastEventId,
  type CorsSample,
  type OversizedIdSeen,
} from '../../suites/rfc6202/6-security.js';
import { canned } from './canned.js';

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
];
