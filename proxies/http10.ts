/**
 * http10: talks HTTP/1.0 upstream, as nginx did by default before 1.29.7 (`proxy_http_version
 * 1.0`): every request goes upstream as `HTTP/1.0` with `Connection: close` on a fresh
 * connection, so a compliant server cannot chunk (RFC 9112 §6.1) and ends each response by
 * closing. A chunked answer is decoded anyway, as nginx does.
 *
 * `side: 'both'` (the INT-H10 unit) answers the client as HTTP/1.0 too: no chunked, no
 * keep-alive, the body delimited by closing the connection. `side: 'upstream'` keeps HTTP/1.1
 * downstream like nginx: an EOF-delimited upstream body is re-chunked for a 1.1 client and the
 * client connection stays open. Request bodies are read whole before they are sent, so a
 * chunked request body can be given a Content-Length.
 */
import { Http1Parser, type HeaderField, type ParseEvent, type RequestHead, LAST_CHUNK, chunk, serializeHead } from './http1.js';
import { fieldTokens } from '../runner/http/fields.js';
import { endToEnd } from '../runner/http/hop-by-hop.js';
import { type Hop, Scope, errorResponse } from './hop.js';
import { type Link, startTcpHop } from './link.js';

export interface Http10Params {
  side?: 'both' | 'upstream';
}

/**
 * Hop-by-hop fields go (RFC 9110 §7.6.1), and Expect too: the request body is read whole before
 * it is sent upstream, so a 100-continue handshake cannot happen across this hop.
 */
function endToEndHeaders(headers: readonly HeaderField[]): HeaderField[] {
  return endToEnd(headers, 'expect');
}

interface Request {
  head: RequestHead;
  body: Buffer[];
  complete: boolean;
}

export function http10(params: Http10Params = {}): Hop {
  const { side = 'both' } = params;
  return {
    name: side === 'both' ? 'http10' : 'http10-upstream',
    describe:
      side === 'both'
        ? 'HTTP/1.0 both ways: requests go upstream as HTTP/1.0 on fresh connections, responses come back as HTTP/1.0, EOF-delimited (no chunked), connection closed after each'
        : 'HTTP/1.0 upstream (nginx before 1.29.7): requests go upstream as HTTP/1.0 on fresh connections; EOF-delimited bodies are re-chunked for HTTP/1.1 clients, which keep their connection',
    start: (upstream, options) =>
      startTcpHop({
        scope: new Scope(options?.clock),
        upstream,
        ...options,
        hooks: (link: Link) => {
          const requests = new Http1Parser('request');
          const queue: Request[] = [];
          let active:
            | { request: Request; responses: Http1Parser; rechunk: boolean; keepAlive: boolean; started: boolean; finalHead: boolean }
            | undefined;
          let usedUpstream = false;
          let clientFinished = false;

          const finishResponse = (): void => {
            if (active === undefined) return;
            const { keepAlive } = active;
            active = undefined;
            link.upstream.destroy();
            if (!keepAlive || (clientFinished && queue.length === 0)) {
              link.endClient();
              return;
            }
            dispatch();
          };

          const onServerEvents = (events: readonly ParseEvent[]): void => {
            for (const event of events) {
              const current = active;
              if (current === undefined) return;
              switch (event.type) {
                case 'head': {
                  if (event.head.kind !== 'response') break;
                  const head = event.head;
                  const oneZeroClient = side === 'both' || current.request.head.version === '1.0';
                  current.started = true;
                  if (head.status < 200) {
                    if (oneZeroClient) link.event(`dropped interim ${head.status}: HTTP/1.0 clients cannot take 1xx`);
                    else link.toClient(event.raw);
                    break;
                  }
                  current.finalHead = true;
                  const headers = endToEndHeaders(head.headers);
                  const delimitedByClose = event.framing.type === 'close' || event.framing.type === 'chunked';
                  current.rechunk = !oneZeroClient && delimitedByClose;
                  current.keepAlive = !oneZeroClient && !fieldTokens(current.request.head.headers, 'connection').includes('close');
                  if (current.rechunk) headers.push(['Transfer-Encoding', 'chunked']);
                  if (!current.keepAlive) headers.push(['Connection', 'close']);
                  const version = oneZeroClient ? '1.0' : '1.1';
                  link.event(
                    `response ${head.status} (${event.framing.type} upstream) → HTTP/${version} ${current.rechunk ? 'chunked' : event.framing.type === 'length' ? 'Content-Length' : event.framing.type === 'none' ? 'no body' : 'EOF-delimited'} downstream`,
                  );
                  link.toClient(serializeHead({ ...head, version, headers }));
                  break;
                }
                case 'data':
                  if (current.finalHead) link.toClient(current.rechunk ? chunk(event.raw) : event.raw);
                  break;
                case 'end':
                  if (!current.finalHead) break;
                  if (current.rechunk) link.toClient(LAST_CHUNK);
                  finishResponse();
                  break;
                case 'error':
                  link.event(`upstream response broken (${event.message}): closing`);
                  active = undefined;
                  link.cut('fin');
                  return;
                default:
                  break;
              }
            }
          };

          const dispatch = (): void => {
            if (active !== undefined) return;
            const request = queue[0];
            if (request === undefined || !request.complete) return;
            queue.shift();
            if (usedUpstream || !link.upstreamUsable) link.reconnect();
            usedUpstream = true;
            const responses = new Http1Parser('response');
            responses.expectResponseTo(request.head.method);
            active = { request, responses, rechunk: false, keepAlive: false, started: false, finalHead: false };
            const body = Buffer.concat(request.body);
            const headers = endToEndHeaders(request.head.headers).filter(([name]) => name.toLowerCase() !== 'content-length');
            if (body.length > 0) headers.push(['Content-Length', String(body.length)]);
            headers.push(['Connection', 'close']);
            link.event(`${request.head.method} ${request.head.target} sent upstream as HTTP/1.0`);
            link.toServer(Buffer.concat([serializeHead({ ...request.head, version: '1.0', headers }), body]));
          };

          const onClientEvents = (events: readonly ParseEvent[]): void => {
            for (const event of events) {
              switch (event.type) {
                case 'head':
                  if (event.head.kind === 'request') queue.push({ head: event.head, body: [], complete: false });
                  break;
                case 'data': {
                  const newest = queue[queue.length - 1];
                  newest?.body.push(event.raw);
                  break;
                }
                case 'end': {
                  const newest = queue[queue.length - 1];
                  if (newest !== undefined) newest.complete = true;
                  dispatch();
                  break;
                }
                case 'error':
                  link.event(`request not HTTP (${event.message}): closing`);
                  link.cut('fin');
                  return;
                default:
                  break;
              }
            }
          };

          return {
            fromClient: (data) => onClientEvents(requests.push(data)),
            clientEnded: () => {
              clientFinished = true;
              if (active === undefined && queue.length === 0) link.endClient();
            },
            fromServer: (data) => {
              if (active !== undefined) onServerEvents(active.responses.push(data));
            },
            serverEnded: () => {
              if (active !== undefined) onServerEvents(active.responses.finish());
              // An upstream that closes between responses is expected: HTTP/1.0 has no keep-alive.
            },
            serverFailed: (error) => {
              if (active !== undefined && !active.started) {
                link.event(`upstream ${error.code ?? error.message}: answered 502`);
                link.toClient(errorResponse(502, `upstream connection failed: ${error.code ?? error.message}`));
              }
              active = undefined;
              link.cut('fin');
            },
          };
        },
      }),
  };
}
