/**
 * `npm run bench`: what each simulated intermediary costs, measured side by side in one run
 * against the same origin, with real nginx (`proxy_buffering off`) as a yardstick when installed.
 * A benchmark, not a timed test: it reports numbers and never fails on them (it exits 1 only when
 * a simulated hop broke a request). PUSHSPEC_BENCH_NGINX=none leaves nginx out; a path picks the binary.
 *
 * For each hop: round-trip time of small keep-alive requests (p50/p99, and what the hop adds over
 * no hop), event latency (origin write of a 100-byte event → its arrival at the client, same
 * process, same clock), bulk throughput, and a burst of 100-byte events written as fast as
 * possible. Prints one Markdown table and writes the same results to ./bench-results.json.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, arch, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { type Hop, PROFILES, latency, startChain } from '../proxies/index.js';
import type { Agent } from 'node:http';
import type { Socket } from 'node:net';
import {
  type EventLatencyResult,
  type Percentiles,
  type ThroughputResult,
  keepAliveAgent,
  measureEventLatency,
  measureThroughput,
  percentiles,
  roundTrips,
} from './client.js';
import { type RunningNginx, findNginx, nginxVersion, startNginx } from './nginx.js';
import { LOAD_STEPS, loadMarkdown, measureLoad } from './load.js';
import { EVENT_BYTES, type Origin, SMALL_BYTES, startOrigin } from './origin.js';
import { measureRunCost, runCostLines } from './run-cost.js';

const SETTINGS = {
  rttWarmup: 50,
  /** Round trips per hop, taken in `rttRounds` interleaved rounds so drift hits every hop alike. */
  rttCount: 500,
  rttRounds: 5,
  /** Bulk and burst runs per hop; the median is reported. */
  repeats: 3,
  events: 200,
  eventGapMs: 5,
  bulkBytes: 16 * 1024 * 1024,
  burstEvents: 10_000,
  /** rechunk-split writes 1–7 bytes per chunk on purpose; a full-size body would take minutes. */
  splitBulkBytes: 128 * 1024,
  splitBurstEvents: 1000,
  splitRepeats: 1,
} as const;

interface Running {
  url: URL;
  close(): Promise<void>;
}

interface Target {
  /** Row label. */
  label: string;
  /** The hop's own name (parameters included), or what stands in for it. */
  hop: string;
  describe: string;
  /** Request headers added to every request (Accept-Encoding for gzip). */
  headers: Record<string, string>;
  /** Appended to every query string (`&nt` asks the origin for no-transform). */
  query: string;
  bulkBytes: number;
  burstEvents: number;
  repeats: number;
  notes: string[];
  start(origin: URL): Promise<Running>;
}

interface RttResult extends Percentiles {
  /** TCP connections the client opened for the measured requests (1 when keep-alive held). */
  connections: number;
}

interface Failed {
  error: string;
}

interface Repeated {
  /** Every run's MB/s; the fields around it are the median run's. */
  runsMbPerS: number[];
}

interface BurstResult extends ThroughputResult, Repeated {
  events: number;
  eventsPerS: number;
}

interface BulkResult extends ThroughputResult, Repeated {}

interface Row {
  label: string;
  hop: string;
  describe: string;
  notes: string[];
  rtt: RttResult | Failed;
  /** RTT p50/p99 minus the no-hop baseline's. */
  addedP50Ms: number | null;
  addedP99Ms: number | null;
  event: EventLatencyResult | Failed;
  throughput: BulkResult | Failed;
  burst: BurstResult | Failed;
}

function hopTarget(
  label: string,
  hops: () => Hop[],
  extra: Partial<Pick<Target, 'headers' | 'query' | 'bulkBytes' | 'burstEvents' | 'repeats' | 'notes'>> = {},
): Target {
  const sample = hops();
  return {
    label,
    hop: sample.map((h) => h.name).join(' → '),
    describe: sample.map((h) => h.describe).join(' → '),
    headers: extra.headers ?? {},
    query: extra.query ?? '',
    bulkBytes: extra.bulkBytes ?? SETTINGS.bulkBytes,
    burstEvents: extra.burstEvents ?? SETTINGS.burstEvents,
    repeats: extra.repeats ?? SETTINGS.repeats,
    notes: extra.notes ?? [],
    start: (origin) => startChain(hops(), origin),
  };
}

