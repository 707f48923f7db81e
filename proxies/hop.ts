/**
 * The contract every simulated intermediary meets, plus the bookkeeping they share: an event log
 * on the harness's monotonic clock, and a Scope that owns every socket, server and timer a
 * running hop creates, so `close()` can guarantee nothing outlives it (a leaked timer would keep
 * mocha alive; a leaked socket would let a later case see a stale connection).
 */
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { systemClock, type Clock } from '../runner/clock.js';

export interface HopEvent {
  /** ms on the hop's clock: the harness's (runner/clock.ts) unless a test gave it a fake one */
  t: number;
  what: string;
}

export interface RunningHop {
  /** http://127.0.0.1:PORT/ */
  url: URL;
  /** Append-only: what the hop did, in order. */
  events: HopEvent[];
  /** Called for every event as it is recorded; returns an unsubscribe function. */
  watch?: (listener: (event: HopEvent) => void) => () => void;
  /** Destroys every socket, clears every timer, resolves promptly. */
  close(): Promise<void>;
}

export interface HopTimeouts {
  /** Cut after this long without a byte moving. */
  idleMs?: number;
  /** Answer `status` when no response byte arrived this long after the request. */
  firstByteMs?: number;
  /** Cap on a whole exchange, however much flows. */
  totalMs?: number;
  /** Status a client gets when a timeout fires before any response byte was sent. */
  status?: number;
}

export interface StartOptions {
  /** Client-facing port; 0 (the default) lets the OS choose. */
  port?: number;
  /** Whose time the hop's timeouts, delays and event log run on; the harness's by default. */
  clock?: Clock;
}

export interface Hop {
  /** e.g. 'idle-timeout(60000ms)' */
  name: string;
  /** One sentence: what a client behind this hop experiences. */
  describe: string;
  /** The timeouts this hop applies, so long presets can be judged analytically. */
  timeouts?: HopTimeouts;
  start(upstream: URL, options?: StartOptions): Promise<RunningHop>;
}

/** Append-only event log with live subscribers. */
export class EventLog {
  readonly events: HopEvent[] = [];
  readonly #listeners = new Set<(event: HopEvent) => void>();

  constructor(private readonly clock: Pick<Clock, 'now'> = systemClock) {}

