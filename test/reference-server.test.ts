import { expect } from 'chai';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import type { IncomingHttpHeaders } from 'undici/types/header.js';
import { FAULT_NAMES, FAULTS, type FaultName } from '../fixtures/faults.js';
import { IDLE_RESET_MS } from '../fixtures/idle-reset.js';
import { BAYEUX_FAULT_TESTS, closeBayeuxFaultTests } from './helpers/bayeux-fault-tests.js';
import { BOSH_FAULT_TESTS, closeBoshFaultTests } from './helpers/bosh-fault-tests.js';
import { H2_FAULT_TESTS, closeH2FaultTests } from './helpers/h2-fault-tests.js';
import { HOSTILE_CAP_BYTES, HOSTILE_KINDS, startHostileServer, type HostileKind } from '../fixtures/hostile.js';
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../fixtures/reference-server.js';

const HOLD_MS = 300;
/** Half the hold: an answer this fast was not held, with room for a loaded CI machine. */
const IMMEDIATE_MS = HOLD_MS / 2;
/** Timers never fire early, but the client clock starts before the server's. */
const HELD_AT_LEAST_MS = HOLD_MS * 0.8;

const agent = new Agent({ keepAliveTimeout: 2000 });
after(() => agent.close());

let channelCounter = 0;
const freshChannel = (): string => `ch-${++channelCounter}-${Math.random().toString(36).slice(2, 8)}`;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** ms from sending the request to the end of the body. */
  ms: number;
  /** performance.now() at the end of the body. */
  at: number;
}

interface PollBody {
  events: { id: number; data: string }[];
  next: number;
}

async function get(url: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Reply> {
  const t0 = performance.now();
  const res = await request(url, { dispatcher: agent, headers, ...(signal ? { signal } : {}) });
  const text = await res.body.text();
  const at = performance.now();
  return { status: res.statusCode, headers: res.headers, text, ms: at - t0, at };
}

async function publish(server: { url: string }, channel: string, payload: string): Promise<number> {
  const res = await request(`${server.url}/publish?channel=${channel}`, { dispatcher: agent, method: 'POST', body: payload });
  await res.body.dump();
  return res.statusCode;
}

async function poll(server: ReferenceServer, channel: string, since?: number): Promise<Reply & { body: PollBody }> {
  const query = since === undefined ? '' : `&since=${since}`;
  const reply = await get(`${server.url}/lp?channel=${channel}${query}`);
  return { ...reply, body: JSON.parse(reply.text) as PollBody };
}

const ids = (body: PollBody): number[] => body.events.map((e) => e.id);

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A raw TCP client: the bytes exactly as sent, and how the connection ended. */
interface RawConn {
  socket: Socket;
  data(): string;
  /** Resolves with all bytes so far once `done` holds; rejects if the connection ends first or on timeout. */
  until(done: (data: string) => boolean, timeoutMs?: number): Promise<string>;
  /** 'fin', 'error:<code>' or 'close', whichever came first. */
  ended: Promise<string>;
}

async function rawConnect(port: number): Promise<RawConn> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let data = '';
  const wake = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    data += chunk.toString('latin1');
    for (const w of [...wake]) w();
  });
  const ended = new Promise<string>((resolve) => {
    socket.on('end', () => resolve('fin'));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(`error:${err.code ?? err.message}`));
    socket.on('close', () => resolve('close'));
  });
  let isEnded = false;
  void ended.then(() => {
    isEnded = true;
    for (const w of [...wake]) w();
  });
  const until = (done: (d: string) => boolean, timeoutMs = 3000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (done(data)) finish(() => resolve(data));
        else if (isEnded) finish(() => reject(new Error(`connection ended first; got ${JSON.stringify(data.slice(0, 300))}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out; got ${JSON.stringify(data.slice(0, 300))}`))), timeoutMs);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        wake.delete(check);
        settle();
      };
      wake.add(check);
      check();
    });
  return { socket, data: () => data, until, ended };
}

const headEnd = (data: string): number => data.indexOf('\r\n\r\n');
const hasHead = (data: string): boolean => headEnd(data) !== -1;
const headOf = (data: string): string => data.slice(0, headEnd(data)).toLowerCase();

/** Servers started by a test, closed after it. */
const started: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function reference(opts: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const server = await startReferenceServer({ holdMs: HOLD_MS, heartbeatMs: 100, ...opts });
  started.push(server);
  return server;
}

