import type { BaselineOutcome } from '../baseline.js';
import { tlsText } from './tls-text.js';
import type { Report } from '../report.js';
import { OUTCOMES } from '../verdict.js';
import { painter } from './colour.js';
import { profileAnswers, profileLines } from './profile-summary.js';

/** Printable text: control characters from a hostile server must not drive the terminal. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, '\uFFFD');
}

/** How the target's certificate was trusted; an unverified run says so where nobody can miss it. */
/** The end-of-run summary: counts, what failed and why, where the reports are. */
export function renderSummary(report: Report, reportFiles: string[], colour = false): string {
  const paint = painter(colour);
  const lines: string[] = [];
  const s = report.summary;
  lines.push('');
  lines.push(`pushspec ${report.tool.version} — ${printable(report.target.name)} (${printable(report.target.baseUrl)})`);
  const env = report.environment;
  const split = env.shard
    ? ` · shard ${env.shard.index}/${env.shard.count}`
    : env.merged
      ? ` · merged from ${env.merged.length} reports (the longest took the time given)`
      : '';
  lines.push(
    `  ${report.results.length} cases in ${(report.durationMs / 1000).toFixed(1)} s · RTT ${env.rttMs} ms · time scale ${env.timeScale}${split}`,
  );
  const tls = tlsText(report.environment.tls, printable);
  if (tls !== null) lines.push(tls.startsWith('TLS NOT VERIFIED') ? `  ${paint('warn', tls)}` : `  ${tls}`);
  lines.push(`  ${OUTCOMES.map((o) => (s[o] > 0 ? paint(o, `${o} ${s[o]}`) : `${o} ${s[o]}`)).join(' · ')}`);
  lines.push('');
  lines.push(sectionTable(report));
  const answers = profileAnswers(report);
  if (answers.length) {
    lines.push('');
    lines.push(...profileLines(answers, printable));
  }
  const notable = report.results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn' || r.verdict === 'error');
  if (notable.length) {
    lines.push('');
    for (const r of notable) {
      lines.push(`  ${paint(r.verdict, r.verdict.toUpperCase().padEnd(5))} ${r.id}@${r.via} — ${r.title}`);
      lines.push(`        expected: ${printable(r.expected)}`);
      lines.push(`        actual:   ${printable(r.actual)}`);
      if (r.cause) lines.push(`        cause:    ${r.cause}${r.direct ? ` (direct: ${r.direct.verdict})` : ''}`);
      if (r.remedy) lines.push(`        remedy:   ${printable(r.remedy)}`);
    }
  }
  const inconclusive = report.results.filter((r) => r.verdict === 'inconclusive');
  if (inconclusive.length) {
    lines.push('');
    lines.push(
      `  ${inconclusive.length} inconclusive (not judged): ${inconclusive
        .slice(0, 3)
        .map((r) => `${r.id}: ${printable(r.actual).slice(0, 120)}`)
        .join('; ')}${inconclusive.length > 3 ? '; …' : ''}`,
    );
  }
  if (reportFiles.length) {
    lines.push('');
    for (const f of reportFiles) lines.push(`  report: ${f}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** Verdict counts per section: where the problems are, at a glance. */
function sectionTable(report: Report): string {
  const rows = new Map<string, Record<string, number>>();
  for (const r of report.results) {
    const k = `${r.spec} §${r.section}`;
    const row = rows.get(k) ?? Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
    row[r.verdict] = (row[r.verdict] ?? 0) + 1;
    rows.set(k, row);
  }
  const w = Math.max(8, ...[...rows.keys()].map((k) => k.length));
  const label = (o: string): string => (o === 'inconclusive' ? 'inconc' : o).padStart(6);
  const head = `  ${'section'.padEnd(w)}  ${OUTCOMES.map(label).join(' ')}`;
  const body = [...rows].map(([k, row]) => `  ${k.padEnd(w)}  ${OUTCOMES.map((o) => String(row[o] ?? 0).padStart(6)).join(' ')}`);
  return [head, ...body].join('\n');
}

export function renderBaselineOutcome(b: BaselineOutcome, file: string): string {
  const lines = [
    `  baseline ${printable(file)}: ${b.known.length} known failure(s), ${b.newFailures.length} new, ${b.stale.length} stale, ${b.notJudged.length} not judged`,
  ];
  for (const k of b.newFailures) lines.push(`    NEW    ${k}`);
  for (const k of b.stale) lines.push(`    STALE  ${k} now passes: remove it from the baseline`);
  return `${lines.join('\n')}\n\n`;
}
