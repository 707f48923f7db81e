import { fileURLToPath } from 'node:url';
import type { Manifest } from '../../../runner/manifest/types.js';
import { printedPort, startChild } from './process.js';
import type { CorpusServer, RunningServer } from './types.js';

/**
 * sockjs-node 0.3.24 (npm), glued in sockjs-server.ts: `installHandlers(server, {prefix: '/echo'})`
 * with heartbeat_delay 2000 ms (library default 25 000), disconnect_delay 5000 ms and
 * response_limit 128 KiB (library defaults), `jsessionid: true`. One child process serves every
 * variant. The pushspec `{channel}` is the sockjs session id in the URL
 * (`/echo/<server>/<session>/<transport>`); `POST /publish?channel=` writes to that session,
 * `POST /broadcast` to every open session. Ground truth: test/real-world/sockjs.md.
 *
 * What a v1 manifest cannot say about sockjs, and how these manifests get by:
 * - The first request of a session is answered at once with the open frame `o` (no events). The
 *   runner re-polls once after a "handshake" only when the first answer gave it a cursor value;
 *   the session id lives in the URL, not in a response, so there is nothing to read. The glue
 *   turns on sockjs's documented `jsessionid` option (a dummy `JSESSIONID=dummy` cookie, meant for
 *   sticky load balancers) so that `cursor: session` has a value after the open frame and the
 *   runner treats `o` as the handshake it is. Without it, every first poll looks like a short poll.
 * - Frames are sockjs's own (`o`, `h`, `a[…]`, `c[…]`) inside each transport; pushspec finds its
 *   tokens in `a["pst-…"]`, but cannot tell a heartbeat `h` poll from an "empty batch", or a
 *   `c[2010,…]` refusal from a normal answer (both 200).
 * - Two clients on one `{channel}` are one sockjs session: the second gets `c[2010,"Another
 *   connection still open"]`. lp.fanout cannot be expressed (it needs two sessions that share a
 *   publish channel); the `*-broadcast` variants give each client its own session but publish to all.
 * - A poll or stream the client abandons destroys the session at once (queued messages lost), and
 *   an idle session dies 5 s (disconnect_delay) after its last poll ended.
 * - The xhr-streaming body starts with 2048 `h` + `\n` (a prelude against buffering) before `o\n`;
 *   the closest framing is `delimiter "\n"` (every frame ends in `\n`), so the prelude and each
 *   `h` heartbeat parse as messages of their own.
 * - eventsource events carry no `id:`; resumption is by session id in the URL, which an
 *   EventSource reconnect repeats, not by Last-Event-ID.
 */
const glue = fileURLToPath(new URL('./sockjs-server.js', import.meta.url));

/** heartbeat_delay given to the glue, in seconds; measured: idle xhr poll answered `h` after 2.00 s, streams send `h` every 2.00 s */
const HEARTBEAT_S = 2;

export const sockjsServer: CorpusServer = {
  skip: {
    'xhr-polling': {
      ids: ['lp.fanout'],
      why: '{channel} is the sockjs session id: two clients on it are one session by protocol (the second gets c[2010]); fan-out is judged on xhr-polling-broadcast',
    },
  },
  name: 'sockjs',
  description: 'sockjs-node 0.3.24 (npm) on node:http, heartbeat_delay 2000 ms, jsessionid on, other options default',
  missing: () => null,
  async start(): Promise<RunningServer> {
    const { child, value: port } = await startChild(process.execPath, [glue], printedPort, {
      env: { SOCKJS_HEARTBEAT_MS: String(HEARTBEAT_S * 1000), SOCKJS_DISCONNECT_MS: '5000', SOCKJS_JSESSIONID: '1' },
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    const publish = { method: 'POST', url: '/publish?channel={channel}', body: '{payload}' };
    const broadcast = { method: 'POST', url: '/broadcast', body: '{payload}', broadcast: true };
    // POST with an empty body, as sockjs-client's XHR sends it (Content-Length: 0).
    const xhrPoll = {
      url: '/echo/000/{channel}/xhr',
      method: 'POST',
      body: '',
      cursor: { type: 'session' as const },
      holdSeconds: HEARTBEAT_S,
    };
    const targets: Record<string, Manifest> = {
      'xhr-polling': { name: 'sockjs-xhr-polling', baseUrl, publish, longPoll: xhrPoll },
      'xhr-polling-broadcast': { name: 'sockjs-xhr-polling-broadcast', baseUrl, publish: broadcast, longPoll: xhrPoll },
      'xhr-streaming': {
        name: 'sockjs-xhr-streaming',
        baseUrl,
        publish,
        stream: {
          url: '/echo/000/{channel}/xhr_streaming',
          method: 'POST',
          body: '',
          framing: { type: 'delimiter', value: '\n' },
          heartbeatSeconds: HEARTBEAT_S,
        },
      },
      eventsource: {
        name: 'sockjs-eventsource',
        baseUrl,
        publish,
        sse: { url: '/echo/000/{channel}/eventsource', heartbeatSeconds: HEARTBEAT_S },
      },
    };
    let stopped: Promise<void> | null = null;
    return { targets, stop: () => (stopped ??= child.stop()) };
  },
};

export default sockjsServer;
