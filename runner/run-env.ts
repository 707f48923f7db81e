import type { BrowserHost } from './clients/chromium.js';
import type { Clock } from './clock.js';
import type { ProbeDoor } from './drivers/door.js';
import type { Manifest } from './manifest/types.js';
import type { PublishAdapter } from './publish.js';
import type { SharedProbes } from './shared-probes.js';
import type { TlsTrust } from './tls.js';
import { baseProfile, profileProtocol } from './via.js';
import type { WireProtocol } from './wire/index.js';

export interface RunOptions {
  timeScale: number;
  /** §5.5: the longest hold that survives 30 s-class hops (Heroku, CloudFront, API Gateway) */
  holdLimitSeconds: number;
}

/**
 * What every case of a run shares: the target, calibrated timing, the publish hook, memoized
 * probes. `P` is the context the shared probes observe on: CaseContext, whose module names
 * `RunEnv = RunEnvOf<CaseContext>` (this module cannot import it without a cycle).
 */
export interface RunEnvOf<P extends ProbeDoor> {
  manifest: Manifest;
  clock: Clock;
  options: RunOptions;
  /** median TCP connect time to the target, ms */
  rttMs: number;
  /** how an https target's certificate is verified, on every connection of every case */
  trust: TlsTrust;
  /** what the client speaks straight to the target (--http, settled by ALPN for auto) */
  protocol: WireProtocol;
  publisher: PublishAdapter | null;
  /** why publishing is unavailable, when publisher is null or the preflight publish failed */
  publishProblem: string | null;
  shared: SharedProbes<P>;
  /** --clients chromium: the run's browser, started on first use; null when not asked */
  browser: BrowserHost | null;
  /** the round trip through an intermediary profile, calibrated once per profile */
  rttFor(via: string): Promise<number>;
  /**
   * Before a case is re-run alone: calibrate `via`'s round trip again and keep the smaller, since
   * load only ever inflates it. Absent: nothing is re-measured.
   */
  remeasure?(via: string): Promise<void>;
}

/** The run's protocol straight to the target; a profile is entered over what its first hop speaks (h2-front: HTTP/2). */
export function protocolFor(env: { protocol: WireProtocol }, via: string): WireProtocol {
  return via === 'direct' ? env.protocol : profileProtocol(baseProfile(via));
}
