/**
 * `pushspec report`, `pushspec compare`, `pushspec baseline`: render from stored report JSON.
 * Input problems are usage errors (exitCode 2) naming the file; outputs are written atomically
 * so a crash or a full disk never leaves a half-written report for CI to publish.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createBaseline, parseBaseline, type Baseline } from '../baseline.js';
import { writeFileAtomic } from '../reporters/write-file.js';
import type { BaselineOptions } from '../baseline.js';
import type { Report } from '../report.js';
import { renderComparison } from '../reporters/compare-html.js';
import { renderHtml } from '../reporters/html.js';
import { OUTCOMES } from '../verdict.js';

export class ReportInputError extends Error {
  readonly code = 'PUSHSPEC_E_REPORT_INPUT';
  readonly exitCode = 2;
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'ReportInputError';
  }
}

/**
 * Minimal validation: enough that the renderers can rely on the shape they index by
 * (schemaVersion, results[] with string id/via and a known verdict). Everything else is
 * rendered defensively as text.
 */
export function validateReport(json: unknown, file: string): Report {
  const bad = (what: string): never => {
    throw new ReportInputError(`${file}: not a pushspec report: ${what}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('expected a JSON object');
  const o = json as Record<string, unknown>;
  if (o['schemaVersion'] !== 1) {
    bad(`"schemaVersion" must be 1, got ${JSON.stringify(o['schemaVersion']) ?? 'nothing'}`);
  }
  const results = o['results'];
  if (!Array.isArray(results)) return bad('"results" must be an array');
  results.forEach((r: unknown, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) bad(`"results[${i}]" must be an object`);
    const rr = r as Record<string, unknown>;
    for (const f of ['id', 'via'] as const) {
      if (typeof rr[f] !== 'string' || rr[f] === '') bad(`"results[${i}].${f}" must be a non-empty string`);
    }
    if (!(OUTCOMES as readonly unknown[]).includes(rr['verdict'])) {
      bad(`"results[${i}].verdict" must be one of ${OUTCOMES.join(', ')}, got ${JSON.stringify(rr['verdict']) ?? 'nothing'}`);
    }
  });
  return json as Report;
}

export async function loadReport(file: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ReportInputError(`${file}: cannot read report (${code ?? String(e)})`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ReportInputError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  return validateReport(json, file);
}

export async function reportCommand(inputJsonPath: string, outHtmlPath: string): Promise<void> {
  const report = await loadReport(inputJsonPath);
  await writeFileAtomic(outHtmlPath, renderHtml(report));
}

export async function compareCommand(inputPaths: string[], outHtmlPath: string): Promise<void> {
  if (inputPaths.length < 2) {
    throw new ReportInputError(`compare needs at least two report files, got ${inputPaths.length}`);
  }
  const reports = await Promise.all(inputPaths.map(async (p) => ({ label: p, report: await loadReport(p) })));
  // Labels are the paths as given, shortened to base names when those are unambiguous.
  const bases = reports.map((r) => basename(r.label));
  const labelled = new Set(bases).size === bases.length ? reports.map((r, i) => ({ ...r, label: bases[i] ?? r.label })) : reports;
  await writeFileAtomic(outHtmlPath, renderComparison(labelled));
}

/** Returns the baseline JSON text for stdout. */
export async function baselineCommand(inputJsonPath: string, opts: BaselineOptions = {}): Promise<string> {
  const report = await loadReport(inputJsonPath);
  return `${JSON.stringify(createBaseline(report, opts), null, 2)}\n`;
}

/** Reads a baseline file for `run --baseline`; every problem names the file (exit 2). */
export async function loadBaselineFile(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ReportInputError(`--baseline ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ReportInputError(`--baseline ${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  return parseBaseline(json, file);
}