function profileHops(name: string): () => Hop[] {
  const profile = PROFILES[name];
  if (profile === undefined) throw new Error(`bench: no profile "${name}"`);
  return () => profile.hops();
}

function targets(nginx: { binary: string } | undefined): Target[] {
  const list: Target[] = [
    {
      label: 'none',
      hop: 'none',
      describe: 'the client talks to the origin directly (the baseline)',
      headers: {},
      query: '',
      bulkBytes: SETTINGS.bulkBytes,
      burstEvents: SETTINGS.burstEvents,
      repeats: SETTINGS.repeats,
      notes: [],
      start: (origin) => Promise.resolve({ url: origin, close: () => Promise.resolve() }),
    },
    hopTarget('direct', profileHops('direct')),
    hopTarget('latency(0ms)', () => [latency({ delayMs: 0 })], {
      notes: ['delayMs 0 still defers every read to a timer, which Node runs ≥ 1 ms later: about 1 ms per direction'],
    }),
    hopTarget('rechunk-split', profileHops('rechunk-split'), {
      bulkBytes: SETTINGS.splitBulkBytes,
      burstEvents: SETTINGS.splitBurstEvents,
      repeats: SETTINGS.splitRepeats,
      notes: [
        `slow by design (one 1–7 byte chunk per event-loop turn): bulk capped at ${SETTINGS.splitBulkBytes / 1024} KiB, burst at ${SETTINGS.splitBurstEvents} events, one run each`,
      ],
    }),
    hopTarget('rechunk-coalesce', profileHops('rechunk-coalesce'), {
      notes: ['holds body data for its 200 ms window by design, so event latency is the window, not overhead'],
    }),
    hopTarget('http10', profileHops('http10'), {
      notes: ['HTTP/1.0 both ways: no keep-alive, so every round trip includes a new TCP connection (client and upstream)'],
    }),
    hopTarget('buffer-bytes', profileHops('buffer-bytes'), {
      notes: ['holds chunked bodies until 4096 B by design, so events wait for about 41 of them'],
    }),
    hopTarget('gzip', profileHops('gzip'), {
      headers: { 'Accept-Encoding': 'gzip' },
      notes: [
        'compressing (Accept-Encoding: gzip): MB/s counts payload bytes, inflated by the client; the compressor is never flushed per write, so events arrive when the response ends',
      ],
    }),
    hopTarget('gzip, no-transform', profileHops('gzip'), {
      headers: { 'Accept-Encoding': 'gzip' },
      query: '&nt',
      notes: ['Cache-Control: no-transform, so the gzip hop relays uncompressed: the cost of a Node HTTP-level pass-through'],
    }),
    hopTarget('shared-cache', profileHops('shared-cache'), {
      notes: ['every response is Cache-Control: no-store, so the cache passes it through'],
    }),
  ];
  if (nginx !== undefined) {
    list.push({
      label: 'nginx',
      hop: 'nginx',
      describe: 'real nginx: proxy_pass with proxy_buffering off, proxy_http_version 1.1, upstream keepalive 8',
      headers: {},
      query: '',
      bulkBytes: SETTINGS.bulkBytes,
      burstEvents: SETTINGS.burstEvents,
      repeats: SETTINGS.repeats,
      notes: ['a separate process (one worker), unlike the simulated hops, which share the client and origin’s event loop'],
      start: async (origin) => {
        activeNginx = await startNginx(nginx.binary, origin);
        return activeNginx;
      },
    });
  }
  return list;
}

/** Set while nginx runs, so a signal handler can stop it. */
let activeNginx: RunningNginx | undefined;

function failed(error: unknown): Failed {
  return { error: error instanceof Error ? error.message : String(error) };
}

