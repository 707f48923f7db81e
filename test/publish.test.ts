import { expect } from 'chai';
import nock from 'nock';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../runner/clock.js';
import type { Manifest } from '../runner/manifest/types.js';
import { createPublishAdapter } from '../runner/publish.js';

const base: Manifest = { name: 't', baseUrl: 'http://pub.test', longPoll: { url: '/lp?c={channel}' } };

describe('publish adapter', () => {
  afterEach(() => nock.cleanAll());
  before(() => {
    // Another test file may have restored http/fetch to their originals; take them over again.
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
  });
  after(() => {
    nock.enableNetConnect();
    nock.restore();
  });

  it('fills {channel} (URL-encoded) and {payload}, sends manifest and publish headers, records timing', async () => {
    const scope = nock('http://pub.test', { reqheaders: { authorization: 'Bearer x', 'x-chan': 'a b' } })
      .post('/pub', 'msg=tok-1')
      .query({ channel: 'a b' })
      .reply(204);
    const m: Manifest = { ...base, headers: { Authorization: 'Bearer x' }, publish: { method: 'POST', url: '/pub?channel={channel}', headers: { 'X-Chan': '{channel}' }, body: 'msg={payload}' } };
    const adapter = createPublishAdapter(m, { clock: systemClock, deadlineMs: 2000 });
    const r = await adapter?.publish('a b', 'tok-1');
    expect(r?.ok).to.equal(true);
    expect(r?.status).to.equal(204);
    expect(r && r.tEnd >= r.tStart).to.equal(true);
    scope.done();
  });

  it('reports a non-2xx hook as not ok, naming the URL and the status', async () => {
    nock('http://pub.test').post('/pub').reply(500, 'boom');
    const adapter = createPublishAdapter({ ...base, publish: { url: '/pub', body: '{payload}' } }, { clock: systemClock, deadlineMs: 2000 });
    const r = await adapter?.publish('c', 'p');
    expect(r?.ok).to.equal(false);
    expect(r?.error).to.match(/POST http:\/\/pub\.test\/pub answered 500; expected 2xx/);
  });

  it('gives up on a hook that never answers within the deadline', async () => {
    nock('http://pub.test').post('/pub').delay(5000).reply(200);
    const adapter = createPublishAdapter({ ...base, publish: { url: '/pub', body: '{payload}' } }, { clock: systemClock, deadlineMs: 150 });
    const t0 = Date.now();
    const r = await adapter?.publish('c', 'p');
    expect(r?.ok).to.equal(false);
    expect(r?.error).to.match(/no answer within 150 ms/);
    expect(Date.now() - t0).to.be.below(2000);
  });

  it('runs a publish command with the placeholders as separate arguments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushspec-pub-'));
    const script = join(dir, 'pub.sh');
    const out = join(dir, 'out.txt');
    await writeFile(script, `#!/bin/sh\nprintf '%s|%s' "$1" "$2" > ${JSON.stringify(out)}\n`);
    await chmod(script, 0o755);
    const adapter = createPublishAdapter({ ...base, publish: { command: [script, '{channel}', '{payload}'] } }, { clock: systemClock, deadlineMs: 2000 });
    const r = await adapter?.publish('ch 1', 'tok-2');
    expect(r?.ok).to.equal(true);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(out, 'utf8')).to.equal('ch 1|tok-2');
  });

  it('reports a failing or missing command with its exit status', async () => {
    const failing = createPublishAdapter({ ...base, publish: { command: ['sh', '-c', 'echo nope >&2; exit 3'] } }, { clock: systemClock, deadlineMs: 2000 });
    const r = await failing?.publish('c', 'p');
    expect(r?.ok).to.equal(false);
    expect(r?.error).to.match(/exited with 3; expected exit 0: nope/);
    const missing = createPublishAdapter({ ...base, publish: { command: ['/nonexistent/publish'] } }, { clock: systemClock, deadlineMs: 2000 });
    const r2 = await missing?.publish('c', 'p');
    expect(r2?.ok).to.equal(false);
    expect(r2?.error).to.match(/failed to start/);
  });

  it('returns null when the manifest has no publish block', () => {
    expect(createPublishAdapter(base, { clock: systemClock, deadlineMs: 100 })).to.equal(null);
  });
});
