import { expect } from 'chai';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import type { IncomingHttpHeaders } from 'undici/types/header.js';
import { FAULT_NAMES, FAULTS, type FaultName } from '../fixtures/faults.js';
import { HOSTILE_CAP_BYTES, HOSTILE_KINDS, startHostileServer, type HostileKind } from '../fixtures/hostile.js';
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../fixtures/reference-server.js';

const HOLD_MS = 300;
/** Well under any hold: an answer this fast was not held. */
const IMMEDIATE_MS = 100;
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
  const until = (done: (d: string) => boolean, timeoutMs = 1500): Promise<string> =>
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
    expect(m.sse).to.deep.equal({ url: '/sse?channel={channel}', heartbeatSeconds: 0.1 });
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
      events: [{ id: 1, data: 'a' }, { id: 2, data: 'b' }, { id: 3, data: 'c' }],
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

  it('closes promptly while a poll, a stream and an SSE connection are open', async () => {
    const own = await startReferenceServer({ holdMs: 10_000, heartbeatMs: 5000 });
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
    expect((error as Error).message).to.include('no-such-fault').and.include('timeout-408');
  });
});

/** Runs the same probe against a compliant and a faulty server, so each test shows the difference. */
async function pair(fault: FaultName, opts: ReferenceServerOptions = {}): Promise<[ReferenceServer, ReferenceServer]> {
  return Promise.all([reference(opts), reference({ ...opts, faults: [fault] })]);
}

async function publishAll(server: ReferenceServer, ch: string, payloads: readonly string[]): Promise<void> {
  for (const p of payloads) await publish(server, ch, p);
}

/** Exhaustive over FaultName: a new fault without a test does not compile. */
const FAULT_TESTS: Record<FaultName, () => Promise<void>> = {
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
        .then(() => true, () => false);
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
    expect(one[1]).to.be.at.least(IMMEDIATE_MS);
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
};

describe('reference server faults', function () {
  this.timeout(5000);

  for (const name of FAULT_NAMES) {
    it(`${name}: ${FAULTS[name]?.description ?? ''}`, FAULT_TESTS[name]);
  }

  it('applies long-poll faults to the ETag endpoint too', async () => {
    const bad = await reference({ faults: ['timeout-408', 'duplicate-last'] });
    await publish(bad, 'c', 'x');
    const dup = await get(`${bad.url}/lp-etag?channel=c`, { 'if-none-match': '"0"' });
    expect(JSON.parse(dup.text)).to.deep.equal({ events: [{ id: 1, data: 'x' }, { id: 1, data: 'x' }], next: 1 });
    expect((await get(`${bad.url}/lp-etag?channel=c`, { 'if-none-match': '"1"' })).status).to.equal(408);
    expect(bad.manifest().name).to.equal('pushspec-reference+timeout-408,duplicate-last');
  });

  it('leaves streams and SSE alone', async () => {
    const bad = await reference({ faults: [...FAULT_NAMES] });
    const conn = await rawConnect(bad.port);
    conn.socket.write('GET /stream?channel=c HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.until(hasHead);
    await publishAll(bad, 'c', ['a', 'b']);
    await conn.until((d) => d.includes('{"id":1,"data":"a"}\n') && d.includes('{"id":2,"data":"b"}\n'));
    conn.socket.destroy();
  });
});

/** What a raw client observes from each hostile server after sending one GET. */
const HOSTILE_TESTS: Record<HostileKind, (conn: RawConn) => Promise<void>> = {
  'never-answers': async (conn) => {
    // The one place a fixed window is the assertion: silence cannot be awaited.
    const silence = await conn.until((d) => d.length > 0, 200).then(() => false, () => true);
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
