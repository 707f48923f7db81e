/**
 * `pushspec merge` given load reports: the kind of every input is read first, so a load.json and
 * a conformance report.json are never joined; load inputs are checked against
 * schema/load.schema.json (naming the file and the first problem), then merged (runner/load/merge.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { renderLoadHtml } from '../load/html.js';
import { mergeLoadReports, type LoadInput } from '../load/merge.js';
import type { LoadReport } from '../load/report.js';
import { renderTable } from '../load/table.js';
import { wantsColour } from '../reporters/colour.js';
import { checkReportDir } from '../reporters/report-dir.js';
import { writeFileAtomic } from '../reporters/write-file.js';
import { ReportInputError } from './report-commands.js';

const LOAD_KIND = 'pushspec-load';

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ReportInputError(`${file}: cannot read report (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ReportInputError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
}

function kindOf(json: unknown): unknown {
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>)['kind'] : undefined;
}

/**
 * The inputs, when they are load reports; null when none is (a conformance merge). One of each
 * kind is refused, naming the conformance report.
 */
export async function readLoadInputs(files: readonly string[]): Promise<LoadInput[] | null> {
  const inputs = await Promise.all(files.map(async (file) => ({ file, json: await readJson(file) })));
  const load = inputs.find((i) => kindOf(i.json) === LOAD_KIND);
  if (load === undefined) return null;
  const other = inputs.find((i) => kindOf(i.json) !== LOAD_KIND);
  if (other !== undefined)
    throw new ReportInputError(
      `${other.file}: not a load report (no "kind": "${LOAD_KIND}"), while ${load.file} is one; expected the load.json of every worker of one \`load --worker i/n\` split (a conformance report.json is merged with other report.json files only)`,
    );
  if (files.length < 2) throw new ReportInputError(`merge needs at least two report files, got ${files.length}`);
  const validate = loadSchema();
  return inputs.map(({ file, json }) => {
    if (!validate(json)) {
      const e = validate.errors?.[0];
      throw new ReportInputError(
        `${file}: not a valid load report: ${e ? `${e.instancePath || '/'} ${e.message ?? ''}` : 'schema mismatch'}; expected a load.json of schema/load.schema.json`,
      );
    }
    return { file, report: json as LoadReport };
  });
}

let compiled: ValidateFunction | undefined;

/** schema/load.schema.json, found by walking up from this module (runner/ or dist/runner/). */
function loadSchema(): ValidateFunction {
  if (compiled) return compiled;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'schema', 'load.schema.json');
    if (existsSync(candidate)) {
      const schema = JSON.parse(readFileSync(candidate, 'utf8')) as object;
      compiled = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
      return compiled;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`pushspec: schema/load.schema.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Writes the merged load.json (-o) and, with --report-dir, load.json and load.html there; the table on stdout. */
export async function mergeLoadCommand(inputs: readonly LoadInput[], out: string, reportDir: string | undefined): Promise<number> {
  if (reportDir !== undefined) await checkReportDir(reportDir);
  const report = mergeLoadReports(inputs);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  try {
    await writeFileAtomic(out, json);
  } catch (e) {
    throw new ReportInputError(
      `-o ${out}: cannot write it (${(e as NodeJS.ErrnoException).code ?? String(e)}); expected a file path in a writable directory`,
      { cause: e },
    );
  }
  const files = [out];
  if (reportDir !== undefined) {
    await writeFileAtomic(join(reportDir, 'load.json'), json);
    await writeFileAtomic(join(reportDir, 'load.html'), renderLoadHtml(report));
    files.push(join(reportDir, 'load.json'), join(reportDir, 'load.html'));
  }
  process.stdout.write(renderTable(report, wantsColour(process.stdout)));
  process.stdout.write(`  reports: ${files.join(', ')}\n`);
  return report.exitCode;
}
