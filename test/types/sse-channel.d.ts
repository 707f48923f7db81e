// sse-channel ships no types; this covers what the third-party test uses.
declare module 'sse-channel' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  interface SseChannelOptions {
    historySize?: number;
    retryTimeout?: number;
    pingInterval?: number;
    jsonEncode?: boolean;
  }
  class SseChannel {
    constructor(options?: SseChannelOptions);
    addClient(req: IncomingMessage, res: ServerResponse, callback?: () => void): void;
    send(msg: string | { data: string; id?: string | number; event?: string }): void;
    close(): void;
  }
  export default SseChannel;
}
