import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceServer, type ReferenceServer } from '../fixtures/reference-server.js';
import type { LoadReport } from '../runner/load/report.js';
import { LOAD_DEFAULTS } from '../runner/defaults.js';
import { cli, ROOT } from './helpers/cli.js';

describe('pushspec load: the command line', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pushspec-load-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const badFlags: Array<[string[], RegExp]> = [
    [
      ['--fixture', '--steps', '10,abc'],
      /^pushspec: --steps "10,abc": expected comma-separated whole numbers from 1 to 1000000 \("abc" is not one\)/,
    ],
    [['--fixture', '--steps', '100,10'], /^pushspec: --steps "100,10": expected increasing numbers/],
    [['--fixture', '--steps', '0'], /^pushspec: --steps "0": expected comma-separated whole numbers/],
    [['--fixture', '--transport', 'websocket'], /^pushspec: --transport "websocket": expected one of longPoll, stream, sse$/],
    [['--fixture', '--hold-steps', '-1'], /^pushspec: --hold-steps "-1": expected seconds from 0 to 3600/],
    [['--fixture', '--source-addresses', '300'], /^pushspec: --source-addresses "300": expected a whole number from 1 to 253/],
    [['--fixture', '--target', 'x.json'], /^pushspec: --fixture runs the bundled reference server; it cannot be combined with --target$/],
    [[], /^pushspec: no target: expected --target FILE \(a manifest\) or --fixture/],
    [
      ['--fixture', '--report-dir', '/proc/version/x'],
      /^pushspec: --report-dir "\/proc\/version\/x": .*expected a directory pushspec can create and write \(or --no-report\)$/,
    ],
    [['--target', '/nonexistent/t.json'], /^pushspec: .*\/nonexistent\/t\.json/],
    [
      ['--target', 'x.json', '--worker', '3/2'],
      /^pushspec: --worker "3\/2": expected i\/n with whole numbers 1 ≤ i ≤ n ≤ 256, e\.g\. 2\/4/,
    ],
    [['--target', 'x.json', '--worker', '2'], /^pushspec: --worker "2": expected i\/n with whole numbers 1 ≤ i ≤ n/],
    [['--target', 'x.json', '--worker', '0/2'], /^pushspec: --worker "0\/2": expected i\/n/],
    [['--fixture', '--worker', '1/2'], /^pushspec: --worker "1\/2": expected --target FILE, the one server every worker loads/],
    [
      ['--target', 'x.json', '--steps', '1,10', '--worker', '1/2'],
      /^pushspec: --worker "1\/2": expected every step at least n = 2, so each worker holds one request or more \(--steps has 1\)$/,
    ],
  ];
  for (const [args, message] of badFlags) {
    it(`exit 2, one line, nothing run: load ${args.join(' ')}`, async () => {
      const r = await cli(['load', ...args], { timeoutMs: 30_000 });
      expect(r.code).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr.trim().split('\n')[0]).to.match(message);
      // Before anything runs: no reference server was started, nothing ramped.
      expect(r.stderr).not.to.match(/\(pid \d+|step \d\//);
    });
  }

  it('exit 2 when the manifest has no block for --transport, naming what it has', async () => {
    const file = join(dir, 'lp-only.json');
    await writeFile(file, JSON.stringify({ name: 'lp-only', baseUrl: 'http://127.0.0.1:9', longPoll: { url: '/lp?c={channel}' } }));
    const r = await cli(['load', '--target', file, '--transport', 'sse', '--no-report']);
    expect(r.code).to.equal(2);
    expect(r.stderr.trim()).to.equal('pushspec: --transport sse: the target lp-only declares no sse block; expected one of longPoll');
  });

  it('exit 2 when the target is unreachable', async () => {
    // Port 9 (discard) is privileged and unused on test machines, so no other test's server can
    // take it between our check and the load run, as a just-freed ephemeral port can be (CI once).
    const file = join(dir, 'gone.json');
    await writeFile(
      file,
      JSON.stringify({ name: 'gone', baseUrl: 'http://127.0.0.1:9', longPoll: { url: '/lp?c={channel}', holdSeconds: 1 } }),
    );
    const r = await cli(['load', '--target', file, '--no-report']);
    expect(r.code, r.stderr + r.stdout.slice(0, 500)).to.equal(2);
    expect(r.stderr).to.match(/target http:\/\/127\.0\.0\.1:9 is unreachable/);
  });

  it('measures the hold with one idle poll when the manifest declares none, and judges early ends against it', async () => {
    const server = await startReferenceServer({ holdMs: 1000 });
    try {
      const m = server.manifest();
      const file = join(dir, 'undeclared-hold.json');
      await writeFile(file, JSON.stringify({ ...m, longPoll: { url: m.longPoll?.url, cursor: m.longPoll?.cursor } }));
      const r = await cli(['load', '--target', file, '--steps', '10', '--hold-steps', '1.5', '--no-report']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.include('the manifest declares no longPoll.holdSeconds: measuring the hold with one idle poll (up to 31.5 s)');
      expect(r.stdout).to.match(/hold: 1\d{3} ms \(measured\)/);
      // Held 1.5 s, past the 1 s hold: every poll expired in its own time and was polled again, none early.
      expect(r.stdout).to.match(/^\s+10\s+10\s+0\s+0\s+0\s/m);
    } finally {
      await server.close();
    }
  });

  it('--help names every flag', async () => {
    const r = await cli(['load', '--help']);
    expect(r.code).to.equal(0);
    for (const flag of [
      '--target',
      '--fixture',
      '--transport',
      '--steps',
      '--hold-steps',
      '--source-addresses',
      '--report-dir',
      '--no-report',
      '--worker',
    ])
      expect(r.stdout).to.include(flag);
    expect((await cli(['help'])).stdout).to.match(/^\s+load \[options\]/m);
  });

  it('load --fixture --steps 10,50: the table on stdout, progress on stderr, load.json and a self-contained load.html', async () => {
    const out = join(dir, 'report');
    const r = await cli(['load', '--fixture', '--steps', '10,50', '--hold-steps', '0.2', '--report-dir', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^\s+N\s+held\s+ended early\s+failed\s+capped\s+fan-out p50\/p99\/max ms/m);
    expect(r.stdout).to.match(/^\s+50\s+50\s+0\s+0\s+0\s+[\d.]+ \/ [\d.]+ \/ [\d.]+\s+0\s/m);
    expect(r.stdout).to.match(/PASS\s+LP-RES-01 .*\n\s+info: largest N sustained: 50/);
    expect(r.stdout).to.match(/WARN\s+SEC-DOS-01 .*no cap: one client held up to 50 requests/);
    expect(r.stderr).to.match(/the bundled reference server \(pid \d+, hold 30 s\)/);
    expect(r.stderr).to.match(/step 2\/2 N=50: fan-out, 50\/50 opened, 50 held/);
    const report = JSON.parse(await readFile(join(out, 'load.json'), 'utf8')) as LoadReport;
    // schema/load.schema.json describes what the command writes.
    const schema = JSON.parse(await readFile(join(ROOT, 'schema', 'load.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true);
    expect(report.kind).to.equal('pushspec-load');
    expect(report.exitCode).to.equal(0);
    expect(report.result.steps.map((s) => [s.n, s.heldAtPublish, s.fanOut?.n, s.otherClient.state])).to.deep.equal([
      [10, 10, 10, 'got'],
      [50, 50, 50, 'got'],
    ]);
    expect(report.result.steps.every((s) => s.serverRssBytes !== null && s.serverRssBytes > 0)).to.equal(true);
    const html = await readFile(join(out, 'load.html'), 'utf8');
    expect(html).to.match(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-/);
    expect(html.match(/<svg /g)?.length).to.equal(2);
    expect(html).not.to.match(/<(link|img|iframe)|src="http/);
  });
});

describe('README stays true about pushspec load', function () {
  // It starts the CLI: mocha's 2 s default is too short while four test workers fill the machine.
  this.timeout(30_000);
  it('documents every flag of `pushspec load` and lists the command', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const help = (await cli(['load', '--help'])).stdout;
    const flags = [...help.matchAll(/^\s+(--[a-z-]+)/gm)].map((x) => x[1] ?? '').filter((f) => f !== '--help');
    expect(flags.length).to.equal(11);
    const section = readme.slice(readme.indexOf('## Load'));
    for (const f of flags) expect(section, `the README's Load section does not mention ${f}`).to.include(`\`${f}`);
    expect(readme).to.match(/^\| `pushspec load /m);
    expect(section).to.include(`\`${LOAD_DEFAULTS.steps}\``);
  });
});

describe('pushspec load: https targets', function () {
  this.timeout(60_000);
  let server: ReferenceServer;
  let dir: string;

  before(async () => {
    server = await startReferenceServer({ tls: true, holdMs: 5000 });
    dir = await mkdtemp(join(tmpdir(), 'pushspec-load-tls-'));
    await writeFile(join(dir, 'ca.pem'), server.caPem ?? '');
    await writeFile(join(dir, 'target.json'), JSON.stringify(server.manifest()));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds its polls over TLS with --ca, records the trust in load.json, and every one gets the event', async () => {
    const out = join(dir, 'report');
    const r = await cli([
      'load',
      '--target',
      join(dir, 'target.json'),
      '--ca',
      join(dir, 'ca.pem'),
      '--steps',
      '10',
      '--hold-steps',
      '0.2',
      '--report-dir',
      out,
    ]);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(await readFile(join(out, 'load.json'), 'utf8')) as LoadReport;
    expect(report.target.baseUrl).to.match(/^https:/);
    expect(report.environment.tls).to.deep.equal({ insecure: false, caPath: join(dir, 'ca.pem') });
    expect(report.result.steps.map((s) => [s.n, s.heldAtPublish, s.fanOut?.n])).to.deep.equal([[10, 10, 10]]);
  });

  it('without --ca the self-signed certificate is refused: no poll is held, and the step says why', async () => {
    const r = await cli(['load', '--target', join(dir, 'target.json'), '--steps', '2', '--hold-steps', '0', '--no-report']);
    expect(r.code).to.not.equal(0);
    expect(r.stdout + r.stderr).to.match(/self-signed|SELF_SIGNED|certificate/i);
  });
});

describe('pushspec load --worker i/n and pushspec merge: one load split over two machines', function () {
  this.timeout(90_000);
  let server: ReferenceServer;
  let dir: string;
  before(async () => {
    server = await startReferenceServer({ holdMs: 30_000 });
    dir = await mkdtemp(join(tmpdir(), 'pushspec-load-workers-'));
    await writeFile(join(dir, 'target.json'), JSON.stringify(server.manifest()));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const worker = (i: number): Promise<Awaited<ReturnType<typeof cli>>> =>
    cli([
      'load',
      '--target',
      join(dir, 'target.json'),
      '--worker',
      `${i}/2`,
      '--steps',
      '5,20',
      '--hold-steps',
      '1',
      '--report-dir',
      join(dir, `w${i}`),
    ]);

  it('two workers hold 3+2 and 10+10, each times its own event, and the merge holds 5 and 20 with percentiles over all 25 samples', async () => {
    const [a, b] = await Promise.all([worker(1), worker(2)]);
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);
    expect(a.stderr).to.include('worker 1/2: holding 3, 10 of steps 5, 20');
    expect(b.stdout).to.match(/^\s+10\s+10\s+0\s+0\s+0\s/m);
    const w1 = JSON.parse(await readFile(join(dir, 'w1', 'load.json'), 'utf8')) as LoadReport;
    expect(w1.worker).to.deep.equal({ index: 1, count: 2, shares: [3, 10], host: hostname() });
    expect(w1.steps).to.deep.equal([5, 20]);
    expect(w1.result.steps.map((s) => [s.n, s.fanOutSamplesMs?.length])).to.deep.equal([
      [3, 3],
      [10, 10],
    ]);
    const out = join(dir, 'merged.json');
    const m = await cli(['merge', join(dir, 'w2', 'load.json'), join(dir, 'w1', 'load.json'), '-o', out, '--report-dir', join(dir, 'm')]);
    expect(m.code, m.stderr).to.equal(0);
    expect(m.stdout).to.match(/merged from 2 workers/);
    expect(m.stdout).to.match(/^\s+20\s+20\s+0\s+0\s+0\s+[\d.]+ \/ [\d.]+ \/ [\d.]+\s+0\s/m);
    expect(m.stdout).to.match(/PASS\s+LP-RES-01 .*held over 2 workers/);
    // Both on this machine, from its 127.0.0.2: one client to the server.
    expect(m.stdout).to.match(/WARN\s+SEC-DOS-01 .*no cap: one client held up to 20 requests \(2 workers, some on one machine/);
    const merged = JSON.parse(await readFile(out, 'utf8')) as LoadReport;
    const schema = JSON.parse(await readFile(join(ROOT, 'schema', 'load.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
    expect(validate(merged), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true);
    expect(merged.result.steps.map((s) => [s.n, s.heldAtPublish, s.fanOut?.n, s.sustained])).to.deep.equal([
      [5, 5, 5, true],
      [20, 20, 20, true],
    ]);
    expect(merged.merged?.workers.map((w) => w.index)).to.deep.equal([1, 2]);
    // Both ran side by side here: their holds overlapped.
    expect(merged.merged?.overlapMs.every((ms) => ms > 0)).to.equal(true);
    const pooled = [...(merged.result.steps[1]?.fanOutSamplesMs ?? [])].sort((x, y) => x - y);
    expect(merged.result.steps[1]?.fanOut?.p50Ms).to.equal(pooled[9]);
    expect(merged.result.steps[1]?.fanOut?.maxMs).to.equal(pooled[19]);
    expect(await readFile(join(dir, 'm', 'load.json'), 'utf8')).to.equal(await readFile(out, 'utf8'));
    expect(await readFile(join(dir, 'm', 'load.html'), 'utf8')).to.match(/Merged from 2 workers/);
  });

  it('merge refuses (exit 2, one line naming the file) a worker twice, one report alone, and a run report beside a load report', async () => {
    const w1 = join(dir, 'w1', 'load.json');
    const run = join(dir, 'report.json');
    await writeFile(run, JSON.stringify({ schemaVersion: 1, results: [] }));
    const cases: Array<[string[], RegExp]> = [
      [[w1, w1], /^pushspec: .*w1\/load\.json: worker 1\/2 again \(also .*w1\/load\.json\); expected each worker once$/],
      [[w1, run], /^pushspec: .*report\.json: not a load report \(no "kind": "pushspec-load"\), while .*w1\/load\.json is one/],
      [[w1], /^pushspec: merge needs at least two report files, got 1$/],
    ];
    for (const [files, message] of cases) {
      const r = await cli(['merge', ...files, '-o', join(dir, 'never.json')]);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr.trim()).to.match(message);
    }
  });
});
