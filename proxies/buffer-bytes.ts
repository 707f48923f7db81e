/**
 * buffer-bytes(thresholdBytes, flushMs): nginx's `proxy_buffering on`. Measured on nginx 1.22: a
 * close-delimited response stalls completely, head included, until one proxy_buffer_size page
 * (4 KiB) of body has piled up, then moves in blocks of that size; `X-Accel-Buffering: no` in the
 * response switches buffering off for that response. With `chunked: 'pass'` a chunked response
 * flows promptly, as nginx was measured to do when it talks HTTP/1.1 upstream; with
 * `chunked: 'hold'` (the generic INT-BUF-N unit) chunked bodies are held like any other.
 * Body bytes are counted as they are on the wire and forwarded unchanged.
 */
import { ExchangeWatch } from './exchange-watch.js';
import { fieldValue } from '../runner/http/fields.js';
import { type Hop, Scope, ms } from './hop.js';
import { type Link, startTcpHop } from './link.js';

export interface BufferBytesParams {
  /** Body bytes held before a block is released (nginx proxy_buffer_size: 4096). */
  thresholdBytes: number;
  /** Release whatever is held this long after holding began; 0 = never (nginx has no such timer). */
  flushMs: number;
  /** Chunked responses: held like the rest, or passed promptly (nginx with proxy_http_version 1.1). */
  chunked?: 'hold' | 'pass';
  /** Whether `X-Accel-Buffering: no` from the server turns buffering off for its response. */
  honourXAccelBuffering?: boolean;
}

export function bufferBytes(params: BufferBytesParams): Hop {
  const { thresholdBytes, flushMs, chunked = 'hold', honourXAccelBuffering = true } = params;
  if (!(thresholdBytes > 0)) throw new RangeError(`buffer-bytes: thresholdBytes must be > 0, got ${thresholdBytes}`);
  if (!(flushMs >= 0)) throw new RangeError(`buffer-bytes: flushMs must be >= 0, got ${flushMs}`);
  const which = chunked === 'pass' ? 'a response that is not chunked' : 'each response';
  const flush = flushMs > 0 ? `, or ${flushMs} ms,` : '';
  const extras = [
    chunked === 'pass' ? 'chunked responses flow promptly' : '',
    honourXAccelBuffering ? 'honours X-Accel-Buffering: no' : 'ignores X-Accel-Buffering',
  ].filter((s) => s !== '');
  return {
    name: `buffer-bytes(${thresholdBytes}B, flush ${ms(flushMs)}${chunked === 'pass' ? ', chunked passes' : ''})`,
    describe: `holds ${which}, headers included, until ${thresholdBytes} body bytes${flush} or the end arrive, then releases ${thresholdBytes}-byte blocks; ${extras.join('; ')}`,
    start: (upstream, options) =>
      startTcpHop({
        scope: new Scope(options?.clock),
        upstream,
        ...options,
        hooks: (link: Link) => {
          const watch = new ExchangeWatch({ log: link.event });
          let holding = false;
          let held: Buffer = Buffer.alloc(0);
          /** Bytes at the front of `held` that are head, not body: they ride with the first block. */
          let heldHead = 0;
          let cancelFlush = (): void => undefined;

          const releaseAll = (why: string): void => {
            cancelFlush();
            if (held.length > 0) {
              link.event(`released ${held.length} B: ${why}`);
              link.toClient(held);
            }
            held = Buffer.alloc(0);
            heldHead = 0;
          };
          const hold = (raw: Buffer, isBody: boolean): void => {
            if (held.length === 0 && flushMs > 0) cancelFlush = link.scope.timer(flushMs, () => releaseAll(`flush after ${flushMs} ms`));
            held = held.length === 0 ? raw : Buffer.concat([held, raw]);
            if (!isBody) heldHead += raw.length;
            while (held.length - heldHead >= thresholdBytes) {
              const block = held.subarray(0, heldHead + thresholdBytes);
              link.event(`released ${block.length} B: ${thresholdBytes} body bytes piled up`);
              link.toClient(block);
              held = held.subarray(block.length);
              heldHead = 0;
              cancelFlush();
              if (held.length > 0 && flushMs > 0) cancelFlush = link.scope.timer(flushMs, () => releaseAll(`flush after ${flushMs} ms`));
            }
          };

          const onServerEvents = (events: ReturnType<ExchangeWatch['fromServer']>): void => {
            for (const event of events) {
              switch (event.type) {
                case 'error':
                  link.event(`not HTTP any more (${event.message}): passing bytes through`);
                  break;
                case 'head': {
                  const head = event.head;
                  if (head.kind !== 'response' || head.status < 200) {
                    link.toClient(event.raw);
                    break;
                  }
                  const optOut = honourXAccelBuffering && fieldValue(head.headers, 'x-accel-buffering')?.toLowerCase() === 'no';
                  if (optOut) link.event(`response ${head.status}: X-Accel-Buffering: no, passing through`);
                  else if (event.framing.type === 'chunked' && chunked === 'pass')
                    link.event(`response ${head.status}: chunked, passing through`);
                  else if (event.framing.type === 'none') link.event(`response ${head.status}: no body, passing through`);
                  else link.event(`response ${head.status} (${event.framing.type}): holding until ${thresholdBytes} body bytes or the end`);
                  holding = !optOut && event.framing.type !== 'none' && !(event.framing.type === 'chunked' && chunked === 'pass');
                  if (holding) hold(event.raw, false);
                  else link.toClient(event.raw);
                  break;
                }
                case 'end':
                  if (holding) {
                    hold(event.raw, true);
                    releaseAll('response complete');
                    holding = false;
                  } else link.toClient(event.raw);
                  break;
                case 'opaque':
                  releaseAll('opaque bytes');
                  holding = false;
                  link.toClient(event.raw);
                  break;
                default:
                  if (holding) hold(event.raw, true);
                  else link.toClient(event.raw);
              }
            }
          };

          return {
            fromClient: (data) => {
              watch.fromClient(data);
              link.toServer(data);
            },
            fromServer: (data) => onServerEvents(watch.fromServer(data)),
            serverEnded: () => {
              onServerEvents(watch.serverEnded());
              releaseAll('upstream closed');
              link.endClient();
            },
            closed: () => cancelFlush(),
          };
        },
      }),
  };
}
