import { expect } from 'chai';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHostileServer, type HostileKind } from '../fixtures/hostile.js';
import { startReferenceServer, type ReferenceServer } from '../fixtures/reference-server.js';
import type { Report } from '../runner/report.js';
import { REQUIREMENTS } from '../suites/index.js';
import { execFile, spawn } from 'node:child_process';
import { CLI, cli } from './helpers/cli.js';

// The reference server here holds 1 s: a hold limit of 3 s scales lp.hold-floor's 10 s floor (a third of it) to 1 s.
const HOLD_LIMIT = ['--hold-limit', '3'];

describe('CLI end to end', function () {
  this.timeout(60_000);
  let dir: string;
  let server: ReferenceServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pushspec-cli-'));
    server = await startReferenceServer({ holdMs: 1000 });
  });
  after(async () => server.close());

  async function manifestFile(name: string, content: string): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, content);
    return file;
  }

  it('list prints the whole catalogue, as text and as JSON', async () => {
    const text = await cli(['list']);
    expect(text.code).to.equal(0);
    for (const r of REQUIREMENTS) expect(text.stdout).to.include(r.id);
    const json = await cli(['list', '--json']);
    const rows = JSON.parse(json.stdout) as Array<{ id: string; faults: string[] }>;
    expect(rows.map((r) => r.id)).to.deep.equal(REQUIREMENTS.map((r) => r.id));
  });

  it('a pipe read slowly still gets all of list --json (more than a 64 KiB pipe holds)', async () => {
    // The reader starts after the CLI has written and exited: before the fix it got 65,536 bytes.
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'sh',
        ['-c', `"${process.execPath}" "${CLI}" list --json | (sleep 1; cat)`],
        { maxBuffer: 8 * 1024 * 1024 },
        (err, stdout) => (err ? reject(new Error(err.message)) : resolve(stdout)),
      ),
    );
    expect(out.length, 'bytes').to.be.greaterThan(64 * 1024);
    expect((JSON.parse(out) as unknown[]).length).to.equal(REQUIREMENTS.length);
  });

  it('--help and --version exit 0', async () => {
    expect((await cli(['--help'])).code).to.equal(0);
    expect((await cli(['run', '--help'])).stdout).to.include('--time-scale');
    expect((await cli(['--version'])).stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('SIGINT says what was interrupted and that no report was written, exit 130', async () => {
    const out = join(dir, 'interrupted');
    // The progress reporter is asked for: under CI=true the default is none, and its lines are the cue.
    const child = spawn(process.execPath, [CLI, 'run', '--via', 'direct', '--report-dir', out, '--reporter', 'progress'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Interrupt once the run is under way (its first case lines are out).
    await new Promise<void>((resolve) => {
      child.stderr.on('data', () => /\[ *1\//.test(stderr) && resolve());
      child.on('exit', () => resolve());
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).to.equal(130);
    expect(stderr).to.match(
      /interrupted \(SIGINT\) during the run against http:\/\/127\.0\.0\.1:\d+: \d+ of \d+ cases had finished, \d+ were running \(.+\); no report was written/,
    );
    await readFile(join(out, 'report.json')).then(
      () => expect.fail('a report was written by an interrupted run'),
      () => undefined,
    );
  });

  it('progress lines go to stderr as cases settle; the summary is on stdout; no colour when piped or with NO_COLOR', async () => {
    const r = await cli(['run', '--via', 'direct', '--only', 'lp.held,lp.header-overhead', '--no-report'], {
      env: { CI: '', NO_COLOR: '1' },
    });
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stderr.split('\n').filter((l) => /^\s+\[ *\d+\/2\]/.test(l));
    expect(lines).to.have.length(2);
    // lp.header-overhead settles first although lp.held comes first in the plan.
    expect(lines[0]).to.include('lp.header-overhead@direct');
    expect(r.stdout).to.include('2 cases in').and.not.include('[1/2]');
    expect(r.stdout + r.stderr).to.not.include('\u001b[');
  });

  it('pushspec fixture prints only the manifest on stdout (the banner is on stderr)', async () => {
    const child = spawn(process.execPath, [CLI, 'fixture'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const manifest = await new Promise<unknown>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        try {
          resolve(JSON.parse(stdout));
        } catch {
          // not complete yet
        }
      });
    });
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(manifest)
      .to.have.property('baseUrl')
      .that.matches(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stderr).to.match(/reference server listening on http:\/\/127\.0\.0\.1:\d+/);
  });

  it('pushspec help lists the commands', async () => {
    const r = await cli(['help']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.include('run').and.include('list').and.include('fixture');
  });

  it('a missing manifest file is a clear exit-2 error', async () => {
    const r = await cli(['run', '--target', join(dir, 'missing.json')]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('missing.json');
  });

  it('judges a target from a manifest file and writes report.json and junit.xml', async () => {
    const file = await manifestFile('ref.json', JSON.stringify(server.manifest()));
    const out = join(dir, 'ref-report');
    const r = await cli(['run', '--target', file, '--report-dir', out, '--reporter', 'dot', ...HOLD_LIMIT]);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    const odd = report.results
      .filter((x) => x.verdict !== 'pass' && x.verdict !== 'skip')
      .map((x) => `${x.id}@${x.via}: ${x.verdict}: ${x.actual}`);
    expect(r.code, `${r.stdout}${r.stderr}\n${odd.join('\n')}`).to.equal(0);
    expect(report.schemaVersion).to.equal(1);
    expect(report.summary.fail + report.summary.warn + report.summary.error + report.summary.inconclusive).to.equal(0);
    for (const r of REQUIREMENTS)
      expect(
        report.results.some((x) => x.id === r.id),
        r.id,
      ).to.equal(true);
    expect(new Set(report.results.map((x) => x.via)).size, 'profiles in the report').to.be.greaterThan(10);
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    expect(junit).to.include('<testsuite name="RFC 6202 §2.1"');
    expect(junit).to.include('name="lp.held@direct"');
    expect(r.stdout).to.include(join(out, 'report.json'));
  });

  it('exits 1 when a requirement fails, with expected and actual in the output', async () => {
    const r = await cli(['run', '--via', 'direct', '--fixture', '--fault', 'timeout-408', '--no-report', '--reporter', 'none']);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.match(/FAIL\s+lp\.timeout-status@direct/);
    expect(r.stdout).to.match(/actual:.*408/);
  });

  it('warnings exit 0, or 1 with --strict', async () => {
    const plain = await cli([
      'run',
      '--via',
      'direct',
      '--fixture',
      '--fault',
      'bloated-headers',
      '--no-report',
      '--reporter',
      'none',
      '--only',
      'lp.header',
    ]);
    expect(plain.code, plain.stdout).to.equal(0);
    expect(plain.stdout).to.match(/WARN\s+lp\.header-overhead@direct/);
    const strict = await cli([
      'run',
      '--via',
      'direct',
      '--fixture',
      '--fault',
      'bloated-headers',
      '--no-report',
      '--reporter',
      'none',
      '--only',
      'lp.header',
      '--strict',
    ]);
    expect(strict.code).to.equal(1);
  });

  it('quick mode judges a long-poll URL + publish URL without a manifest file', async () => {
    const r = await cli([
      'run',
      '--long-poll',
      `${server.url}/lp?channel={channel}`,
      '--publish',
      `POST ${server.url}/publish?channel={channel} {payload}`,
      '--cursor',
      'query:since:/next',
      '--hold',
      '1',
      ...HOLD_LIMIT,
      '--no-report',
      '--reporter',
      'none',
    ]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/pass \d+ · fail 0 · warn 0 · inconclusive 0/);
  });

  it('without a publish hook, checks that need an event are inconclusive, never failed', async () => {
    const m = server.manifest();
    delete m.publish;
    const file = await manifestFile('nopub.json', JSON.stringify(m));
    const r = await cli(['run', '--via', 'direct', '--target', file, '--no-report', '--reporter', 'none', ...HOLD_LIMIT]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/fail 0 · warn 0 · inconclusive \d+/);
    expect(r.stdout).to.include('no publish hook');
  });

  const hostile: HostileKind[] = ['never-answers', 'garbage', 'reset', 'endless-headers'];
  for (const kind of hostile) {
    it(`a server that ${kind} ends the run with exit 2 within a bounded time, no pass`, async () => {
      const h = await startHostileServer(kind);
      try {
        const file = await manifestFile(
          `${kind}.json`,
          JSON.stringify({
            name: kind,
            baseUrl: h.url,
            publish: { url: '/p?c={channel}', body: '{payload}' },
            longPoll: { url: '/lp?c={channel}', holdSeconds: 1 },
          }),
        );
        const r = await cli(['run', '--target', file, '--report-dir', join(dir, kind)], { timeoutMs: 30_000 });
        expect(r.code, r.stdout + r.stderr).to.equal(2);
        expect(r.stderr).to.match(/does not speak HTTP|unreachable/);
        expect(r.stdout).to.not.match(/passing/);
        expect(r.ms).to.be.below(15_000);
      } finally {
        await h.close();
      }
    });
  }

  it('baselines: a known failure exits 0, a new failure exits 1, a stale entry exits 1', async () => {
    const out = join(dir, 'baseline-run');
    const failing = await cli(['run', '--via', 'direct', '--fixture', '--fault', 'timeout-408', '--report-dir', out, '--reporter', 'none']);
    expect(failing.code).to.equal(1);
    const baseline = await cli(['baseline', join(out, 'report.json')]);
    expect(baseline.code).to.equal(0);
    expect(JSON.parse(baseline.stdout)).to.deep.equal({ schemaVersion: 1, expectedFailures: ['lp.timeout-status@direct'] });
    const file = await manifestFile('baseline.json', baseline.stdout);
    const known = await cli([
      'run',
      '--via',
      'direct',
      '--fixture',
      '--fault',
      'timeout-408',
      '--baseline',
      file,
      '--no-report',
      '--reporter',
      'none',
    ]);
    expect(known.code, known.stdout).to.equal(0);
    expect(known.stdout).to.match(/1 known failure\(s\), 0 new, 0 stale/);
    const fresh = await cli([
      'run',
      '--via',
      'direct',
      '--fixture',
      '--fault',
      'timeout-408,reverse-order',
      '--baseline',
      file,
      '--no-report',
      '--reporter',
      'none',
    ]);
    expect(fresh.code).to.equal(1);
    expect(fresh.stdout).to.match(/NEW\s+lp\.order@direct/);
    const stale = await cli(['run', '--via', 'direct', '--fixture', '--baseline', file, '--no-report', '--reporter', 'none']);
    expect(stale.code).to.equal(1);
    expect(stale.stdout).to.match(/STALE\s+lp\.timeout-status@direct now passes/);
    const bad = await cli([
      'run',
      '--via',
      'direct',
      '--fixture',
      '--baseline',
      await manifestFile('bad-baseline.json', '{"expectedFailures": "x"}'),
      '--no-report',
    ]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('bad-baseline.json');
  });

  it('renders report.html during the run and again from report.json; compares two reports', async () => {
    const a = join(dir, 'cmp-a');
    const b = join(dir, 'cmp-b');
    await cli(['run', '--via', 'direct', '--fixture', '--report-dir', a, '--reporter', 'none']);
    await cli(['run', '--via', 'direct', '--fixture', '--fault', 'drop-gap', '--report-dir', b, '--reporter', 'none']);
    expect(await readFile(join(a, 'report.html'), 'utf8')).to.include('Content-Security-Policy');
    const html = join(dir, 'again.html');
    const r = await cli(['report', join(b, 'report.json'), '-o', html]);
    expect(r.code, r.stderr).to.equal(0);
    expect(await readFile(html, 'utf8')).to.include('lp.gap-no-loss');
    const cmp = join(dir, 'compare.html');
    const c = await cli(['compare', join(a, 'report.json'), join(b, 'report.json'), '-o', cmp]);
    expect(c.code, c.stderr).to.equal(0);
    expect(await readFile(cmp, 'utf8')).to.include('lp.gap-no-loss');
    const missing = await cli(['report', join(dir, 'nope.json'), '-o', html]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include('nope.json');
  });

  it('pushspec proxy runs a profile standalone: a user can request through it and see what it did', async () => {
    const child = spawn(process.execPath, [CLI, 'proxy', 'nginx-default', '--upstream', server.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^nginx-default: (http:\/\/127\.0\.0\.1:\d+\/)/m.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`proxy exited ${code}: ${out}`)));
      });
      const res = await fetch(`${url}lp?channel=proxy-test`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).to.equal(200);
      await res.text();
      expect(out).to.match(/buffer-bytes\(4096B/);
    } finally {
      child.kill('SIGTERM');
    }
    const bad = await cli(['proxy', 'nginx', '--upstream', server.url]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/"nginx" is not a profile \(allowed: .*nginx-default/);
  });

  it('an unreachable target is exit 2 with the address in the message', async () => {
    const h = await startHostileServer('reset');
    const url = h.url;
    await h.close();
    const r = await cli(['run', '--long-poll', `${url}/lp?c={channel}`, '--publish', `POST ${url}/p?c={channel} {payload}`, '--no-report']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include(new URL(url).host);
  });
});
