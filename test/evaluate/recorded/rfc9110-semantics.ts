// Observations recorded from real runs against the reference server (`pushspec run --fixture`).
import type { HeadProbe, HeadsSeen } from '../../../suites/rfc9110/semantics.js';

/** recorded: pushspec run --fixture --fault sse-no-date --only http.date → fail */
export const sseNoDate: HeadsSeen = {
  samples: [
    {
      transport: 'longPoll',
      heads: [
        {
          status: 200,
          end: 'complete',
          gotHeaders: true,
          headers: [
            ['Cache-Control', 'no-store'],
            ['Content-Type', 'application/json'],
            ['Content-Length', '59'],
            ['Date', 'Wed, 02 Dec 2026 14:36:28 GMT'],
            ['Connection', 'keep-alive'],
            ['Keep-Alive', 'timeout=65'],
          ],
          framing: 'content-length',
          bodyBytes: 59,
          errors: '',
        },
      ],
      why: 'complete',
    },
    {
      transport: 'stream',
      heads: [
        {
          status: 200,
          end: 'timeout',
          gotHeaders: true,
          headers: [
            ['Content-Type', 'application/x-ndjson'],
            ['Cache-Control', 'no-store, no-transform'],
            ['X-Accel-Buffering', 'no'],
            ['Date', 'Wed, 02 Dec 2026 14:36:28 GMT'],
            ['Connection', 'keep-alive'],
            ['Keep-Alive', 'timeout=65'],
            ['Transfer-Encoding', 'chunked'],
          ],
          framing: 'chunked',
          bodyBytes: 0,
          errors:
            'incomplete: response ended before the last chunk (after 0 chunks, 0 body bytes) when our deadline passed (closed by us: aborted by caller)',
        },
      ],
      why: 'timeout',
    },
    {
      transport: 'sse',
      heads: [
        {
          status: 200,
          end: 'timeout',
          gotHeaders: true,
          headers: [
            ['Content-Type', 'text/event-stream'],
            ['Cache-Control', 'no-store, no-transform'],
            ['X-Accel-Buffering', 'no'],
            ['Connection', 'keep-alive'],
            ['Keep-Alive', 'timeout=65'],
            ['Transfer-Encoding', 'chunked'],
          ],
          framing: 'chunked',
          bodyBytes: 13,
          errors:
            'incomplete: response ended before the last chunk (after 1 chunks, 13 body bytes) when our deadline passed (closed by us: aborted by caller)',
        },
      ],
      why: 'timeout',
    },
  ],
};

/** recorded: pushspec run --fixture --fault head-unanswered --only http.head → fail */
export const headUnanswered: { answers: HeadProbe[] } = {
  answers: [
    { transport: 'longPoll', kind: 'answered', status: 200, tookMs: 0.4916319999999814, strayBytes: 0, allow: null, getStatus: 200 },
    { transport: 'stream', kind: 'answered', status: 200, tookMs: 0.7184889999999768, strayBytes: 0, allow: null, getStatus: 200 },
    { transport: 'sse', kind: 'unanswered', deadlineMs: 2103.5919999999996 },
  ],
};

/** recorded: pushspec run --fixture --only http.head → pass */
export const headAnswered: { answers: HeadProbe[] } = {
  answers: [
    { transport: 'longPoll', kind: 'answered', status: 200, tookMs: 0.6000129999999899, strayBytes: 0, allow: null, getStatus: 200 },
    { transport: 'stream', kind: 'answered', status: 200, tookMs: 0.847631999999976, strayBytes: 0, allow: null, getStatus: 200 },
    { transport: 'sse', kind: 'answered', status: 200, tookMs: 0.8374470000001111, strayBytes: 0, allow: null, getStatus: 200 },
  ],
};

/** recorded: pushspec run --fixture --fault stream-no-content-type --only http.content-type → warn */
export const noContentType: HeadsSeen = {
  samples: [
    {
      transport: 'longPoll',
      heads: [
        {
          status: 200,
          end: 'complete',
          gotHeaders: true,
          headers: [
            ['Cache-Control', 'no-store'],
            ['Content-Type', 'application/json'],
            ['Content-Length', '59'],
            ['Date', 'Wed, 02 Dec 2026 14:36:33 GMT'],
            ['Connection', 'keep-alive'],
            ['Keep-Alive', 'timeout=65'],
          ],
          framing: 'content-length',
          bodyBytes: 59,
          errors: '',
        },
      ],
      why: 'complete',
    },
    {
      transport: 'stream',
      heads: [
        {
          status: 200,
          end: 'timeout',
          gotHeaders: true,
          headers: [
            ['Cache-Control', 'no-store, no-transform'],
            ['X-Accel-Buffering', 'no'],
            ['Date', 'Wed, 02 Dec 2026 14:36:33 GMT'],
            ['Connection', 'keep-alive'],
            ['Keep-Alive', 'timeout=65'],
            ['Transfer-Encoding', 'chunked'],
          ],
          framing: 'chunked',
          bodyBytes: 0,
          errors:
            'incomplete: response ended before the last chunk (after 0 chunks, 0 body bytes) when our deadline passed (closed by us: aborted by caller)',
        },
      ],
      why: 'timeout',
    },
    {
      transport: 'sse',
      heads: [
        {
          status: 200,
          end: 'timeout',
          gotHeaders: true,
          headers: [
            ['Content-Type', 'text/event-stream'],
            ['Cache-Control', 'no-store, no-transform'],
            ['X-Accel-Buffering', 'no'],
            ['Date', 'Wed, 02 Dec 2026 14:36:33 GMT'],
            ['Connection', 'keep-alive'],
            ['Keep-Alive', 'timeout=65'],
            ['Transfer-Encoding', 'chunked'],
          ],
          framing: 'chunked',
          bodyBytes: 13,
          errors:
            'incomplete: response ended before the last chunk (after 1 chunks, 13 body bytes) when our deadline passed (closed by us: aborted by caller)',
        },
      ],
      why: 'timeout',
    },
  ],
};
