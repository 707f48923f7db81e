import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceServer, type ReferenceServer } from '../fixtures/reference-server.js';
import { selfSignedCertificate } from '../fixtures/self-signed.js';
import type { RunningHop } from '../proxies/hop.js';
import { nginxMissing, nginxSpec } from '../proxies/real-nginx.js';
import { startRealProgram } from '../proxies/real-program.js';
import type { Report } from '../runner/report.js';
import { cli } from './helpers/cli.js';

/**
 * The Debian nginx terminating TLS (`listen … ssl`, a certificate made for the test) in front of
 * the plain reference server, streaming-friendly (proxy_buffering off, proxy_http_version 1.1):
 * pushspec judges the https front with --ca, so every byte it times was decrypted by it after
 * nginx re-encrypted what the server wrote. Serial phase of `npm test` (a real program, timing).
 */
describe('https target: real nginx terminating TLS', function () {
  this.timeout(120_000);
  let server: ReferenceServer;
  let nginx: RunningHop;
  let dir: string;
  let front: URL;

  before(async function () {
    const missing = nginxMissing();
    if (missing && process.env['PUSHSPEC_CI'] !== '1') {
      console.log(`      skipping: ${missing}`);
      this.skip();
    }
    dir = await mkdtemp(join(tmpdir(), 'pushspec-nginx-tls-'));
    server = await startReferenceServer({ holdMs: 1000 });
    const pems = await selfSignedCertificate();
    await writeFile(join(dir, 'ca.pem'), pems.cert);
    nginx = await startRealProgram(
      nginxSpec(new URL(server.url), { httpVersion: '1.1', buffering: false, readTimeoutMs: 60_000 }, { ...pems, http2: true }),
      new URL(server.url),
    );
    front = new URL(nginx.url.href.replace(/^http:/, 'https:'));
    await writeFile(
      join(dir, 'target.json'),
      JSON.stringify({ ...server.manifest(), name: 'reference behind nginx TLS', baseUrl: front.origin }),
    );
  });
  after(async () => {
    await nginx?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('without --ca the run stops at preflight naming the self-signed certificate; with --ca the verdicts are those of the server', async () => {
    const target = join(dir, 'target.json');
    const refused = await cli(['run', '--target', target, '--no-report', '--via', 'direct']);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.include(`target ${front.origin}`).and.include('DEPTH_ZERO_SELF_SIGNED_CERT');

    const out = join(dir, 'report');
    const r = await cli([
      'run',
      '--target',
      target,
      '--ca',
      join(dir, 'ca.pem'),
      '--via',
      'direct',
      '--only',
      'lp.,st.,sse.',
      '--report-dir',
      out,
      '--reporter',
      'none',
    ]);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    const verdict = new Map(report.results.map((c) => [c.id, `${c.verdict}${c.verdict === 'pass' ? '' : `: ${c.actual}`}`]));
    expect(report.environment.tls).to.include({ insecure: false });
    expect(report.environment.tls?.protocol).to.match(/^TLSv1\.[23]$/);
    // A streaming-friendly TLS front passes events through as they are written.
    for (const id of ['lp.held', 'lp.wake', 'lp.order', 'st.incremental', 'st.first-byte', 'sse.dispatch', 'sse.resume'])
      expect(verdict.get(id), id).to.equal('pass');
    expect(r.code, `${r.stdout}\n${r.stderr}`).to.be.oneOf([0, 1]);
    expect(report.environment.http).to.deep.equal({ asked: '1.1', direct: 'http/1.1' });
  });

  it('over HTTP/2 (ALPN h2, nginx in front of an HTTP/1.1 server): the push requirements judge the same, and the RFC 9113 ones run', async () => {
    const out = join(dir, 'report-h2');
    const r = await cli([
      'run',
      '--target',
      join(dir, 'target.json'),
      '--ca',
      join(dir, 'ca.pem'),
      '--http',
      '2',
      '--via',
      'direct',
      '--only',
      'lp.,st.,sse.,h2.',
      '--report-dir',
      out,
      '--reporter',
      'none',
    ]);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    const verdict = new Map(report.results.map((c) => [c.id, `${c.verdict}${c.verdict === 'pass' ? '' : `: ${c.actual}`}`]));
    expect(report.environment.http).to.deep.equal({ asked: '2', direct: 'h2' });
    expect(report.environment.tls?.alpn).to.equal('h2');
    for (const id of ['lp.held', 'lp.wake', 'lp.order', 'st.incremental', 'sse.dispatch', 'sse.resume'])
      expect(verdict.get(id), id).to.equal('pass');
    // Measured with curl --http2 too: nginx 1.22's HTTP/2 side sends the HEADERS frame with the
    // first DATA, so a stream whose server writes only a head has no response until the first
    // event, while its HTTP/1.1 side forwards the head at once (the first run above: pass).
    expect(verdict.get('st.first-byte')).to.match(/^warn: no response headers after/);
    // nginx drops Connection/Keep-Alive/Transfer-Encoding on its h2 side and advertises 128 streams.
    for (const id of ['h2.no-connection-fields', 'h2.concurrent-streams', 'h2.cancel-isolated'])
      expect(verdict.get(id), id).to.equal('pass');
    expect(report.results.find((c) => c.id === 'h2.concurrent-streams')?.actual).to.include('SETTINGS_MAX_CONCURRENT_STREAMS 128');
    expect(verdict.get('st.chunk-syntax'), 'an HTTP/1.1 rule').to.match(/^skip: n\/a over HTTP\/2/);
    expect(r.code, `${r.stdout}\n${r.stderr}`).to.be.oneOf([0, 1]);
  });

  it('--http 2 against a cleartext server that speaks only HTTP/1.1 stops before any case (exit 2)', async () => {
    const plain = join(dir, 'plain.json');
    await writeFile(plain, JSON.stringify({ ...server.manifest(), name: 'reference, HTTP/1.1 only' }));
    const r = await cli(['run', '--target', plain, '--http', '2', '--no-report', '--via', 'direct']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('--http 2').and.include('no HTTP/2 SETTINGS frame').and.include('--http 1.1');
  });
});
