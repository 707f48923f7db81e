import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../runner/report.js';
import { cli } from './helpers/cli.js';

/** `run --http`: a bad value is a usage error; `--fixture --http 2` judges the reference server over cleartext HTTP/2. */
describe('cli: run --http', function () {
  this.timeout(60_000);

  it('rejects a value other than 1.1, 2 or auto with exit 2, naming the flag, before anything runs', async () => {
    const r = await cli(['run', '--fixture', '--http', '3', '--no-report']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('--http "3": expected one of 1.1, 2, auto');
    expect(r.stdout).to.equal('');
  });

  it('--fixture --http 2 judges the reference server over HTTP/2 and records the protocol per result', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushspec-cli-h2-'));
    try {
      const r = await cli([
        'run',
        '--fixture',
        '--http',
        '2',
        '--via',
        'direct',
        '--only',
        'lp.held,sse.dispatch,h2.,h1.',
        '--report-dir',
        dir,
      ]);
      const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report;
      expect(r.code, r.stderr).to.equal(0);
      expect(report.environment.http).to.deep.equal({ asked: '2', direct: 'h2' });
      const seen = report.results.map((c) => `${c.id} ${c.protocol ?? '?'} ${c.verdict}`);
      expect(seen).to.include.members([
        'lp.held h2 pass',
        'sse.dispatch h2 pass',
        'h2.no-connection-fields h2 pass',
        'h2.concurrent-streams h2 pass',
        'h2.cancel-isolated h2 pass',
        'h1.connection-close h2 skip',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--fixture --tls --http auto: ALPN selects h2 from the reference server, and the shared requirements judge as over HTTP/1.1', async () => {
    const dirs = await Promise.all([mkdtemp(join(tmpdir(), 'pushspec-cli-alpn-')), mkdtemp(join(tmpdir(), 'pushspec-cli-h1-'))]);
    try {
      const only = ['--via', 'direct', '--only', 'lp.held,lp.wake,st.incremental,sse.dispatch,sse.resume,http.content-type'];
      // One after the other: both are timing checks, judged on an otherwise quiet run.
      const h2 = await cli(['run', '--fixture', '--tls', '--http', 'auto', ...only, '--report-dir', dirs[0] ?? '']);
      const h1 = await cli(['run', '--fixture', '--tls', '--http', '1.1', ...only, '--report-dir', dirs[1] ?? '']);
      const [over2, over1] = await Promise.all(dirs.map(async (d) => JSON.parse(await readFile(join(d, 'report.json'), 'utf8')) as Report));
      expect(h2.code, h2.stderr).to.equal(0);
      expect(h1.code, h1.stderr).to.equal(0);
      expect(over2?.environment.http).to.deep.equal({ asked: 'auto', direct: 'h2' });
      expect(over2?.environment.tls?.alpn).to.equal('h2');
      expect(over1?.environment.http).to.deep.equal({ asked: '1.1', direct: 'http/1.1' });
      const verdicts = (r: Report | undefined): string[] => (r?.results ?? []).map((c) => `${c.id} ${c.verdict}`);
      expect(verdicts(over2)).to.deep.equal(verdicts(over1));
    } finally {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    }
  });
});
