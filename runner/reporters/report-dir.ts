import { randomBytes } from 'node:crypto';
import { open, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { HarnessError } from '../errors.js';

/** A probe that takes longer than this says the filesystem is not one to write a report to. */
const PROBE_DEADLINE_MS = 5000;

function code(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
}

function problem(dir: string, what: string): HarnessError {
  return new HarnessError(
    'PUSHSPEC_E_USAGE',
    `--report-dir ${JSON.stringify(dir)}: ${what}; expected a directory pushspec can create and write (or --no-report)`,
  );
}

/**
 * Checks, before any case runs, that the report can be written: the nearest existing ancestor
 * of `dir` is a directory and a file can be created in it. Nothing is left behind, and a
 * filesystem that hangs (Node's recursive mkdir loops on /proc) fails the probe by its deadline.
 */
export async function checkReportDir(dir: string): Promise<void> {
  const abs = resolve(dir);
  let existing = abs;
  for (;;) {
    try {
      const st = await stat(existing);
      if (!st.isDirectory())
        throw problem(
          dir,
          existing === abs ? 'it is a file, not a directory' : `${existing} is a file, so no directory can be created under it`,
        );
      break;
    } catch (e) {
      if (e instanceof HarnessError) throw e;
      if (code(e) !== 'ENOENT' && code(e) !== 'ENOTDIR') throw problem(dir, `${existing} cannot be read (${code(e) || String(e)})`);
      const up = dirname(existing);
      if (up === existing) throw problem(dir, 'no part of the path exists');
      existing = up;
    }
  }
  const probe = join(existing, `.pushspec-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  let timer: NodeJS.Timeout | undefined;
  const attempt = (async (): Promise<void> => {
    const fh = await open(probe, 'wx');
    await fh.close();
    await unlink(probe);
  })();
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(problem(dir, `creating a file in ${existing} did not finish within ${PROBE_DEADLINE_MS} ms`)),
      PROBE_DEADLINE_MS,
    );
  });
  try {
    await Promise.race([attempt, deadline]);
  } catch (e) {
    if (e instanceof HarnessError) throw e;
    throw problem(dir, `${existing} is not writable (${code(e) || String(e)})`);
  } finally {
    clearTimeout(timer);
    attempt.catch(() => undefined);
  }
}
