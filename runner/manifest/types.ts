/**
 * Target manifest v1: how a user describes a server they do not control (DESIGN.md §2).
 * The JSON Schema in schema/target.schema.json is the source of truth for validation;
 * these types mirror it for the rest of the code.
 */

export type HeaderMap = Record<string, string>;

interface PublishBase {
  /** one publish reaches every subscriber (no {channel} in the hook); publishing cases run one at a time */
  broadcast?: boolean;
}

export interface HttpPublish extends PublishBase {
  method?: string;
  url: string;
  headers?: HeaderMap;
  body?: string;
}

export interface CommandPublish extends PublishBase {
  command: string[];
}

export type Publish = HttpPublish | CommandPublish;

export type CursorFrom = { header: string } | { json: string };

export type Cursor =
  | { type: 'etag' }
  | { type: 'query'; param: string; from: CursorFrom }
  | { type: 'last-event-id' }
  | { type: 'session' }
  | { type: 'none' };

interface TransportBase {
  url: string;
  method?: string;
  headers?: HeaderMap;
  body?: string;
}

export interface LongPollBlock extends TransportBase {
  cursor?: Cursor;
  holdSeconds?: number;
}

export type Framing =
  | { type: 'ndjson' }
  | { type: 'sse' }
  | { type: 'delimiter'; value: string }
  | { type: 'multipart' }
  | { type: 'length-prefixed' }
  /** no in-band framing: one event per HTTP chunk (declared so it can be reported, RFC 6202 §3.2) */
  | { type: 'chunks' };

export interface StreamBlock extends TransportBase {
  framing?: Framing;
  heartbeatSeconds?: number;
}

export interface SseBlock extends TransportBase {
  heartbeatSeconds?: number;
  /** an EventSource URL ({channel} allowed) the target answers as "this stream is over": sse.stop-204 expects 204 there */
  stopUrl?: string;
}

export type BayeuxBlock = TransportBase;

export interface BoshBlock extends TransportBase {
  domain?: string;
  jid?: string;
  password?: string;
}

export interface Manifest {
  $schema?: string;
  name: string;
  baseUrl: string;
  headers?: HeaderMap;
  channels?: boolean;
  publish?: Publish;
  longPoll?: LongPollBlock;
  stream?: StreamBlock;
  sse?: SseBlock;
  bayeux?: BayeuxBlock;
  bosh?: BoshBlock;
}

export type TransportName = 'longPoll' | 'stream' | 'sse' | 'bayeux' | 'bosh';

export function isCommandPublish(p: Publish): p is CommandPublish {
  return 'command' in p;
}

/** True when an event published for one case can show up in another case's polls and streams. */
export function publishesReachOthers(m: Manifest): boolean {
  return m.channels === false || m.publish?.broadcast === true;
}
