import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { direct } from '../../proxies/direct.js';
import type { RunningHop } from '../../proxies/hop.js';
import { RawClient, type TestServer, closeAll, rawUpstream, sha256, until } from './helpers.js';

describe('proxies/direct', () => {
  let upstream: TestServer & { connections: Socket[] };
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('is byte-exact both ways for 64 KiB of random data', async () => {
    const fromServer = randomBytes(64 * 1024);
    const received: Buffer[] = [];
    upstream = await rawUpstream((s) => {
      s.on('data', (d: Buffer) => received.push(d));
      s.end(fromServer);
    });
    hop = await direct().start(upstream.url);
    const client = await RawClient.open(hop.url);
    const fromClient = randomBytes(64 * 1024);
    client.send(fromClient);
    client.socket.end();
    await client.waitForEnd();
    await until(() => Buffer.concat(received).length === fromClient.length, 2000, 'upstream to receive everything');
    expect(sha256(client.bytes)).to.equal(sha256(fromServer));
    expect(sha256(Buffer.concat(received))).to.equal(sha256(fromClient));
    client.close();
  });

  it('forwards a half-close: the client can FIN and still read the answer', async () => {
    upstream = await rawUpstream((s) => {
      const parts: Buffer[] = [];
      s.on('data', (d: Buffer) => parts.push(d));
      s.on('end', () => s.end(Buffer.concat(parts).toString('latin1').toUpperCase()));
    });
    hop = await direct().start(upstream.url);
    const client = await RawClient.open(hop.url);
    client.send('echo me');
    client.socket.end();
    const end = await client.waitForEnd();
    expect(end.how).to.equal('fin');
    expect(client.text).to.equal('ECHO ME');
  });

  it('turns an upstream reset into a client reset, so an abort never looks like a clean end', async () => {
    upstream = await rawUpstream((s) => {
      s.write('partial');
      s.once('data', () => s.resetAndDestroy());
    });
    hop = await direct().start(upstream.url);
    const client = await RawClient.open(hop.url);
    await client.waitForText('partial');
    client.send('go');
    const end = await client.waitForEnd();
    expect(end.how).to.equal('rst');
  });

  it('closes every socket promptly on close()', async () => {
    upstream = await rawUpstream(() => undefined);
    hop = await direct().start(upstream.url);
    const client = await RawClient.open(hop.url);
    await until(() => upstream.connections.length === 1, 1000, 'the upstream connection');
    const t = performance.now();
    await hop.close();
    await client.waitForEnd(500);
    expect(performance.now() - t).to.be.below(500);
  });
});
