import type { Framing, WireResponse } from '../wire/types.js';

/**
 * Why a stream ended, decided on three layers (requirements §4.3): transport (FIN or RST),
 * HTTP framing (RFC 9112 §8: chunked needs its last-chunk, Content-Length its full count,
 * close-delimited ends at FIN) and the application (a partial message at the tail, or a
 * declared end marker). No layer alone is enough: a FIN in the middle of an SSE event is a
 * truncation; a chunked body missing its last-chunk is incomplete even when the tail looks
 * whole; an RST on a message boundary may be a server that closed with unread input (the
 * kernel then resets instead of FIN) and so proves nothing.
 */

export type Transport = 'fin' | 'rst' | 'timeout' | 'local' | 'error';

export type EndKind = 'orderly-end' | 'truncated' | 'aborted' | 'cut-by-intermediary' | 'ambiguous';

export interface EndInput {
  /** how the connection ended: peer FIN, peer RST, our deadline, closed by us, other socket error */
  transport: Transport;
  http: {
    framing: Framing;
    /** chunked got its last-chunk / Content-Length satisfied / no body by rule / close-delimited ended by FIN */
    complete: boolean;
  };
  app: {
    /** bytes after the last complete message (FramingParser.finish()), null when none */
    partial: string | null;
    /** whether the target's declared end-of-stream marker arrived; omit when it declares none */
    endMarkerSeen?: boolean;
  };
  /** when (shared clock, ms) an active intermediary's idle/total deadline would cut the stream */
  cutDeadlineMs?: number | null;
  /** when the stream ended (shared clock, ms) */
  tEnd?: number;
  /** how close tEnd must be to cutDeadlineMs to blame the intermediary (default 100 ms) */
  epsilonMs?: number;
}

export interface EndClass {
  kind: EndKind;
  why: string;
}

const DEFAULT_EPSILON_MS = 100;

export function classifyEnd(input: EndInput): EndClass {
  const { transport, http, app } = input;
  const appProblem = appIncomplete(app);
  const selfDelimited = http.framing !== 'close';

  // The message delimited itself, so how the connection went afterwards says nothing about it.
  if (selfDelimited && http.complete) {
    if (appProblem === null) return { kind: 'orderly-end', why: `${framingText(http.framing)} completed and no message was left partial` };
    return { kind: 'truncated', why: `${framingText(http.framing)} completed, but ${appProblem}` };
  }

  if (transport === 'timeout' || transport === 'local') {
    return {
      kind: 'ambiguous',
      why: `the stream was still open when we ${transport === 'timeout' ? 'stopped waiting (deadline)' : 'closed it ourselves'}; the server did not end it`,
    };
  }
  if (transport === 'error') return { kind: 'ambiguous', why: 'a socket error other than a reset ended the connection' };

  const cut = cutByIntermediary(input);
  if (transport === 'fin' && cut !== null) return { kind: 'cut-by-intermediary', why: cut };

  if (selfDelimited) {
    const httpProblem = `${framingText(http.framing)} was not completed (RFC 9112 §8)`;
    const appNote = appProblem === null ? ' although the messages so far look whole' : ` and ${appProblem}`;
    if (transport === 'fin') return { kind: 'truncated', why: `FIN, but ${httpProblem}${appNote}` };
    return { kind: 'aborted', why: `RST, and ${httpProblem}${appNote}` };
  }

  // Close-delimited: the FIN is the HTTP end, so the application layer decides.
  if (transport === 'fin') {
    if (appProblem === null) return { kind: 'orderly-end', why: 'FIN ended the close-delimited body and no message was left partial' };
    return { kind: 'truncated', why: `FIN ended the close-delimited body, but ${appProblem}` };
  }
  if (appProblem !== null) return { kind: 'aborted', why: `RST, and ${appProblem}` };
  return {
    kind: 'ambiguous',
    why: 'RST on a message boundary of a close-delimited body: a close-delimited body is not complete after a transport error (RFC 9112 §8), yet a server closing with unread input also resets',
  };
}

/**
 * The classification of a recorded response. The WireResponse knows how the response ended, not
 * how the connection fared after a self-delimited response completed; that is irrelevant here
 * since such a response's end does not depend on the transport.
 */
export function classifyWireEnd(
  res: Pick<WireResponse, 'end' | 'framing' | 'tEnd'>,
  parserResult: { partial: string | null; endMarkerSeen?: boolean },
  opts: { cutDeadlineMs?: number | null; epsilonMs?: number } = {},
): EndClass {
  if (res.end === 'cap' || res.end === 'malformed') {
    return {
      kind: 'ambiguous',
      why: `we closed the connection ourselves (${res.end === 'cap' ? 'byte cap reached' : 'malformed HTTP'}); the server did not end it`,
    };
  }
  const input: EndInput = {
    transport: transportOf(res.end),
    http: { framing: res.framing, complete: res.end === 'complete' },
    app:
      parserResult.endMarkerSeen === undefined
        ? { partial: parserResult.partial }
        : { partial: parserResult.partial, endMarkerSeen: parserResult.endMarkerSeen },
  };
  if (res.tEnd !== null) input.tEnd = res.tEnd;
  if (opts.cutDeadlineMs !== undefined) input.cutDeadlineMs = opts.cutDeadlineMs;
  if (opts.epsilonMs !== undefined) input.epsilonMs = opts.epsilonMs;
  return classifyEnd(input);
}

function transportOf(end: WireResponse['end']): Transport {
  switch (end) {
    // A close-delimited body completes only at FIN; a self-delimited one ignores the transport.
    case 'complete':
    case 'fin':
      return 'fin';
    case 'rst':
      return 'rst';
    case 'timeout':
      return 'timeout';
    case 'cap':
    case 'malformed':
      return 'local';
    case 'error':
      return 'error';
  }
}

function appIncomplete(app: EndInput['app']): string | null {
  if (app.partial !== null) return `the stream ends inside a message (partial tail ${JSON.stringify(shorten(app.partial))})`;
  if (app.endMarkerSeen === false) return 'the declared end-of-stream marker never arrived';
  return null;
}

function cutByIntermediary(input: EndInput): string | null {
  const { cutDeadlineMs, tEnd } = input;
  if (cutDeadlineMs === undefined || cutDeadlineMs === null || tEnd === undefined) return null;
  const eps = input.epsilonMs ?? DEFAULT_EPSILON_MS;
  const off = tEnd - cutDeadlineMs;
  if (Math.abs(off) > eps) return null;
  return `FIN ${off >= 0 ? '+' : ''}${off.toFixed(0)} ms from an active intermediary deadline (within ±${eps} ms)`;
}

function framingText(framing: Framing): string {
  switch (framing) {
    case 'chunked':
      return 'the chunked body (last-chunk)';
    case 'content-length':
      return 'the Content-Length body';
    case 'none':
      return 'the bodiless response';
    case 'close':
      return 'the close-delimited body';
    case 'h2':
      return 'the HTTP/2 stream (END_STREAM)';
  }
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
