/**
 * Side-by-side comparison of several reports (several targets, or one target over time).
 * Rows are `id@via`, columns are reports; a row whose verdicts are not all equal is marked, and
 * each cell that differs from the first column (the reference) is highlighted. The same escaping
 * and hash-CSP rules as the single report apply (see html.ts).
 */
import type { Report } from '../report.js';
import { OUTCOMES } from '../verdict.js';
import type { Outcome } from '../verdict.js';
import { BASE_CSS, badge, compareSections, compareSpecs, countOutcomes, outcomeOf, overall, page, specLink } from './html.js';
import { esc, str } from './html-text.js';

export interface LabelledReport {
  label: string;
  report: Report;
}

const CSS =
  BASE_CSS +
  `
table.cmp{width:100%}
table.cmp th.sec{background:#eef1f4;font-size:13px}
table.cmp td.key .id{font-weight:600}
table.cmp td.key .title{display:block;color:var(--muted);font-size:12.5px}
table.cmp td.cell{text-align:center;white-space:nowrap;vertical-align:middle}
table.cmp td.absent{color:var(--muted)}
table.cmp tr.diff td.key{box-shadow:inset 4px 0 0 #bf8700}
table.cmp td.changed{outline:3px solid #bf8700;outline-offset:-3px;font-weight:700}
table.cmp .delta{font-size:11px;color:#7d4e00;margin-left:4px}
table.heads td,table.heads th{font-size:12.5px}
`;

const SCRIPT = `(function(){'use strict';
var d=document,cb=d.getElementById('only-diff');
function apply(){var only=!!(cb&&cb.checked);
 Array.prototype.forEach.call(d.querySelectorAll('table.cmp tr.row'),function(tr){tr.hidden=only&&!tr.classList.contains('diff');});
 Array.prototype.forEach.call(d.querySelectorAll('table.cmp tbody.sec'),function(tb){tb.hidden=!tb.querySelector('tr.row:not([hidden])');});}
if(cb)cb.addEventListener('change',apply);
var bar=d.getElementById('filters');if(bar)bar.hidden=false;
apply();
})();`;

export type Cell = Outcome | 'absent';

export interface Row {
  key: string;
  id: string;
  via: string;
  title: string;
  spec: string;
  section: string;
  cells: Cell[];
}

/** The comparison as data, for tests and other renderers. */
export function compareRows(reports: readonly LabelledReport[]): { rows: Row[]; differing: number } {
  const rows = new Map<string, Row>();
  reports.forEach(({ report }, ri) => {
    for (const r of Array.isArray(report.results) ? report.results : []) {
      const id = str(r.id);
      const via = str(r.via);
      const key = `${id}@${via}`;
      let row = rows.get(key);
      if (!row) {
        row = {
          key,
          id,
          via,
          title: str(r.title),
          spec: str(r.spec),
          section: str(r.section),
          cells: reports.map((): Cell => 'absent'),
        };
        rows.set(key, row);
      }
      // A duplicated key within one report shows its worst verdict, never hides a failure.
      const prev = row.cells[ri];
      const next = outcomeOf(r.verdict);
      row.cells[ri] = prev === undefined || prev === 'absent' || rank(next) > rank(prev) ? next : prev;
    }
  });
  const list = [...rows.values()].sort(
    (a, b) =>
      compareSpecs(a.spec, b.spec) ||
      compareSections(a.section, b.section) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
      (a.via === 'direct' ? -1 : b.via === 'direct' ? 1 : a.via < b.via ? -1 : a.via > b.via ? 1 : 0),
  );
  return { rows: list, differing: list.filter(differs).length };
}

function rank(o: Outcome): number {
  return { pass: 0, skip: 1, inconclusive: 2, warn: 3, error: 4, fail: 5 }[o];
}

function differs(row: Row): boolean {
  return new Set(row.cells).size > 1;
}

