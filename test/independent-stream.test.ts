import { expect } from 'chai';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Manifest } from '../runner/manifest/types.js';
import type { CaseResult } from '../runner/report.js';
import { runSuite } from '../runner/run.js';

/**
 * An NDJSON stream server written independently of fixtures/, answering every request with a
 * close-delimited body (as an HTTP/1.0-style server would): what real nginx with its default
 * buffering stalls, unless the response says `X-Accel-Buffering: no`.
 */
async function startStreamServer(accelHeader: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const subscribers = new Map<string, Set<ServerResponse>>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const topic = url.searchParams.get('topic') ?? '';
    if (url.pathname === '/events') {
      res.socket?.setNoDelay(true);
      // Close-delimited: no Content-Length, no chunked, the connection ends the body.
      res.useChunkedEncodingByDefault = false;
      res.writeHead(200, {
        'content-type': 'application/x-ndjson',
        'cache-control': 'no-store',
        connection: 'close',
        ...(accelHeader ? { 'x-accel-buffering': 'no' } : {}),
      });
      res.flushHeaders();
      const beat = setInterval(() => res.write('\n'), 500);
      const set = subscribers.get(topic) ?? new Set<ServerResponse>();
      subscribers.set(topic, set.add(res));
      req.on('close', () => {
        clearInterval(beat);
        set.delete(res);
      });
      return;
    }
    if (url.pathname === '/send' && req.method === 'POST') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        for (const s of subscribers.get(topic) ?? []) s.write(`${JSON.stringify({ msg: body })}\n`);
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(404).end();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

async function judge(accelHeader: boolean): Promise<Map<string, CaseResult>> {
  const server = await startStreamServer(accelHeader);
  try {
    const manifest: Manifest = {
      name: `close-delimited${accelHeader ? '+x-accel' : ''}`,
      baseUrl: server.url,
      publish: { method: 'POST', url: '/send?topic={channel}', body: '{payload}' },
      stream: { url: '/events?topic={channel}', framing: { type: 'ndjson' }, heartbeatSeconds: 0.5 },
    };
    const { report } = await runSuite({
      manifest,
      only: ['st.incremental'],
      skip: [],
      level: 'all',
      via: ['direct', 'nginx-default', 'buffer-bytes', 'nginx-http11'],
      strict: false,
      timeScale: 1,
      concurrency: 32,
      holdLimitSeconds: 30,
      reportDir: null,
      reporter: 'none',
    });
    return new Map(report.results.map((r) => [`${r.id}@${r.via}`, r]));
  } finally {
    await server.close();
  }
}

describe('a close-delimited stream behind buffering proxies (independent server)', function () {
  this.timeout(60_000);
  it('stalls through nginx-default and buffer-bytes and is flagged there, not direct', async () => {
    const v = await judge(false);
    expect(v.get('st.incremental@direct')?.verdict).to.equal('pass');
    expect(v.get('st.incremental@nginx-default')?.verdict).to.equal('fail');
    expect(v.get('st.incremental@buffer-bytes')?.verdict).to.equal('fail');
    expect(v.get('st.incremental@nginx-http11')?.verdict, 'close-delimited stalls in nginx with HTTP/1.1 upstream too').to.equal('fail');
  });
  it('passes nginx-default when it sends X-Accel-Buffering: no, as real nginx honours it', async () => {
    const v = await judge(true);
    for (const via of ['direct', 'nginx-default', 'buffer-bytes', 'nginx-http11'])
      expect(v.get(`st.incremental@${via}`)?.verdict, via).to.equal('pass');
  });
});
