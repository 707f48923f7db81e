// Observations recorded from real runs against the reference server (`pushspec run --fixture`).
import type { HeadsSeen } from '../../../suites/rfc9110/semantics.js';

/** recorded: pushspec run --fixture --only sec.nosniff → pass */
export const nosniffReference: HeadsSeen = {
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
            ['X-Content-Type-Options', 'nosniff'],
            ['Content-Type', 'application/json'],
            ['Content-Length', '59'],
            ['Date', 'Mon, 07 Dec 2026 18:23:21 GMT'],
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
            ['Date', 'Mon, 07 Dec 2026 18:23:21 GMT'],
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
            ['Date', 'Mon, 07 Dec 2026 18:23:21 GMT'],
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

/**
 * recorded: pushspec run --fixture --fault lp-sniffable --only sec.nosniff → fail (warn). Its
 * heads were the reference run's without X-Content-Type-Options (Date aside), so they are
 * derived from it here.
 */
export const lpSniffable: HeadsSeen = {
  samples: nosniffReference.samples.map((s) => ({
    ...s,
    heads: s.heads.map((h) => ({ ...h, headers: h.headers.filter(([k]) => k.toLowerCase() !== 'x-content-type-options') })),
  })),
};
