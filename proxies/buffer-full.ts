/**
 * buffer-full: holds each response, head included, until it is complete, then forwards it in one
 * go (RFC 6202 §3.2: a proxy may buffer a whole response; RFC 9110 §7.6 lets it). No server can
 * stream through this hop; a long poll passes unharmed. The bytes themselves are unchanged.
 */
import { ExchangeWatch } from './exchange-watch.js';
import { type Hop, Scope } from './hop.js';
import { type Link, startTcpHop } from './link.js';

export function bufferFull(): Hop {
  return {
    name: 'buffer-full',
    describe: 'holds each response, headers included, until it is complete (or the server closes), then forwards it unchanged',
    start: (upstream, options) =>
      startTcpHop({
        scope: new Scope(options?.clock),
        upstream,
        ...options,
        hooks: (link: Link) => {
          const watch = new ExchangeWatch({ log: link.event });
          let held: Buffer[] = [];
          let heldBytes = 0;
          const release = (why: string): void => {
            if (heldBytes === 0) return;
            link.event(`released ${heldBytes} B: ${why}`);
            link.toClient(Buffer.concat(held));
            held = [];
            heldBytes = 0;
          };
          return {
            fromClient: (data) => {
              watch.fromClient(data);
              link.toServer(data);
            },
            fromServer: (data) => {
              for (const event of watch.fromServer(data)) {
                if (event.type === 'error') {
                  link.event(`not HTTP any more (${event.message}): passing bytes through`);
                  continue;
                }
                if (event.type === 'head' && event.head.kind === 'response' && event.head.status >= 200) {
                  link.event(`holding response ${event.head.status} (${event.framing.type}) until it ends`);
                }
                held.push(event.raw);
                heldBytes += event.raw.length;
                if (event.type === 'end') release('response complete');
                else if (event.type === 'opaque') release('opaque bytes');
              }
            },
            serverEnded: () => {
              for (const event of watch.serverEnded()) {
                if (event.type === 'error') continue;
                held.push(event.raw);
                heldBytes += event.raw.length;
              }
              release('upstream closed');
              link.endClient();
            },
          };
        },
      }),
  };
}
