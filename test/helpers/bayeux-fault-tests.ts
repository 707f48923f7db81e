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
};
