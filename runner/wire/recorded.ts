import type { ExchangeLimits, RawRequest, WireEvent, WireResponse } from './types.js';

/** How a recorded connection ended (`local`: we closed it). */
export type CloseHow = 'fin' | 'rst' | 'error' | 'local';

export interface CloseWait {
  /** 'timeout': still open after the wait; 'local': we had closed it ourselves */
  how: 'fin' | 'rst' | 'error' | 'timeout' | 'local';
  t: number;
  /** bytes received over the connection's lifetime while no response was outstanding (RFC 9112 §9.2) */
  strayBytes: number;
  /** the first 4 KiB of those bytes, e.g. to tell lone CRLFs (allowed) from data */
  stray: Buffer;
}

/** The protocol a recorded connection speaks: ALPN's names (RFC 7301), which the report shows. */
export type WireProtocol = 'http/1.1' | 'h2';

/**
 * What drivers and suites use of a recorded connection, whichever protocol it speaks: the HTTP/1.x
 * recorder (WireConnection, raw bytes) and the HTTP/2 one (runner/h2/connection.ts, raw frames)
 * both produce WireResponse records on the same clock, so one requirement judges both.
 */
export interface RecordedConnection {
  readonly id: number;
  readonly protocol: WireProtocol;
  readonly localPort: number;
  readonly events: WireEvent[];
  readonly closed: boolean;
  readonly closeHow: CloseHow | null;
  onBodyData?: ((chunk: Buffer, t: number, res: WireResponse) => void) | undefined;
  onResponseHeaders?: ((res: WireResponse, t: number) => void) | undefined;
  send(req: RawRequest, hostHeader: string): number;
  /** HTTP/1.x only: hand-made bytes (pipelining, broken requests); HTTP/2 throws */
  sendRaw(bytes: Buffer, expectMethods?: readonly string[]): number;
  exchange(req: RawRequest, limits: ExchangeLimits, hostHeader: string): Promise<WireResponse>;
  readResponse(method: string, tSent: number, limits: ExchangeLimits): Promise<WireResponse>;
  waitForClose(ms: number): Promise<CloseWait>;
  close(): void;
  reset(): void;
  whenClosed(): Promise<void>;
}
