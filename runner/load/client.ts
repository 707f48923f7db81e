/**
 * The load client's connection: one raw TCP socket, requests written by hand, responses parsed
 * by runner/wire's ResponseParser. Not WireConnection: that one keeps every read as evidence
 * and cannot pick its source address, and at 10,000 held requests only what a step counts is
 * kept (a held socket costs its net.Socket and an idle parser).
 */
import net from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import { tlsConnectOptions, type TlsTrust } from '../tls.js';
import { ResponseParser } from '../wire/parser.js';
import type { WireResponse } from '../wire/types.js';

export type GoneHow = 'fin' | 'rst' | 'error';

export interface HeldHooks {
  onHead(res: WireResponse, t: number): void;
  /** decoded body bytes as they arrive */
  onBody(chunk: Buffer, t: number): void;
  onResponse(res: WireResponse, t: number): void;
  /** the peer ended the connection (never called after our own close) */
  onGone(how: GoneHow, t: number, detail: string): void;
}

export interface Endpoint {
  host: string;
  port: number;
  /** https targets: how to speak TLS to it (SNI, trust, ALPN http/1.1) */
  tls?: ConnectionOptions;
}

/** Where `url` is, and for https how to trust it (--ca, --insecure). */
export function endpointOf(url: URL, trust: TlsTrust): Endpoint {
  const tlsTarget = url.protocol === 'https:';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || (tlsTarget ? 443 : 80)),
    ...(tlsTarget ? { tls: tlsConnectOptions(url, trust) } : {}),
  };
}

/** A connect that failed, with the errno code that says whose limit it was (EADDRNOTAVAIL, EMFILE, ECONNREFUSED, …). */
export class ConnectError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

/** Stream bodies are read for a token, never kept whole: this caps what one response may buffer. */
const MAX_BODY_BYTES = 256 * 1024;

function codeOf(e: Error): string {
  const code: unknown = (e as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : e.name;
}

export class HeldConnection {
  #closed = false;
  readonly #parser: ResponseParser;

  private constructor(
    private readonly socket: net.Socket,
    private readonly now: () => number,
    hooks: HeldHooks,
  ) {
    this.#parser = new ResponseParser({
      hooks: {
        onHeaders: (res, t) => hooks.onHead(res, t),
        onBody: (_res, chunk, t) => hooks.onBody(chunk, t),
        onEnd: (res, t) => hooks.onResponse(res, t),
      },
    });
    socket.on('data', (buf: Buffer) => this.#parser.feed(buf, this.now()));
    const gone = (how: GoneHow, detail: string): void => {
      if (this.#closed) return;
      this.#closed = true;
      const t = this.now();
      // A close-delimited body ends complete at FIN; the parser says so before the hook hears of the close.
      this.#parser.end(how === 'fin' ? 'fin' : how === 'rst' ? 'rst' : 'error', t, detail);
      hooks.onGone(how, t, detail);
      socket.destroy();
    };
    socket.on('end', () => gone('fin', 'FIN'));
    socket.on('error', (e: Error) => {
      const code = codeOf(e);
      gone(code === 'ECONNRESET' || code === 'EPIPE' ? 'rst' : 'error', code);
    });
    socket.on('close', () => gone('error', 'closed'));
  }

  static open(
    to: Endpoint,
    localAddress: string | undefined,
    timeoutMs: number,
    now: () => number,
    hooks: HeldHooks,
  ): Promise<HeldConnection> {
    return new Promise((resolve, reject) => {
      const from = localAddress === undefined ? {} : { localAddress };
      const socket = to.tls
        ? tls.connect({ ...to.tls, ...from }).setNoDelay(true)
        : net.connect({ host: to.host, port: to.port, noDelay: true, ...from });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectError('ETIMEDOUT', `no TCP connection to ${to.host}:${to.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new ConnectError(
            codeOf(e),
            `connect to ${to.host}:${to.port}${localAddress === undefined ? '' : ` from ${localAddress}`}: ${e.message}`,
          ),
        );
      });
      // Over TLS the connection is usable once the handshake is done, not at the TCP connect.
      socket.once(to.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new HeldConnection(socket, now, hooks));
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(request: Buffer, method: string): void {
    if (this.#closed) return;
    this.#parser.expect(method, this.now(), { maxBodyBytes: MAX_BODY_BYTES });
    this.socket.write(request);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.destroy();
  }
}
