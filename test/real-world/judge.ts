/**
 * Judges corpus targets and prints their verdicts; the expected-verdict files are written from
 * here (after checking each verdict against the server's ground truth) and the stability check
 * runs here.
 *
 *   node dist/test/real-world/judge.js [SERVER[/VARIANT] ...] [--write] [--runs N] [--only PREFIX]
 *
 * --write  stores each target's verdicts in test/real-world/expected/<server>.<variant>.json
 * --only   judges only the requirements whose IDs start with PREFIX (repeatable); with --write
 *          their verdicts replace theirs in the stored tables and every other verdict stays
 * --runs N judges each target N times and fails (exit 1) when any verdict differs between runs
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS, judgeTarget, verdictDiff, verdictTable, type VerdictTable } from './corpus.js';

const SOURCE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'real-world', 'expected');

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const write = args.includes('--write');
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 1;
  if (!(runs >= 1)) throw new Error('--runs needs a positive number');
  const only = args.flatMap((a, i) => (args[i - 1] === '--only' ? [a] : []));
  const wanted = args.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1) && args[i - 1] !== '--only');
  let unstable = 0;
  for (const server of CORPUS) {
    const picks = wanted.filter((w) => w.split('/')[0] === server.name);
    if (wanted.length > 0 && picks.length === 0) continue;
    const missing = server.missing();
    if (missing) {
      console.log(`${server.name}: not installed (${missing})`);
      continue;
    }
    const running = await server.start();
    try {
      for (const [variant, manifest] of Object.entries(running.targets)) {
        if (picks.length > 0 && !picks.some((p) => p === server.name || p === `${server.name}/${variant}`)) continue;
        let first: VerdictTable | null = null;
        for (let i = 0; i < runs; i++) {
          const { results, durationMs } = await judgeTarget(manifest, server.skip?.[variant]?.ids, only, running.access?.[variant]);
          const table = verdictTable(results);
          const counts: Record<string, number> = {};
          for (const r of results) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
          console.log(`${server.name}/${variant} run ${i + 1}: ${(durationMs / 1000).toFixed(1)} s ${JSON.stringify(counts)}`);
          for (const [k, v] of Object.entries(table))
            if (v.verdict !== 'pass' && v.verdict !== 'skip') console.log(`  ${v.verdict.padEnd(12)} ${k}: ${v.reason}`);
          if (first === null) {
            first = table;
            if (write) {
              mkdirSync(SOURCE_DIR, { recursive: true });
              const file = join(SOURCE_DIR, `${server.name}.${variant}.json`);
              // With --only, the stored table keeps every other requirement's verdict.
              const kept = only.length > 0 && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as VerdictTable) : {};
              for (const k of Object.keys(kept)) if (only.some((p) => k.startsWith(p))) delete kept[k];
              const merged = Object.fromEntries(Object.entries({ ...kept, ...table }).sort(([a], [b]) => a.localeCompare(b)));
              writeFileSync(file, `${JSON.stringify(merged, null, 1)}\n`);
            }
          } else {
            const diff = verdictDiff(first, table);
            if (diff.length) {
              unstable += 1;
              console.log(`  UNSTABLE against run 1:\n    ${diff.join('\n    ')}`);
            }
          }
        }
      }
    } finally {
      await running.stop();
    }
  }
  return unstable > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
