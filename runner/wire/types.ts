/**
 * Wire-level observation: what a raw TCP client saw, every read timestamped on one monotonic
 * clock (runner/clock.ts). undici and Node's HTTP parser hide chunk boundaries, FIN vs RST and
 * connection identity; the requirements need all three.
 */

export type WireEventKind =
  | 'connect'      // TCP connected
  | 'send'         // request bytes written
  | 'read'         // bytes arrived (size in `bytes`)
  | 'headers'      // a response's header section completed
  | 'response-end' // a response's body framing completed
  | 'fin'          // peer closed its write side cleanly
  | 'rst'          // connection reset (ECONNRESET / EPIPE)
  | 'error'        // other socket error (message in `note`)
  | 'timeout'      // our deadline fired
  | 'cap'          // our byte cap was hit; we closed
  | 'close';       // we closed the socket

export interface WireEvent {
  /** ms on the shared monotonic clock (not relative). */
  t: number;
  kind: WireEventKind;
  connectionId: number;
  bytes?: number;
  note?: string;
}

export type Framing = 'content-length' | 'chunked' | 'close' | 'none';

/** How a response ended. */
export type ResponseEnd =
  | 'complete'  // framing satisfied (Content-Length reached, last chunk + trailers, or no body by rule)
  | 'fin'       // peer closed before framing completed (for close-delimited bodies FIN is the normal end: see `complete`)
  | 'rst'       // reset before completion
  | 'timeout'   // our deadline fired first
  | 'cap'       // more bytes than allowed
  | 'malformed' // not parseable as HTTP/1.x (details in `errors`)
  | 'error';    // other socket error

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
  /** e.g. '1.1' */
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
  /** framing/syntax problems found while parsing (never thrown) */
  errors: string[];
}

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
