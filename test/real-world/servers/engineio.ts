import { fileURLToPath } from 'node:url';
import type { Manifest } from '../../../runner/manifest/types.js';
import { printedPort, startChild } from './process.js';
import type { CorpusServer, RunningServer } from './types.js';

/**
 * engine.io 6.6.13 (npm), glued in engineio-server.ts: `attach(httpServer, {pingInterval: 3000,
 * pingTimeout: 3000, transports: ['polling'], allowUpgrades: false})` (library defaults 25 000 /
 * 20 000, polling + websocket). One child process serves both variants. The pushspec `{channel}`
 * is a `channel` query parameter of the handshake; `POST /publish?channel=` sends to every socket
 * that handshook with it, `POST /broadcast` to every open socket. Ground truth:
 * test/real-world/engineio.md.
 *
 * What a v1 manifest cannot say about engine.io, and how these manifests get by:
 * - The session id is announced only inside the handshake body `0{"sid":…}`: a packet-type digit
 *   in front of JSON, so `cursor: query` with a JSON pointer cannot parse it (readJsonPointer needs
 *   the whole body to be JSON, and later bodies such as `4pst-…` or `2` are not JSON either).
 *   The glue copies the sid into a response header `X-Engineio-Sid` on every polling response
 *   (engine.io's documented `headers` event), so `{type: query, param: sid, from: {header}}` works.
 *   A manifest would need "JSON pointer after skipping a prefix" (or a regex) and "keep the last
 *   value when a response does not carry it" to do without the glue's header.
 * - Heartbeats go the other way round: the server sends a ping packet `2` (which ends the pending
 *   poll) and expects the client to POST a pong `3` within pingTimeout. A manifest has one poll
 *   request and no way to answer a ping, so every session pushspec opens dies pingInterval +
 *   pingTimeout (6 s) after its handshake: the poll held then gets `1` (close packet), and later
 *   polls get 400 `{"code":1,"message":"Session ID unknown"}`. Cases that need one session for
 *   longer than 6 s see that 400, which is the harness not speaking engine.io, not a server fault.
 * - Holds are measured from the handshake (or the last pong), not from each poll: the first poll
 *   after the handshake is held ≈ 3.0 s until the ping, the one after the ping ≈ 3.0 s until the
 *   ping timeout closes the session.
 * - Two concurrent polls on one sid: the second gets 400 with an empty body and the session is
 *   closed (`1` to the first). pushspec never does that on one client.
 * - Messages come as engine.io packets (`4<payload>`, several joined by U+001E); the tokens are
 *   found inside them.
 */
const glue = fileURLToPath(new URL('./engineio-server.js', import.meta.url));

/** pingInterval given to the glue, in seconds; measured: an idle poll right after the handshake is answered `2` after 3.00 s */
const PING_INTERVAL_S = 3;
const PING_TIMEOUT_S = 3;

export const engineio: CorpusServer = {
  name: 'engineio',
  description: 'engine.io 6.6.13 (npm) on node:http, polling only, pingInterval 3000 ms, pingTimeout 3000 ms',
  missing: () => null,
  async start(): Promise<RunningServer> {
    const { child, value: port } = await startChild(process.execPath, [glue], printedPort, {
      env: {
        ENGINEIO_PING_INTERVAL: String(PING_INTERVAL_S * 1000),
        ENGINEIO_PING_TIMEOUT: String(PING_TIMEOUT_S * 1000),
        ENGINEIO_SID_HEADER: '1',
      },
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    const longPoll = {
      url: '/engine.io/?EIO=4&transport=polling&channel={channel}',
      method: 'GET',
      cursor: { type: 'query' as const, param: 'sid', from: { header: 'X-Engineio-Sid' } },
      holdSeconds: PING_INTERVAL_S,
    };
    const targets: Record<string, Manifest> = {
      polling: {
        name: 'engineio-polling',
        baseUrl,
        publish: { method: 'POST', url: '/publish?channel={channel}', body: '{payload}' },
        longPoll,
      },
    };
    let stopped: Promise<void> | null = null;
    return { targets, stop: () => (stopped ??= child.stop()) };
  },
};

export default engineio;
