/**
 * Shared plumbing for hops that act as real HTTP proxies on Node's http stack (shared-cache,
 * gzip, the pools). Node re-frames bodies (chunked to 1.1 clients) — acceptable here, because
 * what these hops model is semantic, not byte-level. Each data event from upstream is written
 * downstream as it comes, so Node's re-framing adds no buffering of its own.
 */
import type { Readable } from 'node:stream';
import http, { Agent, type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { HOP_GENERATED_HEADER, type RunningHop, type Scope, listenLocal, runningHop } from './hop.js';
import { upstreamAddress } from './link.js';

/** [name, value] pairs in wire order. */
export type HeaderPairs = [string, string][];

export function pairs(rawHeaders: readonly string[]): HeaderPairs {
  const out: HeaderPairs = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) out.push([rawHeaders[i] ?? '', rawHeaders[i + 1] ?? '']);
  return out;
}

/** Node accepts a flat [name, value, name, value…] array and keeps case and order. */
export function flat(headers: HeaderPairs): string[] {
  return headers.flat();
}

export interface UpstreamRequest {
  method: string;
  path: string;
  headers: HeaderPairs;
  agent: Agent;
  /** the request body as it arrives (an HTTP/1.1 request, or an HTTP/2 stream at the h2 front) */
  body?: Readable;
  /** Called when the request gets a connection (the Agent may have queued it). */
  onSocket?: () => void;
}

/** Sends one request upstream; resolves with the response head (the body is still to be read). */
export function sendUpstream(upstream: URL, req: UpstreamRequest, signal: AbortSignal): Promise<IncomingMessage> {
  const { host, port } = upstreamAddress(upstream);
  return new Promise((resolve, reject) => {
    // Through the module object, not a named import: nock patches http.request there after we load.
    const outgoing = http.request({
      host,
      port,
      method: req.method,
      path: req.path,
      headers: flat(req.headers),
      agent: req.agent,
      signal,
    });
    if (req.onSocket) outgoing.once('socket', req.onSocket);
    outgoing.once('response', resolve);
    outgoing.once('error', reject);
    if (req.body === undefined) outgoing.end();
    else req.body.pipe(outgoing);
  });
}

/** Copies a response body downstream write by write, so the hop adds no delay of its own. */
export function relayBody(from: IncomingMessage, to: ServerResponse): void {
  from.on('data', (data: Buffer) => to.write(data));
  from.once('end', () => to.end());
  from.once('error', () => to.destroy());
  from.once('aborted', () => to.destroy());
  to.once('close', () => {
    if (!from.complete) from.destroy();
  });
}

export function answerError(res: ServerResponse, status: number, detail: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${status} ${detail}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain',
    'Content-Length': Buffer.byteLength(body),
    [HOP_GENERATED_HEADER]: 'intermediary',
    Connection: 'close',
  });
  res.end(body);
}

export interface HttpHopOptions {
  scope: Scope;
  port?: number;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Extra teardown at close (agents). */
  onClose?(): void;
}

export async function startHttpHop(options: HttpHopOptions): Promise<RunningHop> {
  const { scope } = options;
  const server = createServer((req, res) => {
    if (scope.closed) {
      res.destroy();
      return;
    }
    options.handle(req, res);
  });
  // Streams and holds outlive Node's defaults; the hop being simulated decides when to give up.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.on('connection', (socket) => {
    scope.track(socket);
    socket.setNoDelay(true);
  });
  const url = await listenLocal(server, options.port ?? 0);
  return runningHop(scope, url, server, () => {
    server.closeAllConnections();
    options.onClose?.();
  });
}

export function newAgent(maxSockets = Infinity): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxTotalSockets: maxSockets, scheduling: 'fifo' });
}
