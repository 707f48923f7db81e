import type { Summary } from './report.js';

/**
 * 0: nothing failed (warnings allowed unless strict); 1: at least one failure (or a warning
 * under --strict, or a stale baseline entry); 2: the harness broke or nothing could be judged.
 */
export function exitCodeFor(s: Summary, opts: { strict: boolean; staleBaseline?: number; newFailures?: number | undefined }): 0 | 1 | 2 {
  const failures = opts.newFailures ?? s.fail;
  if (failures > 0 || (opts.strict && s.warn > 0) || (opts.staleBaseline ?? 0) > 0) return 1;
  if (s.error > 0 || s.pass + s.warn + s.fail === 0) return 2;
  return 0;
}
