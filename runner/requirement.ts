import type { ClientName } from './clients/chromium.js';
import type { WireProtocol } from './wire/recorded.js';
import type { TransportName } from './manifest/types.js';
import type { Verdict } from './verdict.js';
import type { CaseContext } from './context.js';

/**
 * `must`: restates a MUST of RFC 9110/9111/9112, XEP-0124, Bayeux or WHATWG, or a behaviour the
 * target claims by declaring the transport (e.g. a declared long poll that does not hold);
 * `should`: an RFC 6202 best practice or a SHOULD (a violation is reported as `warn`);
 * `info`: a measurement.
 */
export type Level = 'must' | 'should' | 'info';

export interface Requirement<O extends object = object, T extends Limits = Limits> {
  /** Stable, never renumbered; retired IDs are not reused. Grammar: `<area>.<slug>`. */
  id: string;
  /** The document judged against, e.g. 'RFC 6202'. */
  spec: string;
  /** Section in that document, e.g. '2.1'. */
  section: string;
  level: Level;
  /** One normative sentence naming what is required (and, by negation, the problem). */
  title: string;
  /** Links to the text, most specific first. */
  sources: string[];
  /** Transports this requirement applies to; cases are skipped (n/a) when the target has none. */
  transports: TransportName[];
  /** Needs the publish hook; without one the case is inconclusive, never fail. */
  needsPublish: boolean;
  /** Publishes when a hook exists but can be judged without one (scheduled like needsPublish). */
  mayPublish?: boolean;
  /** Timing-sensitive: a fail/warn from the concurrent phase is re-run alone before it counts. */
  timing: boolean;
  /**
   * Spends its run watching idle connections that carry heartbeats at most (no publishing, no
   * bursts): re-runs of timing failures need not wait for it to finish to count as alone.
   */
  idleWatch?: boolean;
  /**
   * The tolerance used, stated for users (also shown in `pushspec list`); derived from `limits`
   * by the definition's `tolerance(limits)` (defineRequirement), so the text and the numbers
   * `evaluate` uses cannot disagree.
   */
  tolerance: string;
  /** The tolerance as data: the numbers, fractions and caps `evaluate` judges with. */
  limits: T;
  /**
   * Requirements whose verdict explains a failure of this one (e.g. a hold that ends early is
   * lp.held's finding): messages that refer to another requirement name one of these.
   */
  dependsOn: readonly string[];
  /**
   * Intermediary profiles (base names, see `pushspec proxy`) where the requirement is meaningful,
   * besides `direct`; the plan crosses requirements with these only. Omitted: direct only.
   */
  via?: readonly string[];
  /**
   * No longer read by the plan: a profile the user names (`--via nginx-default`) runs every
   * requirement that means something behind it, derived in runner/applicability.ts. Kept only as
   * the fidelity test's comparison scope (test/helpers/fidelity.ts) until that is widened.
   */
  deploymentCheck?: boolean;
  /** false when the requirement only means something behind an intermediary (e.g. a cache replay) */
  directToo?: boolean;
  /**
   * The protocols it means something over; omitted: both, except that RFC 9112 rows are
   * HTTP/1.1 only and RFC 9113 rows HTTP/2 only (runner/applicability.ts protocolMismatch).
   */
  protocols?: readonly WireProtocol[];
  /** judged in a real client (issue 14 item 5): runs only when `--clients` names it */
  client?: ClientName;
  /**
   * What a server author changes when this requirement fails or warns (shown with every fail and
   * warn in the console, report.json, JUnit and HTML). Required: a verdict nobody can act on is
   * half a verdict. Through an intermediary the runner adds what the server can do about that hop
   * (proxies/profiles.ts HOP_REMEDIES), so this names the server's own change only.
   */
  remedy: string;
  /** Fault names in fixtures/ that violate this requirement (coverage test enforces ≥ 1). */
  faults: string[];
  /**
   * Drives the exchange and records what was seen. May throw Inconclusive / Lost when the setup
   * itself fails (no response to judge, events accepted and never delivered).
   */
  scenario(ctx: CaseContext): Promise<O>;
  /**
   * The judgement, pure: the same observation and limits always give the same verdict, so it is
   * unit-tested on canned (and recorded) observations. Method syntax on purpose: the registry
   * holds requirements of different observation types as `Requirement` (parameters bivariant).
   */
  evaluate(observation: O, limits: T): Verdict;
}

/** Tolerance parameters: named numbers (ms, fractions, counts) before the run's time scale. */
export type Limits = Readonly<Record<string, number>>;

/** What a requirement file declares: the requirement with its tolerance text still a function of the limits. */
export type RequirementDef<O extends object, T extends Limits> = Omit<Requirement<O, T>, 'tolerance' | 'dependsOn'> & {
  tolerance(limits: T): string;
  dependsOn?: readonly string[];
};

/** Derives the `tolerance` text from the limits once, at registration. */
export function defineRequirement<O extends object, T extends Limits>(d: RequirementDef<O, T>): Requirement<O, T> {
  return { ...d, tolerance: d.tolerance(d.limits), dependsOn: d.dependsOn ?? [] };
}

const ID = /^[a-z0-9]+(\.[a-z0-9]+(-[a-z0-9]+)*)+$/;

export function isValidRequirementId(id: string): boolean {
  return ID.test(id);
}

/** The observation type a requirement's evaluate judges (for canned and recorded observations). */
export type ObservationOf<R> = R extends Requirement<infer O, infer _T> ? O : never;
