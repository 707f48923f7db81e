import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { bufferBytes } from '../../proxies/buffer-bytes.js';
import { bufferFull } from '../../proxies/buffer-full.js';
import { direct } from '../../proxies/direct.js';
import { firstByteTimeout } from '../../proxies/first-byte-timeout.js';
import type { Hop } from '../../proxies/hop.js';
import { idleTimeout } from '../../proxies/idle-timeout.js';
import { latency } from '../../proxies/latency.js';
import { noPipeline } from '../../proxies/no-pipeline.js';
import { totalTimeout } from '../../proxies/total-timeout.js';
import { RawClient, closeAll, rawUpstream, sha256 } from './helpers.js';

// Hops whose point is timing must not change a byte of what they forward, whatever the framing:
// chunk extensions, trailers, HEAD, 304, Content-Length and a close-delimited tail.
const REQUESTS = ['GET /1', 'HEAD /2', 'GET /3', 'GET /4', 'GET /5'].map((r) => `${r} HTTP/1.1\r\nHost: x\r\n\r\n`).join('');
const TAIL = randomBytes(10_000);
const RESPONSES = [
  Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n', 'latin1'),
  Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', 'latin1'),
  Buffer.from('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n', 'latin1'),
  Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde', 'latin1'),
  Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n', 'latin1'), TAIL]),
];

const HOPS: (() => Hop)[] = [
  () => direct(),
  () => latency({ delayMs: 5 }),
  () => idleTimeout({ idleMs: 5000, status: 504 }),
  () => firstByteTimeout({ firstByteMs: 5000 }),
  () => totalTimeout({ totalMs: 5000 }),
  () => bufferFull(),
  () => bufferBytes({ thresholdBytes: 4096, flushMs: 0 }),
  () => noPipeline(),
];

describe('proxies: byte-exact hops', () => {
  for (const make of HOPS) {
    const hop = make();
    it(`${hop.name} forwards every response byte unchanged`, async () => {
      const upstream = await rawUpstream((s) => {
        let seen = 0;
        let text = '';
        s.on('data', (d: Buffer) => {
          text += d.toString('latin1');
          const heads = text.split('\r\n\r\n').length - 1;
          for (; seen < heads; seen++) {
            const response = RESPONSES[seen];
            if (response === undefined) continue;
            if (seen === RESPONSES.length - 1) s.end(response);
            else s.write(response);
          }
        });
      });
      const running = await hop.start(upstream.url);
      try {
        const client = await RawClient.open(running.url);
        client.send(REQUESTS);
        await client.waitForEnd(3000);
        expect(sha256(client.bytes)).to.equal(sha256(Buffer.concat(RESPONSES)));
      } finally {
        await closeAll(running, upstream);
      }
    });
  }
});