  /** `t` defaults to now; a replayed event keeps its own time. */
  add(what: string, t: number = this.clock.now()): void {
    const event = { t, what };
    this.events.push(event);
    for (const listener of this.#listeners) listener(event);
  }

  watch(listener: (event: HopEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * Owns everything a running hop allocates. Once closed, new timers are refused and new sockets
 * are destroyed on sight, so a callback racing with close() cannot resurrect the hop.
 */
export class Scope {
  readonly log: EventLog;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<() => void>();
  readonly #cleanups = new Set<() => void>();
  readonly #abort = new AbortController();

  constructor(readonly clock: Clock = systemClock) {
    this.log = new EventLog(clock);
  }

  get closed(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Aborted when the hop closes; hand it to anything that waits. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  track(socket: Socket): Socket {
    if (this.closed) {
      socket.destroy();
      return socket;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    return socket;
  }

  /** A timer on the hop's clock that close() clears; returns its cancel function. */
  timer(delayMs: number, fn: () => void): () => void {
    if (this.closed) return () => undefined;
    const cancel = (): void => {
      stop();
      this.#timers.delete(cancel);
    };
    const stop = this.clock.timer(delayMs, () => {
      this.#timers.delete(cancel);
      fn();
    });
    this.#timers.add(cancel);
    return cancel;
  }

  /** Runs at close(), before sockets are destroyed. */
  onClose(fn: () => void): () => void {
    this.#cleanups.add(fn);
    return () => this.#cleanups.delete(fn);
  }

  close(): void {
    if (this.closed) return;
    this.#abort.abort(new Error('hop closed'));
    for (const cancel of [...this.#timers]) cancel();
    this.#timers.clear();
    for (const fn of this.#cleanups) {
      try {
        fn();
      } catch {
        // a cleanup must not stop the others
      }
    }
    this.#cleanups.clear();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}

/**
 * Ports handed out below the kernel's ephemeral range (Linux: 32768–60999). A port found free
 * by binding port 0 comes from that range, and between the check and the program's own bind an
 * outgoing connection could take it as its source port (seen in CI: varnish "Address already in
 * use" while 32 cases ran). Ports below the range are only ever taken by explicit listeners.
 */
const FIXED_PORT_LOW = 20_000;
const FIXED_PORT_HIGH = 32_767;
const FIXED_PORT_TRIES = 20;

/**
 * Ports this process handed out: two programs started at once must not be given the same port
 * (each checked it free before either bound it), or one of them answers for the other.
 */
const handedOut = new Set<number>();

/** A loopback port that was free a moment ago, for programs (nginx) that cannot listen on port 0. */
export async function freeLoopbackPort(): Promise<number> {
  const freeNow = async (port: number): Promise<number | null> => {
    const server = createServer();
    const url = await listenLocal(server, port).catch(() => null);
    if (url === null) return null;
    await closeServer(server);
    return Number(url.port);
  };
  for (let i = 0; i < FIXED_PORT_TRIES; i++) {
    const pick = FIXED_PORT_LOW + Math.floor(Math.random() * (FIXED_PORT_HIGH - FIXED_PORT_LOW + 1));
    if (handedOut.has(pick)) continue;
    handedOut.add(pick);
    const port = await freeNow(pick);
    if (port !== null) return port;
  }
  // Every try collided (a crowded machine): the kernel's choice, with the race the range avoids.
  const port = await freeNow(0);
  if (port === null) throw new Error('no free loopback port: 127.0.0.1 refused even port 0');
  return port;
}

/** Listen on 127.0.0.1 (never a public interface) and report the URL clients should use. */
export async function listenLocal(server: Server | HttpServer, port = 0): Promise<URL> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return new URL(`http://127.0.0.1:${address.port}/`);
}

/** Close a listening server without waiting for keep-alive clients (the Scope destroys them). */
export function closeServer(server: Server | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

/** A plain TCP listener whose connections the scope owns. */
export function tcpServer(scope: Scope, onConnection: (socket: Socket) => void): Server {
  // allowHalfOpen: a client FIN must travel upstream as a FIN, not close our side too.
  return createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    scope.track(socket);
    if (scope.closed) return;
    onConnection(socket);
  });
}

/** Wraps a Scope and its server into the RunningHop contract. */
export function runningHop(scope: Scope, url: URL, server: Server | HttpServer, extra?: () => void): RunningHop {
  let closing: Promise<void> | undefined;
  return {
    url,
    events: scope.log.events,
    watch: (listener) => scope.log.watch(listener),
    close: () => {
      closing ??= (async () => {
        const stopped = closeServer(server);
        extra?.();
        scope.close();
        await stopped;
      })();
      return closing;
    },
  };
}

const REASONS: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Time-out',
  524: 'A Timeout Occurred',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error';
}

/** Marks a response a simulated hop wrote itself, so diagnosis never takes it for the server's. */
export const HOP_GENERATED_HEADER = 'X-Pushspec-Generated-By';

/**
 * The error page an intermediary sends when it gives up before the origin answered: a complete,
 * Content-Length-framed HTTP/1.1 message that closes the connection, like nginx's and
 * haproxy's own 504 pages.
 */
export function errorResponse(status: number, detail: string): Buffer {
  const reason = reasonPhrase(status);
  const body = `<html><head><title>${status} ${reason}</title></head><body><h1>${status} ${reason}</h1><p>${detail}</p></body></html>\n`;
  return Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${HOP_GENERATED_HEADER}: intermediary\r\nConnection: close\r\n\r\n${body}`,
    'latin1',
  );
}

/** `'1500ms'` style rendering used in hop names, so units are never implicit. */
export function ms(value: number): string {
  return `${value}ms`;
}
