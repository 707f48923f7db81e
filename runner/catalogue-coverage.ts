import type { CatalogueRow, CatalogueSection, RowStatus } from '../suites/catalogue.js';

/** How much of one catalogue section pushspec judges. */
export interface SectionCoverage {
  title: string;
  rows: number;
  /** judged by `run` requirements */
  judged: number;
  /** judged in part (what is missing is listed) */
  partly: number;
  /** judged by `pushspec load` */
  load: number;
  /** summary rows whose checks are other rows */
  pointers: number;
  notYet: number;
  untestable: number;
  /** row → what is not judged yet (not-yet rows and the missing part of partly judged ones) */
  missing: Array<{ row: string; what: string }>;
}

export interface CatalogueCoverage {
  sections: SectionCoverage[];
  /** requirements that judge something the catalogue has no row for */
  beyond: string[];
}

type Kind = 'judged' | 'partly' | 'load' | 'pointers' | 'notYet' | 'untestable';

function kindOf(s: RowStatus): Kind {
  if ('by' in s) return 'judged';
  if ('partly' in s) return 'partly';
  if ('load' in s) return 'load';
  if ('see' in s) return 'pointers';
  if ('notYet' in s) return 'notYet';
  return 'untestable';
}

/** The requirement IDs a row names. */
export function rowRequirements(r: CatalogueRow): readonly string[] {
  const s = r.status;
  return 'by' in s ? s.by : 'partly' in s ? s.partly : [];
}

function sectionCoverage(section: CatalogueSection): SectionCoverage {
  const c: SectionCoverage = {
    title: section.title,
    rows: section.rows.length,
    judged: 0,
    partly: 0,
    load: 0,
    pointers: 0,
    notYet: 0,
    untestable: 0,
    missing: [],
  };
  for (const r of section.rows) {
    c[kindOf(r.status)] += 1;
    const s = r.status;
    if ('notYet' in s) c.missing.push({ row: r.id, what: s.notYet });
    if ('partly' in s) c.missing.push({ row: r.id, what: s.missing });
  }
  return c;
}

export function catalogueCoverage(catalogue: readonly CatalogueSection[], requirementIds: readonly string[]): CatalogueCoverage {
  const named = new Set(catalogue.flatMap((s) => s.rows.flatMap(rowRequirements)));
  return { sections: catalogue.map(sectionCoverage), beyond: requirementIds.filter((id) => !named.has(id)) };
}

const HEAD = ['Section', 'Rows', 'Judged', 'In part', 'By load', 'Pointers', 'Not yet', 'Not testable'];
const cells = (s: SectionCoverage): Array<string | number> => [
  s.title,
  s.rows,
  s.judged,
  s.partly,
  s.load,
  s.pointers,
  s.notYet,
  s.untestable,
];

function totals(c: CatalogueCoverage): SectionCoverage {
  const sum = (k: Exclude<keyof SectionCoverage, 'title' | 'missing'>): number => c.sections.reduce((n, s) => n + s[k], 0);
  return {
    title: 'All',
    rows: sum('rows'),
    judged: sum('judged'),
    partly: sum('partly'),
    load: sum('load'),
    pointers: sum('pointers'),
    notYet: sum('notYet'),
    untestable: sum('untestable'),
    missing: [],
  };
}

/** The README's coverage section (a test keeps it equal to `pushspec list --coverage --markdown`). */
export function coverageMarkdown(c: CatalogueCoverage): string {
  const line = (xs: ReadonlyArray<string | number>): string => `| ${xs.join(' | ')} |`;
  const table = [
    line(HEAD),
    line(HEAD.map((_, i) => (i === 0 ? '---' : '--:'))),
    ...c.sections.map((s) => line(cells(s))),
    line(cells(totals(c)).map((x) => `**${x}**`)),
  ];
  const missing = c.sections
    .filter((s) => s.missing.length > 0)
    .map((s) => `- **${s.title}**: ${s.missing.map((m) => `\`${m.row}\` ${m.what}`).join('; ')}.`);
  const beyond = c.beyond.length ? [`Judged beyond the catalogue's rows: ${c.beyond.map((id) => `\`${id}\``).join(', ')}.`, ''] : [];
  return [...table, '', 'Not judged yet, or judged only in part:', '', ...missing, '', ...beyond].join('\n');
}

export function coverageText(c: CatalogueCoverage): string {
  const all = [...c.sections, totals(c)];
  const w = Math.max(...all.map((s) => s.title.length));
  const head = `${'Section'.padEnd(w)}  ${HEAD.slice(1)
    .map((h) => h.padStart(8))
    .join(' ')}`;
  const rows = all.map(
    (s) =>
      `${s.title.padEnd(w)}  ${cells(s)
        .slice(1)
        .map((x) => String(x).padStart(8))
        .join(' ')}`,
  );
  const missing = c.sections.flatMap((s) => s.missing.map((m) => `  ${m.row.padEnd(15)} ${m.what}`));
  return [
    head,
    ...rows,
    '',
    'not judged yet, or only in part:',
    ...missing,
    '',
    `judged beyond the catalogue's rows: ${c.beyond.join(', ') || 'none'}`,
    '',
  ].join('\n');
}
