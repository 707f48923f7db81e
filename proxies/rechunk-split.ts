/**
 * rechunk-split: re-frames every chunked response body as random 1–7 byte chunks (RFC 9112
 * §7.1.1: chunking is per hop; every Node-based proxy re-chunks). Other bodies keep their
 * framing but are written 1–7 bytes at a time. Each piece is a separate write with a turn of the
 * event loop in between, so the client's reads really are small. Payload and trailers are
 * unchanged; chunk extensions are dropped (any recipient may).
 */
import { ExchangeWatch } from './exchange-watch.js';
import { chunk } from './http1.js';
import { type Hop, Scope } from './hop.js';
import { type Link, startTcpHop } from './link.js';

export interface RechunkSplitParams {
  minChunkBytes?: number;
  maxChunkBytes?: number;
  /** Uniform in [0, 1); inject a seeded one for reproducible runs. */
  random?: () => number;
}

/** Writes one buffer per event-loop turn, pausing the server when it runs far ahead. */
class PacedWriter {
  readonly #link: Link;
  readonly #queue: (Buffer | 'end')[] = [];
  #handle: NodeJS.Immediate | undefined;
  #paused = false;
  readonly #unregister: () => void;

  constructor(link: Link) {
    this.#link = link;
    this.#unregister = link.scope.onClose(() => this.stop());
  }

  push(item: Buffer | 'end'): void {
    this.#queue.push(item);
    if (this.#queue.length > 4096 && !this.#paused) {
      this.#paused = true;
      this.#link.upstream.pause();
    }
    this.#handle ??= setImmediate(() => this.#drain());
  }

  stop(): void {
    if (this.#handle !== undefined) clearImmediate(this.#handle);
    this.#handle = undefined;
    this.#queue.length = 0;
    this.#unregister();
  }

  #drain(): void {
    this.#handle = undefined;
    if (this.#link.client.destroyed) return this.stop();
    const item = this.#queue.shift();
    if (item === undefined) return;
    if (item === 'end') this.#link.endClient();
    else this.#link.toClient(item);
    if (this.#paused && this.#queue.length < 512) {
      this.#paused = false;
      this.#link.upstream.resume();
    }
    if (this.#queue.length > 0) this.#handle = setImmediate(() => this.#drain());
  }
}

export function rechunkSplit(params: RechunkSplitParams = {}): Hop {
  const { minChunkBytes = 1, maxChunkBytes = 7, random = Math.random } = params;
  if (!(minChunkBytes >= 1 && maxChunkBytes >= minChunkBytes)) {
    throw new RangeError(`rechunk-split: need 1 <= minChunkBytes <= maxChunkBytes, got ${minChunkBytes}..${maxChunkBytes}`);
  }
  const pieceSize = (): number => minChunkBytes + Math.floor(random() * (maxChunkBytes - minChunkBytes + 1));
  return {
    name: `rechunk-split(${minChunkBytes}-${maxChunkBytes}B)`,
    describe: `re-chunks chunked bodies into random ${minChunkBytes}–${maxChunkBytes} byte chunks (extensions dropped) and writes other bodies ${minChunkBytes}–${maxChunkBytes} bytes at a time; payload unchanged`,
    start: (upstream, options) =>
      startTcpHop({
        scope: new Scope(options?.clock),
        upstream,
        ...options,
        hooks: (link: Link) => {
          const watch = new ExchangeWatch({ log: link.event });
          const out = new PacedWriter(link);
          let chunked = false;
          const split = (data: Buffer): void => {
            for (let offset = 0; offset < data.length;) {
              const piece = data.subarray(offset, offset + pieceSize());
              offset += piece.length;
              out.push(chunked ? chunk(piece) : piece);
            }
          };
          const onEvents = (events: ReturnType<ExchangeWatch['fromServer']>): void => {
            for (const event of events) {
              switch (event.type) {
                case 'head':
                  chunked = event.framing.type === 'chunked';
                  out.push(event.raw);
                  break;
                case 'data':
                  split(event.raw);
                  break;
                case 'chunk':
                case 'framing':
                  break;
                case 'end':
                  if (event.raw.length > 0) out.push(event.raw);
                  chunked = false;
                  break;
                case 'opaque':
                  out.push(event.raw);
                  break;
                case 'error':
                  link.event(`not HTTP any more (${event.message}): passing bytes through`);
              }
            }
          };
          return {
            fromClient: (data) => {
              watch.fromClient(data);
              link.toServer(data);
            },
            fromServer: (data) => onEvents(watch.fromServer(data)),
            serverEnded: () => {
              onEvents(watch.serverEnded());
              out.push('end');
            },
            closed: () => out.stop(),
          };
        },
      }),
  };
}
