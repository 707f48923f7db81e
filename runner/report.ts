import type { Level } from './requirement.js';
import type { Cause, EvidenceItem, Loss, Measurements, Outcome } from './verdict.js';

/** The canonical report (DESIGN.md §2). Every other format renders from this shape only. */
export interface CaseResult {
  id: string;
  section: string;
  spec: string;
  level: Level;
  title: string;
  via: string;
  verdict: Outcome;
  expected: string;
  actual: string;
  durationMs: number;
  /** true when a timing failure from the concurrent phase was re-run alone */
  reverified?: boolean;
  /** for fail / warn / error: whose doing it is */
  cause?: Cause;
  /** for fail / warn: what the server author can change */
  remedy?: string;
  /** events the server accepted and never delivered (over every run of the case) */
  loss?: Loss;
  /** through a profile: the same requirement's direct result, for comparison */
  direct?: { verdict: Outcome; actual: string };
  measurements: Measurements;
  evidence: EvidenceItem[];
  /** how far past its tolerance a timing measurement was, when that applies (Verdict.excessMs) */
  excessMs?: number;
  /** what the scenario saw, as evaluate judged it (omitted when large): re-judge it offline */
  observation?: object;
}

export type Summary = Record<Outcome, number>;

export interface Report {
  schemaVersion: 1;
  tool: { name: 'pushspec'; version: string };
  target: { name: string; baseUrl: string };
  startedAt: string;
  durationMs: number;
  environment: {
    rttMs: number;
    timeScale: number;
    node: string;
    platform: string;
    concurrency: number;
    publish: 'http' | 'command' | 'none';
    /** the share of the cases this run judged (`--shard i/n`) */
    shard?: { index: number; count: number };
    /** a report joined by `pushspec merge`: one entry per input, in shard order */
    merged?: MergedPart[];
  };
  results: CaseResult[];
  summary: Summary;
  /** "Can I deploy this behind X?", one entry per intermediary profile the run used. */
  profiles?: ProfileVerdict[];
}

/** One input of `pushspec merge`. */
export interface MergedPart {
  file: string;
  /** each machine of a CI matrix may start the target on its own port */
  baseUrl: string;
  startedAt: string;
  durationMs: number;
  rttMs: number;
  cases: number;
  shard?: { index: number; count: number };
}

/** The deployment answer for one profile, as report.json carries it. */
export interface ProfileVerdict {
  via: string;
  /** what the profile models */
  models: string;
  answer: 'works' | 'works with warnings' | 'breaks' | 'not judged';
  /** cases run through it, and how many of those were judged (pass/fail/warn/error) */
  cases: number;
  judged: number;
  /** `id@via` of the failing cases first, then the warnings: the requirements that decide */
  deciding: string[];
  /** how many of the deciding cases pass direct (the intermediary is the cause) */
  hopCaused: number;
  /** what the server can change, one entry per distinct remedy */
  remedies: string[];
}

export function summarize(results: readonly CaseResult[]): Summary {
  const s: Summary = { pass: 0, fail: 0, warn: 0, inconclusive: 0, skip: 0, error: 0 };
  for (const r of results) s[r.verdict] += 1;
  return s;
}
