import { expect } from 'chai';
import { clientPool } from '../../proxies/client-pool.js';
import type { RunningHop } from '../../proxies/hop.js';
import { closeAll, fetchVia, holdingUpstream, until, waitForEvent } from './helpers.js';

describe('proxies/client-pool', () => {
  let upstream: Awaited<ReturnType<typeof holdingUpstream>>;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('client-pool(6) queues a 7th concurrent request to the same host', async () => {
    upstream = await holdingUpstream();
    hop = await clientPool().start(upstream.url);
    const polls = Array.from({ length: 7 }, (_, i) => fetchVia(hop.url, `/poll/${i + 1}`));
    await until(() => upstream.held.length === 6, 2000, 'six polls upstream');
    await waitForEvent(hop, /request \d GET \/poll\/\d: queued \(6\/6/);
    expect(upstream.held.length).to.equal(6);
    upstream.held[2]?.end('done');
    await until(() => upstream.held.length === 7, 2000, 'the 7th poll upstream');
    for (const res of upstream.held) if (!res.writableEnded) res.end('done');
    expect((await Promise.all(polls)).every((r) => r.status === 200)).to.equal(true);
  });

  it('client-pool counts per host: another host is not held up', async () => {
    upstream = await holdingUpstream();
    hop = await clientPool({ connectionsPerHost: 1 }).start(upstream.url);
    const a = fetchVia(hop.url, '/a', { Host: 'one.example' });
    const b = fetchVia(hop.url, '/b', { Host: 'two.example' });
    await until(() => upstream.held.length === 2, 2000, 'both hosts upstream');
    for (const res of upstream.held) res.end('ok');
    await Promise.all([a, b]);
  });
});
