import { expect } from 'chai';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChannel, createSession, type Channel } from 'better-sse';
import SseChannel from 'sse-channel';
import type { Manifest } from '../runner/manifest/types.js';
import type { CaseResult } from '../runner/report.js';
import { runSuite } from '../runner/run.js';

/**
 * Real third-party SSE servers from npm, with the thinnest glue we can write (a publish endpoint
 * and one channel per URL). What pushspec says about them is pinned here, so a change in the
 * suite that flips a verdict on real code is noticed.
 */
type Glue = {
  sse(channel: string, req: IncomingMessage, res: ServerResponse): void;
  publish(channel: string, payload: string): void;
  close(): void;
};

function betterSse(): Glue {
  const channels = new Map<string, Channel>();
  const ch = (name: string): Channel => {
    let c = channels.get(name);
    if (!c) channels.set(name, (c = createChannel()));
    return c;
  };
  return {
    sse: (name, req, res) => {
      void createSession(req, res, { keepAlive: 1000 }).then((s) => ch(name).register(s));
    },
    publish: (name, payload) => {
      ch(name).broadcast(payload, 'message');
    },
    close: () => undefined,
  };
}

function sseChannel(): Glue {
  const channels = new Map<string, { c: SseChannel; id: number }>();
  const ch = (name: string): { c: SseChannel; id: number } => {
    let c = channels.get(name);
    if (!c) channels.set(name, (c = { c: new SseChannel({ pingInterval: 1000 }), id: 0 }));
    return c;
  };
  return {
    sse: (name, req, res) => ch(name).c.addClient(req, res),
    publish: (name, payload) => {
      const c = ch(name);
      c.id += 1;
      c.c.send({ id: c.id, data: payload });
    },
    close: () => {
      for (const { c } of channels.values()) c.close();
    },
  };
}

async function judge(glue: Glue): Promise<Map<string, CaseResult>> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const channel = url.searchParams.get('channel') ?? '';
    if (url.pathname === '/sse') return glue.sse(channel, req, res);
    if (url.pathname === '/publish' && req.method === 'POST') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        glue.publish(channel, body);
        res.writeHead(204).end();
      });
      return undefined;
    }
    res.writeHead(404).end();
    return undefined;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const manifest: Manifest = {
    name: 'third-party',
    baseUrl: base,
    publish: { method: 'POST', url: '/publish?channel={channel}', body: '{payload}' },
    sse: { url: '/sse?channel={channel}', heartbeatSeconds: 1 },
  };
  try {
    const { report } = await runSuite({
      manifest,
      only: [],
      skip: [],
      level: 'all',
      via: ['direct'],
      strict: false,
      timeScale: 1,
      concurrency: 32,
      holdLimitSeconds: 30,
      reportDir: null,
      reporter: 'none',
    });
    return new Map(report.results.filter((r) => r.verdict !== 'skip').map((r) => [r.id, r]));
  } finally {
    glue.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const verdicts = (m: Map<string, CaseResult>): Record<string, string> => Object.fromEntries([...m].map(([id, r]) => [id, r.verdict]));

describe('real third-party SSE servers from npm', function () {
  this.timeout(60_000);

  it('better-sse 0.16: compliant except resumption (it does not replay missed events by itself)', async () => {
    const v = await judge(betterSse());
    console.log(`      better-sse: ${JSON.stringify(verdicts(v))}`);
    expect(verdicts(v)).to.deep.include({
      'sse.content-type': 'pass',
      'sse.dispatch': 'pass',
      'sse.ids': 'pass',
      'sse.field-names': 'pass',
      'sse.heartbeat': 'pass',
      'st.incremental': 'pass',
      'st.http10-eof': 'pass',
      'sse.resume': 'fail',
    });
    expect([...v.values()].filter((r) => r.verdict === 'error').map((r) => r.id)).to.deep.equal([]);
  });

  it('sse-channel 4: replays history on Last-Event-ID', async () => {
    const v = await judge(sseChannel());
    console.log(`      sse-channel: ${JSON.stringify(verdicts(v))}`);
    expect(verdicts(v)).to.deep.include({
      'sse.content-type': 'pass',
      'sse.dispatch': 'pass',
      'sse.ids': 'pass',
      'sse.resume': 'pass',
      'st.incremental': 'pass',
    });
    expect([...v.values()].filter((r) => r.verdict === 'error').map((r) => r.id)).to.deep.equal([]);
  });
});
