import type { CaseResult, Report } from '../report.js';

/** The prefix the plan gives a case that does not apply behind a named profile (plan.ts). */
const NOT_APPLICABLE = /^n\/a behind ([^:]+): (.*)$/s;
const JUDGED = new Set(['pass', 'fail', 'warn', 'error']);

export interface ProfileCoverage {
  via: string;
  /** requirements with a case through the profile */
  requirements: number;
  judged: number;
  /** the cases judged direct only, grouped by the reason (in plan order) */
  notApplicable: Array<{ reason: string; ids: string[] }>;
  /** cases that applied but were not judged (the target lacks the transport, no publish hook, …) */
  notJudged: number;
}

/**
 * How much of the catalogue a run judged behind each profile it was asked about: judged, not
 * applicable (and why), not judged. Read from the results alone, so a stored report gives the
 * same statement.
 */
export function profileCoverage(report: Pick<Report, 'results'>): ProfileCoverage[] {
  const byVia = new Map<string, CaseResult[]>();
  for (const r of report.results) if (r.via !== 'direct') byVia.set(r.via, [...(byVia.get(r.via) ?? []), r]);
  return [...byVia].map(([via, rs]) => {
    const groups = new Map<string, string[]>();
    let notJudged = 0;
    for (const r of rs) {
      const na = NOT_APPLICABLE.exec(r.verdict === 'skip' ? r.actual : '');
      if (na?.[2] !== undefined) groups.set(na[2], [...(groups.get(na[2]) ?? []), r.id]);
      else if (!JUDGED.has(r.verdict)) notJudged += 1;
    }
    return {
      via,
      requirements: new Set(rs.map((r) => r.id)).size,
      judged: rs.filter((r) => JUDGED.has(r.verdict)).length,
      notApplicable: [...groups].map(([reason, ids]) => ({ reason, ids })),
      notJudged,
    };
  });
}

/** The console's coverage statement, for profiles with something not applicable (a named-profile run). */
export function coverageLines(report: Pick<Report, 'results'>, printable: (s: string) => string): string[] {
  const lines: string[] = [];
  for (const c of profileCoverage(report)) {
    const na = c.notApplicable.reduce((n, g) => n + g.ids.length, 0);
    if (na === 0) continue;
    lines.push(
      `  coverage behind ${c.via}: ${c.judged} of ${c.requirements} requirements judged through it, ${na} not applicable${c.notJudged ? `, ${c.notJudged} not judged (see above)` : ''}`,
    );
    for (const g of c.notApplicable) lines.push(`    n/a ${g.ids.join(', ')}: ${printable(g.reason)}`);
  }
  return lines.length ? ['', ...lines, ''] : [];
}
