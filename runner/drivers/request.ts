import type { CaseDoor } from './door.js';
import { fillTemplate } from '../manifest/placeholders.js';
import type { Manifest } from '../manifest/types.js';
import type { RawRequest, WireResponse } from '../wire/index.js';
import { hasToken } from '../wire/index.js';

interface Block {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Builds the request a transport block describes, for one channel, aimed at the target. */
export function buildRequest(ctx: Pick<CaseDoor, 'manifest'>, block: Block, channel: string): { url: URL; req: RawRequest } {
  return requestFor(ctx.manifest, block, channel);
}

/** The same without a case (the load command builds thousands of them). */
export function requestFor(manifest: Manifest, block: Block, channel: string): { url: URL; req: RawRequest } {
  const values = { channel };
  const url = new URL(fillTemplate(block.url, values, 'url'), manifest.baseUrl);
  const headers: Array<[string, string]> = [];
  for (const [k, v] of Object.entries({ ...manifest.headers, ...block.headers })) headers.push([k, fillTemplate(v, values, 'raw')]);
  const req: RawRequest = { method: block.method ?? 'GET', path: url.pathname + url.search, headers };
  if (block.body !== undefined) req.body = fillTemplate(block.body, values, 'raw');
  return { url, req };
}

/**
 * What EventSource sends (Accept: text/event-stream, Cache-Control: no-cache) unless the manifest
 * sets Accept: servers such as nchan refuse an SSE endpoint (403) without it. `sse` says the
 * endpoint is an EventSource one (the sse block, or the sse block standing in for a stream).
 */
export function eventSourceHeaders(manifest: Manifest, block: Block, sse: boolean): Array<[string, string]> {
  const has = Object.keys({ ...manifest.headers, ...block.headers }).some((k) => k.toLowerCase() === 'accept');
  return sse && !has
    ? [
        ['Accept', 'text/event-stream'],
        ['Cache-Control', 'no-cache'],
      ]
    : [];
}

export function hostHeader(ctx: Pick<CaseDoor, 'manifest'>): string {
  return new URL(ctx.manifest.baseUrl).host;
}

// The evidence line of a response lives with the other evidence helpers (no import of the case context there).
export { summarizeResponse } from './evidence.js';

export function is2xx(res: WireResponse): boolean {
  return res.status >= 200 && res.status < 300;
}

/**
 * RFC 9112 §9.3, §9.6: whether another request may follow on the connection this response came
 * on (not after "Connection: close", an HTTP/1.0 answer, or a response that did not complete).
 */
export function connectionReusable(res: WireResponse): boolean {
  return res.end === 'complete' && !hasToken(res, 'connection', 'close') && res.httpVersion !== '1.0';
}
