/**
 * Wire-level observation: what a raw TCP client saw, every read timestamped on one monotonic
 * clock (runner/clock.ts). undici and Node's HTTP parser hide chunk boundaries, FIN vs RST and
 * connection identity; the requirements need all three.
 */

export type WireEventKind =
  | 'connect' // TCP connected
  | 'send' // request bytes written
  | 'read' // bytes arrived (size in `bytes`)
  | 'headers' // a response's header section completed
  | 'response-end' // a response's body framing completed
  | 'fin' // peer closed its write side cleanly
  | 'rst' // connection reset (ECONNRESET / EPIPE)
  | 'error' // other socket error (message in `note`)
  | 'timeout' // our deadline fired
  | 'cap' // our byte cap was hit; we closed
  | 'close' // we closed the socket
  | 'frame'; // an HTTP/2 frame other than HEADERS and DATA (SETTINGS, RST_STREAM, GOAWAY, PING…), either way

export interface WireEvent {
  /** ms on the shared monotonic clock (not relative). */
  t: number;
  kind: WireEventKind;
  connectionId: number;
  bytes?: number;
  note?: string;
}

/** `h2`: HTTP/2 DATA frames, ended by END_STREAM (RFC 9113 §8.1), where HTTP/1.1 has chunks or a length. */
export type Framing = 'content-length' | 'chunked' | 'close' | 'none' | 'h2';

/** How a response ended. */
export type ResponseEnd =
  | 'complete' // framing satisfied (Content-Length reached, last chunk + trailers, or no body by rule)
  | 'fin' // peer closed before framing completed (for close-delimited bodies FIN is the normal end: see `complete`)
  | 'rst' // reset before completion
  | 'timeout' // our deadline fired first
  | 'cap' // more bytes than allowed
  | 'malformed' // not parseable as HTTP/1.x (details in `errors`)
  | 'error'; // other socket error

export interface ChunkRecord {
  /** chunk-size as declared */
  size: number;
  /** raw chunk extensions text after ';', if any */
  ext?: string;
  /** time the chunk's last data byte arrived */
  t: number;
}

export interface BodyRead {
  t: number;
  /** body bytes (after de-chunking) delivered by this socket read */
  size: number;
  /** offset of these bytes in the decoded body */
  offset: number;
}

export interface WireResponse {
  connectionId: number;
  /** e.g. '1.1', or '2' for a response read off an HTTP/2 stream */
  httpVersion: string;
  status: number;
  reason: string;
  /** header fields in wire order, names as sent */
  headers: Array<[string, string]>;
  /** size of status line + header section including the final CRLFCRLF */
  headerBytes: number;
  framing: Framing;
  /** decoded body (chunked framing removed) */
  body: Buffer;
  chunks: ChunkRecord[];
  trailers: Array<[string, string]>;
  bodyReads: BodyRead[];
  tSent: number;
  tHeaders: number | null;
  tFirstBodyByte: number | null;
  tEnd: number | null;
  end: ResponseEnd;
  /** framing/syntax problems found while parsing (never thrown); each is "<WireErrorCode>: <detail>" */
  errors: string[];
  /** 1xx interim responses (100 Continue, 103 Early Hints) that preceded this one; absent when none */
  interim?: InterimResponse[];
}

/** A 1xx response skipped on the way to the final one (RFC 9110 §15.2). */
export interface InterimResponse {
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  /** time its header section completed */
  t: number;
}

/**
 * Stable prefixes of WireResponse.errors entries, so checks can match a problem without parsing
 * prose. Entries whose code ends a response are listed with the `end` they cause.
 */
export type WireErrorCode =
  | 'not-http' // malformed: bytes are not an HTTP/1.x status line
  | 'bad-status-line' // malformed: version, code or separators wrong
  | 'status-line-no-sp' // tolerated: no SP between status code and (empty) reason
  | 'empty-line-before-status' // tolerated: CRLFs preceded the status line
  | 'bare-lf' // tolerated: a line ended with LF instead of CRLF
  | 'bare-cr' // tolerated in header sections (replaced by SP, RFC 9112 §2.2); malformed in chunk lines
  | 'obs-fold' // tolerated: folded field line, unfolded with SP (RFC 9112 §5.2)
  | 'ws-before-first-field' // tolerated: whitespace-led line right after the start line, ignored
  | 'ws-before-colon' // tolerated: whitespace between field name and colon, removed
  | 'missing-colon' // malformed: field line without a colon
  | 'bad-field-name' // malformed: field name is not a token
  | 'cl-invalid' // malformed: Content-Length is not a decimal number
  | 'cl-conflict' // malformed: differing Content-Length values
  | 'cl-duplicate' // tolerated: the same Content-Length value repeated
  | 'te-and-cl' // tolerated: Transfer-Encoding and Content-Length both sent (TE wins)
  | 'te-chunked-twice' // tolerated: chunked listed more than once
  | 'te-chunked-not-last' // tolerated: chunked not the final coding, body read until close
  | 'te-in-http10' // tolerated: Transfer-Encoding in an HTTP/1.0 response
  | 'bad-chunk-size' // malformed: chunk-size line is not hex [; ext]
  | 'chunk-size-ws' // tolerated: whitespace after chunk-size without an extension
  | 'missing-chunk-crlf' // malformed: chunk data not followed by CRLF (size mismatch)
  | 'header-cap' // cap: header or trailer section larger than maxHeaderBytes
  | 'chunk-line-cap' // cap: one chunk-size line longer than 4 KiB
  | 'body-cap' // cap: decoded body larger than maxBodyBytes
  | 'incomplete' // the connection ended or our deadline passed mid-response
  | 'no-response' // not one byte of the response arrived
  | 'h2-rst-stream' // rst: the server reset the HTTP/2 stream (RST_STREAM and its code)
  | 'h2-goaway' // rst: the server's GOAWAY left the stream unprocessed, or closed the connection under it
  | 'h2-refused' // malformed: our HTTP/2 client (nghttp2) reset the stream: the message broke an RFC 9113 §8 rule
  | 'h2-hpack' // malformed: a header block that does not decode (RFC 7541), a connection error
  | 'h2-content-length'; // malformed: END_STREAM after a DATA total other than content-length (RFC 9113 §8.1.1)

export interface RawRequest {
  method: string;
  /** origin-form path + query, e.g. '/lp?id=abc' */
  path: string;
  /** '1.1' (default) or '1.0' */
  httpVersion?: '1.1' | '1.0';
  /** Host is added automatically unless present */
  headers?: Array<[string, string]>;
  body?: string | Buffer;
}

export interface ExchangeLimits {
  /** give up waiting for this response after this many ms (from send) */
  deadlineMs: number;
  /** max header section bytes (default 64 KiB) */
  maxHeaderBytes?: number;
  /** max decoded body bytes (default 1 MiB) */
  maxBodyBytes?: number;
  /** optional abort from the caller; treated like a deadline */
  signal?: AbortSignal;
}

/** Header lookup helper type: case-insensitive, joins repeated fields with ', '. */
export type HeaderGetter = (name: string) => string | undefined;
