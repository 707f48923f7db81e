import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { BayeuxClient, parseReplies } from '../../runner/drivers/bayeux.js';
import { printedPort, startChild, type Child } from '../real-world/servers/process.js';
import { testDoor } from './door.js';

const glue = fileURLToPath(new URL('../real-world/servers/faye-server.js', import.meta.url));

describe('Bayeux driver against faye', function () {
  this.timeout(20_000);
  let child: Child;
  let base: URL;
  before(async () => {
    const started = await startChild(process.execPath, [glue, '--timeout', '2'], printedPort);
    child = started.child;
    base = new URL(`http://127.0.0.1:${started.value}/faye`);
  });
  after(() => child.stop());

  for (const transport of ['long-polling', 'callback-polling'] as const) {
    it(`${transport}: handshake learns clientId and advice; a held connect is woken by a publish from a second client`, async () => {
      const door = testDoor(base);
      try {
        const sub = new BayeuxClient(door, base, transport, [], 'subscriber');
        const hs = await sub.handshake(5000);
        expect(hs.reply?.successful, door.notes.join('\n')).to.equal(true);
        expect(sub.clientId).to.match(/^[a-z0-9]+$/);
        expect(sub.advice.timeout).to.equal(2000);
        expect((await sub.subscribe('/c1', 5000)).reply?.successful).to.equal(true);
        const held = await sub.startConnect(5000);
        const pub = new BayeuxClient(door, base, 'long-polling', [], 'publisher');
        await pub.handshake(5000);
        await new Promise((r) => setTimeout(r, 300));
        const ack = await pub.publish('/c1', { text: 'tok-abc' }, 5000);
        expect(ack.reply?.successful).to.equal(true);
        const woken = await held.done;
        expect(woken.res.tEnd! - held.tSent, 'woken, not held to the timeout').to.be.below(1500);
        expect(sub.delivered.map((d) => d.message.data)).to.deep.equal([{ text: 'tok-abc' }]);
        expect(sub.replyTo(woken, '/meta/connect')?.successful).to.equal(true);
      } finally {
        door.close();
      }
    });
  }

  it('an idle connect is held for advice.timeout; an unknown client is told to handshake again', async () => {
    const door = testDoor(base);
    try {
      const c = new BayeuxClient(door, base);
      await c.handshake(5000);
      await c.subscribe('/idle', 5000);
      const held = await c.startConnect(5000);
      const idle = await held.done;
      expect(idle.res.tEnd! - held.tSent).to.be.within(1800, 3000);
      c.clientId = 'nosuchclient';
      const ex = await c.send([{ channel: '/meta/connect', clientId: 'nosuchclient', connectionType: 'long-polling' }], 5000, 'connect');
      const reply = c.replyTo(ex, '/meta/connect');
      expect(reply?.successful).to.equal(false);
      expect(reply?.advice?.reconnect).to.equal('handshake');
    } finally {
      door.close();
    }
  });

  it('parses JSONP replies with the /**/ prefix and refuses another callback', () => {
    expect(
      parseReplies('/**/pushspecCb([{"channel":"/meta/connect","successful":true}]);', 'pushspecCb').replies?.[0]?.successful,
    ).to.equal(true);
    expect(parseReplies('other([])', 'pushspecCb').problem).to.match(/expected a call of the callback pushspecCb/);
    expect(parseReplies('{"nope":1}', null).problem).to.match(/without a channel/);
    expect(parseReplies('<html>', null).problem).to.match(/not JSON/);
  });
});
