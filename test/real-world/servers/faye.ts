import { fileURLToPath } from 'node:url';
import type { Manifest } from '../../../runner/manifest/types.js';
import { printedPort, startChild } from './process.js';
import type { CorpusServer, RunningServer } from './types.js';

/**
 * faye 1.4.3 (npm): `new faye.NodeAdapter({ mount: '/faye', timeout: 3 })` on node:http, glued in
 * faye-server.ts with `POST /publish?channel=c` → server-side client publishes `{text}` to `/c`.
 *
 * What a v1 manifest can express today is almost nothing: every Bayeux transport (long-polling,
 * callback-polling, EventSource) only delivers after a /meta/handshake (→ clientId) and a
 * /meta/subscribe, and every /meta/connect body must carry that clientId. A manifest has no step
 * that runs a request and carries a value from its answer into the next request's body or URL —
 * that is the Bayeux driver's job (`bayeux` block, not built yet). See test/real-world/faye.md.
 *
 * The one thing that can be judged without a handshake is the EventSource envelope: faye opens
 * `GET /faye/<anything>` with `Accept: text/event-stream` for any path segment, unknown clientId
 * included, and sends exactly the bytes a bound stream gets (status line, headers, `retry: 5000`,
 * `:` ping every 10 s), but never an event. `eventsource-unbound` therefore has no publish hook:
 * delivery, ids and resumption are inconclusive by construction (NOT a server fault), while status,
 * Content-Type, Date, framing (close-delimited, `Connection: close`), HTTP/1.0 and heartbeat can
 * be judged. `{channel}` makes each case's path segment (its would-be clientId) unique.
 */
const glue = fileURLToPath(new URL('./faye-server.js', import.meta.url));

export const faye: CorpusServer = {
  name: 'faye',
  description: 'faye 1.4.3 (npm) NodeAdapter on node:http, mount /faye, timeout 3 s',
  missing: () => null,
  async start(): Promise<RunningServer> {
    const { child, value: port } = await startChild(process.execPath, [glue], printedPort);
    const eventsourceUnbound: Manifest = {
      name: 'faye-eventsource-unbound',
      baseUrl: `http://127.0.0.1:${port}`,
      sse: { url: '/faye/{channel}', heartbeatSeconds: 10 },
    };
    // The Bayeux driver does handshake, subscribe, connect and publish itself: no hook needed.
    const bayeux: Manifest = { name: 'faye-bayeux', baseUrl: `http://127.0.0.1:${port}`, bayeux: { url: '/faye' } };
    return { targets: { 'eventsource-unbound': eventsourceUnbound, bayeux }, stop: () => child.stop() };
  },
};

export default faye;
