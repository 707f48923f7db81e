// faye ships no types; this covers what test/real-world/servers/faye-server.ts uses.
declare module 'faye' {
  import type { Server } from 'node:http';
  interface NodeAdapterOptions {
    mount?: string;
    /** seconds a /meta/connect is held (advice.timeout) */
    timeout?: number;
    /** seconds between WebSocket / EventSource pings */
    ping?: number;
  }
  /** A Deferrable: thenable, resolved when the server acknowledged the message. */
  interface Publication {
    then(callback?: () => void, errback?: (error: unknown) => void): Promise<void>;
  }
  interface Client {
    publish(channel: string, data: unknown): Publication;
    disconnect(): void;
  }
  // Used only through `typeof NodeAdapter` below, which the unused-vars rule does not see.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  class NodeAdapter {
    constructor(options?: NodeAdapterOptions);
    attach(server: Server): void;
    getClient(): Client;
    close(): void;
  }
  const faye: { VERSION: string; NodeAdapter: typeof NodeAdapter };
  export default faye;
}
