/**
 * HTML report (DESIGN.md §2): one self-contained file rendered from the canonical Report only.
 *
 * Threat model: every string in the report may come from a hostile server (headers, body bytes,
 * even requirement ids if the JSON was tampered with). So:
 * - report data only ever lands in element text, escaped by `escape-html`, plus our own marker
 *   for invisible/bidi control characters so an RLO cannot disguise what the server sent;
 * - report data never lands in script, style or URL contexts, and never in attributes: anchors,
 *   filter keys and column keys are our own indices, verdict/level classes come from whitelists;
 * - the page carries a CSP with per-render sha256 hashes of our one <style> and one <script>,
 *   so even a missed escape could not run script or load anything.
 */
import { tlsText } from './tls-text.js';
import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';
import { badge, esc, escPlain, finite, fmtNum, fmtValue, LABEL, outcomeOf, str } from './html-text.js';
export { badge, outcomeOf } from './html-text.js';
import { renderFailuresFirst, renderHeadline, renderLegend, renderProfiles, viaTitle } from './html-decisions.js';
import { renderTimeline } from './html-timeline.js';
import type { CaseResult, Report } from '../report.js';
import { OUTCOMES } from '../verdict.js';
import type { Outcome } from '../verdict.js';

// ---------------------------------------------------------------------------------------------
// Page shell with a hash-based CSP

export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export interface PageParts {
  title: string;
  css: string;
  script: string;
  body: string;
}

/**
 * The CSP is delivered by <meta>, so it must precede the <style>/<script> it governs; it is the
 * first thing after the charset. No 'unsafe-inline', no hosts: a report file never loads anything.
 */
export function page(p: PageParts): string {
  if (p.script.includes('</script') || p.css.includes('</style')) {
    throw new Error('inline script/style must not contain its own end tag');
  }
  const csp = [
    "default-src 'none'",
    `style-src ${cspHash(p.css)}`,
    `script-src ${cspHash(p.script)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">\n` +
    '<meta name="referrer" content="no-referrer">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escPlain(p.title)}</title>\n` +
    `<style>${p.css}</style>\n</head>\n<body>\n${p.body}\n` +
    `<script>${p.script}</script>\n</body>\n</html>\n`
  );
}

// ---------------------------------------------------------------------------------------------
// Shared vocabulary

