import type { Door } from './door.js';
import { header, type WireResponse } from '../wire/index.js';

/** Body reads noted per response; a stream of 1-byte chunks would otherwise fill the timeline. */
const MAX_READS = 40;

/** The response head as a typed moment (status, and the connection it came on). */
export function noteHead(door: Pick<Door, 'note'>, label: string, res: WireResponse, t: number, extra = ''): void {
  door.note(`${label} headers: HTTP/${res.httpVersion} ${res.status}${extra}`, t, {
    kind: 'response-head',
    conn: res.connectionId,
    bytes: res.headerBytes,
  });
}

/**
 * What a finished response adds to the timeline: each body read with its size (the first
 * MAX_READS, then one line for the rest), and how the response ended (complete, or cut by FIN,
 * RST or our deadline: the text says which).
 */
export function noteBodyAndEnd(door: Pick<Door, 'note' | 'now'>, label: string, res: WireResponse, suffix = ''): void {
  const conn = res.connectionId;
  res.bodyReads
    .slice(0, MAX_READS)
    .forEach((r) => door.note(`${label} read ${r.size} body bytes at offset ${r.offset}`, r.t, { kind: 'body-read', conn, bytes: r.size }));
  const rest = res.bodyReads.slice(MAX_READS);
  const last = rest.at(-1);
  if (last) {
    const bytes = rest.reduce((s, r) => s + r.size, 0);
    door.note(`${label} ${rest.length} more body reads, ${bytes} bytes, the last at offset ${last.offset}`, last.t, {
      kind: 'body-read',
      conn,
      bytes,
    });
  }
  door.note(`${label} ${summarizeResponse(res)}${suffix}`, res.tEnd ?? door.now(), { kind: 'response-end', conn });
}

/** One line for the evidence timeline: what came back and how it ended. */
export function summarizeResponse(res: WireResponse): string {
  if (res.end === 'malformed') return `malformed response: ${res.errors.join('; ').slice(0, 200)}`;
  if (res.tHeaders === null) return `no response (${res.end})`;
  const te = header(res, 'transfer-encoding');
  const cl = header(res, 'content-length');
  const framing = te ? `Transfer-Encoding: ${te}` : cl !== undefined ? `Content-Length: ${cl}` : res.framing;
  return `HTTP/${res.httpVersion} ${res.status}, ${framing}, ${res.body.length} body bytes, ended: ${res.end}`;
}
