import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHostileServer } from '../fixtures/hostile.js';
import { HarnessError } from '../runner/errors.js';
import { probeHttp } from '../runner/preflight.js';

async function rejection(p: Promise<unknown>): Promise<HarnessError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HarnessError) return e;
    throw e;
  }
  throw new Error('expected the probe to reject');
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The preflight HTTP probe (undici): any HTTP response head passes; anything else is exit 2 with the reason. */
describe('preflight HTTP probe', function () {
  this.timeout(10_000);
  // time scale 0.2: the probe's 5 s deadline becomes 1 s
  const scale = 0.2;

  it('passes on any status, and on a base URL that streams forever (only the head counts)', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/stream') res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': open\n\n');
      else res.writeHead(404).end('not here');
    });
    const url = await listen(server);
    try {
      await probeHttp(url, scale);
      const t0 = Date.now();
      await probeHttp(`${url}/stream`, scale);
      expect(Date.now() - t0).to.be.below(900);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a server whose head is valid and whose body never ends (endless-line) passes: the body is not read', async () => {
    const h = await startHostileServer('endless-line');
    try {
      await probeHttp(h.url, scale);
    } finally {
      await h.close();
    }
  });

  for (const kind of ['never-answers', 'garbage', 'endless-headers', 'reset'] as const) {
    it(`a server that ${kind}: exit-2 error naming the origin and why`, async () => {
      const h = await startHostileServer(kind);
      try {
        const e = await rejection(probeHttp(h.url, scale));
        expect(e.code).to.equal('PUSHSPEC_E_UNREACHABLE');
        expect(e.message).to.include(new URL(h.url).origin);
        const why = {
          'never-answers': 'no HTTP response within 1000 ms',
          garbage: 'the answer is not HTTP/1.x',
          'endless-headers': 'the answer is not HTTP/1.x',
          reset: 'the connection ended (rst)',
        }[kind];
        expect(e.message).to.include(`does not speak HTTP: GET / gave ${why}`);
      } finally {
        await h.close();
      }
    });
  }

  it('a closed port is unreachable', async () => {
    const server = createServer();
    const url = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const e = await rejection(probeHttp(url, scale));
    expect(e.message).to.match(/is unreachable: .*ECONNREFUSED/);
  });
});
