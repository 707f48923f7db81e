import { chromiumMissing } from '../../runner/clients/chromium.js';
import type { Manifest } from '../../runner/manifest/types.js';
import type { CaseResult } from '../../runner/report.js';
import { runSuite } from '../../runner/run.js';
import { VIA_PROFILES } from '../../runner/via.js';
import { betterSse } from './servers/better-sse.js';
import { engineio } from './servers/engineio.js';
import { faye } from './servers/faye.js';
import { prosody } from './servers/prosody.js';
import { nchan } from './servers/nchan.js';
import { sockjsServer } from './servers/sockjs.js';
import { sseChannel } from './servers/sse-channel.js';
import type { CorpusServer, TargetAccess } from './servers/types.js';

/** Every real third-party server of the corpus (ground truth in test/real-world/<name>.md). */
export const CORPUS: readonly CorpusServer[] = [nchan, sockjsServer, engineio, betterSse, sseChannel, faye, prosody];

/** One verdict and its one-line reason, as the expected-verdict files hold them. */
export interface ExpectedVerdict {
  verdict: CaseResult['verdict'];
  reason: string;
}

export type VerdictTable = Record<string, ExpectedVerdict>;

/** The run settings the expected verdicts were recorded with: every profile, default limits. */
export async function judgeTarget(
  manifest: Manifest,
  skip: readonly string[] = [],
  only: readonly string[] = [],
  access: TargetAccess = {},
): Promise<{ results: CaseResult[]; durationMs: number }> {
  const { report } = await runSuite({
    ...(access.caPem === undefined ? {} : { trust: { insecure: false, ca: access.caPem, caPath: '(corpus certificate)' } }),
    ...(access.http === undefined ? {} : { http: access.http }),
    manifest,
    only: [...only],
    skip: [...skip],
    level: 'all',
    via: [...VIA_PROFILES],
    strict: false,
    timeScale: 1,
    concurrency: 32,
    holdLimitSeconds: 30,
    reportDir: null,
    reporter: 'none',
    // Each SSE target is judged in a real browser too (client.eventsource); CI installs Chromium.
    clients: chromiumMissing() === null ? ['chromium'] : [],
  });
  return { results: report.results, durationMs: report.durationMs };
}

/** `id@via → verdict + the first sentence of what was seen`, skips included (a change to n/a is a change). */
export function verdictTable(results: readonly CaseResult[]): VerdictTable {
  const out: VerdictTable = {};
  for (const r of [...results].sort((a, b) => `${a.id}@${a.via}`.localeCompare(`${b.id}@${b.via}`))) {
    out[`${r.id}@${r.via}`] = { verdict: r.verdict, reason: oneLine(r.actual) };
  }
  return out;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** Differences in verdict only (reasons carry measured numbers that vary from run to run). */
export function verdictDiff(expected: VerdictTable, actual: VerdictTable): string[] {
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  const out: string[] = [];
  for (const k of keys) {
    const e = expected[k];
    const a = actual[k];
    if (e?.verdict === a?.verdict) continue;
    out.push(`${k}: expected ${e ? `${e.verdict} (${e.reason})` : 'no case'}, got ${a ? `${a.verdict} (${a.reason})` : 'no case'}`);
  }
  return out;
}
