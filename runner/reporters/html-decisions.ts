/**
 * The parts of the HTML report that answer "can I deploy this, and behind what?": the headline
 * sentence, what failed (each with its remedy), the per-profile answer, and the legend of what
 * each profile models. Same escaping rules as html.ts: report text only in escaped element
 * text; the one attribute we fill (a profile's description, on hover) is our own catalogue text,
 * escaped anyway.
 */
import escapeHtml from 'escape-html';
import type { CaseResult, Report } from '../report.js';
import type { Outcome } from '../verdict.js';
import { describeVia, parseVia } from '../via.js';
import { badge, esc, outcomeOf, str } from './html-text.js';
import { profileAnswers, type ProfileAnswer } from './profile-summary.js';

const ANSWER_CLASS: Record<ProfileAnswer['answer'], Outcome> = {
  works: 'pass',
  'works with warnings': 'warn',
  breaks: 'fail',
  'not judged': 'inconclusive',
};

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function ids(rs: readonly CaseResult[]): string[] {
  return [...new Set(rs.map((r) => str(r.id)))];
}

function idList(list: readonly string[], max = 5): string {
  const shown = list
    .slice(0, max)
    .map((id) => `<span class="id">${esc(id)}</span>`)
    .join(', ');
  return list.length > max ? `${shown} and ${list.length - max} more` : shown;
}

/**
 * One paragraph a reader can act on: does the server itself hold up, and behind which
 * intermediaries it breaks, works with warnings or works.
 */
export function renderHeadline(report: Report): string {
  const direct = report.results.filter((r) => str(r.via) === 'direct');
  const failing = ids(direct.filter((r) => r.verdict === 'fail'));
  const warned = ids(direct.filter((r) => r.verdict === 'warn'));
  const errors = report.results.filter((r) => r.verdict === 'error').length;
  const judged = direct.filter((r) => r.verdict === 'pass' || r.verdict === 'fail' || r.verdict === 'warn').length;
  const lines: string[] = [];
  if (judged === 0 && direct.length > 0) lines.push('Nothing could be judged directly against the server.');
  else if (failing.length > 0) lines.push(`<b>The server itself fails ${plural(failing.length, 'requirement')}</b>: ${idList(failing)}.`);
  else if (warned.length > 0)
    lines.push(`Directly, the server meets every MUST it was judged on, with ${plural(warned.length, 'warning')}: ${idList(warned)}.`);
  else if (direct.length > 0) lines.push('Directly, the server meets every requirement it was judged on.');
  const answers = profileAnswers(report);
  const by = (a: ProfileAnswer['answer']): ProfileAnswer[] => answers.filter((x) => x.answer === a);
  const names = (list: readonly ProfileAnswer[]): string => list.map((a) => `<span class="via">${esc(a.via)}</span>`).join(', ');
  const breaks = by('breaks');
  // Behind a profile whose deciding cases all fail direct too, the fix is the server's own; a
  // profile that breaks what works direct is the deployment question proper.
  const hopBreaks = breaks.filter((a) => a.hopCaused > 0);
  const alsoDirect = breaks.filter((a) => a.hopCaused === 0);
  if (hopBreaks.length) lines.push(`<b>Breaks behind ${names(hopBreaks)}</b>, where what works direct fails.`);
  if (alsoDirect.length)
    lines.push(
      `${hopBreaks.length ? 'Also breaks' : '<b>Breaks</b>'} behind ${names(alsoDirect)}, each time for something the server itself does.`,
    );
  if (by('works with warnings').length) lines.push(`Works with warnings behind ${names(by('works with warnings'))}.`);
  if (by('works').length) lines.push(`Works behind ${names(by('works'))}.`);
  if (by('not judged').length) lines.push(`Not judged behind ${names(by('not judged'))}.`);
  if (errors) lines.push(`${plural(errors, 'case')} could not be run by the harness (error): not the server's doing.`);
  if (failing.length + warned.length + breaks.length > 0) lines.push('What to change is listed first, below.');
  return `<p class="headline" id="headline">${lines.join(' ')}</p>\n`;
}

/** Remedies shown per item of "what failed"; the rest are in each case. */
const MAX_REMEDIES = 3;

interface Notable {
  r: CaseResult;
  i: number;
  o: Outcome;
}

/**
 * What broke first: every fail and error, then warnings, one item per requirement, verdict and
 * cause (the same finding through six profiles is one thing to fix, not six), each with where it
 * showed (links to the cases), what was seen, whose doing it is and the remedy.
 */
