/**
 * Text for the HTML reports: every report value is escaped for element text, cut when huge, and
 * invisible or bidi control characters become visible markers, so a hostile server's bytes are
 * shown, never interpreted (see html.ts for the threat model). Numbers are formatted here too.
 */
import escapeHtml from 'escape-html';
import { OUTCOMES, type Outcome } from '../verdict.js';

/** A string longer than this is cut in the HTML (the JSON report keeps it whole). */
const MAX_TEXT = 10_000;

/**
 * Code points that are invisible or reorder text: C0/C1 controls (except tab and newline),
 * bidi embeddings/overrides/isolates, zero-width characters, BOM, interlinear annotations,
 * and lone surrogates. Shown as a visible marker rather than interpreted.
 */
// The C0/C1 controls are exactly what this pattern exists to find.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B-\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function codePointLabel(ch: string): string {
  return 'U+' + (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

/** Any report value as a string; the JSON may not honour the declared types. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return '';
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '[unprintable]';
  }
}

function clip(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}… [${s.length - MAX_TEXT} more characters in report.json]` : s;
}

/** Escaped element text with visible markers for invisible/bidi characters. */
export function esc(v: unknown): string {
  return escapeHtml(clip(str(v))).replace(INVISIBLE, (ch) => `<span class="ctl">${codePointLabel(ch)}</span>`);
}

/** Escaped text for places that cannot hold markup (<title>, <option>, SVG <title>). */
export function escPlain(v: unknown): string {
  return escapeHtml(clip(str(v))).replace(INVISIBLE, (ch) => `[${codePointLabel(ch)}]`);
}

export function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return n.toExponential(3);
  return Number.isInteger(n) ? String(n) : n.toFixed(a >= 100 ? 1 : a >= 1 ? 2 : 3).replace(/\.?0+$/, '');
}

export function fmtValue(v: unknown): string {
  return typeof v === 'number' ? fmtNum(v) : str(v);
}

export function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

// Shared vocabulary: verdict names and badges come from whitelists, never from report text.

export function outcomeOf(v: unknown): Outcome {
  return (OUTCOMES as readonly unknown[]).includes(v) ? (v as Outcome) : 'error';
}

export const LABEL: Record<Outcome, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  inconclusive: 'INCONCLUSIVE',
  skip: 'SKIP',
  error: 'ERROR',
};

export function badge(o: Outcome, extra = ''): string {
  return `<span class="badge v-${o}${extra ? ' ' + extra : ''}">${LABEL[o]}</span>`;
}
