import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Manifest } from '../runner/manifest/types.js';
import { runSuite } from '../runner/run.js';
import { VIA_PROFILES } from '../runner/via.js';

/**
 * A compliant long-poll server written independently of fixtures/: different URL shapes, a JSON
 * body publish, the cursor nested at /cursor/next (or in a header), chunked responses and
 * `no-cache, private` instead of `no-store`. The suite must not be tuned to its own reference.
 */
function startIndependentServer(holdMs: number, handshake = false): Promise<{ url: string; close(): Promise<void> }> {
  const topics = new Map<string, { seq: number; items: Array<{ seq: number; text: string }>; waiters: Set<() => void> }>();
  const topic = (name: string) => {
    let t = topics.get(name);
    if (!t) {
      t = { seq: 0, items: [], waiters: new Set() };
      topics.set(name, t);
    }
    return t;
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // What a careful author adds to Node's defaults: Node serves two Host lines (RFC 9112 §3.2
    // wants 400), and JSON a page could load as a script should say nosniff.
    if (req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]?.toLowerCase() === 'host').length > 1) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('one Host, please\n');
      return;
    }
    res.setHeader('x-content-type-options', 'nosniff');
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/topics\/([^/]+)\/(messages|poll)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no\n');
      return;
    }
    const t = topic(decodeURIComponent(m[1] ?? ''));
    if (m[2] === 'messages' && req.method === 'POST') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const { text } = JSON.parse(body) as { text: string };
        t.seq += 1;
        t.items.push({ seq: t.seq, text });
        for (const w of [...t.waiters]) w();
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ seq: t.seq }));
      });
      return;
    }
    const after = Number(url.searchParams.get('after') ?? t.seq);
    const answer = (): void => {
      t.waiters.delete(answer);
      clearTimeout(timer);
      const items = t.items.filter((i) => i.seq > after);
      const next = items.at(-1)?.seq ?? after;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'x-next': String(next) });
      res.write('{"items":');
      res.write(JSON.stringify(items));
      res.end(`,"cursor":{"next":${next}}}`);
    };
    const timer = setTimeout(answer, holdMs);
    // Handshake style: a poll without a cursor just learns where "now" is.
    if (t.items.some((i) => i.seq > after) || (handshake && !url.searchParams.has('after'))) answer();
    else t.waiters.add(answer);
    req.on('close', () => {
      t.waiters.delete(answer);
      clearTimeout(timer);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

describe('an independently written compliant long-poll server', function () {
  this.timeout(60_000);
  const variants = [
    [{ json: '/cursor/next' }, false],
    [{ header: 'X-Next' }, false],
    [{ json: '/cursor/next' }, true],
  ] as const;
  for (const [from, handshake] of variants) {
    it(`gets zero fail and zero warn (cursor from ${'json' in from ? `JSON ${from.json}` : `header ${from.header}`}, hold undeclared${handshake ? ', a cursorless first poll answered at once' : ''})`, async () => {
      const server = await startIndependentServer(1500, handshake);
      try {
        const manifest: Manifest = {
          name: 'independent',
          baseUrl: server.url,
          publish: {
            method: 'POST',
            url: '/api/topics/{channel}/messages',
            headers: { 'content-type': 'application/json' },
            body: '{"text":"{payload}"}',
          },
          longPoll: { url: '/api/topics/{channel}/poll', cursor: { type: 'query', param: 'after', from } },
        };
        const { report } = await runSuite({
          manifest,
          only: [],
          skip: [],
          level: 'all',
          via: [...VIA_PROFILES],
          strict: false,
          timeScale: 1,
          concurrency: 32,
          // A 1.5 s hold: lp.hold-floor's floor (a third of the limit) scaled to 1 s.
          holdLimitSeconds: 3,
          reportDir: null,
          reporter: 'none',
        });
        const bad = report.results
          .filter((r) => r.verdict !== 'pass' && !r.actual.startsWith('n/a'))
          .map((r) => `${r.id}@${r.via}: ${r.verdict} — ${r.actual}`);
        expect(report.results.filter((r) => r.via !== 'direct').length, 'long-poll cases through intermediaries').to.be.greaterThan(10);
        expect(bad).to.deep.equal([]);
        const hold = report.results.find((r) => r.id === 'lp.hold-time');
        expect(hold?.measurements['measuredMs']).to.be.within(1400, 1700);
      } finally {
        await server.close();
      }
    });
  }
});
