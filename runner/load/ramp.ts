/**
 * The ramp: per step, N held requests on one fresh channel, then one published event fanned out
 * to all of them, with the ordinary request measured beside them and the client's own cost.
 * Steps stop at the client's limits (open files, ports), named, never raised.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { eventSourceHeaders, requestFor } from '../drivers/request.js';
import { publishesReachOthers, type Cursor, type Manifest } from '../manifest/types.js';
import type { PublishAdapter } from '../publish.js';
import { makeToken, newTag, randomChannel } from '../tokens.js';
import { ConnectError } from './client.js';
import { ordinarySamples, type OrdinarySample } from './probes.js';
import { percentilesOrNull, round, startCost, type Percentiles, type ProcessCost } from './stats.js';
import { Subscriber, type LoadTransport, type SubscriberPlan, type SubscriberState } from './subscriber.js';
import {
  connectionsPerAddress,
  FD_MARGIN,
  isLoopback,
  loadSourceAddress,
  MAX_SOURCE_ADDRESSES,
  openFileCount,
  OTHER_CLIENT_ADDRESS,
  type SystemLimits,
} from './system.js';

/** Connects in flight at once: a burst of thousands overflows the server's accept queue (SYN retries cost seconds). */
const RAMP_CONCURRENCY = 256;
export const ORDINARY_SAMPLES = 20;
const WARM_UP_SAMPLES = 5;
/** below this share held, the next (larger) step could only fail more: the ramp stops */
const STOP_BELOW_HELD_SHARE = 0.5;

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

export function summariseOrdinary(samples: readonly OrdinarySample[]): OrdinaryStats {
  const ok = samples.filter((s) => s.problem === null && s.ms !== null).map((s) => s.ms ?? 0);
  const problems = [...new Set(samples.flatMap((s) => (s.problem === null ? [] : [s.problem])))];
  return { latency: percentilesOrNull(ok.map((v) => round(v, 3))), failed: samples.length - ok.length, problems: problems.slice(0, 3) };
}

function block(
  m: Manifest,
  t: LoadTransport,
): { url: string; method?: string; headers?: Record<string, string>; body?: string; cursor?: Cursor } {
  const b = t === 'longPoll' ? m.longPoll : t === 'stream' ? m.stream : m.sse;
  if (!b) throw new Error(`the manifest has no ${t} block`);
  return b;
}

