import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumMissing } from '../runner/clients/chromium.js';
import type { Report } from '../runner/report.js';
import { cli } from './helpers/cli.js';

/** --clients: real clients beside the raw recorder (issue 14 item 5). */
describe('cli: run --clients', function () {
  this.timeout(60_000);

  it('an unknown client, or a browser that is not there, is exit 2 naming the flag before anything runs', async () => {
    const r = await cli(['run', '--fixture', '--clients', 'firefox', '--no-report']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('--clients "firefox": expected a comma-separated list of chromium ("firefox" is not one)');
    const gone = await cli(['run', '--fixture', '--clients', 'chromium', '--no-report'], {
      env: { ...process.env, PUSHSPEC_CHROMIUM: '/nonexistent/chrome' },
    });
    expect(gone.code).to.equal(2);
    expect(gone.stderr).to.include('/nonexistent/chrome not found (apt-get install -y chromium');
  });

  it('without --clients the client.* requirements are n/a and say how to ask for them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushspec-cli-clients-'));
    try {
      const r = await cli(['run', '--fixture', '--only', 'client.eventsource', '--reporter', 'none', '--report-dir', dir]);
      // Nothing judged is exit 2, as for any run whose every case was skipped.
      expect(r.code).to.equal(2);
      const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report;
      expect(report.results.map((x) => [x.verdict, x.actual])).to.deep.equal([
        ['skip', 'n/a: judged in a real chromium only when asked (--clients chromium)'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--clients chromium judges client.eventsource in the browser and records the client in report.json', async function () {
    if (chromiumMissing() !== null) this.skip();
    const dir = await mkdtemp(join(tmpdir(), 'pushspec-cli-clients-'));
    try {
      const r = await cli(['run', '--fixture', '--only', 'client.eventsource', '--clients', 'chromium', '--report-dir', dir]);
      expect(r.code, r.stderr).to.equal(0);
      const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report;
      expect(report.environment.clients).to.deep.equal(['chromium']);
      const c = report.results.find((x) => x.id === 'client.eventsource');
      expect(c?.verdict, c?.actual).to.equal('pass');
      expect(c?.evidence.some((e) => e.what.includes('[chromium] EventSource open'))).to.equal(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
