import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { HarnessError } from '../errors.js';

/**
 * Writes to a temp file beside the target, fsyncs, then renames over it (atomic on one
 * filesystem), so a crash or a full disk never leaves a half-written report for CI to publish.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = dirname(resolve(file));
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new HarnessError('PUSHSPEC_E_WRITE', `cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
