import type { CaseResult, ProfileVerdict, Report } from '../report.js';
import { describeVia, parseVia } from '../via.js';

/**
 * "Can I deploy this behind X?" per intermediary profile: what the profile models, whether the
 * target works through it, the requirements that decide, and what the server can change. A
 * profile breaks when a case through it fails (or errs); warnings alone say "works, with caveats".
 */
export interface ProfileAnswer {
  via: string;
  /** what the profile models; for a stored report naming an unknown profile, the key itself */
  models: string;
  answer: 'works' | 'works with warnings' | 'breaks' | 'not judged';
  judged: number;
  /** cases run through it, the ones not applicable behind it left out */
  cases: number;
  /** requirements the run declared not applicable behind it (`n/a behind …` skips) */
  notApplicable: number;
  /** fail/error cases through it, then warnings */
  deciding: CaseResult[];
  /** distinct remedies of the deciding cases, in order */
  remedies: string[];
  /** how many of the deciding cases pass direct (the hop's doing) */
  hopCaused: number;
  /** requirements the whole run judged (any profile): coverage is `cases` of these */
  requirements: number;
}

const JUDGED = new Set(['pass', 'fail', 'warn', 'error']);

export function profileAnswers(report: Pick<Report, 'results'>): ProfileAnswer[] {
  const requirements = new Set(report.results.filter((r) => r.verdict !== 'skip').map((r) => String(r.id))).size;
  const byVia = new Map<string, CaseResult[]>();
  for (const r of report.results) {
    const via = String(r.via);
    if (via === 'direct') continue;
    byVia.set(via, [...(byVia.get(via) ?? []), r]);
  }
  return [...byVia].map(([via, rs]) => {
    const broken = rs.filter((r) => r.verdict === 'fail' || r.verdict === 'error');
    const warned = rs.filter((r) => r.verdict === 'warn');
    const judged = rs.filter((r) => JUDGED.has(r.verdict)).length;
    const notApplicable = rs.filter((r) => r.verdict === 'skip' && String(r.actual).startsWith('n/a behind ')).length;
    const deciding = [...broken, ...warned];
    const remedies = [...new Set(deciding.map((r) => r.remedy).filter((x): x is string => typeof x === 'string' && x !== ''))];
    return {
      via,
      models: parseVia(via) ? describeVia(via) : via,
      answer: judged === 0 ? 'not judged' : broken.length > 0 ? 'breaks' : warned.length > 0 ? 'works with warnings' : 'works',
      judged,
      cases: rs.length - notApplicable,
      notApplicable,
      deciding,
      remedies,
      hopCaused: deciding.filter((r) => r.cause === 'intermediary').length,
      requirements,
    };
  });
}

/** One line per profile for the console: `behind nginx-default: breaks (2 of 9) — st.incremental, …; fix: …`. */
export function profileLines(answers: readonly ProfileAnswer[], printable: (s: string) => string): string[] {
  return answers.map((a) => {
    const ids = [...new Set(a.deciding.map((r) => r.id))];
    const head = `  behind ${a.via}: ${a.answer} (${a.cases} of the ${a.requirements} requirements run through it, ${a.judged} judged${a.notApplicable ? `, ${a.notApplicable} not applicable` : ''}${a.deciding.length ? `, ${a.deciding.length} not passing` : ''})`;
    const why = ids.length ? ` — ${ids.slice(0, 4).join(', ')}${ids.length > 4 ? ', …' : ''}` : '';
    const fix = a.remedies.length
      ? `; fix: ${printable(a.remedies[0] ?? '')}${a.remedies.length > 1 ? ` (+${a.remedies.length - 1} more)` : ''}`
      : '';
    return `${head}${why}${fix}`;
  });
}

/** The per-profile answers as report.json carries them (a run, or a merge of shard reports). */
export function profileVerdicts(results: readonly CaseResult[]): ProfileVerdict[] {
  return profileAnswers({ results: [...results] }).map((a) => ({
    via: a.via,
    models: a.models,
    answer: a.answer,
    cases: a.cases,
    judged: a.judged,
    deciding: a.deciding.map((r) => `${r.id}@${r.via}`),
    hopCaused: a.hopCaused,
    remedies: a.remedies,
  }));
}
