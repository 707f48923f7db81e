import { expect } from 'chai';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startReferenceServer } from '../fixtures/reference-server.js';
import { manifestProblems } from '../runner/manifest/load.js';
import type { Manifest } from '../runner/manifest/types.js';
import type { CaseResult } from '../runner/report.js';
import { runSuite } from '../runner/run.js';

/**
 * The defects real third-party servers exposed (issue 8), each pinned on a server small enough
 * to read: a server that accepts events and drops them, a declared hold the server does not
 * keep, no cursor declared, a broadcast publish hook.
 */
async function judge(manifest: Manifest, only: string[], via: string[] = ['direct']): Promise<Map<string, CaseResult>> {
  const { report } = await runSuite({
    manifest,
    only,
    skip: [],
    level: 'all',
    via,
    strict: false,
    timeScale: 1,
    concurrency: 32,
    holdLimitSeconds: 30,
    reportDir: null,
    reporter: 'none',
  });
  return new Map(report.results.map((r) => [`${r.id}@${r.via}`, r]));
}

/** Holds every poll for `holdMs` and answers it empty; accepts every publish (204) and drops it. */
async function lossyServer(holdMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/publish')) {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
      return;
    }
    held.add(res);
    setTimeout(() => {
      held.delete(res);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end('[]');
    }, holdMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('defects found on real servers', function () {
  this.timeout(60_000);

  it('an event the server accepted and never delivered is a fail with a rate, re-verified alone, never inconclusive', async () => {
    const s = await lossyServer(800);
    try {
      const m: Manifest = {
        name: 'lossy',
        baseUrl: s.url,
        publish: { url: '/publish?c={channel}', body: '{payload}' },
        longPoll: { url: '/lp?c={channel}', holdSeconds: 0.8 },
      };
      const r = await judge(m, ['lp.complete']);
      const c = r.get('lp.complete@direct');
      expect(c?.verdict, c?.actual).to.equal('fail');
      // The first poll carries no cursor, so its miss alone is not owed; the poll after it is.
      expect(c?.actual).to.match(
        /accepted \(status 204\) while poll #3 was held never arrived: .* \(before that, the event published for the cursorless poll #1 arrived on neither it nor poll #2\)/,
      );
      expect(c?.actual).to.match(/Loss in 3 of 3 runs \(the first concurrent, 2 alone\): 3 of 3 accepted events never delivered/);
      expect(c?.loss).to.deep.equal({ published: 3, lost: 3 });
      expect(c?.cause).to.equal('server');
      expect(c?.remedy).to.be.a('string');
    } finally {
      await s.close();
    }
  });

  it('a declared hold the server does not keep is reported, and its early answer is not judged as a hold timeout', async () => {
    const server = await startReferenceServer({ holdMs: 1000 });
    try {
      const m = server.manifest();
      if (m.longPoll) m.longPoll.holdSeconds = 15;
      const r = await judge(m, ['lp.hold-time', 'lp.timeout-status']);
      const hold = r.get('lp.hold-time@direct');
      expect(hold?.verdict, hold?.actual).to.equal('warn');
      expect(hold?.actual).to.match(/answered after 1\.\d s, not at the declared hold of 15\.0 s/);
      const status = r.get('lp.timeout-status@direct');
      expect(status?.verdict, status?.actual).to.equal('inconclusive');
      expect(status?.actual).to.match(/not a hold timeout/);
    } finally {
      await server.close();
    }
  });

  it('loss with no cursor declared says so and what it means', async () => {
    const server = await startReferenceServer({ holdMs: 1000 });
    try {
      const m = server.manifest();
      if (m.longPoll) m.longPoll.cursor = { type: 'none' };
      const r = await judge(m, ['lp.gap-no-loss']);
      const c = r.get('lp.gap-no-loss@direct');
      expect(c?.verdict, c?.actual).to.equal('fail');
      expect(c?.actual).to.match(/the manifest declares no cursor \(longPoll\.cursor\)/);
    } finally {
      await server.close();
    }
  });

  it('a broadcast publish hook needs no {channel}; without broadcast the check names the option', () => {
    const base = { name: 'b', baseUrl: 'http://127.0.0.1:1', sse: { url: '/sse?s={channel}' } };
    expect(manifestProblems({ ...base, publish: { url: '/broadcast', body: '{payload}', broadcast: true } })).to.deep.equal([]);
    const problems = manifestProblems({ ...base, publish: { url: '/broadcast', body: '{payload}' } });
    expect(problems.map((p) => `${p.path}: ${p.message}`).join('\n')).to.match(
      /\/publish\/url: no \{channel\} placeholder .*set "broadcast": true/,
    );
  });

  it('a failure that only shows through a buffering hop names the hop, shows the direct result and the server-side remedy', async () => {
    // A plain SSE server that streams promptly but does not opt out of proxy buffering.
    const subscribers = new Map<string, ServerResponse>();
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const channel = url.searchParams.get('c') ?? '';
      if (url.pathname === '/publish') {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          subscribers.get(channel)?.write(`data: ${body}\n\n`);
          res.writeHead(204).end();
        });
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(': hi\n\n');
      subscribers.set(channel, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const m: Manifest = {
        name: 'no-accel',
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        publish: { url: '/publish?c={channel}', body: '{payload}' },
        sse: { url: '/sse?c={channel}' },
      };
      const r = await judge(m, ['st.incremental'], ['direct', 'buffer-bytes']);
      const direct = r.get('st.incremental@direct');
      const via = r.get('st.incremental@buffer-bytes');
      expect(direct?.verdict, direct?.actual).to.equal('pass');
      expect(via?.verdict, via?.actual).to.equal('fail');
      expect(via?.cause).to.equal('intermediary');
      expect(via?.direct?.verdict).to.equal('pass');
      expect(via?.actual).to.match(/^passes direct; through buffer-bytes \(holds each response/);
      expect(via?.actual).not.to.match(/the server holds small writes back/);
      expect(via?.remedy).to.match(/X-Accel-Buffering: no/);
      expect(via?.evidence.some((e) => e.what.startsWith('[buffer-bytes] '))).to.equal(true);
    } finally {
      for (const res of subscribers.values()) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
  it('a stream whose only message boundary is the HTTP chunk (declared "chunks") fails st.app-framing with the chunks as evidence', async () => {
    const server = await startReferenceServer({ holdMs: 1000, faults: ['chunk-boundary-framing'] });
    try {
      const m = server.manifest();
      const manifest: Manifest = { ...m, stream: { ...(m.stream ?? { url: '/stream?channel={channel}' }), framing: { type: 'chunks' } } };
      expect(manifestProblems(manifest)).to.deep.equal([]);
      const r = await judge(manifest, ['st.app-framing']);
      const c = r.get('st.app-framing@direct');
      expect(c?.verdict, c?.actual).to.equal('fail');
      expect(c?.actual).to.match(/declares "framing": \{"type": "chunks"\}: 3 events arrived in \d+ chunk\(s\) of/);
      expect(c?.actual).to.match(/RFC 6202 §3\.2/);
    } finally {
      await server.close();
    }
  });
});
