import type { Summary } from './report.js';

/**
 * 0: nothing failed (warnings allowed unless strict); 1: at least one failure (or a warning
 * under --strict, or a stale baseline entry); 2: the harness broke or nothing could be judged.
 */
export function exitCodeFor(s: Summary, opts: { strict: boolean; staleBaseline?: number; newFailures?: number | undefined }): 0 | 1 | 2 {
  // With a baseline, newFailures already counts warnings when strict, and excludes known ones.
  const failing = opts.newFailures !== undefined ? opts.newFailures > 0 : s.fail > 0 || (opts.strict && s.warn > 0);
  if (failing || (opts.staleBaseline ?? 0) > 0) return 1;
  if (s.error > 0 || s.pass + s.warn + s.fail === 0) return 2;
  return 0;
}
