import { fileURLToPath } from 'node:url';
import type { Manifest } from '../../../runner/manifest/types.js';
import { printedPort, startChild } from './process.js';
import type { CorpusServer, RunningServer } from './types.js';

/**
 * better-sse 0.16.1 (npm), glued in better-sse-server.ts and run as two child processes:
 * one Channel per `?channel=` (`sse`) and one global Channel (`sse-global`, a `channels: false`
 * target). Library defaults throughout: `retry:2000` preamble, a `:` comment every 10 s
 * (keepAlive 1e4), random-UUID `id:` per event, no replay on Last-Event-ID.
 * Ground truth: test/real-world/better-sse.md.
 */
const glue = fileURLToPath(new URL('./better-sse-server.js', import.meta.url));

export const betterSse: CorpusServer = {
  name: 'better-sse',
  description: 'better-sse 0.16.1 (npm) on node:http, library defaults',
  missing: () => null,
  async start(): Promise<RunningServer> {
    const channels = await startChild(process.execPath, [glue, 'channels'], printedPort);
    let global: Awaited<ReturnType<typeof startChild<number>>>;
    try {
      global = await startChild(process.execPath, [glue, 'global'], printedPort);
    } catch (err) {
      await channels.child.stop();
      throw err;
    }
    const sse: Manifest = {
      name: 'better-sse',
      baseUrl: `http://127.0.0.1:${channels.value}`,
      publish: { method: 'POST', url: '/publish?channel={channel}', body: '{payload}' },
      sse: { url: '/sse?channel={channel}', heartbeatSeconds: 10 },
    };
    const sseGlobal: Manifest = {
      name: 'better-sse-global',
      baseUrl: `http://127.0.0.1:${global.value}`,
      channels: false,
      publish: { method: 'POST', url: '/publish', body: '{payload}' },
      sse: { url: '/sse', heartbeatSeconds: 10 },
    };
    let stopped: Promise<void> | null = null;
    return {
      targets: { sse, 'sse-global': sseGlobal },
      stop: () => (stopped ??= Promise.all([channels.child.stop(), global.child.stop()]).then(() => undefined)),
    };
  },
};

export default betterSse;
