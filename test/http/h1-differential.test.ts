/**
 * Differential test of both HTTP/1 parsers (the wire recorder's ResponseParser and the hops'
 * Http1Parser), and of the tokenizer under both (runner/http/h1-tokenizer.ts) used alone, against
 * Node's own parser (llhttp) on valid messages: fixed-seed random requests
 * and responses over every framing (Content-Length, chunked with extensions and trailers,
 * close-delimited, 1xx before the final response, HEAD/204/304 without a body), fed to ours in
 * random-sized pieces. Node is the referee for what a valid message means.
 */
import { expect } from 'chai';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Http1Parser, type ParseEvent } from '../../proxies/http1.js';
import { fieldTokens, fieldValue } from '../../runner/http/fields.js';
import { chunkSizeLine, fieldLine, lineText, requestLine, statusLine } from '../../runner/http/h1-tokenizer.js';
import { ResponseParser } from '../../runner/wire/parser.js';
import { mulberry32 } from '../helpers/random.js';

type Pairs = Array<[string, string]>;

interface Parsed {
  status?: number;
  method?: string;
  target?: string;
  headers: Pairs;
  body: string;
  trailers: Pairs;
  interim: number[];
}

const SEED = 0x9112;
const CASES = 40;

function pairsOf(raw: readonly string[]): Pairs {
  const out: Pairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return out;
}

class Gen {
  readonly #r: () => number;
  constructor(seed: number) {
    this.#r = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.#r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[this.int(xs.length)];
    if (x === undefined) throw new Error('pick from an empty list');
    return x;
  }
  text(alphabet: string, min: number, max: number): string {
    let s = '';
    for (let n = min + this.int(max - min + 1); n > 0; n--) s += alphabet.charAt(this.int(alphabet.length));
    return s;
  }
  token(): string {
    return `X-${this.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+.^_`|~-", 1, 10)}`;
  }
  /** field-content: visible characters with inner spaces, never leading or trailing whitespace */
  value(): string {
    const v = this.text('abcdefghijklmnopqrstuvwxyz0123456789 ,;="/:()?@[]{}', 0, 24).trim();
    return v === '' ? 'v' : v;
  }
  body(): string {
    return this.text('abcdefghijklmnopqrstuvwxyz0123456789 \r\n{}":,\u00e9', 0, 300);
  }
  fields(): Pairs {
    return Array.from({ length: this.int(5) }, (): [string, string] => [this.token(), this.value()]);
  }
  ows(): string {
    return this.pick(['', ' ', '  ', '\t']);
  }
}

type Body = { kind: 'length' | 'close' | 'none'; body: string } | { kind: 'chunked'; chunks: string[]; trailers: Pairs };

/** The wire text of a message with `body`, and the headers it declares for its framing. */
function frame(g: Gen, start: string, fields: Pairs, body: Body): Buffer {
  const framing: Pairs = [];
  if (body.kind === 'length') framing.push(['Content-Length', String(Buffer.byteLength(body.body, 'latin1'))]);
  if (body.kind === 'chunked') framing.push(['Transfer-Encoding', 'chunked']);
  if (body.kind === 'chunked' && body.trailers.length > 0) framing.push(['Trailer', body.trailers.map(([n]) => n).join(', ')]);
  // Framing fields without trailing OWS: llhttp does not recognise "chunked\t" (RFC 9110 §5.5
  // says to strip it, as both our parsers do), so Node would not be a fair referee there.
  const lines = [...fields.map(([n, v]) => `${n}:${g.ows() || ' '}${v}${g.ows()}`), ...framing.map(([n, v]) => `${n}: ${v}`)];
  let text = `${start}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
  if (body.kind === 'length' || body.kind === 'close') text += body.body;
  if (body.kind === 'chunked') {
    for (const c of body.chunks) {
      const ext = g.pick(['', ';a=1', ';name="q, v"', ';x;y=z']);
      text += `${Buffer.byteLength(c, 'latin1').toString(16)}${ext}\r\n${c}\r\n`;
    }
    text += `0\r\n${body.trailers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  }
  return Buffer.from(text, 'latin1');
}

function bodyFor(g: Gen, kinds: ReadonlyArray<Body['kind']>): Body {
  const kind = g.pick(kinds);
  if (kind === 'chunked') {
    const chunks = Array.from({ length: g.int(4) }, () => g.body()).filter((c) => c !== '');
    return { kind, chunks, trailers: g.int(2) === 0 ? [] : g.fields() };
  }
  return { kind, body: kind === 'none' ? '' : g.body() };
}

function expectedBody(b: Body): string {
  return b.kind === 'chunked' ? b.chunks.join('') : b.body;
}

