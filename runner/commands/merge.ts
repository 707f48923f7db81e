/**
 * `pushspec merge a.json b.json … -o report.json`: the reports of one conformance run split over
 * the machines of a CI matrix (`run --shard i/n`) joined into one, as if one machine had run it.
 * Every input problem names the file and is exit 2 before anything is written.
 */
import { loadRequirements } from '../registry.js';
import { summarize, type CaseResult, type MergedPart, type Report } from '../report.js';
import { profileVerdicts } from '../reporters/profile-summary.js';
import { loadReport, ReportInputError } from './report-commands.js';

const shardText = (s: { index: number; count: number } | undefined): string => (s ? `${s.index}/${s.count}` : 'none');

/** Shards must all be of one split and all present, each once; unsharded inputs must not overlap. */
function checkShards(inputs: ReadonlyArray<{ file: string; report: Report }>): void {
  const sharded = inputs.filter((i) => i.report.environment.shard !== undefined);
  if (sharded.length === 0) return;
  const plain = inputs.find((i) => i.report.environment.shard === undefined);
  if (plain)
    throw new ReportInputError(
      `${plain.file}: not a shard (no environment.shard), while ${sharded[0]?.file ?? '?'} is; expected the reports of one \`run --shard i/n\` split`,
    );
  const count = sharded[0]?.report.environment.shard?.count ?? 0;
  const seen = new Map<number, string>();
  for (const { file, report } of sharded) {
    const s = report.environment.shard;
    if (s === undefined) continue;
    if (s.count !== count)
      throw new ReportInputError(
        `${file}: shard ${shardText(s)}, while ${sharded[0]?.file ?? '?'} is shard ${shardText(sharded[0]?.report.environment.shard)}; expected every report of one split into ${count}`,
      );
    const twin = seen.get(s.index);
    if (twin !== undefined) throw new ReportInputError(`${file}: shard ${shardText(s)} again (also ${twin}); expected each shard once`);
    seen.set(s.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length)
    throw new ReportInputError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: the merged report would leave those requirements out; expected all ${count} reports of the split`,
    );
}

/** Inputs must describe one run: one target name, one pushspec version, one time scale. */
function checkSameRun(inputs: ReadonlyArray<{ file: string; report: Report }>): void {
  const [first, ...rest] = inputs;
  if (first === undefined) return;
  for (const { file, report } of rest) {
    const same: Array<[string, string, string]> = [
      ['target name', report.target.name, first.report.target.name],
      ['pushspec version', report.tool.version, first.report.tool.version],
      ['time scale', String(report.environment.timeScale), String(first.report.environment.timeScale)],
    ];
    for (const [what, mine, theirs] of same) {
      if (mine !== theirs)
        throw new ReportInputError(
          `${file}: ${what} ${JSON.stringify(mine)}, while ${first.file} has ${JSON.stringify(theirs)}; expected reports of one run (verdicts made under different rules cannot be joined)`,
        );
    }
  }
}

export async function mergeReports(files: readonly string[]): Promise<Report> {
  if (files.length < 2) throw new ReportInputError(`merge needs at least two report files, got ${files.length}`);
  const inputs = await Promise.all(files.map(async (file) => ({ file, report: await loadReport(file) })));
  checkSameRun(inputs);
  checkShards(inputs);
  const owner = new Map<string, string>();
  for (const { file, report } of inputs) {
    for (const r of report.results) {
      const key = `${r.id}@${r.via}`;
      const twin = owner.get(key);
      if (twin !== undefined)
        throw new ReportInputError(
          `${file}: case ${key} is also in ${twin}; expected reports with disjoint cases (the shards of one split, or runs of different --via/--only)`,
        );
      owner.set(key, file);
    }
  }
  // Catalogue order, as one run prints it; within a requirement each input kept its own order.
  const order = new Map(loadRequirements().map((r, i) => [r.id, i]));
  const rank = (r: CaseResult): number => order.get(r.id) ?? order.size;
  const results = inputs
    .flatMap((i) => i.report.results)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map((x) => x.r);
  const ordered = [...inputs].sort((a, b) => (a.report.environment.shard?.index ?? 0) - (b.report.environment.shard?.index ?? 0));
  const parts: MergedPart[] = ordered.map(({ file, report }) => ({
    file,
    baseUrl: report.target.baseUrl,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    rttMs: report.environment.rttMs,
    cases: report.results.length,
    ...(report.environment.shard ? { shard: report.environment.shard } : {}),
  }));
  const first = ordered[0]?.report ?? inputs[0]?.report;
  if (first === undefined) throw new ReportInputError('merge: no reports');
  const { shard: _shard, merged: _merged, ...environment } = first.environment;
  return {
    schemaVersion: 1,
    tool: first.tool,
    target: first.target,
    startedAt: [...inputs.map((i) => i.report.startedAt)].sort()[0] ?? first.startedAt,
    // The machines ran side by side: the matrix took as long as its longest shard.
    durationMs: Math.max(...inputs.map((i) => i.report.durationMs)),
    environment: { ...environment, merged: parts },
    results,
    summary: summarize(results),
    profiles: profileVerdicts(results),
  };
}
