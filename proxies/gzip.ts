/**
 * gzip: a transforming proxy that compresses responses for clients that accept gzip (Varnish
 * http_gzip_support, RFC 9110 §7.7). The compressor keeps an internal buffer and is never
 * flushed per write, so small events sit in it until enough data or the end arrives: the way
 * compressing proxies break streams. Responses with `Cache-Control: no-transform`, an existing
 * Content-Encoding, or no body pass untouched, write by write.
 */
import { createGzip } from 'node:zlib';
import { type Hop, Scope } from './hop.js';
import { cacheControlOf } from '../runner/http/cache-control.js';
import { endToEnd } from '../runner/http/hop-by-hop.js';
import { fieldValue, withoutFields } from '../runner/http/fields.js';
import { answerError, flat, newAgent, pairs, relayBody, sendUpstream, startHttpHop } from './http-forward.js';

export interface GzipParams {
  /** zlib level 1–9 (default 6, zlib's own). */
  level?: number;
  /** zlib output chunk size: the most the compressor emits per write (Varnish gzip_buffer 32 KiB). */
  bufferBytes?: number;
}

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === 'x-gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

export function gzip(params: GzipParams = {}): Hop {
  const { level = 6, bufferBytes = 32 * 1024 } = params;
  return {
    name: 'gzip',
    describe: `gzips responses for clients that send Accept-Encoding: gzip, with an internal buffer that holds small writes (up to ${bufferBytes} B out at a time); honours Cache-Control: no-transform`,
    start: (upstream, options) => {
      const scope = new Scope(options?.clock);
      const agent = newAgent();
      let nextId = 1;
      return startHttpHop({
        scope,
        ...(options?.port === undefined ? {} : { port: options.port }),
        onClose: () => agent.destroy(),
        handle: (req, res) => {
          const id = nextId++;
          const label = `request ${id} ${req.method ?? 'GET'} ${req.url ?? '/'}`;
          const abort = new AbortController();
          const stop = scope.onClose(() => abort.abort());
          res.once('close', () => {
            stop();
            if (!res.writableFinished) abort.abort();
          });
          sendUpstream(
            upstream,
            { method: req.method ?? 'GET', path: req.url ?? '/', headers: endToEnd(pairs(req.rawHeaders)), agent, body: req },
            abort.signal,
          ).then(
            (upstreamRes) => {
              const status = upstreamRes.statusCode ?? 502;
              let headers = endToEnd(pairs(upstreamRes.rawHeaders));
              // RFC 9111 §5.2.2.6: no-transform forbids changing the content, so no gzip.
              const noTransform = cacheControlOf(headers).has('no-transform');
              const hasBody = req.method !== 'HEAD' && status >= 200 && status !== 204 && status !== 304;
              const compress =
                hasBody &&
                !noTransform &&
                fieldValue(headers, 'content-encoding') === undefined &&
                acceptsGzip(req.headers['accept-encoding']);
              if (!compress) {
                scope.log.add(`${label}: ${status} passed uncompressed${noTransform ? ' (no-transform)' : ''}`);
                res.writeHead(status, upstreamRes.statusMessage ?? '', flat(headers));
                res.flushHeaders();
                relayBody(upstreamRes, res);
                return;
              }
              scope.log.add(`${label}: ${status} gzipped through an internal buffer`);
              const etag = fieldValue(headers, 'etag');
              headers = withoutFields(headers, 'content-length', 'etag');
              headers.push(['Content-Encoding', 'gzip']);
              // The encoded representation differs, so a strong validator must not survive (RFC 9110 §8.8.1).
              if (etag !== undefined) headers.push(['ETag', etag.startsWith('W/') ? etag : `W/${etag}`]);
              const vary = fieldValue(headers, 'vary');
              if (vary === undefined) headers.push(['Vary', 'Accept-Encoding']);
              else if (!/accept-encoding|\*/i.test(vary))
                headers = [...withoutFields(headers, 'vary'), ['Vary', `${vary}, Accept-Encoding`]];
              res.writeHead(status, upstreamRes.statusMessage ?? '', flat(headers));
              res.flushHeaders();
              const zip = createGzip({ level, chunkSize: bufferBytes });
              zip.on('data', (data: Buffer) => res.write(data));
              zip.once('end', () => res.end());
              zip.once('error', () => res.destroy());
              upstreamRes.on('data', (data: Buffer) => zip.write(data));
              upstreamRes.once('end', () => zip.end());
              upstreamRes.once('aborted', () => res.destroy());
              upstreamRes.once('error', () => res.destroy());
              res.once('close', () => {
                zip.destroy();
                if (!upstreamRes.complete) upstreamRes.destroy();
              });
            },
            (error: unknown) => {
              if (abort.signal.aborted) return;
              scope.log.add(`${label}: upstream failed (${error instanceof Error ? error.message : String(error)}): 502`);
              answerError(res, 502, 'upstream connection failed');
            },
          );
        },
      });
    },
  };
}
