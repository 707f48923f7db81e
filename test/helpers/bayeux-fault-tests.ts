import { expect } from 'chai';
import type { FaultName } from '../../fixtures/faults.js';
import type { ReferenceServer } from '../../fixtures/reference-server.js';
import { BayeuxClient, type BayeuxTransport } from '../../runner/drivers/bayeux.js';
import { faultPairs } from './fault-pair.js';

/**
 * The reference server's Bayeux faults, each shown against the compliant endpoint with the
 * Bayeux driver itself (fixture behaviour, not requirement verdicts: the matrix judges those).
 */
const HOLD_MS = 600;
const pairs = faultPairs(HOLD_MS);
const both = pairs.both;

function client(server: ReferenceServer, transport: BayeuxTransport = 'long-polling', headers: Array<[string, string]> = []): BayeuxClient {
  const url = new URL('/bayeux', server.url);
  return new BayeuxClient(pairs.door(url), url, transport, headers);
}

async function subscribed(server: ReferenceServer, channel = '/c', headers: Array<[string, string]> = []): Promise<BayeuxClient> {
  const c = client(server, 'long-polling', headers);
  await c.handshake(2000);
  await c.subscribe(channel, 2000);
  return c;
}

/** Closes every server and connection the fault tests opened. */
export const closeBayeuxFaultTests = (): Promise<void> => pairs.close();

const connectMs = async (c: BayeuxClient): Promise<number> => {
  const p = await c.startConnect(5000);
  const ex = await p.done;
  return (ex.res.tEnd ?? 0) - p.tSent;
};

