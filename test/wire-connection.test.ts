import { expect } from 'chai';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { firstArrival, serializeRequest, WireConnection } from '../runner/wire/connection.js';
import type { ExchangeLimits, RawRequest, WireResponse } from '../runner/wire/types.js';
import { FakeClock } from './helpers/fake-clock.js';

const LIMITS: ExchangeLimits = { deadlineMs: 3000 };
const GET = (path: string): RawRequest => ({ method: 'GET', path });

interface Served {
  url: URL;
  host: string;
  /** sockets the server accepted */
  sockets: net.Socket[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0; every accepted socket is tracked and destroyed on close. */
async function serve(server: net.Server): Promise<Served> {
  const sockets: net.Socket[] = [];
  server.on('connection', (s: net.Socket) => {
    sockets.push(s);
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`expected a TCP address, got ${String(address)}`);
  const host = `127.0.0.1:${address.port}`;
  return {
    url: new URL(`http://${host}`),
    host,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A raw server: `onRequest(socket, requestHead)` runs once per request head received. */
function rawServer(onRequest: (socket: net.Socket, head: string) => void): net.Server {
  return net.createServer((socket) => {
    let pending = '';
    socket.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      let end = pending.indexOf('\r\n\r\n');
      while (end !== -1) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        onRequest(socket, head);
        end = pending.indexOf('\r\n\r\n');
      }
    });
  });
}

/** Writes until the socket dies, respecting backpressure. */
function pump(socket: net.Socket, block: Buffer): void {
  const go = (): void => {
    while (!socket.destroyed && socket.write(block)) {
      /* until the buffer is full */
    }
    if (!socket.destroyed) socket.once('drain', go);
  };
  go();
}

const opened: WireConnection[] = [];
async function open(s: Served): Promise<WireConnection> {
  const c = await WireConnection.open(s.url, { connectTimeoutMs: 2000 });
  opened.push(c);
  return c;
}

afterEach(() => {
  for (const c of opened.splice(0)) c.reset();
});

describe('wire/connection: WireConnection', () => {
  describe('against node:http', () => {
    let s: Served;
    let seenConnections = 0;
    before(async () => {
      const server = http.createServer((req, res) => {
        if (req.url === '/slow') {
          setTimeout(() => res.end('slow'), 50);
          return;
        }
        res.setHeader('Content-Type', 'text/plain');
        res.end(req.url === '/fast' ? 'fast' : 'hello');
      });
      server.on('connection', () => seenConnections++);
      s = await serve(server);
    });
    after(() => s.close());
    beforeEach(() => {
      seenConnections = 0;
    });

    it('reuses one keep-alive connection for two exchanges', async () => {
      const c = await open(s);
      const r1 = await c.exchange(GET('/a'), LIMITS, s.host);
      const r2 = await c.exchange(GET('/b'), LIMITS, s.host);
      for (const r of [r1, r2]) {
        expect(r).to.include({ status: 200, end: 'complete', connectionId: c.id });
        expect(r.body.toString()).to.equal('hello');
      }
      expect(seenConnections).to.equal(1);
      expect(c.closed).to.equal(false);
      expect(c.localPort).to.be.greaterThan(0);
      const reads = c.events.filter((e) => e.kind === 'read').reduce((n, e) => n + (e.bytes ?? 0), 0);
      expect(reads).to.equal(r1.headerBytes + r1.body.length + r2.headerBytes + r2.body.length);
      expect(c.events.map((e) => e.kind)).to.include.members(['connect', 'send', 'read', 'headers', 'response-end']);
    });

    it('reads a HEAD response without a body, then a GET on the same connection', async () => {
      const c = await open(s);
      const head = await c.exchange({ method: 'HEAD', path: '/' }, LIMITS, s.host);
      const get = await c.exchange(GET('/'), LIMITS, s.host);
      expect([head.framing, head.body.length, head.end]).to.deep.equal(['none', 0, 'complete']);
      expect(get.body.toString()).to.equal('hello');
    });

    it('pipelines two requests and reads the responses in request order', async () => {
      const c = await open(s);
      const t1 = c.send(GET('/slow'), s.host);
      const t2 = c.send(GET('/fast'), s.host);
      const [r1, r2] = await Promise.all([c.readResponse('GET', t1, LIMITS), c.readResponse('GET', t2, LIMITS)]);
      expect([r1.body.toString(), r2.body.toString()]).to.deep.equal(['slow', 'fast']);
      expect(seenConnections).to.equal(1);
    });

    it('pipelines hand-made requests written in one piece', async () => {
      const c = await open(s);
      const raw = Buffer.from(`GET /slow HTTP/1.1\r\nHost: ${s.host}\r\n\r\nGET /fast HTTP/1.1\r\nHost: ${s.host}\r\n\r\n`);
      const t = c.sendRaw(raw, ['GET', 'GET']);
      const r1 = await c.readResponse('GET', t, LIMITS);
      const r2 = await c.readResponse('GET', t, LIMITS);
      expect([r1.body.toString(), r2.body.toString()]).to.deep.equal(['slow', 'fast']);
    });

    it('rejects a read for a method other than the oldest unread request', async () => {
      const c = await open(s);
      const t = c.send({ method: 'HEAD', path: '/' }, s.host);
      let message = '';
      await c.readResponse('GET', t, LIMITS).catch((e: unknown) => {
        message = e instanceof Error ? e.message : String(e);
      });
      expect(message).to.match(/expected the method of the oldest unread request, HEAD, got GET/);
    });

    it('waitForClose reports timeout while the server keeps the connection open', async () => {
      const c = await open(s);
      await c.exchange(GET('/'), LIMITS, s.host);
      const w = await c.waitForClose(100);
      expect(w).to.include({ how: 'timeout', strayBytes: 0 });
    });

    it('resolves an aborted exchange at once and closes the connection', async () => {
      const c = await open(s);
      const ac = new AbortController();
      const pending = c.exchange(GET('/slow'), { deadlineMs: 5000, signal: ac.signal }, s.host);
      ac.abort();
      const res = await pending;
      expect(res.end).to.equal('timeout');
      expect(res.errors.join()).to.match(/aborted by caller/);
      expect([c.closed, c.closeHow]).to.deep.equal([true, 'local']);
    });
  });

  describe('FIN vs RST classification', () => {
    let s: Served;
    const BODY = Buffer.alloc(4000, 0x62);
    before(async () => {
      s = await serve(
        rawServer((socket, head) => {
          const q = new URL(head.split(' ')[1] ?? '/', 'http://x').searchParams;
          const offset = Number(q.get('offset'));
          const framing = q.get('framing') === 'length' ? `Content-Length: ${BODY.length}\r\n` : '';
          socket.write(`HTTP/1.1 200 OK\r\n${framing}\r\n`);
          // Wait until the bytes are in the kernel, so the close lands at this offset.
          socket.write(BODY.subarray(0, offset), () => {
            const how = q.get('how');
            if (how === 'fin') socket.end();
            // An immediate RST lands behind unread data (Node reports 'end'); a late one alone ('error').
            else if (how === 'rst') socket.resetAndDestroy();
            else setTimeout(() => socket.resetAndDestroy(), 20);
          });
        }),
      );
    });
    after(() => s.close());

    it('classifies FIN and RST injected at random body offsets correctly in every trial', async function () {
      this.timeout(20_000);
      const wrong: string[] = [];
      const rstNotes = new Set<string>();
      const modes = ['fin', 'rst', 'rst-late'] as const;
      for (let trial = 0; trial < 60; trial++) {
        const how = modes[trial % 3] ?? 'fin';
        const framing = Math.random() < 0.5 ? 'close' : 'length';
        const offset = Math.floor(Math.random() * BODY.length);
        const c = await open(s);
        const res = await c.exchange(GET(`/?how=${how}&framing=${framing}&offset=${offset}`), LIMITS, s.host);
        const transport = how === 'fin' ? 'fin' : 'rst';
        const expected = transport === 'rst' ? 'rst' : framing === 'close' ? 'complete' : 'fin';
        const bodyOk = transport === 'rst' ? res.body.length <= offset : res.body.length === offset;
        if (res.end !== expected || c.closeHow !== transport || !bodyOk) {
          wrong.push(
            `${how}@${offset} (${framing}): expected end ${expected}, closeHow ${transport}, got end ${res.end}, closeHow ${String(c.closeHow)}, ${res.body.length} body bytes`,
          );
        }
        for (const e of c.events) if (e.kind === 'rst') rstNotes.add((e.note ?? '').split(' ')[0] ?? '');
      }
      expect(wrong).to.deep.equal([]);
      // Both ways Node surfaces an RST were exercised.
      expect([...rstNotes].sort()).to.deep.equal(['ECONNRESET:', 'reset']);
    });
  });

  describe('hostile servers', () => {
    const servers: Served[] = [];
    after(() => Promise.all(servers.map((x) => x.close())));
    const start = async (onRequest: (socket: net.Socket, head: string) => void): Promise<Served> => {
      const x = await serve(rawServer(onRequest));
      servers.push(x);
      return x;
    };

    it('resolves with timeout within deadline + 50 ms when the server never answers', async () => {
      const x = await start(() => undefined);
      const c = await open(x);
      const t0 = performance.now();
      const res = await c.exchange(GET('/'), { deadlineMs: 300 }, x.host);
      const waited = performance.now() - t0;
      expect(res.end).to.equal('timeout');
      expect(res.errors).to.deep.equal([
        'no-response: no byte of the response arrived before our deadline passed (closed by us: deadline of 300 ms after send passed)',
      ]);
      expect(waited).to.be.within(295, 350);
      expect(c.events.map((e) => e.kind)).to.include.members(['timeout', 'close']);
      expect(c.closeHow).to.equal('local');
    });

    it('reports garbage as malformed and closes', async () => {
      const x = await start((socket) => socket.write('SSH-2.0-OpenSSH_9.6\r\n'));
      const c = await open(x);
      const res = await c.exchange(GET('/'), LIMITS, x.host);
      expect(res.end).to.equal('malformed');
      expect(res.errors[0]).to.match(/^not-http: expected a status line starting with "HTTP\/", got "S"/);
      expect(c.closeHow).to.equal('local');
    });

    it('caps an endless header section without crashing', async () => {
      const x = await start((socket) => {
        socket.write('HTTP/1.1 200 OK\r\n');
        pump(socket, Buffer.from('X-Pad: 0123456789abcdef\r\n'.repeat(600)));
      });
      const c = await open(x);
      const res = await c.exchange(GET('/'), LIMITS, x.host);
      expect(res.end).to.equal('cap');
      expect(res.errors).to.deep.equal(['header-cap: header section exceeds maxHeaderBytes (65536)']);
      expect(c.events.some((e) => e.kind === 'cap')).to.equal(true);
      expect(c.closed).to.equal(true);
    });

    it('caps an endless body at maxBodyBytes', async () => {
      const x = await start((socket) => {
        socket.write('HTTP/1.1 200 OK\r\n\r\n');
        pump(socket, Buffer.alloc(16 * 1024, 0x7a));
      });
      const c = await open(x);
      const res = await c.exchange(GET('/'), { deadlineMs: 3000, maxBodyBytes: 200_000 }, x.host);
      expect(res.end).to.equal('cap');
      expect(res.body.length).to.equal(200_000);
    });

    it('counts stray bytes that arrive after a complete response', async () => {
      const x = await start((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', () => {
          setImmediate(() => socket.end('EXTRA'));
        });
      });
      const c = await open(x);
      const res = await c.exchange(GET('/'), LIMITS, x.host);
      expect([res.end, res.body.toString()]).to.deep.equal(['complete', 'ok']);
      const w = await c.waitForClose(3000);
      expect(w.how).to.equal('fin');
      expect(w.strayBytes).to.equal(5);
      expect(w.stray.toString()).to.equal('EXTRA');
      const late = await c.exchange(GET('/'), LIMITS, x.host);
      expect(late.end).to.equal('fin');
      expect(late.errors).to.deep.equal(['no-response: the connection had already ended (fin) when this response was expected']);
      expect(c.events.at(-1)).to.include({ kind: 'response-end' });
      expect(c.events.some((e) => e.kind === 'error' && /not sent/.test(e.note ?? ''))).to.equal(true);
    });

    it('tells when decoded body bytes holding a token first arrived', async () => {
      const x = await start((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\naaa\r\n', () => {
          setTimeout(() => socket.write('8\r\nTO'), 30);
          setTimeout(() => socket.write('KEN-42\r\n0\r\n\r\n'), 60);
        });
      });
      const c = await open(x);
      const live: Array<[string, number]> = [];
      c.onBodyData = (chunk, t) => live.push([chunk.toString(), t]);
      const res: WireResponse = await c.exchange(GET('/'), LIMITS, x.host);
      expect(res.body.toString()).to.equal('aaaTOKEN-42');
      const tA = firstArrival(res, 'aaa');
      const tToken = firstArrival(res, 'TOKEN');
      expect(tA).to.equal(res.tFirstBodyByte);
      expect(tToken).to.equal(live.find(([text]) => text.includes('KEN'))?.[1]);
      expect(tToken).to.be.greaterThan(tA ?? Infinity);
      expect(firstArrival(res, 'absent')).to.equal(null);
    });
  });

  describe('serializeRequest', () => {
    it('writes the request line, Host, the fields in order, Content-Length and the body exactly', () => {
      const bytes = serializeRequest(
        {
          method: 'POST',
          path: '/p?q=1',
          headers: [
            ['X-B', '2'],
            ['x-a', '1'],
          ],
          body: 'hé',
        },
        'h:1',
      );
      expect(bytes.toString('latin1')).to.equal(
        'POST /p?q=1 HTTP/1.1\r\nHost: h:1\r\nX-B: 2\r\nx-a: 1\r\nContent-Length: 3\r\n\r\nh\xc3\xa9',
      );
      const given = serializeRequest({ method: 'GET', path: '/', httpVersion: '1.0', headers: [['host', 'other']] }, 'h:1');
      expect(given.toString('latin1')).to.equal('GET / HTTP/1.0\r\nhost: other\r\n\r\n');
    });
  });

  describe('opening and closing', () => {
    it('rejects naming host:port and the cause when the connection is refused', async () => {
      const x = await serve(net.createServer());
      await x.close();
      let message = '';
      await WireConnection.open(x.url, { connectTimeoutMs: 2000 }).catch((e: unknown) => {
        message = e instanceof Error ? e.message : String(e);
      });
      expect(message).to.equal(`cannot connect to ${x.host}: ECONNREFUSED (connect ECONNREFUSED ${x.host})`);
    });

    it('sends FIN on close() and RST on reset(), as the server sees them', async () => {
      const outcomes: string[] = [];
      let closes = 0;
      let onClose = (): void => undefined;
      const x = await serve(
        net.createServer((socket) => {
          socket.on('end', () => outcomes.push('end'));
          socket.on('error', (e: Error & { code?: string }) => outcomes.push(e.code ?? e.message));
          socket.on('close', () => {
            closes++;
            onClose();
          });
          socket.resume();
        }),
      );
      const serverClosed = (n: number): Promise<void> =>
        new Promise((resolve) => {
          onClose = () => {
            if (closes >= n) resolve();
          };
          onClose();
        });
      try {
        const graceful = await open(x);
        graceful.close();
        await Promise.all([graceful.whenClosed(), serverClosed(1)]);
        const abrupt = await open(x);
        abrupt.reset();
        await serverClosed(2);
        expect(outcomes).to.deep.equal(['end', 'ECONNRESET']);
        expect([graceful.closeHow, abrupt.closeHow]).to.deep.equal(['local', 'local']);
        expect(graceful.events.map((e) => e.kind)).to.deep.equal(['connect', 'close', 'fin']);
        expect(abrupt.id).to.equal(graceful.id + 1);
      } finally {
        await x.close();
      }
    });
  });
});

describe('wire/connection on a fake clock (a driver wait where timing is not the point)', () => {
  it('a 60 s exchange deadline and a 30 s close wait pass when the clock says so, not the wall', async () => {
    const clock = new FakeClock();
    const s = await serve(net.createServer(() => undefined));
    try {
      const c = await WireConnection.open(s.url, { connectTimeoutMs: 2000, clock });
      opened.push(c);
      const t0 = clock.now();
      const pending = c.exchange(GET('/held'), { deadlineMs: 60_000 }, s.host);
      const closing = c.waitForClose(30_000);
      const wallStart = performance.now();
      await clock.advance(30_000);
      expect((await closing).how, 'the close wait timed out at 30 s of fake time').to.equal('timeout');
      await clock.advance(30_000);
      const res = await pending;
      expect(res.end).to.equal('timeout');
      expect(clock.now() - t0).to.equal(60_000);
      expect(performance.now() - wallStart, 'wall time').to.be.below(1000);
    } finally {
      await s.close();
    }
  });
});
