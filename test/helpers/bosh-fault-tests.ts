import { expect } from 'chai';
import type { FaultName } from '../../fixtures/faults.js';
import type { ReferenceServer } from '../../fixtures/reference-server.js';
import { BoshSession } from '../../runner/drivers/bosh.js';
import { header } from '../../runner/wire/index.js';
import { faultPairs } from './fault-pair.js';

/**
 * The reference server's BOSH faults, each shown against the compliant connection manager with
 * the BOSH driver (fixture behaviour; the matrix judges the requirements).
 */
const WAIT_MS = 600;
const pairs = faultPairs(WAIT_MS);
const both = pairs.both;

async function session(server: ReferenceServer, content?: string): Promise<BoshSession> {
  const url = new URL('/http-bind', server.url);
  const s = new BoshSession(pairs.door(url), url);
  await s.create({ to: 'pushspec.localhost', wait: 5, hold: 1, ...(content === undefined ? {} : { content }) }, 2000);
  return s;
}

async function signedIn(server: ReferenceServer): Promise<{ s: BoshSession; jid: string }> {
  const s = await session(server);
  return { s, jid: await s.authenticate({ mechanism: 'ANONYMOUS' }, 2000) };
}

export const closeBoshFaultTests = (): Promise<void> => pairs.close();