/** Feeds `bytes` in random pieces of 1..23 bytes. */
function pieces(g: Gen, bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length;) {
    const n = 1 + g.int(23);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

function viaHttp1Parser(kind: 'request' | 'response', method: string, parts: readonly Buffer[]): Parsed & { errors: string[] } {
  const parser = new Http1Parser(kind);
  if (kind === 'response') parser.expectResponseTo(method);
  const events: ParseEvent[] = [];
  for (const p of parts) events.push(...parser.push(p));
  if (kind === 'response') events.push(...parser.finish());
  const out: Parsed & { errors: string[] } = { headers: [], body: '', trailers: [], interim: [], errors: [] };
  let body: Buffer[] = [];
  for (const e of events) {
    if (e.type === 'head' && e.head.kind === 'response' && e.head.status < 200) out.interim.push(e.head.status);
    else if (e.type === 'head') {
      out.headers = e.head.headers;
      body = [];
      if (e.head.kind === 'response') out.status = e.head.status;
      else {
        out.method = e.head.method;
        out.target = e.head.target;
      }
    } else if (e.type === 'data') body.push(e.raw);
    else if (e.type === 'end' && out.headers.length + body.length > 0) out.trailers = e.trailers;
    else if (e.type === 'error') out.errors.push(e.message);
  }
  out.body = Buffer.concat(body).toString('latin1');
  return out;
}

function viaResponseParser(method: string, parts: readonly Buffer[]): Parsed & { errors: string[]; end: string } {
  const parser = new ResponseParser();
  const exp = parser.expect(method, 0);
  parts.forEach((p, i) => parser.feed(p, i));
  parser.end('fin', parts.length);
  const res = exp.response;
  if (res === null) throw new Error('ResponseParser gave no response after end()');
  return {
    status: res.status,
    headers: res.headers,
    body: res.body.toString('latin1'),
    trailers: res.trailers,
    interim: (res.interim ?? []).map((i) => i.status),
    errors: res.errors,
    end: res.end,
  };
}

/**
 * The message read with nothing but the tokenizer's line functions and the simplest framing
 * (RFC 9112 §6.3 for these valid messages): what the grammar alone makes of it.
 */
function viaTokenizer(kind: 'request' | 'response', method: string, wire: Buffer): Parsed {
  let pos = 0;
  const line = (): string => {
    const lf = wire.indexOf(0x0a, pos);
    if (lf === -1) throw new Error(`tokenizer: no line end after byte ${pos}`);
    const { text, bareLf } = lineText(wire.subarray(pos, lf));
    if (bareLf) throw new Error(`tokenizer: bare LF at byte ${lf}`);
    pos = lf + 1;
    return text;
  };
  const section = (): Pairs => {
    const fields: Pairs = [];
    for (let text = line(); text !== ''; text = line()) {
      const field = fieldLine(text);
      if (field.kind !== 'field' || field.wsBeforeColon) throw new Error(`tokenizer: ${JSON.stringify(text)} read as ${field.kind}`);
      fields.push([field.name, field.value]);
    }
    return fields;
  };
  const interim: number[] = [];
  for (;;) {
    const start = line();
    const request = kind === 'request' ? requestLine(start) : null;
    const code = kind === 'response' ? statusLine(start)?.code : null;
    if (request === null && (code === null || code === undefined)) throw new Error(`tokenizer: bad start line ${JSON.stringify(start)}`);
    const headers = section();
    if (code && code.status < 200) {
      interim.push(code.status);
      continue;
    }
    const head = request === null ? { status: code?.status ?? 0 } : { method: request.method, target: request.target };
    let body = '';
    let trailers: Pairs = [];
    const bodyless = method === 'HEAD' || code?.status === 204 || code?.status === 304;
    const length = fieldValue(headers, 'content-length');
    if (bodyless) {
      // no content
    } else if (fieldTokens(headers, 'transfer-encoding').at(-1) === 'chunked') {
      for (;;) {
        const chunk = chunkSizeLine(line());
        if (!chunk.ok || chunk.bareCr || chunk.wsWithoutExt)
          throw new Error(`tokenizer: chunk-size line refused (${JSON.stringify(chunk)})`);
        if (chunk.size === 0) break;
        body += wire.toString('latin1', pos, pos + chunk.size);
        pos += chunk.size;
        if (line() !== '') throw new Error('tokenizer: chunk data not followed by CRLF');
      }
      trailers = section();
    } else if (length !== undefined) {
      body = wire.toString('latin1', pos, pos + Number(length));
    } else if (kind === 'response') {
      body = wire.toString('latin1', pos);
    }
    return { ...head, headers, body, trailers, interim };
  }
}

/** One server that writes whatever raw response is queued for the next connection, then closes. */
async function rawServer(): Promise<{ port: number; next: (bytes: Buffer) => void; close: () => Promise<void> }> {
  const queue: Buffer[] = [];
  const server = net.createServer((socket) => {
    const bytes = queue.shift() ?? Buffer.alloc(0);
    socket.once('data', () => socket.end(bytes));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    next: (bytes) => queue.push(bytes),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function nodeResponse(port: number, method: string): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    const interim: number[] = [];
    const req = http.request({ host: '127.0.0.1', port, method, path: '/', agent: false });
    req.on('information', (info) => interim.push(info.statusCode));
    req.on('response', (res) => {
      const body: Buffer[] = [];
      res.on('data', (d: Buffer) => body.push(d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: pairsOf(res.rawHeaders),
          body: Buffer.concat(body).toString('latin1'),
          trailers: pairsOf(res.rawTrailers),
          interim,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP/1 parsers agree with Node on valid messages (differential, seed 0x9112)', function () {
  this.timeout(20_000);

  it(`responses: ${CASES} random ones, every framing, read the same by Node, ResponseParser, Http1Parser and the tokenizer`, async () => {
    const g = new Gen(SEED);
    const server = await rawServer();
    try {
      for (let n = 0; n < CASES; n++) {
        const method = g.pick(['GET', 'GET', 'HEAD']);
        const status = g.pick([200, 200, 201, 204, 304, 404, 500]);
        const bodyless = method === 'HEAD' || status === 204 || status === 304;
        const body = bodyless ? { kind: 'none' as const, body: '' } : bodyFor(g, ['length', 'chunked', 'chunked', 'close']);
        const interim = g.int(3) === 0 ? [g.pick([100, 102, 103])] : [];
        const fields = g.fields();
        // HEAD answers may declare the length a GET would get (RFC 9110 §9.3.2) without sending it.
        if (method === 'HEAD' && g.int(2) === 0) fields.push(['Content-Length', String(g.int(500))]);
        const head = interim.map((s) => `HTTP/1.1 ${s} Info\r\nLink: </a>; rel=preload\r\n\r\n`).join('');
        const wire = Buffer.concat([
          Buffer.from(head, 'latin1'),
          frame(g, `HTTP/1.1 ${status} ${g.pick(['OK', 'Some Reason', ''])}`, fields, body),
        ]);
        const what = `case ${n}: ${method} → ${JSON.stringify(wire.toString('latin1').slice(0, 400))}`;
        server.next(wire);
        const node = await nodeResponse(server.port, method);
        const parts = pieces(g, wire);
        const recorder = viaResponseParser(method, parts);
        const hop = viaHttp1Parser('response', method, parts);
        expect(viaTokenizer('response', method, wire), `${what}: the tokenizer alone`).to.deep.equal(node);
        expect(node.body, `${what}: Node's body`).to.equal(bodyless ? '' : expectedBody(body));
        expect({ ...recorder, errors: undefined, end: undefined }, `${what}: ResponseParser`).to.deep.equal({
          ...node,
          errors: undefined,
          end: undefined,
        });
        expect(recorder.end, `${what}: ResponseParser end`).to.equal('complete');
        expect(recorder.errors, `${what}: ResponseParser problems`).to.deep.equal([]);
        expect({ ...hop, errors: undefined }, `${what}: Http1Parser`).to.deep.equal({ ...node, errors: undefined });
        expect(hop.errors, `${what}: Http1Parser errors`).to.deep.equal([]);
      }
    } finally {
      await server.close();
    }
  });

  it(`requests: ${CASES} random ones read the same by Node's server, Http1Parser and the tokenizer`, async () => {
    const g = new Gen(SEED + 1);
    const seen: Parsed[] = [];
    const server = http.createServer((req, res) => {
      const body: Buffer[] = [];
      req.on('data', (d: Buffer) => body.push(d));
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          target: req.url ?? '',
          headers: pairsOf(req.rawHeaders),
          body: Buffer.concat(body).toString('latin1'),
          trailers: pairsOf(req.rawTrailers),
          interim: [],
        });
        res.writeHead(204, { Connection: 'close' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      for (let n = 0; n < CASES; n++) {
        const method = g.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
        const target = `/${g.text('abcdefghijklmnopqrstuvwxyz0123456789-._~/', 0, 20)}${g.int(2) === 0 ? '' : `?${g.text('abcdefghijklmnopqrstuvwxyz0123456789=&%2F', 1, 20)}`}`;
        const body = method === 'GET' ? { kind: 'none' as const, body: '' } : bodyFor(g, ['length', 'chunked', 'none']);
        const fields: Pairs = [['Host', `127.0.0.1:${port}`], ...g.fields()];
        const wire = frame(g, `${method} ${target} HTTP/1.1`, fields, body);
        const what = `case ${n}: ${JSON.stringify(wire.toString('latin1').slice(0, 400))}`;
        await new Promise<void>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => socket.write(wire));
          socket.on('data', () => undefined);
          socket.once('close', () => resolve());
          socket.once('error', reject);
        });
        const node = seen.shift();
        expect(node, `${what}: Node's server saw no request`).to.not.equal(undefined);
        const ours = viaHttp1Parser('request', method, pieces(g, wire));
        expect(viaTokenizer('request', method, wire), `${what}: the tokenizer alone`).to.deep.equal(node);
        expect(node?.body, `${what}: Node's body`).to.equal(expectedBody(body));
        expect({ ...ours, errors: undefined }, `${what}: Http1Parser`).to.deep.equal({ ...node, errors: undefined });
        expect(ours.errors, `${what}: Http1Parser errors`).to.deep.equal([]);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
