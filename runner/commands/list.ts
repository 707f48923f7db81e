import { CATALOGUE } from '../../suites/catalogue.js';
import { catalogueCoverage, coverageMarkdown, coverageText } from '../catalogue-coverage.js';
import type { Requirement } from '../requirement.js';

/** The README's requirement table (a test keeps the README in step with the catalogue). */
export function catalogMarkdown(reqs: readonly Requirement[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = reqs.map(
    (r) =>
      `| \`${r.id}\` | [${r.spec} §${r.section}](${r.sources[0] ?? ''}) | ${r.level} | ${esc(r.title)} | ${esc(r.tolerance)} | ${r.faults.map((f) => `\`${f}\``).join(', ')} |`,
  );
  return (
    ['| ID | Section | Level | Requirement | Tolerance | Violating fault(s) |', '|---|---|---|---|---|---|', ...rows].join('\n') + '\n'
  );
}

export function listCommand(reqs: readonly Requirement[], format: 'text' | 'json' | 'markdown'): string {
  if (format === 'markdown') return catalogMarkdown(reqs);
  if (format === 'json') {
    const rows = reqs.map((r) => ({
      id: r.id,
      spec: r.spec,
      section: r.section,
      level: r.level,
      title: r.title,
      sources: r.sources,
      transports: r.transports,
      needsPublish: r.needsPublish,
      timing: r.timing,
      tolerance: r.tolerance,
      limits: r.limits,
      dependsOn: r.dependsOn,
      faults: r.faults,
    }));
    return `${JSON.stringify(rows, null, 2)}\n`;
  }
  const w = Math.max(...reqs.map((r) => r.id.length));
  return `${reqs.map((r) => `${r.id.padEnd(w)}  ${`${r.spec} §${r.section}`.padEnd(14)} ${r.level.padEnd(6)} ${r.title}`).join('\n')}\n`;
}

/** `list --coverage`: the catalogue's rows by section, judged or not (a test keeps the README's copy equal). */
export function coverageCommand(reqs: readonly Requirement[], format: 'text' | 'json' | 'markdown'): string {
  const c = catalogueCoverage(
    CATALOGUE,
    reqs.map((r) => r.id),
  );
  if (format === 'json') return `${JSON.stringify(c, null, 2)}\n`;
  return format === 'markdown' ? coverageMarkdown(c) : coverageText(c);
}
