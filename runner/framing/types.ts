/**
 * Message framing above HTTP: how a stream body is cut into application messages. Parsers are
 * incremental and must yield the same messages however the body is split into pushes
 * (requirements §4.5): proxies re-chunk, and a client that depends on read boundaries is broken.
 */

export interface FramedMessage {
  /** the message payload as text (UTF-8, invalid sequences as U+FFFD) */
  data: string;
  /** byte offset in the decoded (de-chunked) body where the message begins */
  start: number;
  /**
   * byte offset just past the byte that completed the message. Where a terminator is CRLF and
   * its CR already completes the message (SSE), that is the CR: waiting for the LF would make
   * the boundary depend on how the bytes were split.
   */
  end: number;
  /** time (shared clock) of the push that delivered the completing byte */
  t: number;
  /** format-specific metadata, e.g. SSE event/lastEventId, multipart part headers */
  fields?: Record<string, string>;
}

export interface FramingParser {
  /** Messages completed by these bytes, in order; each carries `t`. */
  push(bytes: Buffer, t: number): FramedMessage[];
  /** The stream ended: what is left after the last complete message. Call once. */
  finish(): { partial: string | null };
  /** format violations seen so far, each naming where (byte offset) and what */
  readonly problems: string[];
  /** keep-alives that are not messages (SSE comments, empty NDJSON lines, …), by arrival time */
  readonly heartbeatTimes: number[];
}

export type FramingSpec =
  | { type: 'ndjson' }
  | { type: 'sse' }
  | { type: 'delimiter'; value: string }
  | { type: 'multipart' }
  | { type: 'length-prefixed' }
  /** no in-band framing: one event per HTTP chunk (declared so it can be reported, RFC 6202 §3.2) */
  | { type: 'chunks' };

export interface ParseResult {
  messages: FramedMessage[];
  partial: string | null;
  problems: string[];
  heartbeatTimes: number[];
}
