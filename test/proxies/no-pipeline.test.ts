import { expect } from 'chai';
import type { Socket } from 'node:net';
import type { RunningHop } from '../../proxies/hop.js';
import { noPipeline } from '../../proxies/no-pipeline.js';
import { RawClient, type TestServer, closeAll, now, rawUpstream, until } from './helpers.js';

/** Records when each request line arrives; answers each after `holdMs`, in order. */
async function recordingUpstream(holdMs: number, arrivals: { line: string; t: number }[], answered: number[]): Promise<TestServer> {
  return rawUpstream((s: Socket) => {
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end !== -1; end = buf.indexOf('\r\n\r\n')) {
        const line = buf.slice(0, buf.indexOf('\r\n'));
        buf = buf.slice(end + 4);
        arrivals.push({ line, t: now() });
        const body = `answer to ${line.split(' ')[1] ?? ''}`;
        setTimeout(() => {
          s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
          answered.push(now());
        }, holdMs);
      }
    });
  });
}

describe('proxies/no-pipeline', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('sends a pipelined request upstream only after the previous response has ended', async () => {
    const arrivals: { line: string; t: number }[] = [];
    const answered: number[] = [];
    upstream = await recordingUpstream(60, arrivals, answered);
    hop = await noPipeline().start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForText('answer to /3', 3000);
    expect(arrivals.map((a) => a.line)).to.deep.equal(['GET /1 HTTP/1.1', 'GET /2 HTTP/1.1', 'GET /3 HTTP/1.1']);
    expect(arrivals[1]?.t, '/2 after /1 was answered').to.be.at.least(answered[0] ?? Infinity);
    expect(arrivals[2]?.t, '/3 after /2 was answered').to.be.at.least(answered[1] ?? Infinity);
    expect(client.text.indexOf('answer to /1')).to.be.below(client.text.indexOf('answer to /2'));
    expect(hop.events.filter((e) => /held pipelined/.test(e.what))).to.have.length(2);
    client.close();
  });

  it("mode 'close' answers the first request and closes, dropping the rest", async () => {
    const arrivals: { line: string; t: number }[] = [];
    upstream = await recordingUpstream(10, arrivals, []);
    hop = await noPipeline({ mode: 'close' }).start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitForEnd();
    expect(client.text).to.include('answer to /1');
    expect(client.text).not.to.include('answer to /2');
    await until(() => hop.events.some((e) => /dropped 1 pipelined/.test(e.what)), 1000, 'the drop event');
    expect(arrivals).to.have.length(1);
  });

  it("passes a client's FIN on only after its last queued request went upstream", async () => {
    const arrivals: { line: string; t: number }[] = [];
    upstream = await recordingUpstream(20, arrivals, []);
    hop = await noPipeline().start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    client.socket.end();
    await client.waitForText('answer to /2', 2000);
    expect(arrivals).to.have.length(2);
  });
});
