import { expect } from 'chai';
import { BoshSession, parseBoshBody } from '../../runner/drivers/bosh.js';
import { prosody } from '../real-world/servers/prosody.js';
import type { RunningServer } from '../real-world/servers/types.js';
import { testDoor } from './door.js';

describe('BOSH driver against Prosody', function () {
  this.timeout(30_000);
  let running: RunningServer;
  let url: URL;
  before(async function () {
    const missing = prosody.missing();
    if (missing && process.env['PUSHSPEC_CI'] !== '1') this.skip();
    running = await prosody.start();
    const m = running.targets['bosh-anonymous'];
    url = new URL(m?.bosh?.url ?? '', m?.baseUrl);
  });
  after(() => running?.stop());

  it('creates a session with the requested wait and hold, authenticates anonymously and binds a JID', async () => {
    const door = testDoor(url);
    const s = new BoshSession(door, url);
    try {
      const created = await s.create({ to: 'anon.localhost', wait: 3, hold: 1 }, 5000);
      expect(created.problem, door.notes.join('\n')).to.equal(null);
      expect(s.sid).to.be.a('string');
      expect(s.granted['wait']).to.equal('3');
      expect(s.granted['hold']).to.equal('1');
      const jid = await s.authenticate({ mechanism: 'ANONYMOUS' }, 5000);
      expect(jid).to.match(/@anon\.localhost\//);
    } finally {
      s.close();
      door.close();
    }
  });

  it('an empty request is held for wait and answered with an empty body; a message to self comes back as a payload', async () => {
    const door = testDoor(url);
    const s = new BoshSession(door, url);
    try {
      await s.create({ to: 'anon.localhost', wait: 2, hold: 1 }, 5000);
      const jid = await s.authenticate({ mechanism: 'ANONYMOUS' }, 5000);
      const idle = await s.start('', 5000);
      const empty = await idle.done;
      expect(empty.res.tEnd! - idle.tSent).to.be.within(1800, 3500);
      expect(empty.body?.children).to.deep.equal([]);
      const sent = await s.request(BoshSession.messageTo(jid, 'tok-xyz'), 5000);
      const all = [sent, ...s.exchanges].flatMap((e) => e.body?.children ?? []).join('');
      expect(all).to.include('tok-xyz');
    } finally {
      s.close();
      door.close();
    }
  });

  it('parses bodies strictly: not XML, another root, another namespace', () => {
    expect(parseBoshBody("<body xmlns='http://jabber.org/protocol/httpbind' sid='a'/>").body?.attrs).to.deep.equal({ sid: 'a' });
    expect(parseBoshBody('<body><x></body>').problem).to.match(/not well-formed XML/);
    expect(parseBoshBody("<html xmlns='http://jabber.org/protocol/httpbind'/>").problem).to.match(/root element is .*html/);
    expect(parseBoshBody('<body/>').problem).to.match(/not \{http:\/\/jabber.org\/protocol\/httpbind\}body/);
    expect(parseBoshBody('').problem).to.match(/empty HTTP body/);
  });
});
