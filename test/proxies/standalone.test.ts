import { expect } from 'chai';
import { createServer } from 'node:net';
import { type ProxyCommand, runProxyCommand } from '../../proxies/standalone.js';
import { type TestServer, closeAll, fetchVia, httpUpstream, until } from './helpers.js';
import { startReferenceServer } from '../../fixtures/reference-server.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected a rejection');
}

describe('proxies/standalone (pushspec proxy)', () => {
  let upstream: TestServer;
  let command: ProxyCommand | undefined;
  afterEach(async () => {
    await closeAll(command, upstream);
    command = undefined;
  });

  it('prints what each hop does, then every event as it happens', async () => {
    upstream = await httpUpstream((_req, res) => res.end('hi'));
    const lines: string[] = [];
    command = await runProxyCommand({ profile: 'nginx-default', upstream: upstream.url.href, out: (l) => lines.push(l) });
    expect(lines[0]).to.include(`nginx-default: ${command.url.href} → ${upstream.url.origin}/`);
    const hopLines = lines.filter((l) => /^ {2}\d\. /.test(l)).map((l) => l.slice(0, l.indexOf(': ')));
    expect(hopLines).to.deep.equal([
      '  1. http10-upstream',
      '  2. buffer-bytes(4096B, flush 0ms, chunked passes)',
      '  3. idle-timeout(60000ms, 504)',
    ]);
    expect(lines.some((l) => /holds a response that is not chunked, headers included, until 4096 body bytes/.test(l))).to.equal(true);
    expect(lines.some((l) => /X-Accel-Buffering: no/.test(l))).to.equal(true);
    const before = lines.length;
    await fetchVia(command.url, '/x');
    await until(
      () => lines.slice(before).some((l) => /^\+\d+ms http10-upstream: conn 1: GET \/x sent upstream as HTTP\/1\.0$/.test(l)),
      1000,
      'the event line',
    );
  });

  it('listens on the port it is given', async () => {
    upstream = await httpUpstream((_req, res) => res.end('hi'));
    const port = await freePort();
    command = await runProxyCommand({ profile: 'direct', upstream: upstream.url.href, port, out: () => undefined });
    expect(command.url.port).to.equal(String(port));
    expect((await fetchVia(command.url)).body.toString()).to.equal('hi');
  });

  it('names the option, the bad value and the allowed values when the input is wrong', async () => {
    upstream = await httpUpstream((_req, res) => res.end('hi'));
    const out = (): void => undefined;
    const profile = await rejection(runProxyCommand({ profile: 'nginx', upstream: upstream.url.href, out }));
    expect(profile).to.match(/^PROFILE: "nginx" is not a profile \(allowed: direct, .*nginx-default.*varnish-default/);
    expect(await rejection(runProxyCommand({ profile: 'direct', upstream: 'localhost:8080', out }))).to.match(
      /^--upstream: "localhost:8080" is not an http:\/\/ or https:\/\/ URL \(allowed: .*did you mean http:\/\/localhost:8080\?\)$/,
    );
    expect(await rejection(runProxyCommand({ profile: 'direct', upstream: 'not a url', out }))).to.match(
      /^--upstream: "not a url" is not a URL \(allowed: an absolute http:\/\/ or https:\/\/ URL/,
    );
    expect(await rejection(runProxyCommand({ profile: 'direct', upstream: upstream.url.href, port: 70_000, out }))).to.match(
      /^--port: "70000" is not a port \(allowed: an integer from 0 to 65535/,
    );
  });

  it('an https upstream: the hops speak plain HTTP and the last link opens TLS with --ca; untrusted, it refuses to start naming the code', async () => {
    const server = await startReferenceServer({ tls: true });
    try {
      const untrusted = await rejection(runProxyCommand({ profile: 'rechunk-split', upstream: server.url, out: () => undefined }));
      expect(untrusted).to.include(`target ${server.url}`).and.include('DEPTH_ZERO_SELF_SIGNED_CERT').and.include('--ca FILE');
      const lines: string[] = [];
      command = await runProxyCommand({
        profile: 'rechunk-split',
        upstream: server.url,
        trust: { insecure: false, ca: server.caPem ?? '' },
        out: (l) => lines.push(l),
      });
      expect(command.url.protocol).to.equal('http:');
      expect(lines.some((l) => l.includes('the last link opens TLS'))).to.equal(true);
      expect((await fetchVia(command.url)).body.toString()).to.equal('pushspec reference server\n');
    } finally {
      await command?.close();
      command = undefined;
      await server.close();
    }
  });
});
