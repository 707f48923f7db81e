import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { firstByteTimeout } from '../../proxies/first-byte-timeout.js';
import type { RunningHop } from '../../proxies/hop.js';
import { idleTimeout } from '../../proxies/idle-timeout.js';
import { totalTimeout } from '../../proxies/total-timeout.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { RawClient, type TestServer, closeAll, dechunk, httpUpstream, splitResponse } from './helpers.js';

/**
 * The timeout hops' decisions on a fake clock: which byte resets which timer, whose clock a
 * pipelined or keep-alive request gets. Time moves only when the test says, so a busy machine
 * cannot fire a timer early or late; the real-time tests beside these keep the "how long" part.
 */
describe('timeout hops on a fake clock (decisions, not durations)', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  let clock: FakeClock;
  beforeEach(() => (clock = new FakeClock()));
  afterEach(() => closeAll(hop, upstream));

  /** An upstream whose responses the test writes itself, in the order it asks for them. */
  async function manualUpstream(): Promise<ServerResponse[]> {
    const responses: ServerResponse[] = [];
    upstream = await httpUpstream((_req, res) => void responses.push(res));
    return responses;
  }

  async function waitFor<T>(get: () => T | undefined): Promise<T> {
    for (let i = 0; i < 400; i++) {
      const v = get();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('the upstream never got the request');
  }

  const cut = (h: RunningHop): boolean => h.events.some((e) => /cut|timed out|\b50[34]\b/.test(e.what));

  it('idle-timeout: cuts at exactly idleMs of silence, not a millisecond before', async () => {
    const responses = await manualUpstream();
    hop = await idleTimeout({ idleMs: 120 }).start(upstream.url, { clock });
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await waitFor(() => responses[0]);
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write('data: 1\n\n');
    await client.waitForText('data: 1');
    // Real time passing does nothing: the hop's timers are the fake clock's.
    await new Promise((r) => setTimeout(r, 200));
    expect(client.end, 'open after 200 ms of real time').to.equal(undefined);
    await clock.advance(119);
    expect(client.end, 'open after 119 ms of silence').to.equal(undefined);
    await clock.advance(1);
    expect((await client.waitForEnd()).how).to.equal('fin');
    expect(dechunk(splitResponse(client.bytes).body).complete, 'no last chunk').to.equal(false);
  });

  it('idle-timeout: every byte restarts the silence, so a stream beating faster than idleMs lives on', async () => {
    const responses = await manualUpstream();
    hop = await idleTimeout({ idleMs: 120 }).start(upstream.url, { clock });
    const client = await RawClient.open(hop.url);
    client.send('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const res = await waitFor(() => responses[0]);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    for (let n = 0; n < 8; n++) {
      res.write(`beat ${n}\n`);
      await client.waitForText(`beat ${n}`);
      await clock.advance(100);
    }
    res.end();
    await client.waitForEnd();
    const decoded = dechunk(splitResponse(client.bytes).body);
    expect(decoded.complete, '800 ms of fake time, never 120 ms silent').to.equal(true);
    expect(decoded.payload.toString()).to.include('beat 7');
    expect(cut(hop), hop.events.map((e) => e.what).join(' | ')).to.equal(false);
  });

  it('first-byte-timeout: answers 504 at firstByteMs when nothing came, and never once a byte has come', async () => {
    const responses = await manualUpstream();
    hop = await firstByteTimeout({ firstByteMs: 100 }).start(upstream.url, { clock });
    const quiet = await RawClient.open(hop.url);
    quiet.send('GET /poll HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => responses[0]);
    const started = await RawClient.open(hop.url);
    started.send('GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const res = await waitFor(() => responses[1]);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('started');
    await started.waitForText('started');
    await clock.advance(99);
    expect(quiet.bytes.length, 'nothing before firstByteMs').to.equal(0);
    await clock.advance(1);
    await quiet.waitForEnd();
    expect(quiet.text).to.match(/^HTTP\/1\.1 504 /);
    // However long a started response then goes silent, the first-byte clock has stopped.
    await clock.advance(60_000);
    res.end('finished');
    await started.waitForEnd();
    const decoded = dechunk(splitResponse(started.bytes).body);
    expect(decoded.payload.toString()).to.equal('startedfinished');
    expect(decoded.complete).to.equal(true);
  });

  it('first-byte-timeout: each request on a keep-alive connection gets its own clock, started when it is sent', async () => {
    const responses = await manualUpstream();
    hop = await firstByteTimeout({ firstByteMs: 100 }).start(upstream.url, { clock });
    const client = await RawClient.open(hop.url);
    client.send('GET /1 HTTP/1.1\r\nHost: x\r\n\r\n');
    (await waitFor(() => responses[0])).end('quick');
    await client.waitForText('quick');
    await clock.advance(90);
    client.send('GET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => responses[1]);
    await clock.advance(90);
    expect(client.text, '90 ms into the second request').not.to.include(' 504 ');
    await clock.advance(10);
    await client.waitForEnd();
    expect(client.text).to.match(/quickHTTP\/1\.1 504 /);
  });

  it('first-byte-timeout: a pipelined request’s clock waits while the response ahead of it streams', async () => {
    const responses = await manualUpstream();
    hop = await firstByteTimeout({ firstByteMs: 80 }).start(upstream.url, { clock });
    const client = await RawClient.open(hop.url);
    client.send('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    const slow = await waitFor(() => responses[0]);
    slow.writeHead(200, { 'Content-Type': 'text/plain' });
    slow.write('.');
    await client.waitForText('.');
    client.send('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 5; i++) {
      await clock.advance(40);
      slow.write('.');
    }
    slow.end('done');
    (await waitFor(() => responses[1])).end('second');
    await client.waitForText('second');
    expect(client.text).not.to.include(' 504 ');
    client.close();
  });

  it('total-timeout: cuts a lively stream at totalMs however much flows, and restarts for the next request', async () => {
    const responses = await manualUpstream();
    hop = await totalTimeout({ totalMs: 200 }).start(upstream.url, { clock });
    const keep = await RawClient.open(hop.url);
    keep.send('GET /1 HTTP/1.1\r\nHost: x\r\n\r\n');
    (await waitFor(() => responses[0])).end('done /1');
    await keep.waitForText('done /1');
    await clock.advance(150);
    keep.send('GET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    const second = await waitFor(() => responses[1]);
    await clock.advance(150);
    second.end('done /2');
    await keep.waitForText('done /2');
    expect(keep.end, '300 ms on the connection, 150 per request').to.equal(undefined);
    keep.close();

    const lively = await RawClient.open(hop.url);
    lively.send('GET /3 HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await waitFor(() => responses[2]);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    for (let i = 0; i < 4; i++) {
      res.write('beat\n');
      await lively.waitForBytes(1);
      await clock.advance(49);
    }
    expect(lively.end, 'open at 196 ms').to.equal(undefined);
    await clock.advance(4);
    expect((await lively.waitForEnd()).how).to.equal('fin');
    expect(dechunk(splitResponse(lively.bytes).body).complete).to.equal(false);
  });
});
