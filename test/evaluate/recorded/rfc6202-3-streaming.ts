// Observations recorded from real runs against the reference server (`pushspec run --fixture`).
import type { ObservationOf } from '../../../runner/requirement.js';
import type {
  appFraming,
  chunkSyntax,
  firstByte,
  gzip,
  heartbeat,
  http10,
  incremental,
  noContentLength,
  staysOpen,
} from '../../../suites/rfc6202/3-streaming.js';

/** recorded: pushspec run --fixture --fault stream-ends-after-event --only st.stays-open → fail */
export const endsAfterEvent: ObservationOf<typeof staysOpen> = {
  delivered: 1,
  open: false,
  ending: '200',
  end: 'complete',
  framing: 'chunked',
};

/** recorded: pushspec run --fixture --fault stream-buffer-8k --only st.incremental → fail */
export const buffer8k: ObservationOf<typeof incremental> = {
  direct: true,
  ended: true,
  deliveries: [{ latencyMs: null, allowedMs: 103.59088299999992 }],
};

/** recorded: pushspec run --fixture --only st.incremental → pass */
export const incrementalClean: ObservationOf<typeof incremental> = {
  direct: true,
  ended: true,
  deliveries: [
    { latencyMs: 6.464901999999995, allowedMs: 108.58680500000003 },
    { latencyMs: 2.553299999999922, allowedMs: 104.80077999999992 },
    { latencyMs: 3.0678969999999026, allowedMs: 105.28486099999986 },
  ],
};

/** recorded: pushspec run --fixture --fault chunked-to-http10 --only st.http10-eof → fail */
export const chunkedToHttp10: ObservationOf<typeof http10> = {
  httpVersion: '1.1',
  status: 200,
  transferEncoding: 'chunked',
  framing: 'chunked',
  end: 'timeout',
  delivered: 3,
};

/** recorded: pushspec run --fixture --only st.http10-eof → pass */
export const http10Clean: ObservationOf<typeof http10> = {
  httpVersion: '1.1',
  status: 200,
  transferEncoding: null,
  framing: 'close',
  end: 'timeout',
  delivered: 3,
};

/** recorded: pushspec run --fixture --fault stream-content-length --only st.no-content-length → fail */
export const contentLength: ObservationOf<typeof noContentLength> = {
  contentLength: '1000000',
  transferEncoding: null,
  framing: 'content-length',
};

/** recorded: pushspec run --fixture --fault bad-chunk-size --only st.chunk-syntax → fail */
export const badChunkSize: ObservationOf<typeof chunkSyntax> = {
  end: 'timeout',
  framing: 'chunked',
  errors: [
    'bare-lf: chunk data ended with bare LF (expected CRLF)',
    'incomplete: response ended before the last chunk (after 3 chunks, 117 body bytes) when our deadline passed (closed by us: aborted by caller)',
  ],
  chunks: 3,
};

/** recorded: pushspec run --fixture --fault chunk-boundary-framing --only st.app-framing → fail */
export const chunkBoundary: ObservationOf<typeof appFraming> = {
  declared: 'ndjson',
  conditions: { timeScale: 1, epsilonMs: 102.012, rttMs: 1.006 },
  events: [
    { n: 1, completedAfterMs: null },
    { n: 2, completedAfterMs: null },
    { n: 3, completedAfterMs: null },
  ],
  messages: 0,
  parserProblems: [],
};

/** recorded: pushspec run --fixture --only st.app-framing → pass */
export const appFramingClean: ObservationOf<typeof appFraming> = {
  declared: 'ndjson',
  conditions: { timeScale: 1, epsilonMs: 101.968, rttMs: 0.984 },
  events: [
    { n: 1, completedAfterMs: 0 },
    { n: 2, completedAfterMs: 0 },
    { n: 3, completedAfterMs: 0 },
  ],
  messages: 3,
  parserProblems: [],
};

/** recorded: pushspec run --fixture --fault gzip-no-flush --only st.gzip-flush → warn */
export const gzipNoFlush: ObservationOf<typeof gzip> = {
  kinds: [
    { name: 'stream: ', encoding: 'gzip', deliveries: [{ latencyMs: null, allowedMs: 104.472804 }] },
    {
      name: 'SSE: ',
      encoding: null,
      deliveries: [
        { latencyMs: 2.6470900000003894, allowedMs: 104.61613800000032 },
        { latencyMs: 2.855580999999802, allowedMs: 104.67338300000029 },
        { latencyMs: 3.178200000000288, allowedMs: 105.1528360000002 },
      ],
    },
  ],
};

/** recorded: pushspec run --fixture --fault defer-headers --only st.first-byte → warn */
export const deferHeaders: ObservationOf<typeof firstByte> = { timeScale: 1, rttMs: 1.113, headersAfterMs: null };

/** recorded: pushspec run --fixture --only st.first-byte → pass */
export const firstByteClean: ObservationOf<typeof firstByte> = { timeScale: 1, rttMs: 1.165, headersAfterMs: 1.6251890000000344 };

/** recorded: pushspec run --fixture --fault no-heartbeat --only st.heartbeat → warn */
export const noHeartbeat: ObservationOf<typeof heartbeat> = {
  limitMs: 1102.098,
  windowMs: 1653.147,
  declaredMs: 1000,
  gapMs: 1653.4565860000002,
  heartbeats: 0,
  ended: false,
  endHow: 'timeout',
  elapsedMs: 1653.4565860000002,
};

/** recorded: pushspec run --fixture --only st.heartbeat → pass */
export const heartbeatClean: ObservationOf<typeof heartbeat> = {
  limitMs: 1102.432,
  windowMs: 1653.6480000000001,
  declaredMs: 1000,
  gapMs: 1000.238829,
  heartbeats: 1,
  ended: false,
  endHow: 'timeout',
  elapsedMs: 1654.658591,
};
