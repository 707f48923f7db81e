/**
 * The one place the run's defaults live. Flag validation (config.ts) falls back to these values
 * and the `--help` text (cli.ts) prints them, so the two cannot drift apart. No imports: any
 * module may read it without pulling in the run machinery.
 */
export const RUN_DEFAULTS = {
  via: 'all',
  timeScale: 1,
  holdLimitSeconds: 30,
  /**
   * run --fixture without --hold-limit: 3 × the reference server's 2 s hold, so its short hold is
   * judged the way a 10 s hold is against 30 s (lp.hold-floor: a third of the limit).
   */
  fixtureHoldLimitSeconds: 6,
  concurrency: 32,
  level: 'all',
  reporter: 'progress',
  /** with CI=true: CI logs stay quiet (just the summary) unless a reporter is asked for */
  ciReporter: 'none',
  reportDir: 'pushspec-report',
  /** a publish is an ordinary exchange, so seconds are generous (multiplied by --time-scale) */
  publishDeadlineMs: 10_000,
  /** an https target's certificate is verified against Node's roots (plus --ca) unless --insecure */
  insecure: false,
  /** --http: HTTP/1.1 unless asked; auto offers h2 and http/1.1 by ALPN, as a browser does */
  http: '1.1' as 'auto' | '1.1' | '2',
} as const;

/** `pushspec fixture`: short waits so a person trying it sees events quickly. */
export const FIXTURE_DEFAULTS = { holdMs: 2000, heartbeatMs: 1000 } as const;

/** `pushspec load`: the catalogue's ramp (LP-RES-01) taken on to 10,000. */
export const LOAD_DEFAULTS = {
  transport: 'longPoll',
  steps: '10,100,1000,10000',
  reportDir: 'pushspec-report',
  /** --fixture: a hold long enough that every poll of a 10,000 step is still held at the publish */
  fixtureHoldMs: 30_000,
  /** the longest hold a target without holdSeconds is watched for (RFC 6202 §5.5's 30 s, + 5 %) */
  holdLimitSeconds: 30,
  connectTimeoutMs: 5000,
} as const;
