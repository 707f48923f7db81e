/**
 * RFC 9112 §9.2 (Associating a Response to a Request): HTTP/1.1 has no request ids, so a client
 * pairs each response with its oldest outstanding request. Bytes a server sends on an idle
 * persistent connection belong to no request: the client must treat them as invalid (and close),
 * or, if its next request is already on the way, reads them as the start of that response.
 */
import type { CaseContext } from '../../runner/context.js';
import { connectionReusable } from '../../runner/drivers/request.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import type { Framing } from '../../runner/wire/index.js';
import { ms } from '../format.js';
import { rawPoll } from '../scenarios/raw-poll.js';
import { rfc } from '../sources.js';

/** How long the idle connection is watched after the response (× time scale), and how much of what arrives is kept. */
const strayLimits = { watchMs: 1000, sampleChars: 64 };

export interface StraySeen {
  status: number;
  /** false when the response said close (or was HTTP/1.0): the connection was not left idle for reuse */
  reusable: boolean;
  /** how the response's body was delimited: after a Content-Length body the bytes are also "beyond the declared length" (RFC 9112 §6.3) */
  framing: Framing;
  watchedMs: number;
  /** how the connection ended during the watch, null when it stayed open */
  closedHow: string | null;
  strayBytes: number;
  /** of those, bytes other than CR and LF (RFC 9112 §9.2 lets a client ignore lone CRLFs) */
  nonCrlfBytes: number;
  /** the first stray bytes, latin1, control characters escaped */
  sample: string;
}

const escape = (bytes: Buffer): string =>
  JSON.stringify(bytes.toString('latin1'))
    .slice(1, -1)
    .replace(/[\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);

async function observeStray(ctx: CaseContext): Promise<StraySeen> {
  const { conn, res } = await rawPoll(ctx, 'poll sent');
  if (res.end !== 'complete') throw new Inconclusive(`the poll did not complete (${res.status || res.end}): no idle connection to watch`);
  const watchedMs = ctx.ms(strayLimits.watchMs);
  const waited = await conn.waitForClose(watchedMs);
  ctx.note(`connection #${conn.id} watched idle for ${ms(watchedMs)}: ${waited.strayBytes} bytes outside any response`);
  const crlf = [...waited.stray].filter((b) => b === 0x0d || b === 0x0a).length;
  return {
    status: res.status,
    reusable: connectionReusable(res),
    framing: res.framing,
    watchedMs,
    closedHow: waited.how === 'timeout' ? null : waited.how,
    strayBytes: waited.strayBytes,
    // Beyond the sample every byte counts as data: a server padding with 4 KiB of CRLF is rare enough.
    nonCrlfBytes: waited.strayBytes - crlf,
    sample: escape(waited.stray.subarray(0, strayLimits.sampleChars)),
  };
}

// RFC 9112 §9.2: "A client that receives bytes on a connection when no request is outstanding
// [...] MUST NOT treat them as a response [...] and SHOULD close the connection" — except for
// extra CRLFs before a response, which §2.2 lets a recipient ignore. After a Content-Length body
// the same bytes are what RFC 9112 §6.3 warns of: "a message [...] with a body length [...] that
// is smaller than the data sent" — data a client must not process, cache or forward as a
// separate response (catalogue H1-LEN-03: response smuggling, cache poisoning).
const noStrayBytes = defineRequirement<StraySeen, typeof strayLimits>({
  id: 'h1.no-stray-bytes',
  spec: 'RFC 9112',
  section: '9.2',
  level: 'must',
  title: 'After a complete long-poll response the server sends nothing (but CRLF) on the idle connection until the next request',
  sources: [rfc(9112, '9.2'), rfc(9112, '6.3'), rfc(9112, '2.2')],
  transports: ['longPoll'],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: strayLimits,
  tolerance: (l) => `exact: any byte but CR or LF within ${l.watchMs} ms (× time scale) of the end of the response`,
  faults: ['lp-stray-bytes'],
  remedy:
    'write nothing on a connection between the end of a response and the next request: keep-alive padding, a late event or a second body belongs in the next response (or in a stream), never after a complete one',
  scenario: (ctx) => observeStray(ctx),
  evaluate(o): Verdict {
    const expected = 'no byte but CRLF on the connection after the complete response';
    const after = `after HTTP ${o.status}${o.reusable ? '' : ' (which announced the close)'}`;
    // RFC 9112 §6.3: with a declared length the bytes are beyond it, a smuggled second response to any client or cache that reads on.
    const beyond = o.framing === 'content-length' ? ', past the body’s declared Content-Length,' : '';
    const end = o.closedHow === null ? `the connection stayed open for the ${ms(o.watchedMs)} watched` : `then ${o.closedHow}`;
    if (o.nonCrlfBytes > 0)
      return verdict.violation(
        expected,
        `${o.strayBytes} bytes arrived ${after}${beyond} with no request outstanding ("${o.sample}"): a client must discard them and close, and one whose next request is already on its way reads them as the start of its response; ${end}`,
      );
    const crlf = o.strayBytes > 0 ? `only ${o.strayBytes} CR/LF bytes (allowed)` : 'nothing';
    return verdict.pass(expected, `${crlf} ${after}; ${end}`);
  },
});

export const associatingRequirements: Requirement[] = [noStrayBytes];
export { noStrayBytes };