function reasonsOf(subs: readonly Subscriber[]): Array<{ why: string; count: number }> {
  const counts = new Map<string, number>();
  // Durations differ per request; the reason without its number groups them.
  for (const s of subs)
    if (s.why !== null && s.state !== 'got')
      counts.set(`${s.state}: ${s.why.replace(/\d+ ms/, '… ms')}`, (counts.get(`${s.state}: ${s.why.replace(/\d+ ms/, '… ms')}`) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([why, count]) => ({ why, count }));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Source addresses for a step, or why the step cannot be run from this client. */
function sourcesFor(
  n: number,
  o: RampOptions,
  loopback: boolean,
  portsInUse: number,
): { addresses: Array<string | undefined>; auto: boolean } | string {
  const per = connectionsPerAddress(o.limits);
  const range = `${o.limits.portRange.low}–${o.limits.portRange.high}, ${o.limits.portRangeSource}`;
  if (!loopback) {
    if (n + portsInUse > per)
      return `step ${n} needs more connections than one source address has ephemeral ports (~${per}, ${range}), and the target is not on loopback, where 127.0.0.x addresses could spread them`;
    return { addresses: [undefined], auto: false };
  }
  const count = o.sourceAddresses ?? Math.max(1, Math.ceil((n + portsInUse) / per));
  if (count > MAX_SOURCE_ADDRESSES)
    return `step ${n} needs ${count} source addresses at ~${per} connections each (${range}); at most ${MAX_SOURCE_ADDRESSES} loopback addresses exist`;
  return { addresses: Array.from({ length: count }, (_, i) => loadSourceAddress(i)), auto: o.sourceAddresses === null };
}

export async function runRamp(o: RampOptions): Promise<RampResult> {
  const url = new URL(o.manifest.baseUrl);
  const loopback = isLoopback(url.hostname);
  const otherClient = loopback ? OTHER_CLIENT_ADDRESS : null;
  const ordinary = async (): Promise<OrdinaryStats> =>
    summariseOrdinary(
      await ordinarySamples(o.manifest.baseUrl, ORDINARY_SAMPLES, otherClient ?? undefined, o.timing.connectTimeoutMs, o.now),
    );
  // The first exchanges pay for JIT and lazy setup on both sides; the baseline is the server at rest, not that.
  await ordinarySamples(o.manifest.baseUrl, WARM_UP_SAMPLES, otherClient ?? undefined, o.timing.connectTimeoutMs, o.now);
  const baseline = await ordinary();
  const steps: StepResult[] = [];
  // Ports our earlier steps left in TIME_WAIT (we close first) still count against each address.
  let portsInUse = 0;
  for (const [i, n] of o.steps.entries()) {
    const sources = sourcesFor(n, o, loopback, portsInUse);
    if (typeof sources === 'string') return { baseline, steps, stopped: sources, otherClient };
    if (o.limits.openFiles !== null && openFileCount() + n + FD_MARGIN > o.limits.openFiles) {
      return {
        baseline,
        steps,
        stopped: `step ${n} needs about ${openFileCount() + n + FD_MARGIN} open files (${n} sockets, ${openFileCount()} open now, ${FD_MARGIN} spare) and the open-file limit (ulimit -n) is ${o.limits.openFiles}; pushspec does not raise it: run \`ulimit -n ${n + 1000}\` (within the hard limit) first, or end --steps below ${o.limits.openFiles - openFileCount() - FD_MARGIN}`,
        otherClient,
      };
    }
    if (sources.auto && sources.addresses.length > 1) {
      o.notice(
        `step ${n}: spreading ${n} connections over ${sources.addresses.length} source addresses (${sources.addresses[0] ?? ''}–${sources.addresses.at(-1) ?? ''}): one address holds ~${connectionsPerAddress(o.limits)} (ephemeral ports ${o.limits.portRange.low}–${o.limits.portRange.high}, ${o.limits.portRangeSource})`,
      );
    }
    const r = await runStep(o, i, n, sources.addresses, ordinary, otherClient);
    if (typeof r === 'string') return { baseline, steps, stopped: r, otherClient };
    steps.push(r);
    portsInUse += r.opened;
    if (r.capped > 0)
      return {
        baseline,
        steps,
        stopped: `step ${n}: the server capped ${r.capped} of ${n} requests (429/503); larger steps from the same client would only be capped more`,
        otherClient,
      };
    if (r.heldAtPublish < n * STOP_BELOW_HELD_SHARE && i < o.steps.length - 1)
      return {
        baseline,
        steps,
        stopped: `step ${n}: only ${r.heldAtPublish} of ${n} requests were still held at the publish; a larger step could only fail more`,
        otherClient,
      };
  }
  return { baseline, steps, stopped: null, otherClient };
}

function planFor(o: RampOptions, channel: string): SubscriberPlan {
  const b = block(o.manifest, o.transport);
  const { url, req } = requestFor(o.manifest, b, channel);
  const sse = o.transport === 'sse' || (o.transport === 'stream' && o.manifest.stream?.framing?.type === 'sse');
  return {
    transport: o.transport,
    request: { ...req, headers: [...(req.headers ?? []), ...eventSourceHeaders(o.manifest, b, sse)] },
    url,
    host: url.host,
    cursor: o.transport === 'longPoll' ? (b.cursor ?? { type: 'none' }) : { type: 'none' },
    earlyBeforeMs: o.timing.holdMs - o.timing.epsilonMs,
    connectTimeoutMs: o.timing.connectTimeoutMs,
    now: o.now,
  };
}

async function runStep(
  o: RampOptions,
  index: number,
  n: number,
  sources: ReadonlyArray<string | undefined>,
  ordinary: () => Promise<OrdinaryStats>,
  otherAddress: string | null,
): Promise<StepResult | string> {
  const t0 = o.now();
  const cost = startCost(o.now);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const channel = randomChannel();
  const plan = planFor(o, channel);
  const subs: Subscriber[] = [];
  const cleanup: Subscriber[] = [];
  // Resolves when done() holds, re-checked whenever a request changes, or when ms have passed.
  let wake: (() => void) | null = null;
  const until = (done: () => boolean, ms: number): Promise<void> =>
    new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, ms));
      wake = () => {
        if (done()) finish();
      };
      wake();
    });
  const counts = (): { held: number; early: number; failed: number; capped: number } => {
    const c = { held: 0, early: 0, failed: 0, capped: 0 };
    for (const s of subs)
      if (s.state === 'held') c.held++;
      else if (s.state === 'early') c.early++;
      else if (s.state === 'failed') c.failed++;
      else if (s.state === 'capped') c.capped++;
    return c;
  };
  let phase: RampProgress['phase'] = 'opening';
  const report = (): void =>
    o.progress({ step: index + 1, steps: o.steps.length, n, phase, opened: subs.length, ...counts(), elapsedMs: o.now() - t0 });
  const ticker = setInterval(report, 250);
  try {
    let next = 0;
    let limit: string | null = null;
    const worker = async (): Promise<void> => {
      while (next < n && limit === null) {
        const i = next++;
        const s = new Subscriber(plan, sources[i % sources.length]);
        subs.push(s);
        s.onChange(() => wake?.());
        try {
          await s.start();
        } catch (e) {
          limit =
            e instanceof ConnectError
              ? `step ${n}: connection ${i + 1} could not be opened: ${e.message} (${e.code}: the client's own limit — ports or open files — not the server's)`
              : String(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(RAMP_CONCURRENCY, n) }, worker));
    if (limit !== null) return limit;
    if (o.transport !== 'longPoll') {
      // A stream is held once its response head is in; one that has none by the connect deadline never was.
      await until(() => subs.every((s) => s.state !== 'held' || s.tHead !== null), o.timing.connectTimeoutMs);
      for (const s of subs) if (s.state === 'held' && s.tHead === null) s.fail(`no response head within ${o.timing.connectTimeoutMs} ms`);
    }
    const rampMs = o.now() - t0;
    phase = 'holding';
    report();
    // The ordinary samples go to the server after every held request: once they are answered, the
    // server has accepted (and most likely read) the requests queued before them.
    // Another client's own push request (a fresh channel, another address): is it still served?
    const otherChannel = randomChannel();
    const other = new Subscriber(planFor(o, otherChannel), otherAddress ?? undefined);
    cleanup.push(other);
    other.onChange(() => wake?.());
    await other.start().catch((e: unknown) => other.fail(e instanceof Error ? e.message : String(e)));
    const ord = await ordinary();
    const derivedWait = o.transport === 'longPoll' ? Math.max(0, o.timing.holdMs / 2 - rampMs) : 2 * (o.timing.heartbeatMs ?? 0);
    const waitMs = o.timing.waitMs ?? derivedWait;
    const waited = o.now() - t0 - rampMs;
    if (waitMs > waited) await sleep(waitMs - waited);
    phase = 'fan-out';
    report();
    const held = subs.filter((s) => s.state === 'held');
    // A long poll has its hold to answer; streams are given as long as opening them all took.
    const fanOutDeadlineMs = round((o.transport === 'longPoll' ? o.timing.holdMs : Math.max(waitMs, rampMs)) + o.timing.epsilonMs);
    let publish: StepResult['publish'] = null;
    let tPublish = 0;
    let tOtherPublish: number | null = null;
    if (o.publisher !== null && held.length > 0) {
      const token = makeToken(newTag(), index);
      for (const s of held) s.watch(token);
      // A broadcast hook (or no channels) reaches the other client with the same event.
      const shared = publishesReachOthers(o.manifest);
      if (shared) other.watch(token);
      const p = await o.publisher.publish(channel, token);
      tPublish = p.tStart;
      publish = { ok: p.ok, status: p.status, ms: round(p.tEnd - p.tStart, 3), ...(p.error === undefined ? {} : { error: p.error }) };
      const waiting = [...held];
      if (shared && p.ok) {
        tOtherPublish = p.tStart;
        waiting.push(other);
      } else if (other.state === 'held') {
        const otherToken = makeToken(newTag(), index);
        other.watch(otherToken);
        const q = await o.publisher.publish(otherChannel, otherToken);
        if (q.ok) {
          tOtherPublish = q.tStart;
          waiting.push(other);
        }
      }
      if (p.ok) await until(() => waiting.every((s) => s.state !== 'held'), tPublish + fanOutDeadlineMs - o.now());
    }
    const c = counts();
    const got = held.filter((s) => s.tGot !== null).map((s) => round((s.tGot ?? 0) - tPublish, 3));
    loop.disable();
    return {
      n,
      sourceAddresses: [...new Set(sources.map((s) => s ?? 'default'))],
      opened: subs.length,
      heldAtPublish: held.length,
      early: c.early,
      capped: c.capped,
      failed: c.failed,
      reasons: reasonsOf(subs),
      rampMs: round(rampMs),
      waitMs: round(waitMs),
      publish,
      fanOut: percentilesOrNull(got),
      fanOutDeadlineMs,
      missed: publish?.ok ? held.length - got.length : 0,
      ordinary: ord,
      otherClient: {
        address: otherAddress,
        state: other.state,
        why: other.why,
        latencyMs: other.tGot === null || tOtherPublish === null ? null : round(other.tGot - tOtherPublish, 3),
      },
      clientLoopDelayP99Ms: round(loop.percentile(99) / 1e6, 2),
      client: cost(),
      serverRssBytes: o.serverRss?.() ?? null,
      sustained:
        held.length === n &&
        c.early === 0 &&
        c.failed === 0 &&
        c.capped === 0 &&
        (o.publisher === null || (publish?.ok === true && got.length === n)),
    };
  } finally {
    clearInterval(ticker);
    loop.disable();
    for (const s of [...subs, ...cleanup]) s.close();
  }
}
