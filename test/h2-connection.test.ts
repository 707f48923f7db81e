import { expect } from 'chai';
import { once } from 'node:events';
import http2, { type Http2Server, type ServerHttp2Stream } from 'node:http2';
import net from 'node:net';
import { frame, literal, serveConnectionHeaderFault } from '../fixtures/h2-raw.js';
import { H2Connection } from '../runner/h2/connection.js';
import { connectionEndings, type RawRequest } from '../runner/wire/index.js';

/**
 * The HTTP/2 recorder against Node's HTTP/2 server (and the hand-written responder of the
 * h2-connection-header fault): responses built from the server's own frames, on one clock.
 */
const GET = (path: string, headers: Array<[string, string]> = []): RawRequest => ({ method: 'GET', path, headers });
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Route = (stream: ServerHttp2Stream, path: string) => void;

async function serve(route: Route, settings: http2.Settings = {}): Promise<{ url: URL; server: Http2Server; close(): Promise<void> }> {
  const server = http2.createServer({ settings });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    route(stream, String(headers[':path']));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => sessions.add(s));
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    server,
    close: () => {
      for (const s of sessions) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP server whose connections `serve` answers with hand-written frames. */
async function rawServer(serve: (socket: net.Socket) => void): Promise<{ url: URL; close: () => Promise<void> }> {
  const raw = net.createServer(serve);
  const sockets: net.Socket[] = [];
  raw.on('connection', (s) => sockets.push(s));
  raw.listen(0, '127.0.0.1');
  await once(raw, 'listening');
  return {
    url: new URL(`http://127.0.0.1:${(raw.address() as net.AddressInfo).port}`),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => raw.close(resolve));
    },
  };
}

/** Calls `then` once the client's first HEADERS (a GET opening stream 1: END_STREAM | END_HEADERS) has arrived. */
function afterFirstRequest(socket: net.Socket, then: () => void): void {
  let seen = Buffer.alloc(0);
  const onData = (buf: Buffer): void => {
    seen = Buffer.concat([seen, buf]);
    if (seen.indexOf(Buffer.from([0x01, 0x05, 0x00, 0x00, 0x00, 0x01]), 24) === -1) return;
    socket.off('data', onData);
    then();
  };
  socket.on('data', onData);
}

const opened: H2Connection[] = [];
async function open(url: URL): Promise<H2Connection> {
  const c = await H2Connection.open(url, { connectTimeoutMs: 2000 });
  opened.push(c);
  return c;
}

