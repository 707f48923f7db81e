import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { startReferenceServer } from '../fixtures/reference-server.js';
import { nginxMissing } from '../proxies/real-nginx.js';
import type { CaseResult } from '../runner/report.js';
import { runSuite } from '../runner/run.js';
import type { Manifest } from '../runner/manifest/types.js';
import { cli } from './helpers/cli.js';
import { sseChannel } from './real-world/servers/sse-channel.js';

/**
 * Real intermediaries in the loop (issue 10): the Debian nginx binary and the http-proxy /
 * compression packages as profiles, asked for by name. In CI (PUSHSPEC_CI=1) a missing nginx
 * fails instead of skipping, as for the real-world corpus.
 */
const REAL = ['real-nginx', 'real-nginx-http11', 'real-nginx-nobuffer', 'node-http-proxy', 'node-compression'];

async function judge(manifest: Manifest, via: string[], only: string[] = []): Promise<Map<string, CaseResult>> {
  const { report } = await runSuite({ manifest, only, skip: [], level: 'all', via: ['direct', ...via], viaNamed: true, strict: false, timeScale: 1, concurrency: 32, holdLimitSeconds: 30, reportDir: null, reporter: 'none' });
  return new Map(report.results.map((r) => [`${r.id}@${r.via}`, r]));
}

/** Processes whose command line names a real-nginx temp dir, read from /proc (no pgrep needed). */
async function leftoverNginx(): Promise<string> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes('pushspec-nginx-')) found.push(`${pid} ${cmd.replace(/\0/g, ' ').trim()}`);
  }
  return found.join('\n');
}

describe('real intermediaries as profiles', function () {
  this.timeout(120_000);

  before(function () {
    const missing = nginxMissing();
    if (missing && process.env['PUSHSPEC_CI'] !== '1') {
      console.log(`      skipping: ${missing}`);
      this.skip();
    }
  });

  it('the reference server passes the deployment checks through real nginx, http-proxy and compression, and no nginx survives', async () => {
    const server = await startReferenceServer({ holdMs: 1000 });
    try {
      const r = await judge(server.manifest(), REAL);
      for (const via of REAL) {
        const through = [...r.values()].filter((c) => c.via === via);
        expect(through.length, via).to.be.greaterThan(5);
        expect(through.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}@${c.via}: ${c.verdict} — ${c.actual}`), via).to.deep.equal([]);
      }
      // Real nginx says where it listened in the evidence.
      expect(r.get('lp.held@real-nginx')?.evidence.some((e) => /\[real-nginx\] nginx pid \d+ listening on 127\.0\.0\.1:\d+/.test(e.what))).to.equal(true);
    } finally {
      await server.close();
    }
    expect(await leftoverNginx(), 'nginx processes left behind').to.equal('');
  });

  it('a real SSE server without X-Accel-Buffering or no-transform stalls behind real nginx and node-compression, and is told why', async () => {
    const running = await sseChannel.start();
    try {
      const manifest = running.targets['sse'] as Manifest;
      const r = await judge(manifest, ['real-nginx', 'real-nginx-nobuffer', 'node-compression'], ['st.incremental', 'st.gzip-flush']);
      const nginx = r.get('st.incremental@real-nginx');
      expect(nginx?.verdict, nginx?.actual).to.equal('fail');
      expect(nginx?.cause).to.equal('intermediary');
      expect(nginx?.direct?.verdict).to.equal('pass');
      expect(nginx?.remedy).to.match(/X-Accel-Buffering: no/);
      // With buffering off the same nginx streams it.
      expect(r.get('st.incremental@real-nginx-nobuffer')?.verdict).to.equal('pass');
      const squeezed = r.get('st.gzip-flush@node-compression');
      expect(squeezed?.verdict, squeezed?.actual).to.be.oneOf(['fail', 'warn']);
      expect(squeezed?.remedy).to.match(/no-transform/);
    } finally {
      await running.stop();
    }
    expect(await leftoverNginx()).to.equal('');
  });

  it('a real profile whose program is missing is skipped with the install command, never failed', async () => {
    const res = await cli(['run', '--via', 'real-nginx', '--only', 'lp.held', '--no-report', '--reporter', 'none'], { env: { PUSHSPEC_NGINX: '/nonexistent/nginx' } });
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.match(/skip 1/);
    const json = await cli(['run', '--via', 'real-nginx', '--only', 'lp.held', '--report-dir', '/tmp/pushspec-real-skip', '--reporter', 'none'], { env: { PUSHSPEC_NGINX: '/nonexistent/nginx' } });
    expect(json.code).to.equal(0);
    const report = JSON.parse(await readFile('/tmp/pushspec-real-skip/report.json', 'utf8')) as { results: CaseResult[] };
    const skipped = report.results.find((c) => c.via === 'real-nginx');
    expect(skipped?.verdict).to.equal('skip');
    expect(skipped?.actual).to.match(/real-nginx cannot run here: nginx is not installed .*apt-get install -y nginx/);
  });
});
