/** The shapes a load run passes between its parts, and load.json stores (runner/load/report.ts). */
import type { Manifest } from '../manifest/types.js';
import type { PublishAdapter } from '../publish.js';
import type { Percentiles, ProcessCost } from './stats.js';
import type { LoadTransport, SubscriberState } from './subscriber.js';
import type { SystemLimits } from './system.js';
import type { TlsTrust } from '../tls.js';

export interface RampTiming {
  /** declared or measured hold of one poll (ms); for streams the time they are kept open before the event */
  holdMs: number;
  /** ε: scheduling slack plus two round trips */
  epsilonMs: number;
  /** --hold-steps: the wait after all N are held, before the publish; null = derived */
  waitMs: number | null;
  /** streams: the declared heartbeat, so the wait sees at least two */
  heartbeatMs: number | null;
  connectTimeoutMs: number;
}

export interface RampOptions {
  manifest: Manifest;
  transport: LoadTransport;
  steps: readonly number[];
  /** null: as many as the ports of one address require */
  sourceAddresses: number | null;
  timing: RampTiming;
  /** https targets: --ca, --insecure */
  trust: TlsTrust;
  limits: SystemLimits;
  publisher: PublishAdapter | null;
  now: () => number;
  /** a line for stderr: spreading, a limit reached */
  notice: (line: string) => void;
  progress: (p: RampProgress) => void;
  /** the server's RSS when pushspec started it (--fixture), read at each step */
  serverRss?: () => number | null;
}

export interface RampProgress {
  step: number;
  steps: number;
  n: number;
  phase: 'opening' | 'holding' | 'fan-out';
  opened: number;
  held: number;
  early: number;
  failed: number;
  capped: number;
  elapsedMs: number;
}

export interface OrdinaryStats {
  latency: Percentiles | null;
  /** samples with no usable answer (refused, reset, deadline, 429/503) */
  failed: number;
  problems: string[];
  /** every answered sample (ms), so that `pushspec merge` pools workers' samples instead of averaging percentiles */
  samplesMs?: number[];
}

export interface StepResult {
  n: number;
  sourceAddresses: string[];
  /** connected and sent */
  opened: number;
  /** still held when the event was published */
  heldAtPublish: number;
  early: number;
  capped: number;
  failed: number;
  /** the most frequent reasons for early / capped / failed, with counts */
  reasons: Array<{ why: string; count: number }>;
  rampMs: number;
  waitMs: number;
  publish: { ok: boolean; status: number | null; ms: number; error?: string } | null;
  fanOut: Percentiles | null;
  /**
   * Every held request's fan-out latency (ms, publish start → event, on this machine's clock):
   * percentiles cannot be averaged, so `pushspec merge` takes them over the pooled samples.
   */
  fanOutSamplesMs?: number[];
  /**
   * Wall-clock (epoch ms) bounds of the step's full hold: from when all N were open to the
   * publish. `pushspec merge` checks the workers' windows overlap: only then was the total held at once.
   */
  heldWindow?: { fromEpochMs: number; toEpochMs: number };
  fanOutDeadlineMs: number;
  /** held at the publish and without the event by the deadline */
  missed: number;
  ordinary: OrdinaryStats;
  /**
   * Another client's own push request beside the load (a fresh channel, 127.0.0.1): `got` when it
   * was held and given its own event, `held` when that event never came, else refused how.
   */
  otherClient: { address: string | null; state: SubscriberState; why: string | null; latencyMs: number | null };
  /** p99 of our own event-loop delay over the step: what of a latency is the harness's */
  clientLoopDelayP99Ms: number;
  client: ProcessCost;
  serverRssBytes: number | null;
  /** every one of the N held until the publish and got the event */
  sustained: boolean;
}

export interface RampResult {
  baseline: OrdinaryStats;
  steps: StepResult[];
  /** why the ramp ended before the last step, or null */
  stopped: string | null;
  /** the other client's address, or null when the target is not on loopback (same address as the load) */
  otherClient: string | null;
}
