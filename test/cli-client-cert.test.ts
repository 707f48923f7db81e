import { expect } from 'chai';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '../fixtures/self-signed.js';
import type { Report } from '../runner/report.js';
import { cli } from './helpers/cli.js';

/**
 * `run --cert/--key`: an https target that requires a client certificate (requestCert,
 * rejectUnauthorized) is reached with one, on every connection of the run, and refused without.
 */
describe('cli: run --cert/--key (TLS client certificate)', function () {
  this.timeout(60_000);
  let dir: string;
  let server: Server;
  let target: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pushspec-client-cert-'));
    const [serverPems, clientPems, otherPems] = await Promise.all([
      selfSignedCertificate(),
      selfSignedCertificate({ purpose: 'client' }),
      selfSignedCertificate({ purpose: 'client' }),
    ]);
    await Promise.all([
      writeFile(join(dir, 'ca.pem'), serverPems.cert),
      writeFile(join(dir, 'client.pem'), clientPems.cert),
      writeFile(join(dir, 'client.key'), clientPems.key),
      writeFile(join(dir, 'other.key'), otherPems.key),
    ]);
    // Answers every request at once: a long poll that is never held, enough to be judged.
    server = createServer(
      { key: serverPems.key, cert: serverPems.cert, ca: clientPems.cert, requestCert: true, rejectUnauthorized: true },
      (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end('{}');
      },
    );
    server.on('tlsClientError', () => undefined);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    target = join(dir, 'target.json');
    const { port } = server.address() as AddressInfo;
    await writeFile(
      target,
      JSON.stringify({
        name: 'needs a client certificate',
        baseUrl: `https://127.0.0.1:${port}`,
        longPoll: { url: '/lp?ch={channel}', holdSeconds: 1 },
      }),
    );
  });
  after(async () => {
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const base = (): string[] => [
    'run',
    '--target',
    target,
    '--ca',
    join(dir, 'ca.pem'),
    '--via',
    'direct',
    '--only',
    'lp.held,http.date',
    '--reporter',
    'none',
  ];

  it('without a client certificate the run stops before any case (exit 2), naming the target', async () => {
    const r = await cli([...base(), '--no-report']);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr)
      .to.include('https://127.0.0.1:')
      .and.include('requires a TLS client certificate')
      .and.include('--cert FILE --key FILE');
  });

  it('with --cert and --key every connection presents it, and report.json says which', async () => {
    const out = join(dir, 'report');
    const r = await cli([...base(), '--cert', join(dir, 'client.pem'), '--key', join(dir, 'client.key'), '--report-dir', out]);
    expect(r.code, r.stderr).to.be.oneOf([0, 1]);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.environment.tls?.clientCert).to.equal(join(dir, 'client.pem'));
    const verdicts = report.results.map((c) => `${c.id} ${c.verdict}`);
    expect(verdicts).to.include('http.date pass');
    expect(
      verdicts.filter((v) => v.endsWith(' error')),
      'no harness error on any connection',
    ).to.deep.equal([]);
  });

  it('--cert without --key, or a key of another certificate, is a usage error (exit 2) naming the flag', async () => {
    const alone = await cli([...base(), '--no-report', '--cert', join(dir, 'client.pem')]);
    expect(alone.code).to.equal(2);
    expect(alone.stderr).to.include('--key missing');
    const mismatched = await cli([...base(), '--no-report', '--cert', join(dir, 'client.pem'), '--key', join(dir, 'other.key')]);
    expect(mismatched.code).to.equal(2);
    expect(mismatched.stderr).to.include('not the private key of --cert');
  });
});
