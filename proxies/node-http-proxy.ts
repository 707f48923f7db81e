/**
 * node-http-proxy: the real `http-proxy` package with its default options, the proxy inside
 * webpack-dev-server and http-proxy-middleware, in front of the target. With `compress`, Express's
 * `compression` middleware sits in front of it with its defaults, the most reported way SSE breaks
 * in Node apps: it gzips text/event-stream and flushes only when its buffer fills, unless the
 * response says `Cache-Control: no-transform`. Neither is a model: these are the programs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import compression from 'compression';
import httpProxy from 'http-proxy';
import { type Hop, Scope } from './hop.js';
import { answerError, startHttpHop } from './http-forward.js';

export interface NodeHttpProxyParams {
  /** put the compression middleware (default options) in front of the proxy */
  compress: boolean;
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export function nodeHttpProxy(params: NodeHttpProxyParams): Hop {
  const name = params.compress ? 'node-compression' : 'node-http-proxy';
  return {
    name,
    describe: params.compress
      ? 'the compression middleware (defaults: gzip when accepted, flushed when its buffer fills, no-transform honoured) in front of http-proxy'
      : 'the http-proxy package with default options (as webpack-dev-server and http-proxy-middleware use it)',
    start: async (upstream, options = {}) => {
      const scope = new Scope(options?.clock);
      const proxy = httpProxy.createProxyServer({ target: upstream.origin });
      proxy.on('proxyRes', (proxyRes, req) => {
        scope.log.add(
          `response ${proxyRes.statusCode ?? '?'} to ${req.method ?? '?'} ${req.url ?? '?'}${proxyRes.headers['content-encoding'] ? ` (${proxyRes.headers['content-encoding']})` : ''}`,
        );
      });
      // Without an error listener http-proxy throws; http-proxy-middleware answers 502 / 504.
      proxy.on('error', (err, _req, res) => {
        scope.log.add(`upstream error: ${err.message}`);
        if ('writeHead' in res) answerError(res, 502, `${name}: ${err.message}`);
        else res.destroy();
      });
      // The package's types are Express's; on plain node:http the signature is the same.
      const squeeze = params.compress ? (compression() as unknown as Middleware) : null;
      const forward = (req: IncomingMessage, res: ServerResponse): void => {
        scope.log.add(`${req.method ?? '?'} ${req.url ?? '?'} forwarded`);
        proxy.web(req, res);
      };
      return startHttpHop({
        scope,
        ...(options.port === undefined ? {} : { port: options.port }),
        handle: (req, res) => (squeeze ? squeeze(req, res, () => forward(req, res)) : forward(req, res)),
        onClose: () => proxy.close(),
      });
    },
  };
}
