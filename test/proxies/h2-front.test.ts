import { expect } from 'chai';
import { h2Front } from '../../proxies/h2-front.js';
import type { RunningHop } from '../../proxies/hop.js';
import { H2Connection } from '../../runner/h2/connection.js';
import { closeAll, httpUpstream, rawUpstream, until, type TestServer } from './helpers.js';

/** h2-front: HTTP/2 to the client (prior knowledge), HTTP/1.1 to the upstream, a stream stays a stream. */
describe('proxies: h2-front', function () {
  this.timeout(10_000);
  let front: RunningHop | undefined;
  let upstream: TestServer | undefined;
  const conns: H2Connection[] = [];
  afterEach(async () => {
    for (const c of conns.splice(0)) c.close();
    await closeAll(front, upstream);
  });
  const open = async (): Promise<H2Connection> => {
    if (!front) throw new Error('no front');
    const c = await H2Connection.open(front.url, { connectTimeoutMs: 2000 });
    conns.push(c);
    return c;
  };

  it('forwards the head at once, each upstream write as its own DATA, and drops connection-specific fields', async () => {
    const up = await httpUpstream((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'Keep-Alive': 'timeout=5', 'X-App': 'kept' });
      res.write('data: 1\n\n');
      setTimeout(() => res.end('data: 2\n\n'), 150);
    });
    upstream = up;
    front = await h2Front().start(up.url);
    const c = await open();
    const res = await c.exchange(
      { method: 'GET', path: '/sse', headers: [['Connection', 'keep-alive']] },
      { deadlineMs: 3000 },
      'example.test',
    );
    expect(res.end).to.equal('complete');
    expect(res.headers.map(([n]) => n))
      .to.include('x-app')
      .and.not.include.members(['connection', 'keep-alive', 'transfer-encoding']);
    expect(res.body.toString()).to.equal('data: 1\n\ndata: 2\n\n');
    expect((res.tFirstBodyByte ?? 0) - (res.tHeaders ?? 0), 'the first event came with or right after the head').to.be.below(100);
    expect((res.tEnd ?? 0) - (res.tFirstBodyByte ?? 0), 'the second write ~150 ms later, not joined to the first').to.be.within(100, 1000);
    expect(up.requests[0]?.headers.host).to.equal('example.test');
    expect(up.requests[0]?.httpVersion).to.equal('1.1');
  });

  it("a client's RST_STREAM aborts the upstream request; the connection goes on", async () => {
    let closedUpstream = false;
    const up = await httpUpstream((req, res) => {
      if (req.url === '/held') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(': open\n\n');
        res.once('close', () => (closedUpstream = true));
      } else res.end('ok');
    });
    upstream = up;
    front = await h2Front().start(up.url);
    const c = await open();
    const held = c.request({ method: 'GET', path: '/held' }, up.url.host, 5000);
    expect(await held.head(2000)).to.equal(true);
    held.cancel();
    await until(() => closedUpstream, 2000, 'the upstream request aborted');
    expect((await c.exchange({ method: 'GET', path: '/ok' }, { deadlineMs: 2000 }, up.url.host)).status).to.equal(200);
  });

  it('an upstream that breaks off mid-body becomes RST_STREAM (INTERNAL_ERROR), not a clean end', async () => {
    const up = await rawUpstream((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\npartial');
        setTimeout(() => socket.destroy(), 50);
      });
    });
    upstream = up;
    front = await h2Front().start(up.url);
    const c = await open();
    const res = await c.exchange({ method: 'GET', path: '/' }, { deadlineMs: 3000 }, up.url.host);
    expect(res.body.toString()).to.equal('partial');
    expect(res.end).to.equal('rst');
    expect(res.errors.join()).to.include('INTERNAL_ERROR');
  });

  it('an unreachable upstream is a 502 from the hop, marked as the hop’s own', async () => {
    const up = await httpUpstream((_req, res) => res.end());
    const url = up.url;
    await up.close();
    front = await h2Front().start(url);
    const c = await open();
    const res = await c.exchange({ method: 'GET', path: '/' }, { deadlineMs: 3000 }, url.host);
    expect(res.status).to.equal(502);
    expect(res.headers.some(([n]) => n.startsWith('x-pushspec'))).to.equal(true);
  });
});