/** Sections compare numerically per dotted part ("5.10" after "5.9"), letters after digits. */
export function compareSections(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) {
      if (!Number.isNaN(nx)) return -1;
      if (!Number.isNaN(ny)) return 1;
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

export function compareSpecs(a: string, b: string): number {
  const ra = /^RFC\s*(\d+)$/i.exec(a);
  const rb = /^RFC\s*(\d+)$/i.exec(b);
  if (ra?.[1] !== undefined && rb?.[1] !== undefined) return Number(ra[1]) - Number(rb[1]);
  if (ra) return -1;
  if (rb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const SECTION_RE = /^(?:\d{1,3}(?:\.\d{1,3}){0,5}|[A-Z](?:\.\d{1,3}){0,5})$/;

/**
 * A link to the spec text, built only from recognised spec names and a section that matches a
 * strict pattern; anything else gets no link, so report data never shapes a URL.
 */
export function specUrl(specRaw: unknown, sectionRaw: unknown): string | undefined {
  const spec = str(specRaw).trim();
  const section = str(sectionRaw).trim();
  const rfc = /^RFC\s*(\d{1,5})$/i.exec(spec);
  if (rfc?.[1] !== undefined) {
    const base = `https://www.rfc-editor.org/rfc/rfc${Number(rfc[1])}`;
    if (!SECTION_RE.test(section)) return base;
    return /^[A-Z]/.test(section) ? `${base}#appendix-${section}` : `${base}#section-${section}`;
  }
  const xep = /^XEP-?(\d{4})$/i.exec(spec);
  if (xep?.[1] !== undefined) return `https://xmpp.org/extensions/xep-${xep[1]}.html`;
  const known: Record<string, string> = {
    whatwg: 'https://html.spec.whatwg.org/multipage/server-sent-events.html',
    'whatwg html': 'https://html.spec.whatwg.org/multipage/server-sent-events.html',
    html: 'https://html.spec.whatwg.org/multipage/server-sent-events.html',
    sse: 'https://html.spec.whatwg.org/multipage/server-sent-events.html',
    'whatwg fetch': 'https://fetch.spec.whatwg.org/',
    bayeux: 'https://docs.cometd.org/current/reference/#_bayeux',
    'bayeux 1.0': 'https://docs.cometd.org/current/reference/#_bayeux',
  };
  return Object.hasOwn(known, spec.toLowerCase()) ? known[spec.toLowerCase()] : undefined;
}

export function specLink(spec: unknown, section: unknown, text = `${str(spec)} §${str(section)}`): string {
  const url = specUrl(spec, section);
  const label = esc(text);
  return url ? `<a class="spec" href="${escapeHtml(url)}" rel="noopener noreferrer">${label}</a>` : label;
}

export const BASE_CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--bg:#fff;--link:#0550ae;
--pass:#116329;--pass-bg:#dafbe1;--fail:#a40e26;--fail-bg:#ffebe9;--warn:#7d4e00;--warn-bg:#fff8c5;
--inconclusive:#0a3069;--inconclusive-bg:#ddf4ff;--skip:#424a53;--skip-bg:#eaeef2;--error:#6e40c9;--error-bg:#fbefff}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:16px 24px 48px;max-width:1320px}
a{color:var(--link)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:6px 8px;margin:2px 0 8px;max-height:28em;overflow:auto}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.muted{color:var(--muted)}
[hidden]{display:none!important}
.badge{display:inline-block;padding:0 7px;border-radius:9px;font-weight:650;font-size:11.5px;letter-spacing:.02em;border:1px solid currentColor;white-space:nowrap;line-height:18px}
.badge.big{font-size:20px;line-height:1.3;padding:6px 16px;border-radius:8px;border-width:2px}
.v-pass{color:var(--pass);background:var(--pass-bg)}
.v-fail{color:var(--fail);background:var(--fail-bg)}
.v-warn{color:var(--warn);background:var(--warn-bg)}
.v-inconclusive{color:var(--inconclusive);background:var(--inconclusive-bg)}
.v-skip{color:var(--skip);background:var(--skip-bg)}
.v-error{color:var(--error);background:var(--error-bg)}
.ctl{color:var(--fail);border:1px dashed currentColor;border-radius:3px;font:10px ui-monospace,monospace;padding:0 2px;margin:0 1px}
table{border-collapse:collapse}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
dl.meta dt{color:var(--muted)}
dl.meta dd{margin:0;overflow-wrap:anywhere}
.bar{position:sticky;top:0;z-index:2;background:var(--bg);padding:8px 0;border-bottom:1px solid var(--line);display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center}
.bar button,.bar select,.bar label{font:inherit;font-size:13px}
.bar button{cursor:pointer;border-radius:6px;padding:2px 9px}
.bar select{max-width:18em}
.bar button[aria-pressed=true]{outline:2px solid var(--fg);outline-offset:1px}
.bar .sep{width:1px;align-self:stretch;background:var(--line)}
@media print{
 body{max-width:none;padding:0;font-size:11px}
 .bar,.noprint{display:none!important}
 a{color:inherit;text-decoration:none}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 pre{max-height:none;overflow:visible}
 tr,details{break-inside:avoid}
}
`;

// ---------------------------------------------------------------------------------------------
// Report page

const CSS =
  BASE_CSS +
  `
header.top h1 .muted{font-weight:400;font-size:15px;overflow-wrap:anywhere}
header.top .decision{display:flex;gap:20px;align-items:flex-start;margin:10px 0 6px}
header.top .verdict{text-align:center;flex:none}
header.top details.run>summary{cursor:pointer;color:var(--muted);font-size:12.5px}
ol.failures .where{font-size:12.5px;margin:.1em 0 0}
ol.failures li{margin:.5em 0}
ol.failures .actual,ol.failures .remedy{margin:.2em 0 0 0;overflow-wrap:anywhere}
ol.failures .remedy,table.profiles .remedy{color:#1f5f2a}
div.scroll{overflow-x:auto;max-width:100%}
table.profiles td,table.profiles th{vertical-align:top;text-align:left}
header.top dl.meta{grid-template-columns:max-content minmax(12em,1fr) max-content minmax(12em,1fr)}
.cards{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}
.note{border:1px solid var(--warn);background:var(--warn-bg);color:var(--warn);padding:6px 10px;border-radius:6px}
table.matrix{width:100%}
table.matrix td.req{position:sticky;left:0;background:#fff;z-index:1;min-width:16em}
table.matrix th.sec{background:#eef1f4;font-size:13px}
table.matrix td.req .id{font-weight:600}
table.matrix td.req .title{display:block;color:var(--muted);font-size:12.5px}
table.matrix td.cell{text-align:center;white-space:nowrap;vertical-align:middle;padding:0}
table.matrix td.cell a{display:block;padding:5px 8px;color:inherit;text-decoration:none;font-weight:650;font-size:12px}
table.matrix td.cell a:hover,table.matrix td.cell a:focus{text-decoration:underline}
table.matrix td.none{color:var(--muted);background:var(--bg)}
table.matrix td.dim{opacity:.22}
.lvl{font-size:11px;text-transform:uppercase;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 4px;margin-left:4px}
details.case{border:1px solid var(--line);border-left-width:6px;border-radius:6px;margin:6px 0;padding:0 12px;scroll-margin-top:56px}
details.case[data-verdict=pass]{border-left-color:var(--pass)}
details.case[data-verdict=fail]{border-left-color:var(--fail)}
details.case[data-verdict=warn]{border-left-color:#bf8700}
details.case[data-verdict=inconclusive]{border-left-color:#218bff}
details.case[data-verdict=skip]{border-left-color:#8c959f}
details.case[data-verdict=error]{border-left-color:var(--error)}
details.case>summary{cursor:pointer;padding:6px 0;display:list-item}
details.case>summary .id{font-weight:600}
details.case[open]>summary{border-bottom:1px solid var(--line);margin-bottom:8px}
.ea{display:grid;grid-template-columns:1fr 1fr;gap:0 14px}
.ea h4,.case h4{margin:6px 0 2px;font-size:12.5px;color:var(--muted);font-weight:600}
table.meas td,table.meas th{font-size:12.5px;padding:2px 8px}
table.meas td.k{font-family:ui-monospace,monospace}
figure.tl{margin:4px 0 8px}
svg.tl{width:100%;max-width:820px;height:auto;display:block;border:1px solid var(--line);border-radius:4px;background:#fff}
svg.tl text{font:10px ui-monospace,SFMono-Regular,Menlo,monospace;fill:var(--muted)}
svg.tl .axis{stroke:#8c959f;stroke-width:1}
svg.tl .grid{stroke:#eaeef2;stroke-width:1}
svg.tl .lane{fill:#f6f8fa}
svg.tl .m{stroke-width:2}
svg.tl .k-request{fill:#0969da;stroke:#0969da}
svg.tl .k-response{fill:#8250df;stroke:#8250df}
svg.tl .k-read{fill:#1a7f37;stroke:#1a7f37}
svg.tl .k-publish{fill:#bf8700;stroke:#bf8700}
svg.tl .k-conn{fill:#57606a;stroke:#57606a}
svg.tl .k-hop{fill:#cf222e;stroke:#cf222e}
svg.tl .k-note{fill:#6e7781;stroke:#6e7781}
svg.tl .open{fill:#fff}
svg.tl .span{fill:#8c959f}
svg.tl text.lane-label{fill:var(--fg)}
details.raw>summary{cursor:pointer;color:var(--muted);font-size:12.5px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
p.headline{font-size:15.5px;margin:0;max-width:80em}
p.headline .via,p.headline .id{font-weight:600}
details.legend{margin:8px 0 0}
details.legend>summary{cursor:pointer;color:var(--muted)}
dl.legend{grid-template-columns:max-content 1fr;font-size:12.5px}
th[title]{cursor:help;text-decoration:underline dotted}
table.profiles td.models{min-width:14em;max-width:30em}
@media (max-width:1000px){header.top dl.meta{grid-template-columns:max-content minmax(0,1fr)}body{padding:12px}}
@media (max-width:800px){.ea{grid-template-columns:1fr}header.top .decision{flex-direction:column;gap:8px}}
@media print{
 details.case{page-break-inside:avoid}
 div.scroll{overflow:visible}
 table.matrix{font-size:9px}
 table.matrix td.cell a{padding:1px 2px}
 th[title]{text-decoration:none}
 details.case>summary{list-style:none}
 details::details-content{content-visibility:visible;display:block}
}
`;

/**
 * Filters (verdict chips, section/profile selects) act on our own index keys in data-*
 * attributes; the script never reads report text. It also opens a case when its anchor is
 * targeted and opens every case for printing.
 */
const SCRIPT = `(function(){'use strict';
var d=document,st={v:[],sec:'',via:''};
function all(s,r){return Array.prototype.slice.call((r||d).querySelectorAll(s));}
function has(a,x){return a.indexOf(x)>=0;}
function apply(){
 var anyV=st.v.length>0,shown=0,total=0;
 all('details.case').forEach(function(el){total++;
  var ok=(!anyV||has(st.v,el.dataset.verdict))&&(!st.sec||el.dataset.sec===st.sec)&&(!st.via||el.dataset.via===st.via);
  el.hidden=!ok;if(ok)shown++;});
 all('table.matrix tr.req').forEach(function(tr){
  var match=false;
  all('td.cell',tr).forEach(function(td){
   var ok=(!st.via||td.dataset.via===st.via)&&(!anyV||has(st.v,td.dataset.verdict));
   td.classList.toggle('dim',!ok);if(ok&&td.dataset.verdict)match=true;});
  tr.hidden=!((!st.sec||tr.dataset.sec===st.sec)&&match);});
 all('table.matrix [data-col]').forEach(function(el){el.hidden=!!st.via&&el.dataset.col!==st.via;});
 all('table.matrix tbody.sec, section.group').forEach(function(g){
  g.hidden=!g.querySelector('tr.req:not([hidden]), details.case:not([hidden])');});
 var c=d.getElementById('f-count');if(c)c.textContent='showing '+shown+' of '+total+' cases';
}
all('button.vf').forEach(function(b){b.addEventListener('click',function(){
 var v=b.dataset.verdict,i=st.v.indexOf(v);if(i>=0)st.v.splice(i,1);else st.v.push(v);
 b.setAttribute('aria-pressed',String(i<0));apply();});});
var fs=d.getElementById('f-sec'),fv=d.getElementById('f-via');
if(fs)fs.addEventListener('change',function(){st.sec=fs.value;apply();});
if(fv)fv.addEventListener('change',function(){st.via=fv.value;apply();});
var rs=d.getElementById('f-reset');
if(rs)rs.addEventListener('click',function(){st={v:[],sec:'',via:''};if(fs)fs.value='';if(fv)fv.value='';
 all('button.vf').forEach(function(b){b.setAttribute('aria-pressed','false');});apply();});
function setOpen(o){all('details.case').forEach(function(x){x.open=o;});}
var ex=d.getElementById('f-expand'),co=d.getElementById('f-collapse');
if(ex)ex.addEventListener('click',function(){setOpen(true);});
if(co)co.addEventListener('click',function(){setOpen(false);});
function reveal(){var id=location.hash.slice(1);if(!/^case-[0-9]+$/.test(id))return;
 var el=d.getElementById(id);if(el){el.hidden=false;el.open=true;el.scrollIntoView();}}
window.addEventListener('hashchange',reveal);
var was=[];
window.addEventListener('beforeprint',function(){was=all('details').map(function(x){return x.open;});
 all('details').forEach(function(x){x.open=true;});});
window.addEventListener('afterprint',function(){all('details').forEach(function(x,i){if(i<was.length)x.open=!!was[i];});});
var bar=d.getElementById('filters');if(bar)bar.hidden=false;
apply();reveal();
})();`;

interface Indexed {
  r: CaseResult;
  i: number;
  o: Outcome;
}

interface Group {
  spec: string;
  section: string;
  key: string;
  /** requirement id → its cases, in first-seen order */
  reqs: Map<string, Indexed[]>;
}

function groupKey(spec: string, section: string): string {
  return `${spec}\u0000${section}`;
}

function buildGroups(report: Report): { groups: Group[]; vias: string[] } {
  const byKey = new Map<string, Group>();
  const vias: string[] = [];
  report.results.forEach((r, i) => {
    const spec = str(r.spec);
    const section = str(r.section);
    const key = groupKey(spec, section);
    let g = byKey.get(key);
    if (!g) {
      g = { spec, section, key, reqs: new Map() };
      byKey.set(key, g);
    }
    const id = str(r.id);
    const list = g.reqs.get(id) ?? [];
    list.push({ r, i, o: outcomeOf(r.verdict) });
    g.reqs.set(id, list);
    const via = str(r.via);
    if (!vias.includes(via)) vias.push(via);
  });
  // `direct` is the reference column; other profiles keep plan order.
  vias.sort((a, b) => (a === 'direct' ? -1 : b === 'direct' ? 1 : 0));
  const groups = [...byKey.values()].sort((a, b) => compareSpecs(a.spec, b.spec) || compareSections(a.section, b.section));
  return { groups, vias };
}

export function countOutcomes(results: readonly { verdict: unknown }[]): Record<Outcome, number> {
  const c: Record<Outcome, number> = { pass: 0, fail: 0, warn: 0, inconclusive: 0, skip: 0, error: 0 };
  for (const r of results) c[outcomeOf(r.verdict)] += 1;
  return c;
}

/** The overall badge mirrors the exit code: failures first, then harness errors. */
export function overall(c: Record<Outcome, number>): { o: Outcome; text: string } {
  if (c.fail > 0) return { o: 'fail', text: `FAIL · ${c.fail} failing` };
  if (c.error > 0) return { o: 'error', text: `ERROR · ${c.error} harness error${c.error === 1 ? '' : 's'}` };
  if (c.warn > 0) return { o: 'warn', text: `PASS · ${c.warn} warning${c.warn === 1 ? '' : 's'}` };
  if (c.pass > 0) return { o: 'pass', text: 'PASS' };
  return { o: 'inconclusive', text: 'NOTHING JUDGED' };
}

function renderHeader(report: Report, counts: Record<Outcome, number>): string {
  const env = (report.environment ?? {}) as Partial<Report['environment']>;
  const tool = (report.tool ?? {}) as Partial<Report['tool']>;
  const target = (report.target ?? {}) as Partial<Report['target']>;
  const ov = overall(counts);
  const rows: Array<[string, unknown]> = [
    ['Target', target.name],
    ['Base URL', target.baseUrl],
    ['Started', report.startedAt],
    ['Duration', finite(report.durationMs) !== undefined ? `${fmtNum(report.durationMs / 1000)} s` : report.durationMs],
    ['Tool', `${str(tool.name)} ${str(tool.version)}`],
    ['RTT', finite(env.rttMs) !== undefined ? `${fmtNum(env.rttMs as number)} ms` : env.rttMs],
    ['Time scale', finite(env.timeScale) !== undefined ? `×${fmtNum(env.timeScale as number)}` : env.timeScale],
    ['Node', env.node],
    ['Platform', env.platform],
    ['Concurrency', env.concurrency],
    ['Publish hook', env.publish],
    ...(env.tls !== undefined ? ([['TLS', tlsText(env.tls)]] as Array<[string, unknown]>) : []),
    ...(env.shard
      ? ([['Shard', `${str(env.shard.index)}/${str(env.shard.count)} (pushspec merge joins the shards)`]] as Array<[string, unknown]>)
      : []),
    ...(Array.isArray(env.merged)
      ? ([
          [
            'Merged from',
            env.merged
              .map(
                (p) =>
                  `${str(p.file)}${p.shard ? ` (shard ${str(p.shard.index)}/${str(p.shard.count)})` : ''}: ${str(p.cases)} cases, ${fmtNum(Number(p.durationMs) / 1000)} s`,
              )
              .join('; '),
          ],
        ] as Array<[string, unknown]>)
      : []),
  ];
  return (
    `<header class="top">\n<h1>pushspec conformance report <span class="muted">${esc(target.name)}</span></h1>\n` +
    `<div class="decision"><div class="verdict"><span class="badge big v-${ov.o}" id="overall">${esc(ov.text)}</span>` +
    `<div class="muted">${report.results.length} cases</div></div>\n${renderHeadline(report)}</div>\n` +
    `<details class="run" open><summary>Run details</summary><dl class="meta" id="meta">\n` +
    rows.map(([k, v]) => `<dt>${k}</dt><dd>${esc(v)}</dd>`).join('\n') +
    `\n</dl></details>\n</header>\n`
  );
}

const LEVELS = ['must', 'should', 'info'] as const;

function renderSummary(report: Report, counts: Record<Outcome, number>): string {
  const head = `<tr><th></th>${OUTCOMES.map((o) => `<th>${badge(o)}</th>`).join('')}<th>total</th></tr>`;
  const line = (label: string, c: Record<Outcome, number>, cls: string): string =>
    `<tr class="${cls}"><th>${label}</th>${OUTCOMES.map((o) => `<td class="n" data-outcome="${o}">${c[o]}</td>`).join('')}` +
    `<td class="n">${OUTCOMES.reduce((s, o) => s + c[o], 0)}</td></tr>`;
  const levels: string[] = [];
  const seen = new Set<string>();
  for (const l of LEVELS) levels.push(l);
  for (const r of report.results) {
    const l = str(r.level);
    if (!(LEVELS as readonly string[]).includes(l) && !seen.has(l)) {
      seen.add(l);
      levels.push(l);
    }
  }
  const byLevel = levels
    .map((l) => ({ l, c: countOutcomes(report.results.filter((r) => str(r.level) === l)) }))
    .filter(({ l, c }) => (LEVELS as readonly string[]).includes(l) || OUTCOMES.some((o) => c[o] > 0))
    .map(({ l, c }) => line(esc(l), c, 'level'))
    .join('\n');
  let note = '';
  const s = report.summary as Partial<Record<Outcome, unknown>> | undefined;
  if (s && OUTCOMES.some((o) => s[o] !== counts[o])) {
    note =
      '<p class="note" id="summary-mismatch">The summary stored in report.json does not match its results; ' +
      'the counts here are recomputed from the results.</p>';
  }
  return (
    `<h2 id="summary">Summary</h2>\n${note}<table class="counts" id="counts">\n<thead>${head}</thead>\n<tbody>\n` +
    `${line('all', counts, 'all')}\n${byLevel}\n</tbody>\n</table>\n`
  );
}

function renderFilters(groups: Group[], vias: string[], counts: Record<Outcome, number>): string {
  const chips = OUTCOMES.map(
    (o) => `<button type="button" class="vf v-${o}" data-verdict="${o}" aria-pressed="false">${LABEL[o]} ${counts[o]}</button>`,
  ).join('');
  const secOpts = groups.map((g, gi) => `<option value="${gi}">${escPlain(`${g.spec} §${g.section}`)}</option>`).join('');
  const viaOpts = vias.map((v, vi) => `<option value="${vi}">${escPlain(v)}</option>`).join('');
  // Hidden until the script runs, so a reader without script sees no dead controls.
  return (
    `<div class="bar" id="filters" hidden role="toolbar" aria-label="Filters">` +
    `<span class="muted">Verdict</span>${chips}<span class="sep"></span>` +
    `<label>Section <select id="f-sec"><option value="">all</option>${secOpts}</select></label>` +
    `<label>Profile <select id="f-via"><option value="">all</option>${viaOpts}</select></label>` +
    `<button type="button" id="f-reset">reset</button><span class="sep"></span>` +
    `<button type="button" id="f-expand">expand all</button><button type="button" id="f-collapse">collapse all</button>` +
    `<span class="muted" id="f-count"></span></div>\n`
  );
}

function renderMatrix(groups: Group[], vias: string[]): string {
  const head =
    `<thead><tr><th>Requirement</th>` +
    vias.map((v, vi) => `<th class="via" data-col="${vi}"${viaTitle(v)}>${esc(v)}</th>`).join('') +
    `</tr></thead>`;
  const bodies = groups.map((g, gi) => {
    const rows = [...g.reqs.entries()].map(([id, cases]) => {
      const first = cases[0];
      const level = first ? str(first.r.level) : '';
      const cells = vias.map((via, vi) => {
        const hit = cases.find((c) => str(c.r.via) === via);
        if (!hit) {
          return `<td class="cell none" data-via="${vi}" data-col="${vi}" title="not run on this profile">–</td>`;
        }
        return (
          `<td class="cell v-${hit.o}" data-via="${vi}" data-col="${vi}" data-verdict="${hit.o}">` +
          `<a href="#case-${hit.i}">${LABEL[hit.o]}${hit.r.reverified === true ? ' ↻' : ''}</a></td>`
        );
      });
      return (
        `<tr class="req" data-sec="${gi}"><td class="req"><span class="id">${esc(id)}</span>` +
        `<span class="lvl">${esc(level)}</span><span class="title">${esc(first?.r.title)}</span></td>` +
        `${cells.join('')}</tr>`
      );
    });
    return (
      `<tbody class="sec" data-sec="${gi}"><tr><th class="sec" colspan="${vias.length + 1}">` +
      `${specLink(g.spec, g.section)}</th></tr>\n${rows.join('\n')}\n</tbody>`
    );
  });
  return (
    `<h2 id="matrix-h">Requirements × intermediaries</h2>\n` +
    `<p class="muted noprint">Each cell links to its case below; “–” means the requirement was not run on that profile; ↻ marks a timing failure re-verified alone.</p>\n` +
    `<div class="scroll" id="matrix-scroll"><table class="matrix" id="matrix">\n${head}\n${bodies.join('\n')}\n</table></div>\n` +
    renderLegend(vias)
  );
}

function renderCase(c: Indexed, gi: number, vi: number): string {
  const r = c.r;
  const meas = r.measurements && typeof r.measurements === 'object' ? Object.entries(r.measurements) : [];
  const evidence = Array.isArray(r.evidence) ? r.evidence : [];
  const measHtml =
    meas.length === 0
      ? '<p class="muted">No measurements.</p>'
      : `<table class="meas"><tbody>${meas
          .map(
            ([k, v]) => `<tr><td class="k">${esc(k)}</td><td${typeof v === 'number' ? ' class="n"' : ''}>${esc(measured(k, v))}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const timeline = renderTimeline(evidence);
  const dur = finite(r.durationMs);
  return (
    `<details class="case" id="case-${c.i}" data-verdict="${c.o}" data-sec="${gi}" data-via="${vi}">` +
    `<summary>${badge(c.o)} <span class="id">${esc(r.id)}</span><span class="muted">@</span>${esc(r.via)}` +
    ` — ${esc(r.title)}</summary>\n` +
    `<dl class="meta"><dt>Requirement</dt><dd>${specLink(r.spec, r.section)} · level <b>${esc(r.level)}</b></dd>` +
    `<dt>Profile</dt><dd>${esc(r.via)}</dd>` +
    `<dt>Duration</dt><dd>${dur === undefined ? esc(r.durationMs) : `${fmtNum(dur)} ms`}${
      r.reverified === true ? ' · re-verified alone ↻' : ''
    }</dd>${excessRow(r.excessMs)}</dl>\n` +
    `<div class="ea"><div><h4>Expected</h4><pre class="expected">${esc(r.expected)}</pre></div>` +
    `<div><h4>Actual</h4><pre class="actual">${esc(r.actual)}</pre></div></div>\n` +
    renderDiagnosis(r) +
    `<h4>Measurements</h4>${measHtml}\n<h4>Wire timeline</h4>${timeline}\n</details>`
  );
}

/**
 * Reports before excessMs became optional used 1e9 for "the event never came"; no case runs
 * 10^8 ms, so anything that large is shown as what it meant, never as a number.
 */
const NEVER_MS = 1e8;

function excessRow(v: unknown): string {
  const x = finite(v);
  if (x === undefined) return '';
  return `<dt>Past tolerance</dt><dd class="excess">${x >= NEVER_MS ? 'never arrived' : `${fmtNum(x)} ms`}</dd>`;
}

/** A measured value as text: a legacy never-arrived stand-in reads "never arrived", null reads "—". */
function measured(k: string, v: unknown): string {
  if (v === null) return '—';
  if (typeof v === 'number' && /ms$/i.test(k) && v >= NEVER_MS) return 'never arrived';
  return fmtValue(v);
}

/** Whose doing a verdict is, the remedy, and through a profile the direct result beside it. */
function renderDiagnosis(r: CaseResult): string {
  const cause = typeof r.cause === 'string' ? `<dt>Cause</dt><dd class="cause">${esc(r.cause)}</dd>` : '';
  const remedy = typeof r.remedy === 'string' ? `<dt>Remedy</dt><dd class="remedy">${esc(r.remedy)}</dd>` : '';
  const meta = cause || remedy ? `<dl class="meta">${cause}${remedy}</dl>\n` : '';
  const d = r.direct;
  if (!d || typeof d !== 'object') return meta;
  return (
    meta +
    `<div class="ea side"><div><h4>Direct</h4><p>${badge(outcomeOf(d.verdict))}</p><pre class="direct">${esc(d.actual)}</pre></div>` +
    `<div><h4>Through ${esc(r.via)}</h4><p>${badge(outcomeOf(r.verdict))}</p><pre class="actual">${esc(r.actual)}</pre></div></div>\n`
  );
}

function renderCases(groups: Group[], vias: string[]): string {
  const out: string[] = ['<h2 id="cases">Cases</h2>'];
  groups.forEach((g, gi) => {
    const cases: string[] = [];
    for (const list of g.reqs.values()) {
      const sorted = [...list].sort((a, b) => vias.indexOf(str(a.r.via)) - vias.indexOf(str(b.r.via)));
      for (const c of sorted) cases.push(renderCase(c, gi, vias.indexOf(str(c.r.via))));
    }
    out.push(`<section class="group" data-sec="${gi}"><h3>${specLink(g.spec, g.section)}</h3>\n${cases.join('\n')}\n</section>`);
  });
  return out.join('\n');
}

export function renderHtml(report: Report): string {
  const results = Array.isArray(report.results) ? report.results : [];
  const safe: Report = { ...report, results };
  const counts = countOutcomes(results);
  const { groups, vias } = buildGroups(safe);
  const body =
    renderHeader(safe, counts) +
    renderFailuresFirst(safe) +
    renderProfiles(safe) +
    renderSummary(safe, counts) +
    renderFilters(groups, vias, counts) +
    renderMatrix(groups, vias) +
    renderCases(groups, vias) +
    `\n<footer>Rendered from report.json (schemaVersion ${esc(report.schemaVersion)}). ` +
    `Every string from the target is shown as inert text; invisible and bidi control characters appear as ` +
    `<span class="ctl">U+XXXX</span> markers. The JSON report is canonical.</footer>`;
  const targetName = str((report.target as Partial<Report['target']> | undefined)?.name);
  return page({ title: `pushspec — ${targetName}`, css: CSS, script: SCRIPT, body });
}
