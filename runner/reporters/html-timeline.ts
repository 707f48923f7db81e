/**
 * The wire timeline of one case, as an SVG chart with one lane per kind of moment and as raw
 * text, both in time order. Lanes come from the typed evidence (EvidenceItem.kind); a stored
 * report from before evidence was typed has its kinds guessed from the first word of the text.
 * Everything from the report lands in SVG <title> text or the raw <pre>, escaped.
 */
import { byTime, EVIDENCE_KINDS, type EvidenceItem, type EvidenceKind } from '../verdict.js';
import { esc, escPlain, finite, fmtNum, str } from './html-text.js';

export type Lane = 'request' | 'response' | 'body read' | 'publish' | 'connection' | 'intermediary' | 'note';

/** Lanes in the order an exchange happens; the two connection kinds share a lane, as do heads and ends. */
export const LANES: readonly Lane[] = ['request', 'response', 'body read', 'publish', 'connection', 'intermediary', 'note'];

const LANE_OF: Record<EvidenceKind, Lane> = {
  request: 'request',
  'response-head': 'response',
  'response-end': 'response',
  'body-read': 'body read',
  publish: 'publish',
  'connection-open': 'connection',
  'connection-end': 'connection',
  hop: 'intermediary',
  note: 'note',
};

/** CSS class per lane (our own vocabulary, never report text). */
const LANE_CLASS: Record<Lane, string> = {
  request: 'k-request',
  response: 'k-response',
  'body read': 'k-read',
  publish: 'k-publish',
  connection: 'k-conn',
  intermediary: 'k-hop',
  note: 'k-note',
};

/**
 * For reports written before evidence carried a kind: the first word, the way the recorder used
 * to phrase it ("read off=0 size=12", "publish fired …").
 */
export function guessKind(what: string): EvidenceKind {
  const w = (/^\s*([A-Za-z][A-Za-z-]*)/.exec(what)?.[1] ?? '').toLowerCase();
  if (['sent', 'send', 'request', 'poll', 'repoll', 'reconnect'].includes(w)) return 'request';
  if (['connect', 'connected'].includes(w)) return 'connection-open';
  if (['headers', 'header', 'status', 'response'].includes(w)) return 'response-head';
  if (['read', 'chunk', 'body', 'data', 'event', 'message', 'delivered', 'heartbeat'].includes(w)) return 'body-read';
  if (['publish', 'published', 'stimulus'].includes(w)) return 'publish';
  if (['response-end', 'done'].includes(w)) return 'response-end';
  if (['fin', 'eof', 'end', 'close', 'closed', 'rst', 'reset', 'abort', 'aborted'].includes(w)) return 'connection-end';
  return 'note';
}

/** The kind a stored item claims, if it is one we know; otherwise a guess from its text. */
export function kindOf(e: { kind?: unknown; what?: unknown }): EvidenceKind {
  return (EVIDENCE_KINDS as readonly unknown[]).includes(e.kind) ? (e.kind as EvidenceKind) : guessKind(str(e.what));
}

export function laneOf(e: { kind?: unknown; what?: unknown }): Lane {
  return LANE_OF[kindOf(e)];
}