describe('h2/connection: H2Connection (frames recorded on one clock)', function () {
  this.timeout(10_000);
  afterEach(() => {
    for (const c of opened.splice(0)) c.close();
  });

  it('builds a response from HEADERS and DATA frames: fields in wire order, a read per DATA frame, END_STREAM = complete', async () => {
    const s = await serve((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'text/event-stream', 'x-b': '2', 'x-a': '1' });
      stream.write('data: 1\n\n');
      setTimeout(() => stream.end('data: 2\n\n'), 120);
    });
    try {
      const c = await open(s.url);
      const res = await c.exchange(GET('/sse'), { deadlineMs: 3000 }, s.url.host);
      expect(res.httpVersion).to.equal('2');
      expect(res.framing).to.equal('h2');
      expect(res.end).to.equal('complete');
      expect(res.status).to.equal(200);
      expect(res.headers.map(([n]) => n).slice(0, 3)).to.deep.equal(['content-type', 'x-b', 'x-a']);
      expect(res.body.toString()).to.equal('data: 1\n\ndata: 2\n\n');
      expect(res.bodyReads.length).to.be.at.least(2);
      const gap = (res.bodyReads.at(-1)?.t ?? 0) - (res.bodyReads[0]?.t ?? 0);
      expect(gap, 'the second write arrived ~120 ms after the first').to.be.within(80, 1000);
      expect(c.events.some((e) => e.kind === 'frame' && e.note?.startsWith('← SETTINGS'))).to.equal(true);
    } finally {
      await s.close();
    }
  });

  it('reads the SETTINGS the server advertises (MAX_CONCURRENT_STREAMS)', async () => {
    const s = await serve((stream) => stream.respond({ ':status': 204 }, { endStream: true }), { maxConcurrentStreams: 7 });
    try {
      const c = await open(s.url);
      expect(await c.whenSettings(2000)).to.equal(true);
      expect(c.remoteSettings.get('MAX_CONCURRENT_STREAMS')).to.equal(7);
    } finally {
      await s.close();
    }
  });

  it("records the server's RST_STREAM and its code as the end of that response only", async () => {
    // Hand-written frames: Node's server ends a stream (END_STREAM) before any RST_STREAM it is asked for.
    const { url, close } = await rawServer((socket) => {
      socket.on('error', () => undefined);
      socket.write(frame(4, 0, 0, Buffer.alloc(0)));
      afterFirstRequest(socket, () => {
        socket.write(frame(1, 0x4, 1, Buffer.from([0x88])));
        socket.write(frame(0, 0, 1, Buffer.from('partial')));
        const code = Buffer.alloc(4);
        code.writeUInt32BE(2);
        setTimeout(() => socket.write(frame(3, 0, 1, code)), 50);
      });
    });
    try {
      const c = await open(url);
      const res = await c.exchange(GET('/reset'), { deadlineMs: 3000 }, url.host);
      expect(res.status).to.equal(200);
      expect(res.end).to.equal('rst');
      expect(res.errors.join()).to.include('h2-rst-stream').and.include('INTERNAL_ERROR');
      expect(res.body.toString()).to.equal('partial');
      expect(c.closed).to.equal(false);
      expect(connectionEndings(c.events).some((m) => m.what.includes('RST_STREAM'))).to.equal(true);
    } finally {
      await close();
    }
  });

  it('END_STREAM after fewer DATA bytes than content-length is a malformed response, not a complete one', async () => {
    const { url, close } = await rawServer((socket) => {
      socket.on('error', () => undefined);
      socket.write(frame(4, 0, 0, Buffer.alloc(0)));
      afterFirstRequest(socket, () => {
        socket.write(frame(1, 0x4, 1, Buffer.concat([Buffer.from([0x88]), literal('content-length', '10')])));
        socket.write(frame(0, 0x1, 1, Buffer.from('abc')));
      });
    });
    try {
      const c = await open(url);
      const res = await c.exchange(GET('/'), { deadlineMs: 3000 }, url.host);
      expect(res.end).to.equal('malformed');
      expect(res.errors.join()).to.include('h2-content-length').and.include('after 3 DATA bytes, but content-length says 10');
    } finally {
      await close();
    }
  });

  it('a deadline cancels its stream (RST_STREAM CANCEL) and the connection stays usable', async () => {
    const s = await serve((stream, path) => {
      if (path === '/held') stream.respond({ ':status': 200 });
      else stream.respond({ ':status': 204 }, { endStream: true });
    });
    try {
      const c = await open(s.url);
      const res = await c.exchange(GET('/held'), { deadlineMs: 200 }, s.url.host);
      expect(res.end).to.equal('timeout');
      await pause(50);
      expect(c.events.some((e) => e.kind === 'frame' && e.note?.startsWith('→ RST_STREAM') && e.note.includes('CANCEL'))).to.equal(true);
      expect(c.closed).to.equal(false);
      expect((await c.exchange(GET('/ok'), { deadlineMs: 3000 }, s.url.host)).status).to.equal(204);
    } finally {
      await s.close();
    }
  });

  it('keeps the header section our client refused (Connection: keep-alive) and says it refused it', async () => {
    const { url, close } = await rawServer(serveConnectionHeaderFault);
    try {
      const c = await open(url);
      const r = c.request(GET('/sse', [['Connection', 'keep-alive']]), url.host, 3000);
      const res = await r.done;
      expect(res.headers).to.deep.include(['connection', 'keep-alive']);
      expect(res.end).to.equal('malformed');
      expect(res.errors.join()).to.include('h2-refused').and.include('PROTOCOL_ERROR');
    } finally {
      await close();
    }
  });

  it('leaves connection-specific fields out of the requests it sends (RFC 9113 §8.2.2)', async () => {
    let seen: http2.IncomingHttpHeaders = {};
    const s = await serve((stream) => stream.respond({ ':status': 204 }, { endStream: true }));
    s.server.on('stream', (_st, headers) => (seen = headers));
    try {
      const c = await open(s.url);
      const res = await c.exchange(
        GET('/', [
          ['Connection', 'close'],
          ['Host', 'example.test'],
          ['X-Keep', 'yes'],
          ['TE', 'gzip'],
        ]),
        { deadlineMs: 3000 },
        s.url.host,
      );
      expect(res.status).to.equal(204);
      expect(seen[':authority']).to.equal('example.test');
      expect(seen['x-keep']).to.equal('yes');
      expect(seen).to.not.have.property('connection');
      expect(seen).to.not.have.property('te');
    } finally {
      await s.close();
    }
  });

  it("ends every open stream when the server's socket closes, and records the close", async () => {
    const s = await serve((stream) => stream.respond({ ':status': 200 }));
    try {
      const c = await open(s.url);
      const pending = c.exchange(GET('/held'), { deadlineMs: 3000 }, s.url.host);
      await pause(100);
      await s.close();
      const res = await pending;
      expect(['fin', 'rst']).to.include(res.end);
      expect(res.errors.join()).to.match(/incomplete|h2-goaway/);
      expect((await c.waitForClose(1000)).how).to.be.oneOf(['fin', 'rst']);
    } finally {
      await s.close().catch(() => undefined);
    }
  });
});
