/**
 * The TCP engine under every hop that must not re-frame: one upstream connection per client
 * connection (toxiproxy's link), bytes forwarded as they arrive unless a hook intervenes, FIN
 * forwarded as FIN and RST as RST, so a client sees the server's end of a stream exactly as the
 * server made it (RFC 9112 §9.8 gives EOF and reset different meanings for a body).
 */
import { connect, type Socket } from 'node:net';
import { openTls, resetSocket, type TlsTrust } from '../runner/tls.js';
import { type RunningHop, type Scope, listenLocal, runningHop, tcpServer } from './hop.js';

export interface Link {
  readonly id: number;
  readonly client: Socket;
  /** The current upstream connection (replaced by reconnect()). */
  readonly upstream: Socket;
  readonly scope: Scope;
  /** Records `conn <id>: <what>` in the hop's log. */
  event: (what: string) => void;
  /** Writes toward the client; dropped (and logged) once the client side is finished. */
  toClient(data: Buffer): void;
  toServer(data: Buffer): void;
  /** FIN toward the client once queued writes are flushed. */
  endClient(): void;
  endServer(): void;
  /** Ends the exchange: 'fin' lets the client read an EOF after pending bytes, 'rst' resets. */
  cut(how: 'fin' | 'rst'): void;
  /** Opens a fresh upstream connection in place of the current one (HTTP/1.0 upstreams close after each response). */
  reconnect(): void;
  /** Whether the current upstream connection can still take a request. */
  readonly upstreamUsable: boolean;
}

/** Interceptors; each defaults to forwarding unchanged. */
export interface LinkHooks {
  fromClient?(data: Buffer): void;
  fromServer?(data: Buffer): void;
  /** The client sent FIN. */
  clientEnded?(): void;
  /** The upstream sent FIN. */
  serverEnded?(): void;
  /** The upstream failed (refused, reset…). Default: reset the client when reset, else close it. */
  serverFailed?(error: NodeJS.ErrnoException): void;
  /** Both sides are gone; clear per-connection state. */
  closed?(): void;
}

export interface TcpHopOptions {
  scope: Scope;
  upstream: URL;
  port?: number;
  /** given to the hop that meets an https target (the target edge): TLS upstream, this trust */
  trust?: TlsTrust;
  hooks(link: Link): LinkHooks;
}

export function upstreamAddress(upstream: URL): { host: string; port: number } {
  if (upstream.protocol !== 'http:') throw new Error(`upstream must be an http:// URL, got ${upstream.href}`);
  const host = upstream.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: upstream.port === '' ? 80 : Number(upstream.port) };
}

/**
 * Opens upstream connections: TLS with the run's trust for an https upstream (the hop then
 * terminates TLS like a load balancer: plain bytes toward the client, TLS records toward the
 * target), else plain TCP.
 */
function upstreamDialer(upstream: URL, trust: TlsTrust | undefined): () => Socket {
  if (upstream.protocol === 'https:' && trust !== undefined) {
    return () => openTls(upstream, trust);
  }
  const target = upstreamAddress(upstream);
  return () => connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
}

export async function startTcpHop(options: TcpHopOptions): Promise<RunningHop> {
  const { scope } = options;
  const dial = upstreamDialer(options.upstream, options.trust);
  let nextId = 1;

  const server = tcpServer(scope, (client) => {
    const id = nextId++;
    let hooks: LinkHooks = {};
    let upstream: Socket;
    let upstreamPaused = false;
    let clientPaused = false;
    const log = (what: string): void => scope.log.add(`conn ${id}: ${what}`);

    const toClient = (data: Buffer): void => {
      if (data.length === 0) return;
      if (client.destroyed || client.writableEnded) {
        log(`dropped ${data.length} B for a client that is gone`);
        return;
      }
      if (!client.write(data) && !upstreamPaused) {
        // Backpressure: stop reading the server while the client is slow.
        upstreamPaused = true;
        const paused = upstream;
        paused.pause();
        client.once('drain', () => {
          upstreamPaused = false;
          paused.resume();
        });
      }
    };

    const toServer = (data: Buffer): void => {
      if (data.length === 0) return;
      if (upstream.destroyed || upstream.writableEnded) {
        log(`dropped ${data.length} B for an upstream that is gone`);
        return;
      }
      if (!upstream.write(data) && !clientPaused) {
        clientPaused = true;
        const target = upstream;
        client.pause();
        target.once('drain', () => {
          clientPaused = false;
          client.resume();
        });
      }
    };

    const attachUpstream = (): Socket => {
      const socket = scope.track(dial());
      socket.on('data', (data: Buffer) => {
        if (socket !== upstream) return;
        if (hooks.fromServer) hooks.fromServer(data);
        else toClient(data);
      });
      socket.on('end', () => {
        if (socket !== upstream) return;
        log('upstream FIN');
        if (hooks.serverEnded) hooks.serverEnded();
        else link.endClient();
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (socket !== upstream) return;
        log(`upstream ${error.code ?? error.message}`);
        if (hooks.serverFailed) hooks.serverFailed(error);
        else if (error.code === 'ECONNRESET') client.resetAndDestroy();
        else client.destroy();
      });
      return socket;
    };

    const link: Link = {
      id,
      client,
      get upstream() {
        return upstream;
      },
      scope,
      event: log,
      toClient,
      toServer,
      endClient: () => {
        if (!client.destroyed && !client.writableEnded) client.end();
      },
      endServer: () => {
        if (!upstream.destroyed && !upstream.writableEnded) upstream.end();
      },
      cut: (how) => {
        upstream.destroy();
        if (how === 'rst') client.resetAndDestroy();
        else {
          client.end();
          client.destroySoon();
        }
      },
      reconnect: () => {
        const old = upstream;
        upstream = attachUpstream();
        old.destroy();
        log('new upstream connection');
      },
      get upstreamUsable() {
        return !upstream.destroyed && !upstream.writableEnded && !upstream.readableEnded;
      },
    };

    upstream = attachUpstream();
    log(`open from ${client.remotePort ?? '?'}`);
    hooks = options.hooks(link);

    client.on('data', (data: Buffer) => {
      if (hooks.fromClient) hooks.fromClient(data);
      else toServer(data);
    });
    client.on('end', () => {
      log('client FIN');
      if (hooks.clientEnded) hooks.clientEnded();
      else link.endServer();
    });
    client.on('error', (error: NodeJS.ErrnoException) => {
      log(`client ${error.code ?? error.message}`);
      if (error.code === 'ECONNRESET') resetSocket(upstream);
      else upstream.destroy();
    });
    client.on('close', () => {
      if (!upstream.destroyed) upstream.destroy();
      hooks.closed?.();
      log('closed');
    });
  });

  const url = await listenLocal(server, options.port ?? 0);
  return runningHop(scope, url, server);
}
