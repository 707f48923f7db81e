/**
 * A tiny long-poll server for SEC-DOS-01's tests: polls are held until a publish on their
 * channel (or the hold), and past `perClient` held polls from one remote address it answers 429;
 * past `global` held polls from anyone it answers 503 (everyone locked out). The reference
 * server has no cap on purpose: a cap there would change what every other check sees.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Manifest } from '../../runner/manifest/types.js';

export interface CappedServer {
  url: string;
  manifest(): Manifest;
  close(): Promise<void>;
}

export async function startCappedServer(o: { perClient?: number; global?: number; holdMs: number }): Promise<CappedServer> {
  const held = new Map<string, Set<ServerResponse>>();
  const byChannel = new Map<string, Set<ServerResponse>>();
  let total = 0;
  const release = (ip: string, channel: string, res: ServerResponse): void => {
    if (held.get(ip)?.delete(res)) total--;
    byChannel.get(channel)?.delete(res);
  };
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ip = req.socket.remoteAddress ?? '?';
    const channel = url.searchParams.get('channel') ?? '';
    if (url.pathname === '/publish') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        for (const r of [...(byChannel.get(channel) ?? [])]) r.end(JSON.stringify({ events: [{ data: body }] }));
        res.writeHead(204).end();
      });
      return;
    }
    if (url.pathname !== '/lp') return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('capped test server\n');
    const mine = held.get(ip) ?? new Set<ServerResponse>();
    held.set(ip, mine);
    if (o.global !== undefined && total >= o.global) return void res.writeHead(503, { 'Retry-After': '5' }).end();
    if (o.perClient !== undefined && mine.size >= o.perClient) return void res.writeHead(429, { 'Retry-After': '5' }).end();
    mine.add(res);
    total++;
    const subs = byChannel.get(channel) ?? new Set<ServerResponse>();
    byChannel.set(channel, subs);
    subs.add(res);
    const timer = setTimeout(() => res.end(JSON.stringify({ events: [] })), o.holdMs);
    res.on('close', () => {
      clearTimeout(timer);
      release(ip, channel, res);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    manifest: () => ({
      name: 'capped',
      baseUrl: url,
      publish: { url: '/publish?channel={channel}', body: '{payload}' },
      longPoll: { url: '/lp?channel={channel}', cursor: { type: 'none' }, holdSeconds: o.holdMs / 1000 },
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
