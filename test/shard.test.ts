import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startReferenceServer } from '../fixtures/reference-server.js';
import { mergeReports } from '../runner/commands/merge.js';
import type { Report } from '../runner/report.js';
import { runSuite } from '../runner/run.js';
import { inShard, parseShard } from '../runner/shard.js';
import { REQUIREMENTS } from '../suites/index.js';
import { cli, ROOT } from './helpers/cli.js';

const keyed = (r: Report): Record<string, string> => Object.fromEntries(r.results.map((x) => [`${x.id}@${x.via}`, x.verdict]));

describe('--shard i/n and pushspec merge (a CI matrix)', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pushspec-shard-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('deals every requirement to exactly one shard, the same way on every machine', () => {
    for (let n = 1; n <= 7; n++) {
      for (const r of REQUIREMENTS)
        expect(
          Array.from({ length: n }, (_, i) => inShard(r.id, { index: i + 1, count: n })).filter(Boolean).length,
          `${r.id} of ${n}`,
        ).to.equal(1);
    }
    // Pinned: a change of the hash would split a running CI matrix differently on old and new machines.
    expect([1, 2, 3, 4].find((i) => inShard('lp.held', { index: i, count: 4 }))).to.equal(PINNED['lp.held']);
    expect([1, 2, 3, 4].find((i) => inShard('sse.dispatch', { index: i, count: 4 }))).to.equal(PINNED['sse.dispatch']);
    expect(parseShard('2/4')).to.deep.equal({ index: 2, count: 4 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1/257', '1.5/3', '']) expect(parseShard(bad), bad).to.equal(null);
  });

  it('rejects a bad --shard with exit 2 before anything runs', async () => {
    const r = await cli(['run', '--fixture', '--shard', '4/3', '--no-report']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--shard "4\/3": expected i\/n with whole numbers 1 ≤ i ≤ n ≤ 256/);
    expect(r.stdout).to.equal('');
  });

  it('three shards merged give the verdicts, order and profile answers of one unsharded run', async () => {
    const server = await startReferenceServer({ holdMs: 1000 });
    try {
      const base = {
        manifest: server.manifest(),
        only: ['lp.', 'sse.', 'http.'],
        skip: [],
        level: 'all' as const,
        via: ['direct', 'nginx-default'],
        viaNamed: true,
        strict: false,
        timeScale: 1,
        concurrency: 32,
        holdLimitSeconds: 3,
        reporter: 'none',
      };
      const whole = (await runSuite({ ...base, reportDir: null })).report;
      const files: string[] = [];
      for (const index of [1, 2, 3]) {
        const { report } = await runSuite({ ...base, reportDir: null, shard: { index, count: 3 } });
        expect(report.environment.shard).to.deep.equal({ index, count: 3 });
        const file = join(dir, `shard-${index}.json`);
        await writeFile(file, JSON.stringify(report));
        files.push(file);
      }
      const merged = await mergeReports([files[2] ?? '', files[0] ?? '', files[1] ?? '']);
      expect(keyed(merged)).to.deep.equal(keyed(whole));
      expect(merged.results.map((r) => `${r.id}@${r.via}`)).to.deep.equal(whole.results.map((r) => `${r.id}@${r.via}`));
      expect(merged.summary).to.deep.equal(whole.summary);
      expect(merged.profiles).to.deep.equal(whole.profiles);
      expect(merged.environment.shard).to.equal(undefined);
      expect(merged.environment.merged?.map((p) => p.shard?.index)).to.deep.equal([1, 2, 3]);
      // Both shapes are described by the report schema.
      const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(
        JSON.parse(await readFile(join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object,
      );
      for (const r of [merged, JSON.parse(await readFile(files[0] ?? '', 'utf8')) as Report])
        expect(validate(r), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true);
      // The CLI writes it, prints the summary and exits as a run would.
      const out = join(dir, 'merged.json');
      const r = await cli(['merge', ...files, '-o', out]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/merged from 3 reports/);
      expect(keyed(JSON.parse(await readFile(out, 'utf8')) as Report)).to.deep.equal(keyed(whole));
    } finally {
      await server.close();
    }
  });

  it('refuses inputs that are not one split of one run, naming the file (exit 2, nothing written)', async () => {
    const report = (shard: { index: number; count: number } | undefined, name = 't', ids = ['lp.held']): Report => ({
      schemaVersion: 1,
      tool: { name: 'pushspec', version: '0.1.0' },
      target: { name, baseUrl: 'http://127.0.0.1:1' },
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
      environment: {
        rttMs: 1,
        timeScale: 1,
        node: 'v20',
        platform: 'linux-x64',
        concurrency: 1,
        publish: 'none',
        ...(shard ? { shard } : {}),
      },
      results: ids.map((id) => ({
        id,
        section: '2.1',
        spec: 'RFC 6202',
        level: 'must',
        title: 't',
        via: 'direct',
        verdict: 'pass',
        expected: '',
        actual: '',
        durationMs: 1,
        measurements: {},
        evidence: [],
      })),
      summary: { pass: ids.length, fail: 0, warn: 0, inconclusive: 0, skip: 0, error: 0 },
    });
    const put = async (name: string, r: Report): Promise<string> => {
      const f = join(dir, name);
      await writeFile(f, JSON.stringify(r));
      return f;
    };
    const s1 = await put('a1.json', report({ index: 1, count: 3 }, 't', ['lp.held']));
    const s2 = await put('a2.json', report({ index: 2, count: 3 }, 't', ['lp.wake']));
    const s2again = await put('a2b.json', report({ index: 2, count: 3 }, 't', ['lp.order']));
    const other = await put('other.json', report({ index: 3, count: 3 }, 'u', ['lp.order']));
    const plain = await put('plain.json', report(undefined, 't', ['lp.held']));
    const out = join(dir, 'never.json');
    const cases: Array<[string[], RegExp]> = [
      [[s1], /merge needs at least two report files, got 1/],
      [[s1, s2], /shard 3\/3 missing/],
      [[s1, s2, s2again], /a2b\.json: shard 2\/3 again \(also .*a2\.json\)/],
      [[s1, s2, other], /other\.json: target name "u", while .*a1\.json has "t"/],
      [[s1, plain], /plain\.json: case lp\.held@direct is also in .*a1\.json|plain\.json: not a shard/],
      [[s1, join(dir, 'missing.json')], /missing\.json: cannot read report \(ENOENT\)/],
    ];
    for (const [inputs, message] of cases) {
      const r = await cli(['merge', ...inputs, '-o', out]);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.match(message);
    }
    expect(await readFile(out, 'utf8').catch(() => 'absent')).to.equal('absent');
  });
});

const PINNED: Record<string, number> = { 'lp.held': 3, 'sse.dispatch': 3 };
