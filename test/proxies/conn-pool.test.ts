import { expect } from 'chai';
import { connPool } from '../../proxies/conn-pool.js';
import type { RunningHop } from '../../proxies/hop.js';
import { closeAll, fetchVia, holdingUpstream, until, waitForEvent } from './helpers.js';

describe('proxies/conn-pool', () => {
  let upstream: Awaited<ReturnType<typeof holdingUpstream>>;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  it('conn-pool(n) queues the (n+1)th request until a backend connection frees up', async () => {
    upstream = await holdingUpstream();
    hop = await connPool({ connections: 2 }).start(upstream.url);
    const polls = [1, 2, 3].map((i) => fetchVia(hop.url, `/poll/${i}`));
    await until(() => upstream.held.length === 2, 2000, 'two polls upstream');
    await waitForEvent(hop, /request 3 GET \/poll\/3: queued \(2\/2/);
    expect(upstream.held.length, 'the third waits').to.equal(2);
    upstream.held[0]?.end('first');
    await until(() => upstream.held.length === 3, 2000, 'the third poll upstream');
    await waitForEvent(hop, /request 3 GET \/poll\/3: dispatched after \d+ ms in the queue/);
    for (const res of upstream.held.slice(1)) res.end('later');
    const bodies = (await Promise.all(polls)).map((r) => r.body.toString());
    expect(bodies.sort()).to.deep.equal(['first', 'later', 'later']);
    expect(upstream.sockets.size, 'the freed connection was reused').to.equal(2);
  });

  it('conn-pool shares its connections between different clients', async () => {
    upstream = await holdingUpstream();
    hop = await connPool({ connections: 1 }).start(upstream.url);
    const a = fetchVia(hop.url, '/a', { Host: 'one.example' });
    await until(() => upstream.held.length === 1, 2000, 'the first request');
    const b = fetchVia(hop.url, '/b', { Host: 'two.example' });
    await waitForEvent(hop, /GET \/b: queued/);
    upstream.held[0]?.end('a');
    await until(() => upstream.held.length === 2, 2000, 'the second request');
    upstream.held[1]?.end('b');
    await Promise.all([a, b]);
    expect(upstream.sockets.size).to.equal(1);
  });
});
