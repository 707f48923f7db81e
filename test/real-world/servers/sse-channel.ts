import { fileURLToPath } from 'node:url';
import type { Manifest } from '../../../runner/manifest/types.js';
import { printedPort, startChild } from './process.js';
import type { CorpusServer, RunningServer } from './types.js';

/**
 * sse-channel 4.0.2 (npm), glued in sse-channel-server.ts: one SseChannel per `?channel=`,
 * numeric ids 1, 2, … per channel, history (500) replayed after `Last-Event-ID`. Library
 * defaults: `:ok` preamble, a `:` ping line every 20 s per channel, no `retry:`.
 * Ground truth: test/real-world/sse-channel.md.
 */
const glue = fileURLToPath(new URL('./sse-channel-server.js', import.meta.url));

export const sseChannel: CorpusServer = {
  name: 'sse-channel',
  description: 'sse-channel 4.0.2 (npm) on node:http, library defaults but pingInterval 5000 ms (default 20 000 ms, see sse-channel.md)',
  missing: () => null,
  async start(): Promise<RunningServer> {
    // A 5 s ping instead of the 20 s default keeps the idle observations (1.5× the heartbeat) short.
    const { child, value: port } = await startChild(process.execPath, [glue, '--ping', '5000'], printedPort);
    const sse: Manifest = {
      name: 'sse-channel',
      baseUrl: `http://127.0.0.1:${port}`,
      publish: { method: 'POST', url: '/publish?channel={channel}', body: '{payload}' },
      sse: { url: '/sse?channel={channel}', heartbeatSeconds: 5 },
    };
    return { targets: { sse }, stop: () => child.stop() };
  },
};

export default sseChannel;