function niceStep(span: number, ticks: number): number {
  const raw = span / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** Evidence items drawn past this are left to the raw text (keeps a huge stream readable). */
export const MAX_MARKS = 1500;

/** A day: no case runs longer, so anything later is drawn at the right edge. */
const MAX_T = 86_400_000;

interface Mark {
  t: number | undefined;
  what: string;
  kind: EvidenceKind;
  lane: Lane;
  conn: number | undefined;
  bytes: number | undefined;
}

function marks(evidence: readonly EvidenceItem[]): Mark[] {
  return byTime(evidence)
    .slice(0, MAX_MARKS)
    .map((e) => ({
      t: finite(e?.t),
      what: str(e?.what),
      kind: kindOf(e ?? {}),
      lane: laneOf(e ?? {}),
      conn: finite(e?.conn),
      bytes: finite(e?.bytes),
    }));
}

function tip(m: Mark): string {
  const where = m.conn === undefined ? '' : ` · connection #${fmtNum(m.conn)}`;
  const size = m.bytes === undefined ? '' : ` · ${fmtNum(m.bytes)} B`;
  return `${m.t === undefined ? '?' : fmtNum(m.t)} ms · ${m.kind}${where}${size} — ${m.what}`;
}

export function renderTimelineSvg(evidence: readonly EvidenceItem[]): string {
  const items = marks(evidence);
  if (items.length === 0) return '';
  const lanes = LANES.filter((k) => items.some((it) => it.lane === k));
  // Absurd offsets (a tampered report) are pinned to the chart's edge rather than stretching it.
  const tMax = Math.min(MAX_T, Math.max(1, ...items.map((it) => (it.t !== undefined && it.t > 0 ? it.t : 0))));
  const step = niceStep(tMax, 6);
  const axisMax = Math.ceil(tMax / step) * step;
  const W = 820;
  const left = 84;
  const right = 14;
  const laneH = 18;
  const top = 6;
  const axisY = top + lanes.length * laneH + 4;
  const H = axisY + 22;
  const x = (t: number): number => left + ((W - left - right) * Math.max(0, Math.min(t, axisMax))) / axisMax;
  const laneY = (l: Lane): number => top + lanes.indexOf(l) * laneH;
  const parts: string[] = [];
  parts.push(`<svg class="tl" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="wire timeline">`);
  parts.push(`<title>wire timeline, 0 to ${fmtNum(axisMax)} ms</title>`);
  for (const l of lanes) {
    const y = laneY(l);
    parts.push(`<rect class="lane" x="${left}" y="${y + 1}" width="${W - left - right}" height="${laneH - 2}"/>`);
    parts.push(`<text class="lane-label" x="4" y="${y + 13}">${l}</text>`);
  }
  for (let i = 0; i * step <= axisMax + step / 2; i++) {
    const t = i * step;
    const xx = x(t).toFixed(1);
    parts.push(`<line class="grid" x1="${xx}" y1="${top}" x2="${xx}" y2="${axisY}"/>`);
    parts.push(`<line class="axis" x1="${xx}" y1="${axisY}" x2="${xx}" y2="${axisY + 4}"/>`);
    parts.push(`<text x="${xx}" y="${axisY + 15}" text-anchor="middle">${fmtNum(t)}</text>`);
  }
  parts.push(`<line class="axis" x1="${left}" y1="${axisY}" x2="${W - right}" y2="${axisY}"/>`);
  parts.push(`<text x="4" y="${axisY + 15}">t (ms)</text>`);
  parts.push(...connectionSpans(items, x, laneY));
  for (const it of items) {
    const y = laneY(it.lane);
    const xx = x(it.t ?? 0);
    const cls = `m ${LANE_CLASS[it.lane]}`;
    const mid = y + laneH / 2;
    const shape =
      it.kind === 'body-read'
        ? `<rect class="${cls}" x="${(xx - 1.5).toFixed(1)}" y="${y + 3}" width="3" height="${laneH - 6}"/>`
        : it.kind === 'connection-end' || it.kind === 'response-end'
          ? `<rect class="${cls} end" x="${(xx - 4).toFixed(1)}" y="${(mid - 4).toFixed(1)}" width="8" height="8"/>`
          : it.kind === 'connection-open' || it.kind === 'response-head'
            ? `<circle class="${cls} open" cx="${xx.toFixed(1)}" cy="${mid}" r="4"/>`
            : `<circle class="${cls}" cx="${xx.toFixed(1)}" cy="${mid}" r="4"/>`;
    parts.push(`<g class="ev" data-lane="${LANES.indexOf(it.lane)}">${shape}<title>${escPlain(tip(it))}</title></g>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** A thin bar in the connection lane from each connection's open to its end: how long it lived. */
function connectionSpans(items: readonly Mark[], x: (t: number) => number, laneY: (l: Lane) => number): string[] {
  const open = new Map<number, number>();
  const out: string[] = [];
  for (const it of items) {
    if (it.conn === undefined || it.t === undefined) continue;
    if (it.kind === 'connection-open') open.set(it.conn, it.t);
    else if (it.kind === 'connection-end' && open.has(it.conn)) {
      const from = x(open.get(it.conn) ?? 0);
      out.push(
        `<rect class="span" x="${from.toFixed(1)}" y="${laneY('connection') + 8}" width="${Math.max(1, x(it.t) - from).toFixed(1)}" height="2"/>`,
      );
      open.delete(it.conn);
    }
  }
  return out;
}

/** The timeline as text: time, kind, connection, size, what — one line per moment, in time order. */
export function rawTimeline(evidence: readonly EvidenceItem[]): string {
  return byTime(evidence)
    .map((e) => {
      const t = finite(e?.t);
      const ts = t === undefined ? `${str(e?.t)}?` : fmtNum(t);
      const conn = finite(e?.conn);
      const bytes = finite(e?.bytes);
      return `${`+${ts}`.padStart(10)} ms  ${kindOf(e ?? {}).padEnd(15)} ${(conn === undefined ? '' : `#${fmtNum(conn)}`).padEnd(5)} ${(bytes === undefined ? '' : `${fmtNum(bytes)} B`).padStart(8)}  ${str(e?.what)}`;
    })
    .join('\n');
}

/** The chart and the raw text together, as a case shows them. */
export function renderTimeline(evidence: readonly EvidenceItem[]): string {
  if (evidence.length === 0) return '<p class="muted">No timeline recorded.</p>';
  const cut =
    evidence.length > MAX_MARKS ? `<figcaption class="muted">first ${MAX_MARKS} of ${evidence.length} events drawn</figcaption>` : '';
  return (
    `<figure class="tl">${renderTimelineSvg(evidence)}${cut}</figure>` +
    `<details class="raw" open><summary>raw timeline (${evidence.length} events)</summary><pre class="raw">${esc(rawTimeline(evidence))}</pre></details>`
  );
}
