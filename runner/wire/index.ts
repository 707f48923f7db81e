export type * from './types.js';
export { WireConnection, serializeRequest, firstArrival } from './connection.js';
export type { CloseHow, CloseWait, OpenOptions } from './connection.js';
export type { RecordedConnection, WireProtocol } from './recorded.js';
export { ResponseParser, hasWireError, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES } from './parser.js';
export type { Expectation, ParserEndHow, ParserHooks, ParserLimits, ParserOptions } from './parser.js';
export { header, headerAll, hasToken, directive, listElements } from './headers.js';
export { connectionEndings } from './evidence.js';
export type { ConnectionMoment } from './evidence.js';