describe('reference server (compliant)', function () {
  this.timeout(5000);
  let server: ReferenceServer;
  before(async () => {
    server = await startReferenceServer({ holdMs: HOLD_MS, heartbeatMs: 100 });
  });
  after(() => server.close());

  it('answers GET / with a small keep-alive text response', async () => {
    const reply = await get(`${server.url}/`);
    expect(reply.status).to.equal(200);
    expect(reply.text).to.equal('pushspec reference server\n');
    expect(header(reply.headers, 'connection')).to.not.equal('close');
  });

  it('describes itself with a v1 manifest', () => {
    const m = server.manifest();
    expect(m).to.deep.include({ name: 'pushspec-reference', baseUrl: server.url });
    expect(m.publish).to.deep.equal({ method: 'POST', url: '/publish?channel={channel}', body: '{payload}' });
    expect(m.longPoll).to.deep.equal({
      url: '/lp?channel={channel}',
      cursor: { type: 'query', param: 'since', from: { json: '/next' } },
      holdSeconds: HOLD_MS / 1000,
    });
    expect(m.stream).to.deep.equal({ url: '/stream?channel={channel}', framing: { type: 'ndjson' }, heartbeatSeconds: 0.1 });
    expect(m.sse).to.deep.equal({ url: '/sse?channel={channel}', heartbeatSeconds: 0.1, stopUrl: '/sse?channel={channel}&closed=1' });
    expect(server.manifest('etag').longPoll).to.deep.equal({
      url: '/lp-etag?channel={channel}',
      cursor: { type: 'etag' },
      holdSeconds: HOLD_MS / 1000,
    });
  });

  it('returns every event published since the cursor at once, batched and in order', async () => {
    const ch = freshChannel();
    for (const p of ['a', 'b', 'c']) expect(await publish(server, ch, p)).to.equal(204);
    const reply = await poll(server, ch, 0);
    expect(reply.ms).to.be.below(IMMEDIATE_MS);
    expect(reply.body).to.deep.equal({
      events: [
        { id: 1, data: 'a' },
        { id: 2, data: 'b' },
        { id: 3, data: 'c' },
      ],
      next: 3,
    });
    expect(header(reply.headers, 'content-type')).to.equal('application/json');
    expect(header(reply.headers, 'cache-control')).to.equal('no-store');
    expect(Number(header(reply.headers, 'content-length'))).to.equal(Buffer.byteLength(reply.text));
  });

  it('wakes a held poll when an event is published', async () => {
    const ch = freshChannel();
    const pending = poll(server, ch, 0);
    await server.whenHeld(ch);
    const publishedAt = performance.now();
    await publish(server, ch, 'wake');
    const reply = await pending;
    expect(reply.at).to.be.at.least(publishedAt);
    expect(reply.at - publishedAt).to.be.below(IMMEDIATE_MS);
    expect(reply.body).to.deep.equal({ events: [{ id: 1, data: 'wake' }], next: 1 });
  });

  it('treats a poll without a cursor as "from now"', async () => {
    const ch = freshChannel();
    await publish(server, ch, 'before');
    const pending = poll(server, ch);
    await server.whenHeld(ch);
    await publish(server, ch, 'after');
    expect((await pending).body).to.deep.equal({ events: [{ id: 2, data: 'after' }], next: 2 });
  });

  it('answers an idle poll with 200 and no events when the hold time passes', async () => {
    const ch = freshChannel();
    const reply = await poll(server, ch, 0);
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.equal({ events: [], next: 0 });
    expect(reply.ms).to.be.within(HELD_AT_LEAST_MS, HOLD_MS + 700);
  });

  it('round-trips the ETag cursor through If-None-Match', async () => {
    const ch = freshChannel();
    const lp = `${server.url}/lp-etag?channel=${ch}`;
    await publish(server, ch, 'one');
    const first = await get(lp, { 'if-none-match': '"0"' });
    expect(first.status).to.equal(200);
    expect(header(first.headers, 'etag')).to.equal('"1"');
    expect(JSON.parse(first.text)).to.deep.equal({ events: [{ id: 1, data: 'one' }], next: 1 });

    const second = get(lp, { 'if-none-match': header(first.headers, 'etag') ?? '' });
    await server.whenHeld(ch);
    await publish(server, ch, 'two');
    const reply = await second;
    expect(header(reply.headers, 'etag')).to.equal('"2"');
    expect(JSON.parse(reply.text)).to.deep.equal({ events: [{ id: 2, data: 'two' }], next: 2 });

    const idle = await get(lp, { 'if-none-match': '"2"' });
    expect(idle.status).to.equal(200);
    expect(header(idle.headers, 'etag')).to.equal('"2"');
    expect(JSON.parse(idle.text)).to.deep.equal({ events: [], next: 2 });
  });

  it('drops a held poll whose client went away, and keeps serving', async () => {
    const ch = freshChannel();
    const abort = new AbortController();
    const pending = get(`${server.url}/lp?channel=${ch}&since=0`, {}, abort.signal).catch((err: unknown) => err);
    await server.whenHeld(ch);
    abort.abort();
    await server.whenHeld(ch, 0);
    expect(await pending).to.be.instanceOf(Error);
    expect(await publish(server, ch, 'nobody')).to.equal(204);
    expect((await poll(server, ch, 0)).body.events).to.have.length(1);
  });

  it('rejects bad requests with the right status', async () => {
    expect((await get(`${server.url}/lp`)).status).to.equal(400);
    expect((await get(`${server.url}/lp?channel=x&since=abc`)).status).to.equal(400);
    expect((await get(`${server.url}/nope`)).status).to.equal(404);
    expect((await get(`${server.url}/publish?channel=x`)).status).to.equal(405);
    const tooBig = await request(`${server.url}/publish?channel=x`, { dispatcher: agent, method: 'POST', body: 'x'.repeat(64 * 1024 + 1) });
    await tooBig.body.dump();
    expect(tooBig.statusCode).to.equal(413);
    const noChannel = await request(`${server.url}/publish`, { dispatcher: agent, method: 'POST', body: 'x' });
    await noChannel.body.dump();
    expect(noChannel.statusCode).to.equal(400);
  });

  it('streams to an HTTP/1.0 client without chunking, the event arriving before the close', async () => {
    const ch = freshChannel();
    const conn = await rawConnect(server.port);
    // TE: chunked from a 1.0 client must still not get chunked (RFC 9112 §6.1).
    conn.socket.write(`GET /stream?channel=${ch} HTTP/1.0\r\nTE: chunked\r\n\r\n`);
    const head = headOf(await conn.until(hasHead));
    await publish(server, ch, 'old-school');
    const data = await conn.until((d) => d.includes('{"id":1,"data":"old-school"}\n'));
    expect(head).to.match(/^http\/1\.[01] 200/);
    expect(head).to.not.include('transfer-encoding');
    expect(head).to.include('connection: close');
    expect(head).to.include('content-type: application/x-ndjson');
    expect(data.slice(headEnd(data) + 4)).to.equal('{"id":1,"data":"old-school"}\n');
    conn.socket.destroy();
  });

  it('streams to an HTTP/1.1 client as chunked NDJSON, with empty-line heartbeats', async () => {
    const ch = freshChannel();
    const conn = await rawConnect(server.port);
    conn.socket.write(`GET /stream?channel=${ch} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const head = headOf(await conn.until(hasHead));
    expect(head).to.include('transfer-encoding: chunked');
    expect(head).to.include('cache-control: no-store');
    expect(head).to.include('x-accel-buffering: no');
    await publish(server, ch, 'p');
    const line = '{"id":1,"data":"p"}\n';
    await conn.until((d) => d.includes(`${line.length.toString(16)}\r\n${line}\r\n`));
    await conn.until((d) => d.endsWith('1\r\n\n\r\n'));
    conn.socket.destroy();
  });

  it('resumes SSE after Last-Event-ID without duplicates, then continues live', async () => {
    const ch = freshChannel();
    for (const p of ['e1', 'e2', 'e3']) await publish(server, ch, p);
    const conn = await rawConnect(server.port);
    conn.socket.write(`GET /sse?channel=${ch} HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\r\n\r\n`);
    await conn.until((d) => d.includes('data: e3'));
    await publish(server, ch, 'e4');
    const data = await conn.until((d) => d.includes('data: e4') && d.includes(': hb\n\n'));
    expect(headOf(data)).to.include('content-type: text/event-stream');
    const body = data.slice(headEnd(data) + 4);
    expect(body.indexOf('retry: 2000\n\n')).to.be.at.least(0);
    expect(body).to.not.include('data: e1');
    const order = ['retry: 2000', 'id: 2\ndata: e2\n\n', 'id: 3\ndata: e3\n\n', 'id: 4\ndata: e4\n\n'].map((s) => body.indexOf(s));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] ?? -1)))).to.equal(true, body);
    conn.socket.destroy();
  });

  it('sends stream and SSE headers at once, before any event', async () => {
    const ch = freshChannel();
    const [stream, sse] = await Promise.all([openStream(server, `/stream?channel=${ch}`), openStream(server, `/sse?channel=${ch}`)]);
    const [streamHead, sseHead] = (await Promise.all([stream.until(hasHead), sse.until(hasHead)])).map(headOf);
    expect(streamHead)
      .to.match(/^http\/1\.1 200/)
      .and.include('content-type: application/x-ndjson');
    expect(sseHead)
      .to.match(/^http\/1\.1 200/)
      .and.include('content-type: text/event-stream');
    for (const head of [streamHead, sseHead]) expect(head).to.include('cache-control: no-store').and.not.include('content-length');
    stream.socket.destroy();
    sse.socket.destroy();
  });

  it('replays the stream after ?since=N, then continues live, in order', async () => {
    const ch = freshChannel();
    await publishAll(server, ch, ['a', 'b', 'c']);
    const conn = await openStream(server, `/stream?channel=${ch}&since=1`);
    await conn.until((d) => dechunk(bodyOf(d)).includes('"c"}'));
    await publish(server, ch, 'd');
    const lines = (d: string): string[] =>
      dechunk(bodyOf(d))
        .split('\n')
        .filter((l) => l !== '');
    const data = await conn.until((d) => lines(d).length === 3);
    expect(lines(data)).to.deep.equal(['{"id":2,"data":"b"}', '{"id":3,"data":"c"}', '{"id":4,"data":"d"}']);
    conn.socket.destroy();
  });

  it('closes promptly while a poll, a stream and an SSE connection are open', async () => {
    const own = await reference({ holdMs: 10_000, heartbeatMs: 5000 });
    const ch = freshChannel();
    const held = get(`${own.url}/lp?channel=${ch}`).catch((err: unknown) => err);
    const stream = await rawConnect(own.port);
    stream.socket.write(`GET /stream?channel=${ch} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const sse = await rawConnect(own.port);
    sse.socket.write(`GET /sse?channel=${ch} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await Promise.all([own.whenHeld(ch), stream.until(hasHead), sse.until(hasHead)]);
    const t0 = performance.now();
    await own.close();
    expect(performance.now() - t0).to.be.below(500);
    expect(await held).to.be.instanceOf(Error);
    await Promise.all([stream.ended, sse.ended]);
  });

  it('refuses unknown fault names, listing the known ones', async () => {
    let error: unknown;
    try {
      await startReferenceServer({ faults: ['short-poll', 'no-such-fault'] });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message)
      .to.include('no-such-fault')
      .and.include('timeout-408');
  });
});

/** Runs the same probe against a compliant and a faulty server, so each test shows the difference. */
async function pair(fault: FaultName, opts: ReferenceServerOptions = {}): Promise<[ReferenceServer, ReferenceServer]> {
  return Promise.all([reference(opts), reference({ ...opts, faults: [fault] })]);
}

async function publishAll(server: ReferenceServer, ch: string, payloads: readonly string[]): Promise<void> {
  for (const p of payloads) await publish(server, ch, p);
}

/** The head of one raw poll on channel c from cursor 0, sent as HTTP/`version`, once event 1 has arrived. */
async function oneOldPoll(server: ReferenceServer, version: '1.0' | '1.1'): Promise<string> {
  const conn = await rawConnect(server.port);
  conn.socket.write(`GET /lp?channel=c&since=0 HTTP/${version}\r\nHost: x\r\n\r\n`);
  const got = await conn.until((d) => d.includes('"next":1}'));
  conn.socket.destroy();
  return headOf(got);
}

/** Exhaustive over FaultName: a new fault without a test does not compile. */
const FAULT_TESTS: Record<FaultName, () => Promise<void>> = {
  ...BAYEUX_FAULT_TESTS,
  ...BOSH_FAULT_TESTS,
  ...H2_FAULT_TESTS,
  'short-poll': async () => {
    const [ok, bad] = await pair('short-poll');
    const [held, quick] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(held.ms).to.be.at.least(HELD_AT_LEAST_MS);
    expect(quick.ms).to.be.below(IMMEDIATE_MS);
    expect(quick.body).to.deep.equal({ events: [], next: 0 });
  },

  'ignore-until-timeout': async () => {
    const [ok, bad] = await pair('ignore-until-timeout');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const [prompt, late] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(prompt.ms).to.be.below(IMMEDIATE_MS);
    expect(late.ms).to.be.at.least(HELD_AT_LEAST_MS);
    expect(late.body).to.deep.equal(prompt.body);
  },

  'stream-after-event': async () => {
    const [ok, bad] = await pair('stream-after-event');
    const probe = async (server: ReferenceServer): Promise<{ te: string | undefined; firstMs: number; endMs: number; text: string }> => {
      await publish(server, 'c', 'x');
      const t0 = performance.now();
      const res = await request(`${server.url}/lp?channel=c&since=0`, { dispatcher: agent });
      let firstMs = -1;
      let text = '';
      for await (const chunk of res.body) {
        if (firstMs < 0) firstMs = performance.now() - t0;
        text += String(chunk);
      }
      return { te: header(res.headers, 'transfer-encoding'), firstMs, endMs: performance.now() - t0, text };
    };
    const [good, streamed] = await Promise.all([probe(ok), probe(bad)]);
    expect(good.te).to.equal(undefined);
    expect(good.endMs).to.be.below(IMMEDIATE_MS);
    expect(streamed.te).to.equal('chunked');
    expect(streamed.firstMs).to.be.below(IMMEDIATE_MS);
    expect(streamed.endMs).to.be.at.least(HELD_AT_LEAST_MS);
    expect(streamed.text).to.equal(good.text);
  },

  'repoll-not-held': async () => {
    const [ok, bad] = await pair('repoll-not-held');
    const probe = async (server: ReferenceServer): Promise<Reply & { body: PollBody }> => {
      await publish(server, 'c', 'x');
      const first = await poll(server, 'c', 0);
      return poll(server, 'c', first.body.next);
    };
    const [held, quick] = await Promise.all([probe(ok), probe(bad)]);
    expect(held.ms).to.be.at.least(HELD_AT_LEAST_MS);
    expect(quick.status).to.equal(200);
    expect(quick.ms).to.be.below(IMMEDIATE_MS);
    expect(quick.body).to.deep.equal({ events: [], next: 1 });
  },

  'connection-close': async () => {
    const [ok, bad] = await pair('connection-close');
    const probe = async (server: ReferenceServer): Promise<{ head: string; secondAnswered: boolean }> => {
      await publish(server, 'c', 'x');
      const conn = await rawConnect(server.port);
      conn.socket.write('GET /lp?channel=c&since=0 HTTP/1.1\r\nHost: x\r\n\r\n');
      const first = await conn.until((d) => d.endsWith('"next":1}'));
      conn.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      const secondAnswered = await conn
        .until((d) => d.endsWith('pushspec reference server\n'))
        .then(
          () => true,
          () => false,
        );
      conn.socket.destroy();
      return { head: headOf(first), secondAnswered };
    };
    const [kept, closed] = await Promise.all([probe(ok), probe(bad)]);
    expect(kept.head).to.not.include('connection: close');
    expect(kept.secondAnswered).to.equal(true);
    expect(closed.head).to.include('connection: close');
    expect(closed.secondAnswered).to.equal(false);
  },

  'drop-gap': async () => {
    const [ok, bad] = await pair('drop-gap');
    await Promise.all([publish(ok, 'c', 'gap'), publish(bad, 'c', 'gap')]);
    const [delivered, lost] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(delivered.body.events).to.deep.equal([{ id: 1, data: 'gap' }]);
    expect(lost.body.events).to.deep.equal([]);
    expect(lost.ms).to.be.at.least(HELD_AT_LEAST_MS);
    // Only the gap loses events: one published during a hold still arrives.
    const pending = poll(bad, 'c', 0);
    await bad.whenHeld('c');
    await publish(bad, 'c', 'held');
    expect((await pending).body.events).to.deep.equal([{ id: 2, data: 'held' }]);
  },

  'drop-after-timeout': async () => {
    const [ok, bad] = await pair('drop-after-timeout');
    // A poll that times out empty, then an event while nothing is pending, then the re-poll.
    const probe = async (server: ReferenceServer): Promise<PollBody> => {
      const idle = await poll(server, 'c', 0);
      expect(idle.body.events).to.deep.equal([]);
      await publish(server, 'c', 'after');
      return (await poll(server, 'c', 0)).body;
    };
    const [delivered, lost] = await Promise.all([probe(ok), probe(bad)]);
    expect(delivered.events).to.deep.equal([{ id: 1, data: 'after' }]);
    expect(lost.events).to.deep.equal([]);
    // After a delivered event the gap is fine.
    await publish(bad, 'd', 'first');
    const first = await poll(bad, 'd', 0);
    await publish(bad, 'd', 'gap');
    expect((await poll(bad, 'd', first.body.next)).body.events).to.deep.equal([{ id: 2, data: 'gap' }]);
  },

  'etag-unquoted': async () => {
    const [ok, bad] = await pair('etag-unquoted');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const [good, raw] = await Promise.all([
      get(`${ok.url}/lp-etag?channel=c`, { 'If-None-Match': '"0"' }),
      get(`${bad.url}/lp-etag?channel=c`, { 'If-None-Match': '"0"' }),
    ]);
    expect(header(good.headers, 'etag')).to.equal('"1"');
    expect(header(raw.headers, 'etag')).to.equal('1');
    // The unquoted tag works as a cursor when sent back.
    await publish(bad, 'c', 'y');
    const next = await get(`${bad.url}/lp-etag?channel=c`, { 'If-None-Match': '1' });
    expect((JSON.parse(next.text) as PollBody).events.map((e) => e.data)).to.deep.equal(['y']);
    expect(header((await poll(bad, 'c', 0)).headers, 'etag')).to.equal('2');
  },

  'duplicate-last': async () => {
    const [ok, bad] = await pair('duplicate-last');
    await Promise.all([publishAll(ok, 'c', ['a', 'b']), publishAll(bad, 'c', ['a', 'b'])]);
    const [good, dup] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(ids(good.body)).to.deep.equal([1, 2]);
    expect(ids(dup.body)).to.deep.equal([1, 2, 2]);
  },

  'reverse-order': async () => {
    const [ok, bad] = await pair('reverse-order');
    await Promise.all([publishAll(ok, 'c', ['a', 'b', 'c']), publishAll(bad, 'c', ['a', 'b', 'c'])]);
    const [good, reversed] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(ids(good.body)).to.deep.equal([1, 2, 3]);
    expect(ids(reversed.body)).to.deep.equal([3, 2, 1]);
    expect(reversed.body.next).to.equal(3);
  },

  'one-per-response': async () => {
    const [ok, bad] = await pair('one-per-response');
    await Promise.all([publishAll(ok, 'c', ['a', 'b', 'c']), publishAll(bad, 'c', ['a', 'b', 'c'])]);
    expect(ids((await poll(ok, 'c', 0)).body)).to.deep.equal([1, 2, 3]);
    const seen: number[] = [];
    let cursor = 0;
    for (let i = 0; i < 3; i++) {
      const reply = await poll(bad, 'c', cursor);
      expect(reply.body.events).to.have.length(1);
      seen.push(...ids(reply.body));
      cursor = reply.body.next;
    }
    expect(seen).to.deep.equal([1, 2, 3]);
  },

  'single-subscriber': async () => {
    const [ok, bad] = await pair('single-subscriber');
    const probe = async (server: ReferenceServer): Promise<number[]> => {
      const polls = [poll(server, 'c', 0), poll(server, 'c', 0)];
      await server.whenHeld('c', 2);
      const publishedAt = performance.now();
      await publish(server, 'c', 'x');
      const replies = await Promise.all(polls);
      for (const r of replies) expect(r.body.events).to.deep.equal([{ id: 1, data: 'x' }]);
      return replies.map((r) => r.at - publishedAt).sort((a, b) => a - b);
    };
    const [both, one] = await Promise.all([probe(ok), probe(bad)]);
    expect(both.every((ms) => ms < IMMEDIATE_MS)).to.equal(true, String(both));
    expect(one[0]).to.be.below(IMMEDIATE_MS);
    expect(one[1]).to.be.at.least(HELD_AT_LEAST_MS / 2);
  },

  'lp-no-cache-refused': async () => {
    const [ok, bad] = await pair('lp-no-cache-refused', { holdMs: 100 });
    const directives = { 'cache-control': 'no-cache', pragma: 'no-cache' };
    const [served, refused] = await Promise.all([get(`${ok.url}/lp?channel=c`, directives), get(`${bad.url}/lp?channel=c`, directives)]);
    expect(served.status).to.equal(200);
    expect(refused.status).to.equal(400);
    // Without the directives the faulty server polls as usual.
    expect((await get(`${bad.url}/lp?channel=c`)).status).to.equal(200);
  },

  'timeout-408': async () => {
    const [ok, bad] = await pair('timeout-408');
    const [good, timedOut] = await Promise.all([get(`${ok.url}/lp?channel=c`), get(`${bad.url}/lp?channel=c`)]);
    expect(good.status).to.equal(200);
    expect(timedOut.status).to.equal(408);
    expect(JSON.parse(timedOut.text)).to.deep.equal({ error: 'timeout' });
  },

  'long-hold': async () => {
    const holdMs = 100;
    const [ok, bad] = await pair('long-hold', { holdMs });
    const [normal, long] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(normal.ms).to.be.below(4 * holdMs);
    expect(long.ms).to.be.at.least(4.5 * holdMs);
    expect(long.body).to.deep.equal({ events: [], next: 0 });
    expect(ok.manifest().longPoll?.holdSeconds).to.equal(0.1);
    expect(bad.manifest().longPoll).to.not.have.property('holdSeconds');
    expect(bad.manifest().name).to.equal('pushspec-reference+long-hold');
  },

  'short-hold': async () => {
    const holdMs = 200;
    const [ok, bad] = await pair('short-hold', { holdMs });
    const [normal, short] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(normal.ms).to.be.at.least(holdMs * 0.8);
    expect(short.ms).to.be.below(holdMs * 0.8);
    expect(short.body).to.deep.equal({ events: [], next: 0 });
    expect(bad.manifest().longPoll?.holdSeconds).to.equal(0.1);
  },

  'lp-idle-reset': async () => {
    const [ok, bad] = await pair('lp-idle-reset');
    const probe = async (server: ReferenceServer): Promise<string> => {
      await publish(server, 'c', 'x');
      const conn = await rawConnect(server.port);
      conn.socket.write('GET /lp?channel=c&since=0 HTTP/1.1\r\nHost: x\r\n\r\n');
      await conn.until((d) => d.endsWith('"next":1}'));
      // An immediate re-poll cancels the reset; then the connection idles.
      conn.socket.write('GET /lp?channel=c&since=0 HTTP/1.1\r\nHost: x\r\n\r\n');
      await conn.until((d) => d.split('"next":1}').length === 3);
      const how = await Promise.race([conn.ended, new Promise<string>((r) => setTimeout(() => r('open'), 1500))]);
      conn.socket.destroy();
      return how;
    };
    const [kept, reset] = await Promise.all([probe(ok), probe(bad)]);
    expect(kept).to.equal('open');
    expect(reset).to.equal('error:ECONNRESET');
  },

  'lp-pipeline-out-of-order': async () => {
    const [ok, bad] = await pair('lp-pipeline-out-of-order');
    const probe = async (server: ReferenceServer): Promise<string> => {
      const conn = await rawConnect(server.port);
      conn.socket.write('GET /lp?channel=a HTTP/1.1\r\nHost: x\r\n\r\nGET /lp?channel=b HTTP/1.1\r\nHost: x\r\n\r\n');
      await server.whenHeld('b', 1);
      await publish(server, 'b', 'x');
      const got = await conn.until((d) => d.split('"next":').length === 3);
      conn.socket.destroy();
      // The first body on the connection: A's (empty) in order, B's (the event) out of order.
      return got.slice(got.indexOf('\r\n\r\n') + 4).split('HTTP/1.1')[0] ?? '';
    };
    const [inOrder, overtaken] = await Promise.all([probe(ok), probe(bad)]);
    expect(JSON.parse(inOrder)).to.deep.equal({ events: [], next: 0 });
    expect(JSON.parse(overtaken)).to.deep.equal({ events: [{ id: 1, data: 'x' }], next: 1 });
  },

  'lp-gap-batching': async () => {
    const [ok, bad] = await pair('lp-gap-batching');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const [prompt, batched] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(prompt.ms).to.be.below(IMMEDIATE_MS);
    expect(batched.ms).to.be.at.least(400);
    expect(ids(batched.body)).to.deep.equal([1]);
  },

  'cache-public': async () => {
    const [ok, bad] = await pair('cache-public');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const [good, cached] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(header(good.headers, 'cache-control')).to.equal('no-store');
    expect(header(cached.headers, 'cache-control')).to.equal('public, max-age=60');
  },

  'last-modified-only': async () => {
    const [ok, bad] = await pair('last-modified-only');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const [good, heuristic] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(header(good.headers, 'last-modified')).to.equal(undefined);
    expect(header(heuristic.headers, 'cache-control')).to.equal(undefined);
    const lastModified = Date.parse(header(heuristic.headers, 'last-modified') ?? '');
    expect(lastModified).to.be.below(Date.now());
  },

  'bloated-headers': async () => {
    const [ok, bad] = await pair('bloated-headers');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const [good, bloated] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(header(good.headers, 'x-debug-trace')).to.equal(undefined);
    expect(header(bloated.headers, 'x-debug-trace')?.length).to.be.at.least(2000);
    expect(bloated.body).to.deep.equal(good.body);
  },

  'ignore-connection-close': async () => {
    const [ok, bad] = await pair('ignore-connection-close');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const probe = async (server: ReferenceServer): Promise<{ head: string; closed: boolean }> => {
      const conn = await rawConnect(server.port);
      conn.socket.write('GET /lp?channel=c&since=0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const first = await conn.until((d) => d.endsWith('"next":1}'));
      const closed = await new Promise<boolean>((resolve) => {
        if (conn.socket.readableEnded) return resolve(true);
        const timer = setTimeout(() => resolve(false), 500);
        conn.socket.once('end', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      conn.socket.destroy();
      return { head: headOf(first), closed };
    };
    const [compliant, faulty] = await Promise.all([probe(ok), probe(bad)]);
    expect(compliant.closed).to.equal(true);
    expect(faulty.closed).to.equal(false);
    expect(faulty.head).to.include('connection: keep-alive');
  },

  'lp-chunked-to-http10': async () => {
    const [ok, bad] = await pair('lp-chunked-to-http10');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const [good, chunked, modern] = await Promise.all([oneOldPoll(ok, '1.0'), oneOldPoll(bad, '1.0'), oneOldPoll(bad, '1.1')]);
    expect(good).to.not.include('transfer-encoding');
    expect(good).to.include('content-length:');
    expect(chunked).to.include('transfer-encoding: chunked');
    expect(chunked).to.not.include('content-length:');
    expect(modern).to.not.include('transfer-encoding');
  },

  'http10-keep-alive': async () => {
    const [ok, bad] = await pair('http10-keep-alive');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const probe = async (server: ReferenceServer, version: string): Promise<{ head: string; closed: boolean }> => {
      const conn = await rawConnect(server.port);
      conn.socket.write(`GET /lp?channel=c&since=0 HTTP/${version}\r\nHost: x\r\n\r\n`);
      const head = headOf(await conn.until((d) => d.endsWith('"next":1}')));
      const closed = await Promise.race([conn.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 500))]);
      conn.socket.destroy();
      return { head, closed };
    };
    const [compliant, faulty, modern] = await Promise.all([probe(ok, '1.0'), probe(bad, '1.0'), probe(bad, '1.1')]);
    expect(compliant.closed).to.equal(true);
    expect(compliant.head).to.include('connection: close');
    expect(faulty.closed).to.equal(false);
    expect(faulty.head).to.include('connection: keep-alive');
    expect(modern.closed).to.equal(false);
  },

  'lp-stray-bytes': async () => {
    const [ok, bad] = await pair('lp-stray-bytes');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const probe = async (server: ReferenceServer): Promise<string> => {
      const conn = await rawConnect(server.port);
      conn.socket.write('GET /lp?channel=c&since=0 HTTP/1.1\r\nHost: x\r\n\r\n');
      await conn.until((d) => d.includes('"next":1}'));
      await new Promise((r) => setTimeout(r, 100));
      conn.socket.destroy();
      return conn.data().slice(conn.data().indexOf('"next":1}') + '"next":1}'.length);
    };
    const [clean, padded] = await Promise.all([probe(ok), probe(bad)]);
    expect(clean).to.equal('');
    expect(padded).to.equal('ok\r\n');
  },

  'h1-idle-reset': async () => {
    const [ok, bad] = await pair('h1-idle-reset');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const probe = async (server: ReferenceServer): Promise<string> => {
      const conn = await rawConnect(server.port);
      conn.socket.write('GET /lp?channel=c&since=0 HTTP/1.1\r\nHost: x\r\n\r\n');
      await conn.until((d) => d.includes('"next":1}'));
      const how = await Promise.race([conn.ended, new Promise<string>((r) => setTimeout(() => r('open'), IDLE_RESET_MS + 500))]);
      conn.socket.destroy();
      return how;
    };
    const [kept, reset] = await Promise.all([probe(ok), probe(bad)]);
    expect(kept).to.equal('open');
    expect(reset).to.equal('error:ECONNRESET');
  },

  'lp-te-and-cl': async () => {
    const [ok, bad] = await pair('lp-te-and-cl');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const [good, both] = await Promise.all([oneOldPoll(ok, '1.1'), oneOldPoll(bad, '1.1')]);
    expect(good).to.include('content-length:').and.not.include('transfer-encoding');
    expect(both).to.include('content-length:').and.include('transfer-encoding: chunked');
  },

  'lp-close-delimited': async () => {
    const [ok, bad] = await pair('lp-close-delimited');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const [good, closing] = await Promise.all([oneOldPoll(ok, '1.1'), oneOldPoll(bad, '1.1')]);
    expect(good).to.include('content-length:');
    expect(closing).to.include('connection: close');
    expect(closing).to.not.include('content-length:').and.not.include('transfer-encoding');
  },

  'lp-http10-response': async () => {
    const [ok, bad] = await pair('lp-http10-response');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const [good, old] = await Promise.all([oneOldPoll(ok, '1.1'), oneOldPoll(bad, '1.1')]);
    expect(good).to.match(/^http\/1\.1 200/);
    expect(old).to.match(/^http\/1\.0 200/);
    expect(old).to.include('content-length:');
  },

  'duplicate-host-served': async () => {
    const [ok, bad] = await pair('duplicate-host-served');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const probe = async (server: ReferenceServer, request: string): Promise<string> => {
      const conn = await rawConnect(server.port);
      conn.socket.write(request);
      const head = headOf(await conn.until(hasHead));
      conn.socket.destroy();
      return head;
    };
    const twice = 'GET /lp?channel=c&since=0 HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n';
    const none = 'GET /lp?channel=c&since=0 HTTP/1.1\r\n\r\n';
    const [refused, served, noHost] = await Promise.all([probe(ok, twice), probe(bad, twice), probe(bad, none)]);
    expect(refused).to.match(/^http\/1\.1 400/);
    expect(served).to.match(/^http\/1\.1 200/);
    expect(noHost).to.match(/^http\/1\.1 400/);
  },

  'lp-jsonp-unchecked': async () => {
    const [ok, bad] = await pair('lp-jsonp-unchecked');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const url = (server: ReferenceServer): string => `${server.url}/lp?channel=c&since=0&callback=${encodeURIComponent('alert(1)//')}`;
    const [json, script] = await Promise.all([get(url(ok)), get(url(bad))]);
    expect(header(json.headers, 'content-type')).to.equal('application/json');
    expect(json.text.startsWith('{')).to.equal(true);
    expect(header(script.headers, 'content-type')).to.equal('application/javascript');
    expect(script.text.startsWith('alert(1)//({"events":[')).to.equal(true);
  },

  'lp-jsonp-raw-separators': async () => {
    const [ok, bad] = await pair('lp-jsonp-raw-separators');
    await Promise.all([publish(ok, 'c', 'a\u2028b\u2029c'), publish(bad, 'c', 'a\u2028b\u2029c')]);
    const url = (server: ReferenceServer): string => `${server.url}/lp?channel=c&since=0&callback=cb`;
    const [escaped, raw] = await Promise.all([get(url(ok)), get(url(bad))]);
    expect(header(escaped.headers, 'content-type')).to.equal('application/javascript');
    expect(escaped.text).to.contain('cb({"events":[').and.to.contain('a\\u2028b\\u2029c');
    expect(raw.text).to.contain('cb({"events":[').and.to.contain('a\u2028b\u2029c');
  },

  'lp-sniffable': async () => {
    const [ok, bad] = await pair('lp-sniffable');
    await Promise.all([publish(ok, 'c', 'x'), publish(bad, 'c', 'x')]);
    const [good, plain] = await Promise.all([poll(ok, 'c', 0), poll(bad, 'c', 0)]);
    expect(header(good.headers, 'x-content-type-options')).to.equal('nosniff');
    expect(header(plain.headers, 'x-content-type-options')).to.equal(undefined);
    expect(header(plain.headers, 'content-type')).to.equal('application/json');
  },

  // ---- /stream faults: each test opens the same request on a compliant and a faulty server.

  'stream-ends-after-event': async () => {
    const [ok, bad] = await pair('stream-ends-after-event', { heartbeatMs: QUIET_MS });
    const [good, ended] = await Promise.all([openStream(ok, '/stream?channel=c'), openStream(bad, '/stream?channel=c')]);
    await Promise.all([good.until(hasHead), ended.until(hasHead)]);
    await Promise.all([publish(ok, 'c', 'a'), publish(bad, 'c', 'a')]);
    const first = chunkOf('{"id":1,"data":"a"}\n');
    // The last-chunk follows the event; the connection itself stays (keep-alive).
    await ended.until((d) => bodyOf(d) === `${first}0\r\n\r\n`);
    await Promise.all([publish(ok, 'c', 'b'), publish(bad, 'c', 'b')]);
    await good.until((d) => bodyOf(d) === first + chunkOf('{"id":2,"data":"b"}\n'));
    expect(bodyOf(ended.data())).to.equal(`${first}0\r\n\r\n`);
    // Keep-alive: the same connection answers the next request.
    ended.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await ended.until((d) => d.endsWith('pushspec reference server\n'));
  },

  'chunked-to-http10': async () => {
    const [ok, bad] = await pair('chunked-to-http10', { heartbeatMs: QUIET_MS });
    const [good, chunked, modern] = await Promise.all([
      openStream(ok, '/stream?channel=c', [], '1.0'),
      openStream(bad, '/stream?channel=c', [], '1.0'),
      openStream(bad, '/stream?channel=c'),
    ]);
    await Promise.all([good.until(hasHead), chunked.until(hasHead), modern.until(hasHead)]);
    await Promise.all([publish(ok, 'c', 'a'), publish(bad, 'c', 'a')]);
    const line = '{"id":1,"data":"a"}\n';
    const [plain, framed, eleven] = await Promise.all([
      good.until((d) => bodyOf(d) === line),
      chunked.until((d) => bodyOf(d) === chunkOf(line)),
      modern.until((d) => bodyOf(d) === chunkOf(line)),
    ]);
    expect(headOf(plain)).to.not.include('transfer-encoding');
    expect(headOf(plain)).to.include('connection: close');
    expect(headOf(framed)).to.include('transfer-encoding: chunked');
    expect(headOf(framed)).to.include('connection: close');
    expect(headOf(eleven)).to.include('transfer-encoding: chunked');
  },

  'stream-content-length': async () => {
    const [ok, bad] = await pair('stream-content-length', { heartbeatMs: QUIET_MS });
    const [good, sized] = await Promise.all([openStream(ok, '/stream?channel=c'), openStream(bad, '/stream?channel=c')]);
    const [goodHead, sizedHead] = (await Promise.all([good.until(hasHead), sized.until(hasHead)])).map(headOf);
    await Promise.all([publishAll(ok, 'c', ['a', 'b']), publishAll(bad, 'c', ['a', 'b'])]);
    const lines = '{"id":1,"data":"a"}\n{"id":2,"data":"b"}\n';
    await good.until((d) => dechunk(bodyOf(d)) === lines);
    await sized.until((d) => bodyOf(d) === lines);
    expect(goodHead).to.include('transfer-encoding: chunked').and.not.include('content-length');
    expect(sizedHead).to.include('content-length: 1000000').and.not.include('transfer-encoding');
  },

  'stream-buffer-8k': async () => {
    const [ok, bad] = await pair('stream-buffer-8k', { heartbeatMs: QUIET_MS });
    const [good, buffered] = await Promise.all([openStream(ok, '/stream?channel=c'), openStream(bad, '/stream?channel=c')]);
    await Promise.all([good.until(hasHead), buffered.until(hasHead)]);
    const small = 'ten-bytes!';
    await Promise.all([publish(ok, 'c', small), publish(bad, 'c', small)]);
    await good.until((d) => d.includes(small));
    // The one fixed window: silence cannot be awaited.
    expect(await appearsWithin(buffered, (d) => d.includes(small), 300)).to.equal(false);
    expect(bodyOf(buffered.data())).to.equal('');
    // Past 8192 bytes the buffer goes out, the small event first.
    await publish(bad, 'c', 'y'.repeat(8200));
    const body = dechunk(bodyOf(await buffered.until((d) => dechunk(bodyOf(d)).includes('{"id":2,'))));
    expect(body.startsWith(`{"id":1,"data":"${small}"}\n{"id":2,"data":"yyy`)).to.equal(true);
  },

  'chunk-boundary-framing': async () => {
    const [ok, bad] = await pair('chunk-boundary-framing', { heartbeatMs: QUIET_MS });
    const [good, bare] = await Promise.all([openStream(ok, '/stream?channel=c'), openStream(bad, '/stream?channel=c')]);
    await Promise.all([good.until(hasHead), bare.until(hasHead)]);
    await Promise.all([publishAll(ok, 'c', ['a', 'b']), publishAll(bad, 'c', ['a', 'b'])]);
    const events = ['{"id":1,"data":"a"}', '{"id":2,"data":"b"}'];
    await good.until((d) => bodyOf(d) === events.map((e) => chunkOf(`${e}\n`)).join(''));
    // One chunk per event, nothing between them: de-chunked, the two run together on one line.
    const data = await bare.until((d) => bodyOf(d) === events.map(chunkOf).join(''));
    expect(dechunk(bodyOf(data))).to.equal(events.join(''));
  },

  'gzip-no-flush': async () => {
    const [ok, bad] = await pair('gzip-no-flush', { heartbeatMs: QUIET_MS });
    const gzip = ['Accept-Encoding: gzip'];
    const [good, zipped, identity] = await Promise.all([
      openStream(ok, '/stream?channel=c', gzip),
      openStream(bad, '/stream?channel=c', gzip),
      openStream(bad, '/stream?channel=c'),
    ]);
    const [goodHead, zippedHead, identityHead] = (
      await Promise.all([good.until(hasHead), zipped.until(hasHead), identity.until(hasHead)])
    ).map(headOf);
    expect(goodHead).to.not.include('content-encoding');
    expect(zippedHead).to.include('content-encoding: gzip');
    expect(identityHead).to.not.include('content-encoding');
    await Promise.all([publish(ok, 'c', 'a'), publish(bad, 'c', 'a')]);
    const line = '{"id":1,"data":"a"}\n';
    await Promise.all([good.until((d) => bodyOf(d) === chunkOf(line)), identity.until((d) => bodyOf(d) === chunkOf(line))]);
    expect(await appearsWithin(zipped, (d) => gunzipPartial(d).includes(line), 300)).to.equal(false);
    // Once enough follows to fill the compressor, the event comes out, gzip-encoded.
    await publish(bad, 'c', incompressible(60_000));
    await zipped.until((d) => gunzipPartial(d).startsWith(`${line}{"id":2,"data":"`));
  },

  'no-heartbeat': async () => {
    const [ok, bad] = await pair('no-heartbeat', { heartbeatMs: 50 });
    const [good, silent] = await Promise.all([openStream(ok, '/stream?channel=c'), openStream(bad, '/stream?channel=c')]);
    await Promise.all([good.until(hasHead), silent.until(hasHead)]);
    await good.until((d) => count(bodyOf(d), HB_CHUNK) >= 2);
    expect(bodyOf(silent.data())).to.equal('');
    await publish(bad, 'c', 'a');
    await silent.until((d) => bodyOf(d) === chunkOf('{"id":1,"data":"a"}\n'));
  },

  'defer-headers': async () => {
    const [ok, bad] = await pair('defer-headers', { heartbeatMs: 50 });
    const [good, deferred] = await Promise.all([openStream(ok, '/stream?channel=c'), openStream(bad, '/stream?channel=c')]);
    // Compliant: headers at once, then heartbeats; the faulty one has sent nothing meanwhile.
    await good.until((d) => hasHead(d) && count(bodyOf(d), HB_CHUNK) >= 2);
    expect(deferred.data()).to.equal('');
    let firstRead = '';
    deferred.socket.once('data', (chunk: Buffer) => {
      firstRead = chunk.toString('latin1');
    });
    await publish(bad, 'c', 'a');
    const event = chunkOf('{"id":1,"data":"a"}\n');
    await deferred.until((d) => hasHead(d) && bodyOf(d).startsWith(event));
    expect(headOf(firstRead)).to.include('transfer-encoding: chunked');
    expect(bodyOf(firstRead)).to.equal(event);
    // After the first event the stream behaves: heartbeats follow.
    await deferred.until((d) => bodyOf(d).startsWith(event + HB_CHUNK));
  },

  'bad-chunk-size': async () => {
    const [ok, bad] = await pair('bad-chunk-size', { heartbeatMs: QUIET_MS });
    const [good, skewed] = await Promise.all([openStream(ok, '/stream?channel=c'), openStream(bad, '/stream?channel=c')]);
    await Promise.all([good.until(hasHead), skewed.until(hasHead)]);
    expect(headOf(skewed.data())).to.include('transfer-encoding: chunked');
    await Promise.all([publish(ok, 'c', 'a'), publish(bad, 'c', 'a')]);
    const line = '{"id":1,"data":"a"}\n';
    await good.until((d) => bodyOf(d) === `${line.length.toString(16)}\r\n${line}\r\n`);
    await skewed.until((d) => bodyOf(d) === `${(line.length + 1).toString(16)}\r\n${line}\r\n`);
  },

  // ---- /sse faults

  'sse-text-plain': async () => {
    const [ok, bad] = await pair('sse-text-plain', { heartbeatMs: QUIET_MS });
    const heads = await Promise.all([ok, bad].map(async (s) => headOf(await (await openStream(s, '/sse?channel=c')).until(hasHead))));
    expect(heads[0]).to.include('content-type: text/event-stream');
    expect(heads[1]).to.include('content-type: text/plain\r\n');
  },

  'sse-bad-field-case': async () => {
    const [good, bad] = await sseBodies('sse-bad-field-case', ['a']);
    expect(good).to.equal('retry: 2000\n\nid: 1\ndata: a\n\n');
    expect(bad).to.equal('retry: 2000\n\nid: 1\nData: a\n\n');
  },

  'sse-single-newline': async () => {
    const [good, bad] = await sseBodies('sse-single-newline', ['a']);
    expect(good).to.equal('retry: 2000\n\nid: 1\ndata: a\n\n');
    // Nothing has ended the event yet: a UA still holds it.
    expect(bad).to.equal('retry: 2000\n\n\nid: 1\ndata: a\n');
    const [, both] = await sseBodies('sse-single-newline', ['a', 'b']);
    expect(both).to.equal('retry: 2000\n\n\nid: 1\ndata: a\n\nid: 2\ndata: b\n');
  },

  'sse-no-id': async () => {
    const [good, bad] = await sseBodies('sse-no-id', ['a', 'b']);
    expect(good).to.equal('retry: 2000\n\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n');
    expect(bad).to.equal('retry: 2000\n\ndata: a\n\ndata: b\n\n');
  },

  'sse-ignore-last-event-id': async () => {
    const [ok, bad] = await pair('sse-ignore-last-event-id', { heartbeatMs: QUIET_MS });
    await Promise.all([publishAll(ok, 'c', ['e1', 'e2', 'e3']), publishAll(bad, 'c', ['e1', 'e2', 'e3'])]);
    const resume = ['Last-Event-ID: 1'];
    const [resumed, fresh] = await Promise.all([openStream(ok, '/sse?channel=c', resume), openStream(bad, '/sse?channel=c', resume)]);
    await Promise.all([resumed.until(hasHead), fresh.until(hasHead)]);
    await Promise.all([publish(ok, 'c', 'e4'), publish(bad, 'c', 'e4')]);
    // The replay is written before the live subscription starts, so e4 arriving settles it.
    const live = (d: string): boolean => dechunk(bodyOf(d)).includes('data: e4\n\n');
    const [good, lost] = await Promise.all([resumed.until(live), fresh.until(live)]);
    expect(dechunk(bodyOf(good))).to.equal('retry: 2000\n\nid: 2\ndata: e2\n\nid: 3\ndata: e3\n\nid: 4\ndata: e4\n\n');
    expect(dechunk(bodyOf(lost))).to.equal('retry: 2000\n\nid: 4\ndata: e4\n\n');
  },

  'sse-bad-retry': async () => {
    const [good, bad] = await sseBodies('sse-bad-retry', ['a']);
    expect(good.startsWith('retry: 2000\n\n')).to.equal(true);
    expect(bad).to.equal('retry: 2s\n\nid: 1\ndata: a\n\n');
  },

  'sse-data-raw-newlines': async () => {
    const [good, bad] = await sseBodies('sse-data-raw-newlines', ['a\nb\r\nc\rd', 'z']);
    expect(good).to.equal('retry: 2000\n\nid: 1\ndata: a\ndata: b\ndata: c\ndata: d\n\nid: 2\ndata: z\n\n');
    expect(bad).to.equal('retry: 2000\n\nid: 1\ndata: a\nb\r\nc\rd\n\nid: 2\ndata: z\n\n');
  },

  'sse-data-no-space': async () => {
    const [ok, bad] = await pair('sse-data-no-space', { heartbeatMs: QUIET_MS });
    const conns = await Promise.all([ok, bad].map((s) => openStream(s, '/sse?channel=c')));
    await Promise.all(conns.map((c) => c.until((d) => dechunk(bodyOf(d)).startsWith('retry: '))));
    await Promise.all([publish(ok, 'c', ' x'), publish(bad, 'c', ' x')]);
    const [good, stripped] = await Promise.all(
      conns.map(async (c) => dechunk(bodyOf(await c.until((d) => dechunk(bodyOf(d)).endsWith('x\n\n'))))),
    );
    expect(good).to.equal('retry: 2000\n\nid: 1\ndata:  x\n\n');
    expect(stripped).to.equal('retry: 2000\n\nid: 1\ndata: x\n\n');
  },

  'sse-stop-200': async () => {
    const [ok, bad] = await pair('sse-stop-200', { heartbeatMs: QUIET_MS });
    const [stopped, ended] = await Promise.all([get(`${ok.url}/sse?channel=c&closed=1`), get(`${bad.url}/sse?channel=c&closed=1`)]);
    expect([stopped.status, stopped.text]).to.deep.equal([204, '']);
    expect([ended.status, header(ended.headers, 'content-type'), ended.text]).to.deep.equal([200, 'text/event-stream', '']);
  },

  'sse-retry-short': async () => {
    const [good, bad] = await sseBodies('sse-retry-short', ['a']);
    expect(good.startsWith('retry: 2000\n\n')).to.equal(true);
    expect(bad).to.equal('retry: 100\n\nid: 1\ndata: a\n\n');
  },

  'sse-id-nul': async () => {
    const [good, bad] = await sseBodies('sse-id-nul', ['a']);
    expect(good).to.equal('retry: 2000\n\nid: 1\ndata: a\n\n');
    expect(bad).to.equal('retry: 2000\n\nid: 1\0\ndata: a\n\n');
  },

  'sse-latin1': async () => {
    const [ok, bad] = await pair('sse-latin1', { heartbeatMs: QUIET_MS });
    const opened = (d: string): boolean => dechunk(bodyOf(d)).includes('retry: 2000\n\n');
    const [good, latin] = await Promise.all(
      [ok, bad].map(async (s) => dechunk(bodyOf(await (await openStream(s, '/sse?channel=c')).until(opened)))),
    );
    expect(good).to.equal('retry: 2000\n\n');
    // Read as latin1: the lone byte 0xE9 (ISO-8859-1 "é"); UTF-8 would be the two bytes C3 A9.
    expect(latin).to.equal(': caf\xe9\nretry: 2000\n\n');
  },

  'sse-pragma-refused': async () => {
    const [ok, bad] = await pair('sse-pragma-refused', { heartbeatMs: QUIET_MS });
    const statusOf = async (s: ReferenceServer, headers: string[] = []): Promise<string> =>
      headOf(await (await openStream(s, '/sse?channel=c', headers)).until(hasHead)).split('\r\n')[0] ?? '';
    expect(await statusOf(ok, ['Pragma: no-cache'])).to.equal('http/1.1 200 ok');
    expect(await statusOf(bad, ['Pragma: no-cache'])).to.equal('http/1.1 400 bad request');
    expect(await statusOf(bad)).to.equal('http/1.1 200 ok');
  },

  'sse-no-heartbeat': async () => {
    const [ok, bad] = await pair('sse-no-heartbeat', { heartbeatMs: 50 });
    const [good, silent] = await Promise.all([openStream(ok, '/sse?channel=c'), openStream(bad, '/sse?channel=c')]);
    await Promise.all([good.until(hasHead), silent.until(hasHead)]);
    await good.until((d) => count(dechunk(bodyOf(d)), ': hb\n\n') >= 2);
    expect(dechunk(bodyOf(silent.data()))).to.equal('retry: 2000\n\n');
    await publish(bad, 'c', 'a');
    await silent.until((d) => dechunk(bodyOf(d)) === 'retry: 2000\n\nid: 1\ndata: a\n\n');
  },

  'no-proxy-hints': async () => {
    const [ok, bad] = await pair('no-proxy-hints', { heartbeatMs: QUIET_MS });
    const heads = await Promise.all([ok, bad].map(async (s) => headOf(await (await openStream(s, '/stream?channel=c')).until(hasHead))));
    expect(heads[0])
      .to.include('x-accel-buffering: no')
      .and.to.match(/cache-control: no-store, no-transform/);
    expect(heads[1]).to.not.include('x-accel-buffering').and.to.not.include('no-transform');
    expect(heads[1]).to.include('cache-control: no-store');
  },

  'stream-no-content-type': async () => {
    const [ok, bad] = await pair('stream-no-content-type', { heartbeatMs: QUIET_MS });
    const heads = await Promise.all([ok, bad].map(async (s) => headOf(await (await openStream(s, '/stream?channel=c')).until(hasHead))));
    expect(heads[0]).to.include('content-type: application/x-ndjson');
    expect(heads[1]).to.not.include('content-type');
  },

  'sse-no-date': async () => {
    const [ok, bad] = await pair('sse-no-date', { heartbeatMs: QUIET_MS });
    const heads = await Promise.all([ok, bad].map(async (s) => headOf(await (await openStream(s, '/sse?channel=c')).until(hasHead))));
    expect(heads[0]).to.match(/\r\ndate: /);
    expect(heads[1]).to.not.match(/\r\ndate: /);
    // Only SSE: the long poll still has its Date.
    expect(header((await poll(bad, 'c', 0)).headers, 'date')).to.be.a('string');
  },

  'head-unanswered': async () => {
    const [ok, bad] = await pair('head-unanswered', { heartbeatMs: QUIET_MS });
    const head = async (s: ReferenceServer): Promise<RawConn> => {
      const conn = await rawConnect(s.port);
      conn.socket.write('HEAD /sse?channel=c HTTP/1.1\r\nHost: x\r\n\r\n');
      return conn;
    };
    const [good, silent] = await Promise.all([head(ok), head(bad)]);
    const answered = await good.until(hasHead);
    expect(headOf(answered))
      .to.match(/^http\/1\.1 200 /)
      .and.include('content-type: text/event-stream');
    expect(bodyOf(answered)).to.equal('');
    await new Promise((r) => setTimeout(r, IMMEDIATE_MS));
    expect(silent.data()).to.equal('');
    // Only SSE: a HEAD on the long poll is answered.
    const lp = await rawConnect(bad.port);
    lp.socket.write('HEAD /lp?channel=c HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await lp.until(hasHead)).to.match(/^HTTP\/1\.1 200 /);
    for (const c of [good, silent, lp]) c.socket.destroy();
  },

  'sse-cacheable': async () => {
    const [ok, bad] = await pair('sse-cacheable', { heartbeatMs: QUIET_MS });
    const heads = await Promise.all([ok, bad].map(async (s) => headOf(await (await openStream(s, '/sse?channel=c')).until(hasHead))));
    expect(heads[0]).to.include('cache-control: no-store');
    expect(heads[1]).to.include('cache-control: public, max-age=60').and.not.include('no-store');
  },

  'sse-last-event-id-crash': async () => {
    const [ok, bad] = await pair('sse-last-event-id-crash', { heartbeatMs: QUIET_MS });
    const long = [`Last-Event-ID: ${'9'.repeat(2000)}`];
    const [answered, dropped] = await Promise.all([openStream(ok, '/sse?channel=c', long), openStream(bad, '/sse?channel=c', long)]);
    expect(headOf(await answered.until(hasHead))).to.match(/^http\/1\.1 200/);
    expect(await dropped.ended).to.not.equal('open');
    expect(dropped.data()).to.equal('');
    // A short id is still fine, and the server goes on serving.
    expect(headOf(await (await openStream(bad, '/sse?channel=c', ['Last-Event-ID: 7'])).until(hasHead))).to.match(/^http\/1\.1 200/);
  },

  'cors-reflect-credentials': async () => {
    const [ok, bad] = await pair('cors-reflect-credentials', { heartbeatMs: QUIET_MS });
    const origin = ['Origin: https://elsewhere.example'];
    const heads = await Promise.all(
      [ok, bad].map(async (s) => headOf(await (await openStream(s, '/sse?channel=c', origin)).until(hasHead))),
    );
    expect(heads[0]).to.not.include('access-control-allow-');
    expect(heads[1])
      .to.include('access-control-allow-origin: https://elsewhere.example')
      .and.include('access-control-allow-credentials: true');
  },
};

/** A heartbeat interval no test waits for: keeps byte-exact bodies free of heartbeats. */
const QUIET_MS = 10_000;
/** The NDJSON heartbeat (an empty line) as one chunk. */
const HB_CHUNK = '1\r\n\n\r\n';

const bodyOf = (data: string): string => (hasHead(data) ? data.slice(headEnd(data) + 4) : '');
const chunkOf = (text: string): string => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
const count = (text: string, piece: string): number => text.split(piece).length - 1;

/** A raw connection that has sent `GET path` (HTTP/1.1 unless told), with extra header lines. */
async function openStream(
  server: ReferenceServer,
  path: string,
  headers: readonly string[] = [],
  version: '1.0' | '1.1' = '1.1',
): Promise<RawConn> {
  const conn = await rawConnect(server.port);
  conn.socket.on('error', () => {});
  conn.socket.write(`GET ${path} HTTP/${version}\r\nHost: x\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`);
  return conn;
}

/** Whether `done` comes true within `ms` (a bounded wait for something that should not happen). */
function appearsWithin(conn: RawConn, done: (data: string) => boolean, ms: number): Promise<boolean> {
  return conn.until(done, ms).then(
    () => true,
    () => false,
  );
}

/** What a gzip decoder can give out of the complete chunks received so far. */
function gunzipPartial(data: string): string {
  const compressed = Buffer.from(dechunk(bodyOf(data)), 'latin1');
  if (compressed.length === 0) return '';
  return gunzipSync(compressed, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('latin1');
}

/** Token characters that deflate cannot shrink much, so they fill the compressor's buffers. */
function incompressible(bytes: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-';
  return Array.from(randomBytes(bytes), (b) => alphabet[b % alphabet.length] ?? 'x').join('');
}

/**
 * The SSE bodies (de-chunked) of a compliant and a faulty server after publishing `payloads`
 * on a fresh stream: each read the moment the last payload's data line has arrived.
 */
async function sseBodies(fault: FaultName, payloads: readonly string[]): Promise<[string, string]> {
  const [ok, bad] = await pair(fault, { heartbeatMs: QUIET_MS });
  const conns = await Promise.all([ok, bad].map((s) => openStream(s, '/sse?channel=c')));
  await Promise.all(conns.map((c) => c.until((d) => dechunk(bodyOf(d)).startsWith('retry: '))));
  await Promise.all([publishAll(ok, 'c', payloads), publishAll(bad, 'c', payloads)]);
  const last = `: ${payloads.at(-1) ?? ''}\n`;
  const bodies = await Promise.all(conns.map(async (c) => dechunk(bodyOf(await c.until((d) => dechunk(bodyOf(d)).includes(last))))));
  return [bodies[0] ?? '', bodies[1] ?? ''];
}

const faultsOf = (transport: 'longPoll' | 'stream' | 'sse' | 'bayeux' | 'bosh'): FaultName[] =>
  FAULT_NAMES.filter((f) => FAULTS[f]?.transport === transport);

/** The compliant long poll: pending events at once, a held poll woken by a publish. */
async function longPollUnharmed(server: ReferenceServer): Promise<void> {
  const ch = freshChannel();
  await publish(server, ch, 'a');
  expect((await poll(server, ch, 0)).body).to.deep.equal({ events: [{ id: 1, data: 'a' }], next: 1 });
  const held = poll(server, ch, 1);
  await server.whenHeld(ch);
  await publish(server, ch, 'b');
  expect((await held).body).to.deep.equal({ events: [{ id: 2, data: 'b' }], next: 2 });
}

/** The compliant NDJSON stream, byte for byte (the server must not heartbeat during it). */
async function streamUnharmed(server: ReferenceServer): Promise<void> {
  const ch = freshChannel();
  const conn = await openStream(server, `/stream?channel=${ch}`, ['Accept-Encoding: gzip']);
  const head = headOf(await conn.until(hasHead));
  expect(head).to.include('transfer-encoding: chunked').and.include('cache-control: no-store');
  expect(head).to.not.include('content-encoding').and.not.include('content-length');
  await publishAll(server, ch, ['a', 'b']);
  await conn.until((d) => bodyOf(d) === chunkOf('{"id":1,"data":"a"}\n') + chunkOf('{"id":2,"data":"b"}\n'));
  conn.socket.destroy();
}

/** The compliant SSE stream with a resume, byte for byte (no heartbeat during it). */
async function sseUnharmed(server: ReferenceServer): Promise<void> {
  const ch = freshChannel();
  await publishAll(server, ch, ['a', 'b']);
  const conn = await openStream(server, `/sse?channel=${ch}`, ['Last-Event-ID: 1']);
  await publish(server, ch, 'c');
  const data = await conn.until((d) => dechunk(bodyOf(d)) === 'retry: 2000\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n');
  expect(headOf(data)).to.include('content-type: text/event-stream').and.include('cache-control: no-store');
  conn.socket.destroy();
}

describe('reference server faults', function () {
  this.timeout(5000);
  afterEach(() => Promise.all([closeBayeuxFaultTests(), closeBoshFaultTests(), closeH2FaultTests()]));

  for (const name of FAULT_NAMES) {
    it(`${name}: ${FAULTS[name]?.description ?? ''}`, FAULT_TESTS[name]);
  }

  it('applies long-poll faults to the ETag endpoint too', async () => {
    const bad = await reference({ faults: ['timeout-408', 'duplicate-last'] });
    await publish(bad, 'c', 'x');
    const dup = await get(`${bad.url}/lp-etag?channel=c`, { 'if-none-match': '"0"' });
    expect(JSON.parse(dup.text)).to.deep.equal({
      events: [
        { id: 1, data: 'x' },
        { id: 1, data: 'x' },
      ],
      next: 1,
    });
    expect((await get(`${bad.url}/lp-etag?channel=c`, { 'if-none-match': '"1"' })).status).to.equal(408);
    expect(bad.manifest().name).to.equal('pushspec-reference+timeout-408,duplicate-last');
  });

  it('long-poll faults leave streams and SSE alone', async () => {
    const bad = await reference({ faults: faultsOf('longPoll'), heartbeatMs: QUIET_MS });
    await Promise.all([streamUnharmed(bad), sseUnharmed(bad)]);
  });

  it('stream faults leave long polls and SSE alone', async () => {
    const bad = await reference({ faults: faultsOf('stream'), heartbeatMs: QUIET_MS });
    await Promise.all([longPollUnharmed(bad), sseUnharmed(bad)]);
  });

  it('SSE faults leave long polls and streams alone', async () => {
    const bad = await reference({ faults: faultsOf('sse'), heartbeatMs: QUIET_MS });
    await Promise.all([longPollUnharmed(bad), streamUnharmed(bad)]);
  });
});

/** What a raw client observes from each hostile server after sending one GET. */
const HOSTILE_TESTS: Record<HostileKind, (conn: RawConn) => Promise<void>> = {
  'never-answers': async (conn) => {
    // The one place a fixed window is the assertion: silence cannot be awaited.
    const silence = await conn
      .until((d) => d.length > 0, 200)
      .then(
        () => false,
        () => true,
      );
    expect(silence).to.equal(true);
  },
  garbage: async (conn) => {
    const data = await conn.until((d) => d.length >= 4096);
    expect(data.startsWith('HTTP/')).to.equal(false);
    expect(data).to.have.length(4096);
  },
  'endless-headers': async (conn) => {
    const data = await conn.until((d) => d.length > 1024 * 1024);
    expect(data.startsWith('HTTP/1.1 200 OK\r\n')).to.equal(true);
    expect(hasHead(data)).to.equal(false);
  },
  'endless-line': async (conn) => {
    const data = await conn.until((d) => d.length > 1024 * 1024);
    expect(headOf(data)).to.include('transfer-encoding: chunked');
    const body = dechunk(data.slice(headEnd(data) + 4));
    expect(body.startsWith('{"id":1,"data":"aaa')).to.equal(true);
    expect(body).to.not.include('\n');
    expect(data.length).to.be.at.most(HOSTILE_CAP_BYTES + 16 * 1024);
  },
  reset: async (conn) => {
    expect(await conn.ended).to.equal('error:ECONNRESET');
  },
};

/** Decodes the complete chunks at the start of a chunked body. */
function dechunk(raw: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd === -1) return out;
    const size = parseInt(raw.slice(at, lineEnd), 16);
    if (Number.isNaN(size) || lineEnd + 2 + size + 2 > raw.length) return out;
    out += raw.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

describe('hostile servers', function () {
  this.timeout(5000);

  for (const kind of HOSTILE_KINDS) {
    it(`${kind}: misbehaves as described, then closes`, async () => {
      const server = await startHostileServer(kind);
      started.push(server);
      const conn = await rawConnect(server.port);
      conn.socket.on('error', () => {});
      conn.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await HOSTILE_TESTS[kind](conn);
      // Close with the connection still open: close() must not wait for the client.
      await server.close();
      await conn.ended;
    });
  }
});