const heldMs = async (s: BoshSession): Promise<number> => {
  const p = await s.start('', 5000);
  const ex = await p.done;
  return (ex.res.tEnd ?? 0) - p.tSent;
};
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const BOSH_FAULT_TESTS: Record<Extract<FaultName, `bosh-${string}`>, () => Promise<void>> = {
  'bosh-session-attrs': async () => {
    const [ok, bad] = await both('bosh-session-attrs');
    const [a, b] = await Promise.all([session(ok), session(bad)]);
    expect(a.granted).to.include({ wait: '0.6', hold: '1', requests: '2', ver: '1.6' });
    expect(b.granted).to.not.have.property('requests');
    expect(b.granted['hold']).to.equal('2');
  },
  'bosh-content-ignored': async () => {
    const [ok, bad] = await both('bosh-content-ignored');
    const [a, b] = await Promise.all([session(ok, 'application/xml'), session(bad, 'application/xml')]);
    expect(header(a.exchanges[0]!.res, 'content-type')).to.equal('application/xml');
    expect(header(b.exchanges[0]!.res, 'content-type')).to.equal('text/xml; charset=utf-8');
  },
  'bosh-no-hold': async () => {
    const [ok, bad] = await both('bosh-no-hold');
    const [a, b] = await Promise.all([signedIn(ok), signedIn(bad)]);
    expect(await heldMs(a.s)).to.be.at.least(WAIT_MS - 50);
    expect(await heldMs(b.s)).to.be.below(200);
  },
  'bosh-hold-two': async () => {
    const [ok, bad] = await both('bosh-hold-two');
    const run = async (server: ReferenceServer): Promise<number> => {
      const { s } = await signedIn(server);
      const r1 = await s.start('', 5000);
      await pause(100);
      const r2 = await s.start('', 5000);
      const ex = await r1.done;
      await r2.done;
      return (ex.res.tEnd ?? 0) - r2.tSent;
    };
    expect(await run(ok)).to.be.below(100);
    expect(await run(bad)).to.be.at.least(WAIT_MS - 200);
  },
  'bosh-answer-newest': async () => {
    const [ok, bad] = await both('bosh-answer-newest');
    const run = async (server: ReferenceServer): Promise<number> => {
      const { s, jid } = await signedIn(server);
      const r1 = await s.start('', 5000);
      await pause(100);
      const r2 = await s.start(BoshSession.messageTo(jid, 'tok-1'), 5000);
      const [a, b] = await Promise.all([r1.done, r2.done]);
      expect([a, b].some((e) => e.body?.children.join('').includes('tok-1'))).to.equal(true);
      return (a.res.tEnd ?? 0) - (b.res.tEnd ?? 0);
    };
    expect(await run(ok)).to.be.below(50);
    expect(await run(bad)).to.be.at.least(WAIT_MS - 200);
  },
  'bosh-rid-unchecked': async () => {
    const [ok, bad] = await both('bosh-rid-unchecked');
    const [a, b] = await Promise.all([session(ok), session(bad)]);
    const [ea, eb] = await Promise.all([a.request('', 3000, { rid: a.nextRid + 50 }), b.request('', 3000, { rid: b.nextRid + 50 })]);
    expect(ea.body?.attrs).to.include({ type: 'terminate', condition: 'item-not-found' });
    expect(eb.body?.attrs).to.not.have.property('type');
  },
  'bosh-no-resend-buffer': async () => {
    const [ok, bad] = await both('bosh-no-resend-buffer');
    const run = async (server: ReferenceServer): Promise<string[] | undefined> => {
      const { s, jid } = await signedIn(server);
      const msg = BoshSession.messageTo(jid, 'tok-2');
      const first = await s.request(msg, 3000);
      return (await s.request(msg, 3000, { rid: first.rid })).body?.children;
    };
    expect((await run(ok))?.join('')).to.include('tok-2');
    expect(await run(bad)).to.deep.equal([]);
  },
  'bosh-terminate-ignored': async () => {
    const [ok, bad] = await both('bosh-terminate-ignored');
    const run = async (server: ReferenceServer): Promise<Record<string, string> | undefined> => {
      const { s } = await signedIn(server);
      await s.terminate(3000);
      return (await s.request('', 3000)).body?.attrs;
    };
    expect(await run(ok)).to.include({ type: 'terminate', condition: 'item-not-found' });
    expect(await run(bad)).to.not.have.property('type');
  },
  'bosh-wait-uncapped': async () => {
    const [ok, bad] = await both('bosh-wait-uncapped');
    const grant = async (server: ReferenceServer): Promise<string | undefined> => {
      const url = new URL('/http-bind', server.url);
      const s = new BoshSession(pairs.door(url), url);
      await s.create({ to: 'pushspec.localhost', wait: 60, hold: 1 }, 2000);
      return s.granted['wait'];
    };
    expect(await grant(ok)).to.equal('0.6');
    expect(await grant(bad)).to.equal('60');
  },
  'bosh-rid-gap-terminates': async () => {
    const [ok, bad] = await both('bosh-rid-gap-terminates');
    const run = async (server: ReferenceServer): Promise<Array<Record<string, string> | undefined>> => {
      const { s, jid } = await signedIn(server);
      const n = s.takeRid();
      const ahead = await s.start(BoshSession.messageTo(jid, 'tok-3'), 3000, { rid: s.takeRid() });
      await pause(50);
      const first = await s.request('', 3000, { rid: n });
      expect(first.body?.children.join('') ?? '', 'rid n carries the message').to.satisfy(
        (x: string) => x.includes('tok-3') || first.body?.attrs['type'] === 'terminate',
      );
      void s.start('', 3000).catch(() => undefined);
      return [first.body?.attrs, (await ahead.done).body?.attrs];
    };
    const [good, broken] = [await run(ok), await run(bad)];
    expect(good.map((a) => a?.['type'])).to.deep.equal([undefined, undefined]);
    expect(broken.some((a) => a?.['condition'] === 'item-not-found')).to.equal(true);
  },
  'bosh-inactivity-ignored': async () => {
    const [ok, bad] = await both('bosh-inactivity-ignored');
    const run = async (server: ReferenceServer): Promise<Record<string, string> | undefined> => {
      const s = await session(server);
      const quietS = Number(s.granted['inactivity']) + 0.5;
      await pause(quietS * 1000);
      return (await s.request('', 3000)).body?.attrs;
    };
    const [good, kept] = await Promise.all([run(ok), run(bad)]);
    expect(good).to.include({ type: 'terminate', condition: 'item-not-found' });
    expect(kept).to.not.have.property('type');
  },
  'bosh-inactivity-early': async () => {
    const [ok, bad] = await both('bosh-inactivity-early');
    const run = async (server: ReferenceServer): Promise<Record<string, string> | undefined> => {
      const s = await session(server);
      await pause(Number(s.granted['inactivity']) * 1000 * 0.75);
      return (await s.request('', 3000)).body?.attrs;
    };
    const [alive, gone] = await Promise.all([run(ok), run(bad)]);
    expect(alive).to.not.have.property('type');
    expect(gone).to.include({ type: 'terminate', condition: 'item-not-found' });
  },
  'bosh-polling-hold': async () => {
    const [ok, bad] = await both('bosh-polling-hold');
    const grant = async (server: ReferenceServer): Promise<Record<string, string>> => {
      const url = new URL('/http-bind', server.url);
      const s = new BoshSession(pairs.door(url), url);
      await s.create({ to: 'pushspec.localhost', wait: 0, hold: 0 }, 2000);
      return s.granted;
    };
    expect(await grant(ok)).to.include({ wait: '0', hold: '0' });
    expect(await grant(bad)).to.include({ wait: '0', hold: '1' });
  },
  'bosh-overactivity-ignored': async () => {
    const [ok, bad] = await both('bosh-overactivity-ignored');
    const run = async (server: ReferenceServer): Promise<Record<string, string> | undefined> => {
      const url = new URL('/http-bind', server.url);
      const s = new BoshSession(pairs.door(url), url);
      await s.create({ to: 'pushspec.localhost', wait: 0, hold: 0 }, 2000);
      await s.request('', 2000);
      return (await s.request('', 2000)).body?.attrs;
    };
    expect(await run(ok)).to.include({ type: 'terminate', condition: 'policy-violation' });
    expect(await run(bad)).to.not.have.property('type');
  },
  'bosh-sid-sequential': async () => {
    const [ok, bad] = await both('bosh-sid-sequential');
    const sids = async (server: ReferenceServer): Promise<string[]> => {
      const out: string[] = [];
      for (let i = 0; i < 3; i++) out.push((await session(server)).sid ?? '');
      return out;
    };
    const [random, counted] = [await sids(ok), await sids(bad)];
    for (const sid of random) expect(sid).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [a, b, c] = counted.map(Number);
    expect([b! - a!, c! - b!]).to.deep.equal([1, 1]);
  },
  'bosh-http-errors': async () => {
    const [ok, bad] = await both('bosh-http-errors');
    const unknownSid = async (server: ReferenceServer): Promise<{ status: number; attrs: Record<string, string> | undefined }> => {
      const s = await session(server);
      s.sid = 'no-such-session';
      const ex = await s.request('', 2000);
      return { status: ex.res.status, attrs: ex.body?.attrs };
    };
    expect(await unknownSid(ok)).to.deep.equal({ status: 200, attrs: { type: 'terminate', condition: 'item-not-found' } });
    expect(await unknownSid(bad)).to.deep.equal({ status: 404, attrs: undefined });
  },
  'bosh-expired-rid-accepted': async () => {
    const [ok, bad] = await both('bosh-expired-rid-accepted');
    const run = async (server: ReferenceServer): Promise<Array<Record<string, string> | undefined>> => {
      const { s, jid } = await signedIn(server);
      const first = await s.request(BoshSession.messageTo(jid, 'tok-4'), 3000);
      for (const t of ['tok-5', 'tok-6']) await s.request(BoshSession.messageTo(jid, t), 3000);
      const resent = await s.request('', 3000, { rid: first.rid });
      return [resent.body?.attrs, (await s.request('', 3000)).body?.attrs];
    };
    // Compliant: the resend ends the session, so the next request is for an unknown session too.
    const ended = { type: 'terminate', condition: 'item-not-found' };
    expect(await run(ok)).to.deep.equal([ended, ended]);
    const [resent] = await run(bad);
    expect(resent).to.deep.equal({});
  },
  'bosh-no-cors': async () => {
    const [ok, bad] = await both('bosh-no-cors');
    const preflight = async (server: ReferenceServer): Promise<{ status: number; origin: string | undefined }> => {
      const url = new URL('/http-bind', server.url);
      const conn = await pairs.door(url).connect();
      try {
        const res = await conn.exchange(
          {
            method: 'OPTIONS',
            path: url.pathname,
            headers: [
              ['Origin', 'https://app.example.com'],
              ['Access-Control-Request-Method', 'POST'],
              ['Access-Control-Request-Headers', 'content-type'],
            ],
          },
          { deadlineMs: 2000 },
          url.host,
        );
        return { status: res.status, origin: header(res, 'access-control-allow-origin') };
      } finally {
        conn.close();
      }
    };
    expect(await preflight(ok)).to.deep.equal({ status: 204, origin: 'https://app.example.com' });
    expect(await preflight(bad)).to.deep.equal({ status: 405, origin: undefined });
  },
  'bosh-chunked': async () => {
    const [ok, bad] = await both('bosh-chunked');
    const [a, b] = await Promise.all([session(ok), session(bad)]);
    expect(header(a.exchanges[0]!.res, 'transfer-encoding')).to.equal(undefined);
    expect(header(b.exchanges[0]!.res, 'transfer-encoding')).to.equal('chunked');
  },
};
