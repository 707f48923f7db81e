/**
 * A passive observer of the HTTP/1.x exchanges on one link: it parses copies of the bytes in
 * both directions and never changes them. Timeout hops need it to tell "a request is waiting for
 * its first response byte" (answer 504) from "a response is under way" (just cut), which a
 * pure byte counter cannot.
 */
import { performance } from 'node:perf_hooks';
import { Http1Parser, type ParseEvent, type ResponseHead } from './http1.js';
import type { Link, LinkHooks } from './link.js';

export interface WatchCallbacks {
  /** A request head arrived from the client. */
  requestHead?(method: string, target: string): void;
  /** The first byte of a response arrived from the server; `request` is the one it answers, when known. */
  responseStart?(request: { method: string; target: string } | undefined): void;
  /** A final (non-1xx) response head was parsed. */
  responseHead?(head: ResponseHead): void;
  /** A final response's body framing completed (or its close-delimited body hit EOF). */
  responseEnd?(): void;
  /** When given, each request head and final response head is logged, with the time to first byte. */
  log?(what: string): void;
}

export class ExchangeWatch {
  readonly #requests = new Http1Parser('request');
  readonly #responses = new Http1Parser('response');
  readonly #callbacks: WatchCallbacks;
  #requestsSeen = 0;
  #responsesStarted = 0;
  #responsesEnded = 0;
  #inResponse = false;
  #finalHead = false;
  #broken = false;
  /** Requests awaiting a final response head: label and when their head arrived. */
  readonly #asked: { label: string; method: string; target: string; t: number; firstByte?: number }[] = [];

  constructor(callbacks: WatchCallbacks = {}) {
    this.#callbacks = callbacks;
  }

  /**
   * A request was sent, not one byte of its response has come back, and no earlier response is
   * still under way (a pipelined request cannot be answered before the one ahead of it).
   */
  get awaitingFirstByte(): boolean {
    return !this.#broken && !this.#inResponse && this.#requestsSeen > this.#responsesStarted;
  }

  /** Some request has not seen its response complete. */
  get outstanding(): boolean {
    return !this.#broken && this.#requestsSeen > this.#responsesEnded;
  }

  /** The stream stopped being HTTP (tunnel or garbage): callers fall back to byte rules. */
  get opaque(): boolean {
    return this.#broken;
  }

  fromClient(data: Buffer): ParseEvent[] {
    if (this.#broken) return [{ type: 'opaque', raw: data }];
    const events = this.#requests.push(data);
    for (const event of events) {
      if (event.type === 'head' && event.head.kind === 'request') {
        this.#requestsSeen++;
        this.#responses.expectResponseTo(event.head.method);
        const label = `${event.head.method} ${event.head.target}`;
        this.#asked.push({ label, method: event.head.method, target: event.head.target, t: performance.now() });
        this.#callbacks.log?.(label);
        this.#callbacks.requestHead?.(event.head.method, event.head.target);
      }
      if (event.type === 'error') this.#broken = true;
    }
    return events;
  }

  fromServer(data: Buffer): ParseEvent[] {
    if (this.#broken) return [{ type: 'opaque', raw: data }];
    if (data.length > 0) this.#start();
    const events = this.#responses.push(data);
    this.#consume(events);
    return events;
  }

  /** The server closed its side: a close-delimited body ends here. */
  serverEnded(): ParseEvent[] {
    if (this.#broken) return [];
    const events = this.#responses.finish();
    this.#consume(events);
    return events;
  }

  #start(): void {
    if (this.#inResponse) return;
    this.#inResponse = true;
    this.#finalHead = false;
    this.#responsesStarted++;
    const asked = this.#asked[0];
    if (asked !== undefined) asked.firstByte ??= performance.now();
    this.#callbacks.responseStart?.(asked && { method: asked.method, target: asked.target });
  }

  #consume(events: readonly ParseEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'head':
          if (event.head.kind !== 'response') break;
          this.#start();
          if (event.head.status >= 200 || event.head.status === 101) {
            this.#finalHead = true;
            const asked = this.#asked.shift();
            if (asked !== undefined) {
              const ttfb = Math.round((asked.firstByte ?? performance.now()) - asked.t);
              this.#callbacks.log?.(`response ${event.head.status} to ${asked.label}, first byte after ${ttfb} ms`);
            }
            this.#callbacks.responseHead?.(event.head);
          }
          if (event.head.status === 101) this.#broken = true;
          break;
        case 'end':
          if (!this.#finalHead) break;
          this.#inResponse = false;
          this.#responsesEnded++;
          this.#callbacks.responseEnd?.();
          break;
        case 'error':
        case 'opaque':
          this.#broken = true;
          break;
        default:
          this.#start();
      }
    }
    // Bytes of the next response may already sit in the parser after an end.
    if (!this.#inResponse && !this.#responses.idle && !this.#broken) this.#start();
  }
}

/**
 * Link hooks for hops that only watch: every byte is forwarded unchanged after `watch` has seen
 * it, `onBytes` runs on traffic in either direction (an idle timer's re-arm), `closed` clears
 * per-connection state.
 */
export function watchedPassThrough(link: Link, watch: ExchangeWatch, closed: () => void, onBytes: () => void = () => undefined): LinkHooks {
  return {
    fromClient: (data) => {
      onBytes();
      watch.fromClient(data);
      link.toServer(data);
    },
    fromServer: (data) => {
      onBytes();
      watch.fromServer(data);
      link.toClient(data);
    },
    serverEnded: () => {
      watch.serverEnded();
      link.endClient();
    },
    closed,
  };
}
