import { createDelimiterParser } from './delimiter.js';
import { createLengthPrefixedParser } from './length-prefixed.js';
import { createMultipartParser } from './multipart.js';
import { createNdjsonParser } from './ndjson.js';
import { createSseParser } from './sse.js';
import type { FramedMessage, FramingParser, FramingProblem, FramingSpec, ParseResult } from './types.js';

export type * from './types.js';
export { createSseParser, type SseParser, type LineEnding } from './sse.js';
export { createNdjsonParser, type NdjsonParser } from './ndjson.js';
export { createDelimiterParser } from './delimiter.js';
export { createLengthPrefixedParser } from './length-prefixed.js';
export { createMultipartParser, boundaryOf } from './multipart.js';
export { classifyEnd, classifyWireEnd, type EndClass, type EndInput, type EndKind, type Transport } from './classify-end.js';

/**
 * For streams declared as framed by chunk boundaries only: the byte stream itself carries no
 * message boundary, so a client that does not see chunks (any proxy may re-chunk) completes none.
 */
function createNoFramingParser(): FramingParser {
  let data = '';
  const only: FramingProblem = {
    code: 'chunk-delimited',
    text: 'no in-band framing: messages are delimited only by HTTP chunk boundaries (declared "chunks")',
  };
  return {
    problems: [only.text],
    findings: [only],
    heartbeatTimes: [],
    push(bytes) {
      data += bytes.toString('latin1');
      return [];
    },
    finish: () => ({ partial: data === '' ? null : data }),
  };
}

/** A fresh parser for one response body; `contentType` supplies the multipart boundary. */
export function createParser(framing: FramingSpec, contentType?: string): FramingParser {
  switch (framing.type) {
    case 'sse':
      return createSseParser();
    case 'ndjson':
      return createNdjsonParser();
    case 'delimiter':
      return createDelimiterParser(framing.value);
    case 'length-prefixed':
      return createLengthPrefixedParser();
    case 'multipart':
      return createMultipartParser(contentType);
    case 'chunks':
      return createNoFramingParser();
  }
}

export interface BodyPiece {
  t: number;
  size: number;
  offset: number;
}

/**
 * Parses a recorded body. Given the reads it arrived in (WireResponse.bodyReads), the body is
 * replayed in exactly those pieces, so each message's `t` is its real arrival time; bytes no
 * read covers are pushed with the time of the read that follows them (or the last one).
 */
export function parseWhole(framing: FramingSpec, body: Buffer, reads?: readonly BodyPiece[], contentType?: string): ParseResult {
  const parser = createParser(framing, contentType);
  const messages: FramedMessage[] = [];
  let pos = 0;
  let lastT = 0;
  const pushTo = (to: number, t: number): void => {
    const end = Math.min(to, body.length);
    if (end <= pos) return;
    messages.push(...parser.push(body.subarray(pos, end), t));
    pos = end;
  };
  for (const r of [...(reads ?? [])].sort((a, b) => a.offset - b.offset)) {
    pushTo(r.offset + r.size, r.t);
    lastT = r.t;
  }
  pushTo(body.length, lastT);
  const { partial } = parser.finish();
  return { messages, partial, problems: parser.problems, findings: parser.findings, heartbeatTimes: parser.heartbeatTimes };
}
