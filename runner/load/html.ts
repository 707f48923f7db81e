/**
 * load.html: one self-contained page rendered from load.json, with the run report's CSP
 * (reporters/html.ts `page`: hashed inline style, no script, nothing loaded). Everything from the
 * target (its name, reasons) is escaped text; the charts are inline SVG built from numbers only.
 */
import { page } from '../reporters/html.js';
import { badge, esc, fmtNum } from '../reporters/html-text.js';
import type { LoadReport } from './report.js';
import { mib } from './table.js';

interface Series {
  label: string;
  cls: string;
  values: Array<number | null>;
}

const W = 560;
const H = 220;
const PAD = { l: 56, r: 36, t: 12, b: 36 };

/** A line chart over the steps (evenly spaced: the steps grow by factors, not by a constant). */
function chart(title: string, unit: string, steps: readonly number[], series: readonly Series[]): string {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const max = Math.max(1e-9, ...all) * 1.1;
  const x = (i: number): number => PAD.l + (steps.length <= 1 ? (W - PAD.l - PAD.r) / 2 : (i * (W - PAD.l - PAD.r)) / (steps.length - 1));
  const y = (v: number): number => H - PAD.b - (v / max) * (H - PAD.t - PAD.b);
  const ticks = [0, 0.5, 1].map((f) => f * max);
  const grid = ticks
    .map(
      (v) =>
        `<line class="grid" x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="tick" x="${PAD.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${esc(fmtNum(Number(v.toPrecision(3))))}</text>`,
    )
    .join('');
  const xs = steps
    .map((n, i) => `<text class="tick" x="${x(i).toFixed(1)}" y="${H - PAD.b + 16}" text-anchor="middle">N=${esc(n)}</text>`)
    .join('');
  const lines = series
    .map((s) => {
      const pts = s.values
        .map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
        .filter((p): p is string => p !== null);
      const dots = pts
        .map(
          (p) =>
            `<circle class="${s.cls}" cx="${p.split(',')[0] ?? ''}" cy="${p.split(',')[1] ?? ''}" r="3"><title>${esc(s.label)}</title></circle>`,
        )
        .join('');
      return `<polyline class="${s.cls}" fill="none" points="${pts.join(' ')}"/>${dots}`;
    })
    .join('');
  const legend = series.map((s) => `<span class="key ${s.cls}">${esc(s.label)}</span>`).join(' ');
  return `<figure><figcaption>${esc(title)} (${esc(unit)})</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${grid}${xs}${lines}</svg><div class="legend">${legend}</div></figure>`;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-weight:600;color:#fff}.v-pass{background:#2a7}.v-fail{background:#c33}.v-warn{background:#d90}.v-inconclusive{background:#39a}.v-skip{background:#999}.v-error{background:#a3a}
figure{display:inline-block;margin:0 2em 1em 0}figcaption{font-weight:600}.grid{stroke:#ddd}.tick{font-size:11px;fill:#555}
polyline{stroke-width:2;fill:none}.s1{stroke:#36c}.s2{stroke:#c63}.s3{stroke:#393}circle.s1{fill:#36c}circle.s2{fill:#c63}circle.s3{fill:#393}.key{margin-right:1em}.key.s1{color:#36c}.key.s2{color:#c63}.key.s3{color:#393}`;

export function renderLoadHtml(r: LoadReport): string {
  const steps = r.result.steps;
  const ns = steps.map((s) => s.n);
  const latency = chart('Latency per step', 'ms', ns, [
    { label: 'fan-out p50', cls: 's1', values: steps.map((s) => s.fanOut?.p50Ms ?? null) },
    { label: 'fan-out p99', cls: 's2', values: steps.map((s) => s.fanOut?.p99Ms ?? null) },
    { label: 'ordinary request p95', cls: 's3', values: steps.map((s) => s.ordinary.latency?.p95Ms ?? null) },
  ]);
  const rss = chart('RSS per step', 'MiB', ns, [
    { label: 'client', cls: 's1', values: steps.map((s) => s.client.rssBytes / 1048576) },
    { label: 'server (--fixture)', cls: 's2', values: steps.map((s) => (s.serverRssBytes === null ? null : s.serverRssBytes / 1048576)) },
  ]);
  const rows = steps
    .map(
      (s) =>
        `<tr><td>${esc(s.n)}</td><td>${esc(s.heldAtPublish)}</td><td>${esc(s.early)}</td><td>${esc(s.failed)}</td><td>${esc(s.capped)}</td><td>${esc(s.fanOut ? `${fmtNum(s.fanOut.p50Ms)} / ${fmtNum(s.fanOut.p99Ms)} / ${fmtNum(s.fanOut.maxMs)}` : '–')}</td><td>${esc(s.missed)}</td><td>${esc(s.ordinary.latency ? `${fmtNum(s.ordinary.latency.p50Ms)} / ${fmtNum(s.ordinary.latency.p95Ms)}` : 'no answer')}</td><td>${esc(mib(s.client.rssBytes))}</td><td>${esc(`${fmtNum(s.client.cpuMs / 1000)} s`)}</td><td>${esc(mib(s.serverRssBytes))}</td><td class="l">${esc(s.reasons.map((x) => `${x.count}× ${x.why}`).join('; '))}</td></tr>`,
    )
    .join('\n');
  const verdicts = r.verdicts
    .map(
      (v) =>
        `<li>${badge(v.outcome)} <b>${esc(v.id)}</b> ${esc(v.section)}: ${esc(v.title)}<br>expected: ${esc(v.expected)}<br>actual: ${esc(v.actual)}${v.info ? `<br>info: ${esc(v.info)}` : ''}<br><small>tolerance: ${esc(v.tolerance)}</small></li>`,
    )
    .join('\n');
  const base = r.result.baseline.latency;
  const body = `<h1>pushspec load: ${esc(r.target.name)}</h1>
<p>${esc(r.target.baseUrl)} · ${esc(r.transport)} · steps ${esc(r.steps.join(', '))} · ${esc(r.startedAt)} · ${esc(fmtNum(r.durationMs / 1000))} s</p>
<p>Ordinary request: ${esc(r.environment.ordinaryRequest)}; baseline at N=0: ${esc(base ? `p50 ${fmtNum(base.p50Ms)} ms, p95 ${fmtNum(base.p95Ms)} ms` : 'no answer')}. Hold ${esc(r.environment.holdMs === null ? 'n/a' : `${r.environment.holdMs} ms (${r.environment.holdSource ?? ''})`)}, RTT ${esc(r.environment.rttMs)} ms, ε ${esc(r.environment.epsilonMs)} ms.</p>
${splitHtml(r)}
<ul>${verdicts}</ul>
${latency}${rss}
<table><tr><th>N</th><th>held</th><th>ended early</th><th>failed</th><th>capped</th><th>fan-out p50/p99/max ms</th><th>missed</th><th>ordinary p50/p95 ms</th><th>client RSS</th><th>client CPU</th><th>server RSS</th><th class="l">reasons</th></tr>
${rows}</table>
${r.result.stopped ? `<p>Ramp stopped: ${esc(r.result.stopped)}</p>` : ''}`;
  return page({ title: `pushspec load: ${r.target.name}`, css: CSS, script: '', body });
}

/** A worker's share, or for a merged report each worker's own figures per step. */
function splitHtml(r: LoadReport): string {
  if (r.worker)
    return `<p>Worker ${esc(r.worker.index)}/${esc(r.worker.count)}: this machine held ${esc(r.worker.shares.join(', '))} of steps ${esc(r.steps.join(', '))}, publishing and timing its own event; <code>pushspec merge</code> joins the workers' load.json.</p>`;
  const m = r.merged;
  if (!m) return '';
  const rows = r.result.steps
    .flatMap((total, k) =>
      m.workers.map((w) => {
        const s = w.result.steps[k];
        if (!s) return '';
        const f = s.fanOut ? `${fmtNum(s.fanOut.p50Ms)} / ${fmtNum(s.fanOut.p99Ms)}` : '–';
        return `<tr><td>${esc(total.n)}</td><td>${esc(w.index)}/${esc(m.workers.length)}</td><td>${esc(s.n)}</td><td>${esc(s.heldAtPublish)}</td><td>${esc(f)}</td><td>${esc(mib(s.client.rssBytes))}</td><td>${esc(`${fmtNum(s.client.cpuMs / 1000)} s`)}</td><td>${esc(fmtNum((m.overlapMs[k] ?? 0) / 1000))} s</td></tr>`;
      }),
    )
    .join('\n');
  return `<p>Merged from ${esc(m.workers.length)} workers (${esc(m.workers.map((w) => w.file).join(', '))}): counts summed, fan-out and ordinary percentiles over the pooled samples, client RSS and CPU summed over the workers.</p>
<table><tr><th>N</th><th>worker</th><th>share</th><th>held</th><th>fan-out p50/p99 ms</th><th>client RSS</th><th>client CPU</th><th>all held at once</th></tr>
${rows}</table>`;
}
