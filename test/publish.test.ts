import { expect } from 'chai';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAgent } from 'undici';
import { systemClock } from '../runner/clock.js';
import type { Manifest } from '../runner/manifest/types.js';
import { createPublishAdapter, type PublishOptions } from '../runner/publish.js';
import { startReferenceServer } from '../fixtures/reference-server.js';
import { ordinaryAgent } from '../runner/ordinary-http.js';

const base: Manifest = { name: 't', baseUrl: 'http://pub.test', longPoll: { url: '/lp?c={channel}' } };

/**
 * HTTP hooks go through undici's request() on an Agent, which nock (node:http and global fetch)
 * does not see; undici's own MockAgent stands in for the hook server instead.
 */
describe('publish adapter', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });
  afterEach(() => agent.close());
  const options = (deadlineMs: number): PublishOptions => ({ clock: systemClock, deadlineMs, dispatcher: agent });

  it('fills {channel} (URL-encoded) and {payload}, sends manifest and publish headers, records timing', async () => {
    agent
      .get('http://pub.test')
      .intercept({
        path: '/pub',
        query: { channel: 'a b' },
        method: 'POST',
        body: 'msg=tok-1',
        headers: { authorization: 'Bearer x', 'x-chan': 'a b', accept: '*/*', 'content-type': 'text/plain;charset=UTF-8' },
      })
      .reply(204, '');
    const m: Manifest = {
      ...base,
      headers: { Authorization: 'Bearer x' },
      publish: { method: 'POST', url: '/pub?channel={channel}', headers: { 'X-Chan': '{channel}' }, body: 'msg={payload}' },
    };
    const adapter = createPublishAdapter(m, options(2000));
    const r = await adapter?.publish('a b', 'tok-1');
    expect(r?.ok, r?.error).to.equal(true);
    expect(r?.status).to.equal(204);
    expect(r && r.tEnd >= r.tStart).to.equal(true);
    agent.assertNoPendingInterceptors();
  });

  it("keeps the manifest's own Content-Type and Accept", async () => {
    agent
      .get('http://pub.test')
      .intercept({ path: '/pub', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' } })
      .reply(200, '');
    const m: Manifest = {
      ...base,
      publish: { url: '/pub', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: '{"p":"{payload}"}' },
    };
    const r = await createPublishAdapter(m, options(2000))?.publish('c', 'p');
    expect(r?.ok, r?.error).to.equal(true);
  });

  it('reports a non-2xx hook as not ok, naming the URL and the status', async () => {
    agent.get('http://pub.test').intercept({ path: '/pub', method: 'POST' }).reply(500, 'boom');
    const adapter = createPublishAdapter({ ...base, publish: { url: '/pub', body: '{payload}' } }, options(2000));
    const r = await adapter?.publish('c', 'p');
    expect(r?.ok).to.equal(false);
    expect(r?.status).to.equal(500);
    expect(r?.error).to.match(/POST http:\/\/pub\.test\/pub answered 500; expected 2xx/);
  });

  it('does not follow a redirect: a 3xx hook is not ok', async () => {
    agent
      .get('http://pub.test')
      .intercept({ path: '/pub', method: 'POST' })
      .reply(302, '', { headers: { location: '/elsewhere' } });
    const r = await createPublishAdapter({ ...base, publish: { url: '/pub', body: '{payload}' } }, options(2000))?.publish('c', 'p');
    expect(r?.error).to.match(/answered 302; expected 2xx/);
  });

  it('gives up on a hook that never answers within the deadline', async () => {
    agent.get('http://pub.test').intercept({ path: '/pub', method: 'POST' }).reply(200, '').delay(5000);
    const adapter = createPublishAdapter({ ...base, publish: { url: '/pub', body: '{payload}' } }, options(150));
    const t0 = Date.now();
    const r = await adapter?.publish('c', 'p');
    expect(r?.ok).to.equal(false);
    expect(r?.error).to.match(/no answer within 150 ms/);
    expect(Date.now() - t0).to.be.below(2000);
  });

  it('reads a large hook answer only up to its limit and still reports the status', async () => {
    agent
      .get('http://pub.test')
      .intercept({ path: '/pub', method: 'POST' })
      .reply(200, 'x'.repeat(1024 * 1024));
    const r = await createPublishAdapter({ ...base, publish: { url: '/pub', body: '{payload}' } }, options(2000))?.publish('c', 'p');
    expect(r?.ok, r?.error).to.equal(true);
    expect(r?.status).to.equal(200);
  });

  it('sends real requests through the shared Agent by default, reusing the connection (a local hook server)', async () => {
    const seen: string[] = [];
    const ports = new Set<number | undefined>();
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        seen.push(`${req.method ?? ''} ${req.url ?? ''} ${body}`);
        ports.add(req.socket.remotePort);
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const adapter = createPublishAdapter(
        { ...base, baseUrl: `http://127.0.0.1:${port}`, publish: { url: '/pub?c={channel}', body: '{payload}' } },
        { clock: systemClock, deadlineMs: 2000 },
      );
      for (const n of [1, 2, 3, 4]) expect((await adapter?.publish(`ch${n}`, `tok-${n}`))?.status).to.equal(202);
      expect(seen).to.deep.equal([1, 2, 3, 4].map((n) => `POST /pub?c=ch${n} tok-${n}`));
      // The pool may open a second connection while the first is settling; it does not open one per publish.
      expect(ports.size, 'keep-alive connections for 4 sequential publishes').to.be.below(4);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('runs a publish command with the placeholders as separate arguments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushspec-pub-'));
    const script = join(dir, 'pub.sh');
    const out = join(dir, 'out.txt');
    await writeFile(script, `#!/bin/sh\nprintf '%s|%s' "$1" "$2" > ${JSON.stringify(out)}\n`);
    await chmod(script, 0o755);
    const adapter = createPublishAdapter(
      { ...base, publish: { command: [script, '{channel}', '{payload}'] } },
      { clock: systemClock, deadlineMs: 2000 },
    );
    const r = await adapter?.publish('ch 1', 'tok-2');
    expect(r?.ok).to.equal(true);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(out, 'utf8')).to.equal('ch 1|tok-2');
  });

  it('reports a failing or missing command with its exit status', async () => {
    const failing = createPublishAdapter(
      { ...base, publish: { command: ['sh', '-c', 'echo nope >&2; exit 3'] } },
      { clock: systemClock, deadlineMs: 2000 },
    );
    const r = await failing?.publish('c', 'p');
    expect(r?.ok).to.equal(false);
    expect(r?.error).to.match(/exited with 3; expected exit 0: nope/);
    const missing = createPublishAdapter(
      { ...base, publish: { command: ['/nonexistent/publish'] } },
      { clock: systemClock, deadlineMs: 2000 },
    );
    const r2 = await missing?.publish('c', 'p');
    expect(r2?.ok).to.equal(false);
    expect(r2?.error).to.match(/failed to start/);
  });

  it('returns null when the manifest has no publish block', () => {
    expect(createPublishAdapter(base, { clock: systemClock, deadlineMs: 100 })).to.equal(null);
  });

  it("an https hook is verified with the run's trust: untrusted, the error names the code and --ca/--insecure", async () => {
    const server = await startReferenceServer({ tls: true });
    try {
      const m: Manifest = { ...server.manifest(), publish: { method: 'POST', url: '/publish?channel={channel}', body: '{payload}' } };
      const untrusted = createPublishAdapter(m, { clock: systemClock, deadlineMs: 3000, dispatcher: ordinaryAgent({ insecure: false }) });
      const refused = await untrusted?.publish('c1', 'pst-a-0001-z');
      expect(refused?.ok).to.equal(false);
      expect(refused?.error)
        .to.include(`publish hook ${server.url}: the TLS certificate is not trusted: DEPTH_ZERO_SELF_SIGNED_CERT`)
        .and.include('--ca FILE');
      const trusted = createPublishAdapter(m, {
        clock: systemClock,
        deadlineMs: 3000,
        dispatcher: ordinaryAgent({ insecure: false, ca: server.caPem ?? '' }),
      });
      expect((await trusted?.publish('c1', 'pst-a-0002-z'))?.ok).to.equal(true);
    } finally {
      await server.close();
    }
  });
});
