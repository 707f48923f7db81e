import { expect } from 'chai';
import type { Socket } from 'node:net';
import { bufferBytes } from '../../proxies/buffer-bytes.js';
import type { RunningHop } from '../../proxies/hop.js';
import {
  RawClient,
  type TestServer,
  closeAll,
  dechunk,
  now,
  rawUpstream,
  readHead,
  splitResponse,
  until,
  waitForEvent,
} from './helpers.js';

const CLOSE_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n';

/** An upstream whose test drives the response socket by hand. */
async function manualUpstream(): Promise<TestServer & { socket: () => Promise<Socket> }> {
  let resolve: (s: Socket) => void = () => undefined;
  const ready = new Promise<Socket>((r) => (resolve = r));
  const server = await rawUpstream((s) => void readHead(s).then(() => resolve(s)));
  return { ...server, socket: () => ready };
}

describe('proxies/buffer-bytes', () => {
  let upstream: TestServer & { socket: () => Promise<Socket> };
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('stalls a close-delimited response, headers included, until 4096 body bytes, then moves 4096-byte blocks', async () => {
    upstream = await manualUpstream();
    hop = await bufferBytes({ thresholdBytes: 4096, flushMs: 0 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    const s = await upstream.socket();
    const head = `${CLOSE_HEAD}\r\n`;
    s.write(`${head}${'a'.repeat(1000)}`);
    await waitForEvent(hop, /holding until 4096/);
    const crossedAt = now();
    s.write('b'.repeat(3596)); // 4596 body bytes in all: one block of 4096, 500 held
    await client.waitForBytes(head.length + 4096);
    expect(client.reads[0]?.t, 'nothing before the threshold').to.be.at.least(crossedAt);
    expect(client.bytes.length, 'exactly one block').to.equal(head.length + 4096);
    const endAt = now();
    s.end();
    await client.waitForEnd();
    expect(client.bytes.length).to.equal(head.length + 4596);
    expect(client.timeOfByte(head.length + 4097), 'the rest only at the end').to.be.at.least(endAt);
    expect(splitResponse(client.bytes).head).to.equal(head.slice(0, -4));
  });

  it('holds chunked streams too in the generic unit (chunked: hold)', async () => {
    upstream = await manualUpstream();
    hop = await bufferBytes({ thresholdBytes: 4096, flushMs: 0, chunked: 'hold' }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const s = await upstream.socket();
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    await waitForEvent(hop, /\(chunked\): holding/);
    const endAt = now();
    s.end('0\r\n\r\n');
    await client.waitForEnd();
    expect(client.reads[0]?.t).to.be.at.least(endAt);
    expect(dechunk(splitResponse(client.bytes).body).payload.toString()).to.equal('hello');
  });

  it('passes a chunked stream promptly when modelling nginx with an HTTP/1.1 upstream (chunked: pass)', async () => {
    upstream = await manualUpstream();
    hop = await bufferBytes({ thresholdBytes: 4096, flushMs: 0, chunked: 'pass' }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const s = await upstream.socket();
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    // The stream is still open upstream: the event must arrive anyway.
    await client.waitForText('hello');
    s.end('0\r\n\r\n');
    await client.waitForEnd();
  });

  it('honours X-Accel-Buffering: no on a close-delimited response, as nginx does', async () => {
    upstream = await manualUpstream();
    hop = await bufferBytes({ thresholdBytes: 4096, flushMs: 0 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const s = await upstream.socket();
    s.write(`${CLOSE_HEAD}X-Accel-Buffering: no\r\n\r\nevent 1\n`);
    await client.waitForText('event 1\n');
    s.end();
    await client.waitForEnd();
  });

  it('ignores X-Accel-Buffering when told to', async () => {
    upstream = await manualUpstream();
    hop = await bufferBytes({ thresholdBytes: 4096, flushMs: 0, honourXAccelBuffering: false }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const s = await upstream.socket();
    s.write(`${CLOSE_HEAD}X-Accel-Buffering: no\r\n\r\nevent 1\n`);
    await waitForEvent(hop, /holding/);
    const endAt = now();
    s.end();
    await client.waitForEnd();
    expect(client.reads[0]?.t).to.be.at.least(endAt);
  });

  it('releases what it holds after flushMs when a flush timer is set', async () => {
    upstream = await manualUpstream();
    hop = await bufferBytes({ thresholdBytes: 4096, flushMs: 100 }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const s = await upstream.socket();
    const wroteAt = now();
    s.write(`${CLOSE_HEAD}\r\nsmall`);
    await client.waitForText('small');
    expect((client.reads[0]?.t ?? 0) - wroteAt).to.be.within(95, 400);
    s.end();
    await until(() => client.end !== undefined, 2000, 'end');
  });
});
