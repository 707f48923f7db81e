import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { HarnessError } from '../errors.js';

/** Writes via a temp file and rename, so a reader never sees half a report. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, data, 'utf8');
    await rename(tmp, path);
  } catch (e) {
    throw new HarnessError('PUSHSPEC_E_WRITE', `cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
