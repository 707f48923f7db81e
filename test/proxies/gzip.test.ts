import { constants, gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { gzip } from '../../proxies/gzip.js';
import type { RunningHop } from '../../proxies/hop.js';
import { type Fetched, type TestServer, closeAll, fetchVia, httpUpstream, now, streamVia, until, waitForEvent } from './helpers.js';

describe('proxies/gzip', () => {
  let upstream: TestServer;
  let hop: RunningHop;
  afterEach(() => closeAll(hop, upstream));

  /** A stream that sends one small event, then ends when the test says so. */
  async function streamingUpstream(headers: Record<string, string>): Promise<{ end: () => void }> {
    let res: ServerResponse | undefined;
    upstream = await httpUpstream((_req, r) => {
      res = r;
      r.writeHead(200, { 'Content-Type': 'text/event-stream', ETag: '"s1"', ...headers });
      r.write('data: small event\n\n');
    });
    return { end: () => res?.end('data: last\n\n') };
  }

  it('compresses through an internal buffer: a small event is held until the end', async () => {
    const server = await streamingUpstream({});
    hop = await gzip().start(upstream.url);
    let endedAt = Infinity;
    const pending = fetchVia(hop.url, '/s', { 'Accept-Encoding': 'gzip' });
    // The stimulus: end only after the hop has had ample time to pass the event on.
    await until(() => hop.events.some((e) => /gzipped/.test(e.what)), 2000, 'the gzip decision');
    await new Promise((r) => setTimeout(r, 80));
    endedAt = now();
    server.end();
    const res: Fetched = await pending;
    expect(res.headers['content-encoding']).to.equal('gzip');
    expect(res.headers['content-length']).to.equal(undefined);
    expect(res.headers.vary).to.match(/accept-encoding/i);
    expect(res.headers.etag, 'validator weakened').to.equal('W/"s1"');
    // zlib may emit its 10-byte gzip header at once; what matters is that the event is not readable.
    const early = Buffer.concat(res.reads.filter((r) => r.t < endedAt).map((r) => r.data));
    expect(early.length, 'at most the gzip header before the end').to.be.at.most(10);
    expect(gunzipSync(early, { finishFlush: constants.Z_SYNC_FLUSH }).toString()).to.equal('');
    expect(gunzipSync(res.body).toString()).to.equal('data: small event\n\ndata: last\n\n');
  });

  it('passes a Cache-Control: no-transform response untouched and promptly', async () => {
    const server = await streamingUpstream({ 'Cache-Control': 'no-cache, no-transform' });
    hop = await gzip().start(upstream.url);
    const stream = streamVia(hop.url, '/s', { 'Accept-Encoding': 'gzip' });
    // The stream is still open upstream: the event must get through anyway.
    await until(() => stream.text.includes('small event'), 2000, 'the event before the end');
    server.end();
    const done = await stream.done;
    expect(done.headers['content-encoding']).to.equal(undefined);
    expect(done.headers.etag).to.equal('"s1"');
    expect(done.body.toString()).to.equal('data: small event\n\ndata: last\n\n');
    await waitForEvent(hop, /passed uncompressed \(no-transform\)/);
  });

  it('leaves responses alone for clients that do not accept gzip', async () => {
    upstream = await httpUpstream((_req, res) => res.end('plain'));
    hop = await gzip().start(upstream.url);
    const res = await fetchVia(hop.url, '/');
    expect(res.headers['content-encoding']).to.equal(undefined);
    expect(res.body.toString()).to.equal('plain');
  });
});