function isFailed<T extends object>(value: T | Failed): value is Failed {
  return 'error' in value;
}

async function attempt<T>(what: () => Promise<T>): Promise<T | Failed> {
  try {
    return await what();
  } catch (error: unknown) {
    return failed(error);
  }
}

/** A target while it runs: its hop (or nginx), its client agent, what it measured so far. */
interface Live {
  target: Target;
  running: Running | undefined;
  agent: Agent;
  startError: Failed | undefined;
  rttSamples: number[];
  rttError: Failed | undefined;
  sockets: Set<Socket>;
}

function median<T>(runs: readonly T[], key: (run: T) => number): T {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  if (mid === undefined) throw new Error('no runs');
  return mid;
}

async function repeated(times: number, run: () => Promise<ThroughputResult>): Promise<ThroughputResult & Repeated> {
  const runs: ThroughputResult[] = [];
  for (let i = 0; i < times; i++) runs.push(await run());
  return { ...median(runs, (r) => r.mbPerS), runsMbPerS: runs.map((r) => r.mbPerS) };
}

async function startLive(target: Target, origin: Origin): Promise<Live> {
  const live: Live = {
    target,
    running: undefined,
    agent: keepAliveAgent(),
    startError: undefined,
    rttSamples: [],
    rttError: undefined,
    sockets: new Set(),
  };
  try {
    live.running = await target.start(origin.url);
  } catch (error: unknown) {
    live.startError = failed(error);
  }
  return live;
}

async function closeLive(live: Live): Promise<void> {
  live.agent.destroy();
  await live.running?.close();
}

/** Round trips, interleaved: every hop takes its turn in every round. */
async function measureAllRtt(lives: readonly Live[]): Promise<void> {
  const path = (live: Live): string => `/small?b=1${live.target.query}`;
  for (const live of lives) {
    if (live.running === undefined) continue;
    const url = live.running.url;
    try {
      await roundTrips(url, live.agent, live.target.headers, path(live), SETTINGS.rttWarmup);
    } catch (error: unknown) {
      live.rttError = failed(error);
    }
  }
  const perRound = Math.ceil(SETTINGS.rttCount / SETTINGS.rttRounds);
  for (let round = 0; round < SETTINGS.rttRounds; round++) {
    for (const live of lives) {
      if (live.running === undefined || live.rttError !== undefined) continue;
      const url = live.running.url;
      const count = Math.min(perRound, SETTINGS.rttCount - live.rttSamples.length);
      try {
        live.rttSamples.push(
          ...(await roundTrips(url, live.agent, live.target.headers, path(live), count, (socket) => void live.sockets.add(socket))),
        );
      } catch (error: unknown) {
        live.rttError = failed(error);
      }
    }
  }
}

/** Event latency, bulk and burst for one target, after the round trips. */
async function measureRest(live: Live, origin: Origin, baseline: RttResult | undefined): Promise<Row> {
  const { target } = live;
  const rtt: RttResult | Failed =
    live.startError ??
    live.rttError ??
    (live.rttSamples.length === 0 ? failed('no round trips') : { ...percentiles(live.rttSamples), connections: live.sockets.size });
  const running = live.running;
  const none = live.startError ?? failed('not started');
  const { headers, query } = target;
  const id = encodeURIComponent(`${target.label}-${Math.round(performance.now())}`);
  const event =
    running === undefined
      ? none
      : await attempt(() =>
          measureEventLatency(
            running.url,
            live.agent,
            headers,
            query,
            SETTINGS.events,
            SETTINGS.eventGapMs,
            origin.eventWrites.bind(origin),
            id,
          ),
        );
  const throughput =
    running === undefined
      ? none
      : await attempt(() =>
          repeated(target.repeats, () =>
            measureThroughput(running.url, live.agent, headers, `/bulk?bytes=${target.bulkBytes}${query}`, target.bulkBytes),
          ),
        );
  let burstRun = 0;
  const burst =
    running === undefined
      ? none
      : await attempt(async (): Promise<BurstResult> => {
          const n = target.burstEvents;
          const got = await repeated(target.repeats, () =>
            measureThroughput(
              running.url,
              live.agent,
              headers,
              `/events?id=burst-${id}-${burstRun++}&n=${n}&gap=0${query}`,
              n * EVENT_BYTES,
            ),
          );
          return { ...got, events: n, eventsPerS: n / got.seconds };
        });
  const added = (pick: (r: RttResult) => number): number | null =>
    baseline === undefined || isFailed(rtt) ? null : pick(rtt) - pick(baseline);
  const notes = [...target.notes];
  if (!isFailed(rtt) && rtt.connections > 1) notes.push(`${rtt.connections} TCP connections for ${SETTINGS.rttCount} round trips`);
  return {
    label: target.label,
    hop: target.hop,
    describe: target.describe,
    notes,
    rtt,
    addedP50Ms: added((r) => r.p50Ms),
    addedP99Ms: added((r) => r.p99Ms),
    event,
    throughput,
    burst,
  };
}

