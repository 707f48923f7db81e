/**
 * One step of the ramp: N held requests on one fresh channel, another client's push request and
 * the ordinary requests beside them, the wait, one published event and its fan-out, and what the
 * step cost the client. It never throws for what the server does; a client limit (ports, files)
 * comes back as the sentence that names it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { eventSourceHeaders, requestFor } from '../drivers/request.js';
import { publishesReachOthers, type Cursor, type Manifest } from '../manifest/types.js';
import { makeToken, newTag, randomChannel } from '../tokens.js';
import { ConnectError, endpointOf } from './client.js';
import { percentilesOrNull, round, startCost } from './stats.js';
import { Subscriber, type LoadTransport, type SubscriberPlan } from './subscriber.js';
import type { OrdinaryStats, RampOptions, RampProgress, StepResult } from './types.js';

/** Connects in flight at once: a burst of thousands overflows the server's accept queue (SYN retries cost seconds). */
const RAMP_CONCURRENCY = 256;

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

function planFor(o: RampOptions, channel: string): SubscriberPlan {
  const b = block(o.manifest, o.transport);
  const { url, req } = requestFor(o.manifest, b, channel);
  const sse = o.transport === 'sse' || (o.transport === 'stream' && o.manifest.stream?.framing?.type === 'sse');
  return {
    transport: o.transport,
    request: { ...req, headers: [...(req.headers ?? []), ...eventSourceHeaders(o.manifest, b, sse)] },
    url,
    endpoint: endpointOf(url, o.trust),
    host: url.host,
    cursor: o.transport === 'longPoll' ? (b.cursor ?? { type: 'none' }) : { type: 'none' },
    earlyBeforeMs: o.timing.holdMs - o.timing.epsilonMs,
    connectTimeoutMs: o.timing.connectTimeoutMs,
    now: o.now,
  };
}

export async function runStep(
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
    // Wall clock, not o.now(): only to tell whether the workers of a split held at the same time.
    const heldFromEpochMs = Date.now();
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
    const heldToEpochMs = Date.now();
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
      fanOutSamplesMs: got,
      heldWindow: { fromEpochMs: heldFromEpochMs, toEpochMs: heldToEpochMs },
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