export function renderFailuresFirst(report: Report): string {
  const rank: Partial<Record<Outcome, number>> = { fail: 0, error: 1, warn: 2 };
  const notable = report.results
    .map((r, i): Notable => ({ r, i, o: outcomeOf(r.verdict) }))
    .filter((x) => rank[x.o] !== undefined)
    .sort((a, b) => (rank[a.o] ?? 9) - (rank[b.o] ?? 9) || a.i - b.i);
  if (notable.length === 0)
    return '<h2 id="failures">What failed</h2>\n<p class="muted" id="failures-none">Nothing failed or warned.</p>\n';
  const groups = new Map<string, Notable[]>();
  for (const n of notable) {
    const key = JSON.stringify([str(n.r.id), n.o, str(n.r.cause)]);
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  const items = [...groups.values()].map((g) => {
    const head = g.find((n) => str(n.r.via) === 'direct') ?? g[0];
    if (!head) return '';
    const r = head.r;
    const where = g.map((n) => `<a href="#case-${n.i}">${esc(n.r.via)}</a>`).join(', ');
    const remedies = [...new Set(g.map((n) => n.r.remedy).filter((x): x is string => typeof x === 'string' && x !== ''))];
    const more =
      remedies.length > MAX_REMEDIES
        ? ` <span class="muted">(${remedies.length - MAX_REMEDIES} more, one per profile, in the cases)</span>`
        : '';
    const remedy = remedies.length
      ? `<div class="remedy">Remedy: ${remedies
          .slice(0, MAX_REMEDIES)
          .map((x) => esc(x))
          .join('<br>')}${more}</div>`
      : '';
    const cause =
      typeof r.cause === 'string'
        ? `<div class="muted">cause: <span class="cause">${esc(r.cause)}</span>${r.direct ? ` · direct: ${esc(r.direct.verdict)}` : ''}</div>`
        : '';
    return (
      `<li data-verdict="${head.o}">${badge(head.o)} <span class="id">${esc(r.id)}</span> — ${esc(r.title)}` +
      `<div class="where">${g.length === 1 ? 'on' : `on ${g.length} paths:`} ${where}</div>` +
      `<div class="actual">${esc(r.actual)}</div>${cause}${remedy}</li>`
    );
  });
  return `<h2 id="failures">What failed</h2>\n<ol class="failures" id="failure-list">\n${items.join('\n')}\n</ol>\n`;
}

/** The deployment question, per profile: does it work behind it, which checks decide, the fix. */
export function renderProfiles(report: Report): string {
  const answers = profileAnswers(report);
  if (answers.length === 0) return '';
  const rows = answers.map((a) => {
    const list = ids(a.deciding);
    return (
      `<tr data-answer="${ANSWER_CLASS[a.answer]}"><th${viaTitle(a.via)}>${esc(a.via)}</th><td class="models">${esc(a.models)}</td>` +
      `<td>${badge(ANSWER_CLASS[a.answer])} ${esc(a.answer)}</td><td class="n">${a.judged}/${a.cases}</td>` +
      `<td>${list.map((id) => `<span class="id">${esc(id)}</span>`).join(', ') || '—'}${a.hopCaused ? ` <span class="muted">(${a.hopCaused} pass direct: the hop's doing)</span>` : ''}</td>` +
      `<td class="remedy">${a.remedies.map((x) => esc(x)).join('<br>') || '—'}</td></tr>`
    );
  });
  return (
    `<h2 id="profiles">Behind each intermediary</h2>\n<div class="scroll"><table class="profiles" id="profile-table">\n` +
    `<thead><tr><th>profile</th><th>what it models</th><th>answer</th><th>judged</th><th>deciding requirements</th><th>what the server can change</th></tr></thead>\n` +
    `<tbody>\n${rows.join('\n')}\n</tbody></table></div>\n`
  );
}

/** What a profile models, from our own catalogue; null for a name the catalogue does not know. */
function catalogued(via: string): string | null {
  return parseVia(via) ? describeVia(via) : null;
}

/** A ` title="…"` attribute with the profile's description for hover, or nothing. */
export function viaTitle(via: string): string {
  const d = catalogued(via);
  return d === null ? '' : ` title="${escapeHtml(d)}"`;
}

/** Every profile of the matrix with what it models, for readers who do not hover (and for print). */
export function renderLegend(vias: readonly string[]): string {
  const rows = vias.map((v) => `<dt>${esc(v)}</dt><dd>${esc(catalogued(v) ?? 'not in this version’s profile catalogue')}</dd>`);
  return `<details class="legend" id="profile-legend" open><summary>What each profile models</summary><dl class="meta legend">${rows.join('')}</dl></details>\n`;
}
