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

/**
 * What a framing violation is, for judging: suites decide on the code, never on the message text,
 * so rewording a message cannot change a verdict.
 */
export type FramingProblemCode =
  | 'invalid-utf8'
  /** SSE: U+FEFF at the start of a line other than the stream's first (WHATWG HTML §9.2.5) */
  | 'bom-in-line'
  /** SSE: a known field name with other letter case or whitespace around it (§9.2.6 compares literally) */
  | 'field-name-mismatch'
  /** SSE: an id containing U+0000 (§9.2.6 ignores the field) */
  | 'id-null'
  /** SSE: a retry value that is not only ASCII digits (§9.2.6 ignores the field) */
  | 'retry-not-digits'
  /** NDJSON: a BOM at the start of the stream (RFC 8259 §8.1) */
  | 'bom-at-start'
  /** NDJSON: a line that is not one JSON value */
  | 'not-json'
  /** length-prefixed: no "<decimal length>\n" where one was due */
  | 'length-prefix-expected'
  /** multipart (RFC 2046 §5.1.1) */
  | 'no-boundary'
  | 'boundary-too-long'
  | 'boundary-trailing-text'
  | 'part-header-malformed'
  | 'bare-lf'
  /** declared "chunks": messages delimited only by HTTP chunk boundaries */
  | 'chunk-delimited'
  /** the log's cap was reached; this entry counts the rest */
  | 'more-not-listed';

export interface FramingProblem {
  code: FramingProblemCode;
  /** the field a field-level problem is about, as the name was meant (e.g. "retry") */
  field?: string;
  /** for people: where (line, byte offset) and what */
  text: string;
}

export interface FramingParser {
  /** Messages completed by these bytes, in order; each carries `t`. */
  push(bytes: Buffer, t: number): FramedMessage[];
  /** The stream ended: what is left after the last complete message. Call once. */
  finish(): { partial: string | null };
  /** format violations seen so far, each naming where (byte offset) and what */
  readonly problems: string[];
  /** the same violations with their codes, in the same order */
  readonly findings: FramingProblem[];
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
  findings: FramingProblem[];
  heartbeatTimes: number[];
}
