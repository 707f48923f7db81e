import { join, resolve } from 'node:path';
import type { Report } from '../report.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { writeFileAtomic } from './write-file.js';

/** report.json, junit.xml and report.html into `dir`, each written atomically; returns their paths. */
export async function writeReports(report: Report, dir: string, strict: boolean): Promise<string[]> {
  const outputs: Array<[string, string]> = [
    ['report.json', renderJson(report)],
    ['junit.xml', renderJunit(report, { strict })],
    ['report.html', renderHtml(report)],
  ];
  const files: string[] = [];
  for (const [name, text] of outputs) {
    const path = join(resolve(dir), name);
    await writeFileAtomic(path, text);
    files.push(path);
  }
  return files;
}