function renderHeads(reports: readonly LabelledReport[]): string {
  const head = `<tr><th>Report</th><th>Target</th><th>Started</th><th>Tool</th><th>Overall</th>${OUTCOMES.map(
    (o) => `<th>${badge(o)}</th>`,
  ).join('')}</tr>`;
  const rows = reports.map(({ label, report }, ri) => {
    const c = countOutcomes(Array.isArray(report.results) ? report.results : []);
    const ov = overall(c);
    const target = (report.target ?? {}) as Partial<Report['target']>;
    const tool = (report.tool ?? {}) as Partial<Report['tool']>;
    return (
      `<tr><th>${ri === 0 ? 'ref · ' : ''}${esc(label)}</th><td>${esc(target.name)}<br><span class="muted">${esc(
        target.baseUrl,
      )}</span></td><td>${esc(report.startedAt)}</td><td>${esc(tool.version)}</td>` +
      `<td><span class="badge v-${ov.o}">${esc(ov.text)}</span></td>` +
      OUTCOMES.map((o) => `<td class="n">${c[o]}</td>`).join('') +
      `</tr>`
    );
  });
  return `<table class="heads" id="heads"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderComparison(reports: Array<{ label: string; report: Report }>): string {
  const { rows, differing } = compareRows(reports);
  const groups: Array<{ spec: string; section: string; rows: Row[] }> = [];
  for (const row of rows) {
    const last = groups[groups.length - 1];
    if (last && last.spec === row.spec && last.section === row.section) last.rows.push(row);
    else groups.push({ spec: row.spec, section: row.section, rows: [row] });
  }
  const colHead =
    `<thead><tr><th>Case (id@profile)</th>` +
    reports.map(({ label }, ri) => `<th class="col">${ri === 0 ? 'ref · ' : ''}${esc(label)}</th>`).join('') +
    `</tr></thead>`;
  const bodies = groups.map((g) => {
    const trs = g.rows.map((row) => {
      const ref = row.cells[0];
      const diff = differs(row);
      const tds = row.cells.map((cell, ci) => {
        const changed = diff && ci > 0 && cell !== ref;
        const delta = changed ? '<span class="delta">Δ changed</span>' : '';
        if (cell === 'absent') {
          return `<td class="cell absent${changed ? ' changed' : ''}" data-verdict="absent">not run${delta}</td>`;
        }
        return `<td class="cell v-${cell}${changed ? ' changed' : ''}" data-verdict="${cell}">${badge(cell)}${delta}</td>`;
      });
      return (
        `<tr class="row${diff ? ' diff' : ''}"><td class="key"><span class="id">${esc(row.id)}</span>` +
        `<span class="muted">@</span>${esc(row.via)}<span class="title">${esc(row.title)}</span></td>${tds.join('')}</tr>`
      );
    });
    return (
      `<tbody class="sec"><tr><th class="sec" colspan="${reports.length + 1}">${specLink(g.spec, g.section)}</th></tr>` +
      `${trs.join('\n')}</tbody>`
    );
  });
  const body =
    `<h1>pushspec comparison</h1>\n<p class="muted">${reports.length} reports; the first column is the reference, ` +
    `cells that differ from it are outlined and marked Δ.</p>\n` +
    renderHeads(reports) +
    `\n<h2>Cases</h2>\n` +
    `<div class="bar" id="filters" hidden><label><input type="checkbox" id="only-diff"> only rows that differ</label>` +
    `</div>\n` +
    `<p class="muted" id="diff-summary">${differing} of ${rows.length} rows differ.</p>\n` +
    `<table class="cmp" id="cmp">${colHead}\n${bodies.join('\n')}\n</table>\n` +
    `<footer class="muted">Every string from the reports is shown as inert text. The JSON reports are canonical.</footer>`;
  return page({ title: `pushspec comparison (${reports.length} reports)`, css: CSS, script: SCRIPT, body });
}