function fmtMs(value: number): string {
  const abs = Math.abs(value);
  return value.toFixed(abs < 1 ? 3 : abs < 10 ? 2 : 1);
}

function fmtAdded(value: number | null): string {
  if (value === null) return '—';
  return `${value >= 0 ? '+' : '−'}${fmtMs(Math.abs(value))}`;
}

function fmtRate(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function cell<T extends object>(value: T | Failed, show: (v: T) => string): string {
  return isFailed(value) ? 'error' : show(value);
}

function markdown(rows: readonly Row[]): string {
  const lines = [
    '| hop | RTT p50 ms | RTT p99 ms | +p50 vs none | +p99 vs none | event p50 ms | event p99 ms | MB/s | 100 B events/s |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${[
        row.label === row.hop ? row.label : `${row.label} \`${row.hop}\``,
        cell(row.rtt, (r) => fmtMs(r.p50Ms)),
        cell(row.rtt, (r) => fmtMs(r.p99Ms)),
        fmtAdded(row.addedP50Ms),
        fmtAdded(row.addedP99Ms),
        cell(row.event, (r) => fmtMs(r.p50Ms)),
        cell(row.event, (r) => fmtMs(r.p99Ms)),
        cell(row.throughput, (r) => `${fmtRate(r.mbPerS)}${r.bytes === SETTINGS.bulkBytes ? '' : '¹'}`),
        cell(row.burst, (r) => `${fmtRate(r.eventsPerS)}${r.events === SETTINGS.burstEvents ? '' : '¹'}`),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

function machine(): Record<string, string | number> {
  const cpuList = cpus();
  return {
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    availableParallelism: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  };
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const info = machine();
  const binary = findNginx();
  const origin = await startOrigin();
  const rows: Row[] = [];
  const lives: Live[] = [];
  const nginxNote =
    binary === undefined
      ? process.env['PUSHSPEC_BENCH_NGINX'] === 'none'
        ? 'nginx: left out (PUSHSPEC_BENCH_NGINX=none)'
        : 'nginx: not installed (apt-get install nginx)'
      : `nginx: ${nginxVersion(binary)} (${binary})`;
  if (binary === undefined) console.log(nginxNote);
  try {
    const list = targets(binary === undefined ? undefined : { binary });
    for (const target of list) lives.push(await startLive(target, origin));
    const progress = (what: string, t0: number): void => {
      process.stderr.write(`bench: ${what} ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    };
    let t0 = performance.now();
    await measureAllRtt(lives);
    progress(`round trips, ${lives.length} hops interleaved:`, t0);
    const first = lives[0];
    const baseline =
      first === undefined || first.rttSamples.length === 0
        ? undefined
        : { ...percentiles(first.rttSamples), connections: first.sockets.size };
    for (const live of lives) {
      t0 = performance.now();
      rows.push(await measureRest(live, origin, baseline));
      progress(`${live.target.label}:`, t0);
    }
  } finally {
    for (const live of lives) await closeLive(live);
    activeNginx = undefined;
    await origin.close();
  }

  const t0 = performance.now();
  const load = await measureLoad();
  process.stderr.write(`bench: load ramp ${LOAD_STEPS.join(', ')}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const elapsedS = (performance.now() - startedAt) / 1000;
  const table = markdown(rows);
  const out: string[] = [
    '## pushspec bench',
    '',
    `Node ${String(info['node'])} · ${String(info['cpu'])} · ${String(info['cores'])} cores · ${String(info['platform'])} · ${nginxNote}`,
    '',
    table,
    '',
    `RTT: ${SETTINGS.rttCount} sequential GETs of a ${SMALL_BYTES}-byte body per hop over one keep-alive connection, after ${SETTINGS.rttWarmup} warm-up, ` +
      `taken in ${SETTINGS.rttRounds} rounds that visit every hop in turn. ` +
      `Event: ${SETTINGS.events} events of ${EVENT_BYTES} B, ${SETTINGS.eventGapMs} ms apart, origin write → last byte read. ` +
      `MB/s: ${SETTINGS.bulkBytes / 1024 / 1024} MiB chunked in 16 KiB writes, 10^6 B/s, request issued → last byte, median of ${SETTINGS.repeats} runs. ` +
      `Events/s: ${SETTINGS.burstEvents} events of ${EVENT_BYTES} B written as fast as the socket takes them, median of ${SETTINGS.repeats} runs. ` +
      'Origin, client and simulated hops share one Node process and event loop (nginx runs in its own), so a hop that hands the client ' +
      'fewer, larger pieces (http10 de-chunks; latency batches reads per timer) can beat none on events/s: the client’s per-chunk parsing is part of the cost.',
    '',
  ];
  const noted = rows.filter((r) => r.notes.length > 0 || [r.rtt, r.event, r.throughput, r.burst].some(isFailed));
  for (const row of noted) {
    const errors = [...new Set([row.rtt, row.event, row.throughput, row.burst].filter(isFailed).map((f) => `error: ${f.error}`))];
    out.push(`- **${row.label}**: ${[...row.notes, ...errors].join('; ')}`);
  }
  if (rows.some((r) => !isFailed(r.throughput) && r.throughput.bytes !== SETTINGS.bulkBytes))
    out.push('', '¹ smaller body or burst than the other rows (see notes).');
  const tCost = performance.now();
  const runCost = await measureRunCost();
  process.stderr.write(
    `bench: run cost (the whole matrix at two holds, twice each): ${((performance.now() - tCost) / 1000).toFixed(1)} s\n`,
  );
  out.push('', ...runCostLines(runCost));
  out.push(
    '',
    "### Held long polls (`pushspec load`'s ramp, reference server in this process, 30 s hold)",
    '',
    loadMarkdown(load),
    '',
    "Fan-out: one publish to the step's channel → each poll's answer. Ordinary: GET / on a fresh connection from 127.0.0.1, connect → head, 20 in a row. RSS is this one process (client and server).",
  );
  out.push('', `${rows.length} rows in ${elapsedS.toFixed(1)} s; results written to bench-results.json`);
  console.log(out.join('\n'));

  writeFileSync(
    'bench-results.json',
    `${JSON.stringify({ generatedAt: new Date().toISOString(), machine: info, nginx: nginxNote, settings: SETTINGS, elapsedS, rows, load, runCost }, null, 2)}\n`,
  );
  // A simulated hop that breaks is a bug worth a non-zero exit; nginx failing to start is the machine's business.
  if (rows.some((r) => r.label !== 'nginx' && [r.rtt, r.event, r.throughput, r.burst].some(isFailed))) process.exitCode = 1;
}

process.once('SIGINT', () => {
  activeNginx?.kill();
  process.exit(130);
});

main().then(
  () => {
    // Everything is closed by now; if a handle still holds the loop, say so rather than hang.
    setTimeout(() => {
      process.stderr.write('bench: a handle was still open after cleanup; exiting anyway\n');
      process.exit(process.exitCode ?? 0);
    }, 3000).unref();
  },
  (error: unknown) => {
    activeNginx?.kill();
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