export const BAYEUX_FAULT_TESTS: Record<Extract<FaultName, `bayeux-${string}`>, () => Promise<void>> = {
  'bayeux-long-timeout': async () => {
    const [ok, bad] = await both('bayeux-long-timeout');
    const [normal, long] = await Promise.all([subscribed(ok), subscribed(bad)]);
    expect(normal.advice.timeout).to.equal(HOLD_MS);
    expect(long.advice.timeout).to.equal(5 * HOLD_MS);
    expect(await connectMs(long)).to.be.at.least(5 * HOLD_MS - 100);
  },
  'bayeux-cacheable': async () => {
    const [ok, bad] = await both('bayeux-cacheable');
    const cacheControl = async (server: ReferenceServer): Promise<string | undefined> => {
      const c = client(server, 'callback-polling');
      const hs = await c.handshake(2000);
      return hs.ex.res.headers.find(([k]) => k.toLowerCase() === 'cache-control')?.[1];
    };
    expect(await cacheControl(ok)).to.equal('no-cache, no-store');
    expect(await cacheControl(bad)).to.equal('public, max-age=60');
  },
  'bayeux-handshake-fields': async () => {
    const [ok, bad] = await both('bayeux-handshake-fields');
    const [good, poor] = await Promise.all([client(ok).handshake(2000), client(bad).handshake(2000)]);
    expect(good.reply).to.include({ version: '1.0', id: '1' }).and.have.property('supportedConnectionTypes');
    expect(poor.reply?.successful).to.equal(true);
    expect(poor.reply).to.not.have.any.keys('version', 'supportedConnectionTypes', 'id');
  },
  'bayeux-meta-id-dropped': async () => {
    const [ok, bad] = await both('bayeux-meta-id-dropped');
    const ids = async (server: ReferenceServer): Promise<Array<string | undefined>> => {
      const c = client(server);
      const hs = await c.handshake(2000);
      const sub = await c.subscribe('/c', 2000);
      return [hs.reply?.id, sub.reply?.id];
    };
    const [echoed, dropped] = await Promise.all([ids(ok), ids(bad)]);
    expect(echoed).to.deep.equal(['1', '2']);
    expect(dropped).to.deep.equal(['1', undefined]);
  },
  'bayeux-connect-not-held': async () => {
    const [ok, bad] = await both('bayeux-connect-not-held');
    const [held, quick] = await Promise.all([subscribed(ok).then(connectMs), subscribed(bad).then(connectMs)]);
    expect(held).to.be.at.least(HOLD_MS - 50);
    expect(quick).to.be.below(200);
  },
  'bayeux-no-wake': async () => {
    const [ok, bad] = await both('bayeux-no-wake');
    const run = async (s: ReferenceServer): Promise<number> => {
      const sub = await subscribed(s);
      const pub = client(s);
      await pub.handshake(2000);
      const p = await sub.startConnect(5000);
      await new Promise((r) => setTimeout(r, 100));
      await pub.publish('/c', { t: 1 }, 2000);
      const ex = await p.done;
      expect(sub.delivered).to.have.length(1);
      return (ex.res.tEnd ?? 0) - p.tSent;
    };
    const [woken, late] = await Promise.all([run(ok), run(bad)]);
    expect(woken).to.be.below(HOLD_MS - 200);
    expect(late).to.be.at.least(HOLD_MS - 50);
  },
  'bayeux-serial': async () => {
    const [ok, bad] = await both('bayeux-serial');
    const run = async (s: ReferenceServer): Promise<number> => {
      const c = await subscribed(s);
      const p = await c.startConnect(5000);
      await new Promise((r) => setTimeout(r, 100));
      // To a channel the client is not on: its own held connect stays held.
      const ack = await c.publish('/elsewhere', { t: 1 }, 5000);
      await p.done;
      return (ack.ex.res.tEnd ?? 0) - ack.ex.tSent;
    };
    const [fast, slow] = await Promise.all([run(ok), run(bad)]);
    expect(fast).to.be.below(200);
    expect(slow).to.be.at.least(HOLD_MS - 200);
  },
  'bayeux-unknown-client-ok': async () => {
    const [ok, bad] = await both('bayeux-unknown-client-ok');
    const ask = async (s: ReferenceServer): Promise<unknown> => {
      const c = client(s);
      const ex = await c.send([{ channel: '/meta/connect', clientId: 'nosuch', connectionType: 'long-polling' }], 2000, 'connect');
      return c.replyTo(ex, '/meta/connect');
    };
    expect(await ask(ok))
      .to.include({ successful: false })
      .and.deep.include({ advice: { reconnect: 'handshake', interval: 0 } });
    expect(await ask(bad)).to.include({ successful: true });
  },
  'bayeux-drop-between-connects': async () => {
    const [ok, bad] = await both('bayeux-drop-between-connects');
    const run = async (s: ReferenceServer): Promise<number> => {
      const sub = await subscribed(s);
      const pub = client(s);
      await pub.handshake(2000);
      await pub.publish('/c', { t: 1 }, 2000);
      await connectMs(sub);
      return sub.delivered.length;
    };
    expect(await run(ok)).to.equal(1);
    expect(await run(bad)).to.equal(0);
  },
  'bayeux-hold-all-browsers': async () => {
    const [ok, bad] = await both('bayeux-hold-all-browsers');
    const run = async (s: ReferenceServer): Promise<number> => {
      const cookie: Array<[string, string]> = [['Cookie', 'BAYEUX_BROWSER=b1']];
      const a = await subscribed(s, '/c', cookie);
      const b = await subscribed(s, '/c', cookie);
      const held = await a.startConnect(5000);
      await new Promise((r) => setTimeout(r, 100));
      const took = await connectMs(b);
      await held.done;
      return took;
    };
    const [told, held] = await Promise.all([run(ok), run(bad)]);
    expect(told).to.be.below(200);
    expect(held).to.be.at.least(HOLD_MS - 50);
  },
  'bayeux-jsonp-unchecked': async () => {
    const [ok, bad] = await both('bayeux-jsonp-unchecked');
    const evil = { jsonp: 'alert(1)//', message: '[{"channel":"/meta/handshake","version":"1.0"}]' };
    const [refused, reflected] = await Promise.all([
      client(ok, 'callback-polling').rawGet(evil, 2000),
      client(bad, 'callback-polling').rawGet(evil, 2000),
    ]);
    expect(refused.status).to.equal(400);
    expect(reflected.status).to.equal(200);
    expect(reflected.body.toString()).to.match(/^\/\*\*\/alert\(1\)\/\/\(/);
  },
  'bayeux-json-500': async () => {
    const [ok, bad] = await both('bayeux-json-500');
    const [a, b] = await Promise.all([client(ok).sendRaw('[{', 2000), client(bad).sendRaw('[{', 2000)]);
    expect(a.status).to.equal(400);
    expect(b.status).to.equal(500);
  },
  'bayeux-refusal-bare': async () => {
    const [ok, bad] = await both('bayeux-refusal-bare');
    const refuse = async (s: ReferenceServer): Promise<unknown> =>
      (await client(s).handshake(2000, { supportedConnectionTypes: ['none-such'] })).reply;
    expect(await refuse(ok))
      .to.include({ successful: false, error: '301:none-such:Connection types not supported' })
      .and.deep.include({ advice: { reconnect: 'none', interval: 0 } });
    expect(await refuse(bad)).to.deep.equal({ channel: '/meta/handshake', id: '1', successful: false });
  },
  'bayeux-handshake-batch': async () => {
    const [ok, bad] = await both('bayeux-handshake-batch');
    const run = async (s: ReferenceServer): Promise<number> => {
      const sub = await subscribed(s);
      const pub = client(s);
      await pub.handshake(2000);
      const hs = { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] };
      await pub.send([hs, { channel: '/c', clientId: pub.clientId ?? '', data: { t: 1 } }], 2000, 'control');
      await pub.publish('/c', { t: 2 }, 2000);
      await connectMs(sub);
      return sub.delivered.length;
    };
    expect(await run(ok)).to.equal(1);
    expect(await run(bad)).to.equal(2);
  },
  'bayeux-client-id-counter': async () => {
    const [ok, bad] = await both('bayeux-client-id-counter');
    const ids = async (s: ReferenceServer): Promise<string[]> => {
      const c = client(s);
      const out: string[] = [];
      for (let i = 0; i < 3; i++) out.push((await c.handshake(2000)).reply?.clientId ?? '');
      return out;
    };
    for (const id of await ids(ok)) expect(id).to.match(/^[0-9a-f]{32}$/);
    const counted = (await ids(bad)).map(Number);
    expect(counted[1]).to.equal((counted[0] ?? 0) + 1);
    expect(counted[2]).to.equal((counted[0] ?? 0) + 2);
  },
  'bayeux-client-id-leak': async () => {
    const [ok, bad] = await both('bayeux-client-id-leak');
    const run = async (s: ReferenceServer): Promise<{ leaked: unknown; pubId: string | null }> => {
      const sub = await subscribed(s);
      const pub = client(s);
      await pub.handshake(2000);
      await pub.publish('/c', { t: 1 }, 2000);
      await connectMs(sub);
      return { leaked: sub.delivered[0]?.message.clientId, pubId: pub.clientId };
    };
    expect((await run(ok)).leaked).to.equal(undefined);
    const leaky = await run(bad);
    expect(leaky.leaked).to.equal(leaky.pubId);
  },
  'bayeux-disconnect-keeps-connect': async () => {
    const [ok, bad] = await both('bayeux-disconnect-keeps-connect');
    const run = async (s: ReferenceServer): Promise<number> => {
      const c = await subscribed(s);
      const p = await c.startConnect(5000);
      await new Promise((r) => setTimeout(r, 100));
      const tSent = Date.now();
      await c.disconnect(2000);
      await p.done;
      return Date.now() - tSent;
    };
    const [released, kept] = await Promise.all([run(ok), run(bad)]);
    expect(released).to.be.below(200);
    expect(kept).to.be.at.least(HOLD_MS - 200);
  },
  'bayeux-error-free-text': async () => {
    const [ok, bad] = await both('bayeux-error-free-text');
    const error = async (s: ReferenceServer): Promise<unknown> => {
      const c = client(s);
      const ex = await c.send([{ channel: '/meta/subscribe', clientId: 'nosuch', subscription: '/c' }], 2000, 'control');
      return c.replyTo(ex, '/meta/subscribe')?.error;
    };
    expect(await error(ok)).to.equal('402::Unknown client');
    expect(await error(bad)).to.equal('Unknown client');
  },
  'bayeux-advice-invalid': async () => {
    const [ok, bad] = await both('bayeux-advice-invalid');
    const reconnect = async (s: ReferenceServer): Promise<unknown> => {
      const c = await subscribed(s);
      await connectMs(c);
      return c.advice.reconnect;
    };
    const [good, poor] = await Promise.all([reconnect(ok), reconnect(bad)]);
    expect(good).to.equal('retry');
    expect(poor).to.equal('always');
  },
  'bayeux-connects-both-held': async () => {
    const [ok, bad] = await both('bayeux-connects-both-held');
    const run = async (s: ReferenceServer): Promise<number> => {
      const c = await subscribed(s);
      const first = await c.startConnect(5000);
      await new Promise((r) => setTimeout(r, 100));
      const tSent = Date.now();
      const second = c.send([{ channel: '/meta/connect', clientId: c.clientId ?? '', connectionType: 'long-polling' }], 5000, 'control');
      await first.done;
      const took = Date.now() - tSent;
      await second;
      return took;
    };
    const [released, held] = await Promise.all([run(ok), run(bad)]);
    expect(released).to.be.below(200);
    expect(held).to.be.at.least(HOLD_MS - 200);
  },
  'bayeux-text-plain': async () => {
    const [ok, bad] = await both('bayeux-text-plain');
    const type = async (s: ReferenceServer): Promise<string | undefined> =>
      (await client(s).handshake(2000)).ex.res.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
    expect(await type(ok)).to.equal('application/json; charset=utf-8');
    expect(await type(bad)).to.equal('text/plain; charset=utf-8');
  },
  'bayeux-unconnected-hangs': async () => {
    const [ok, bad] = await both('bayeux-unconnected-hangs');
    const end = async (s: ReferenceServer): Promise<string> =>
      (await client(s).send([{ channel: '/c', data: { t: 1 } }], 500, 'control')).res.end;
    const [answered, hung] = await Promise.all([end(ok), end(bad)]);
    expect(answered).to.equal('complete');
    expect(hung).to.equal('timeout');
  },
};
