import {
  PROFILES,
  PROFILE_NAMES,
  profileNamed,
  SIMULATED_PROFILE_NAMES,
  scaledHops,
  startChain,
  timeoutsOf,
  type ProfileTimeouts,
} from '../proxies/index.js';
import type { Clock } from './clock.js';
import { startTargetEdge } from '../proxies/target-edge.js';
import { WireConnection, type RecordedConnection, type WireProtocol } from './wire/index.js';
import { H2Connection } from './h2/connection.js';
import type { TlsTrust } from './tls.js';

/**
 * Where a case's transport requests go. `direct` is the target itself; every other name is a
 * simulated intermediary profile from proxies/. `NAME/N` runs the profile with each of its
 * timeouts divided by N, to watch a 60 s timeout act within seconds.
 */
export interface Via {
  key: string;
  profile: string | null;
  divisor: number;
}

/**
 * What `--via all` runs: `direct` (no hop at all, the baseline case) and every simulated profile
 * (the raw TCP pipe profile is the baseline hop). Real programs and packages are asked for by name.
 */
export const VIA_PROFILES: readonly string[] = ['direct', ...SIMULATED_PROFILE_NAMES.filter((n) => n !== 'direct')];

/** Every profile name `--via` accepts: the simulated ones and the real ones. */
export const KNOWN_PROFILES: readonly string[] = ['direct', ...PROFILE_NAMES.filter((n) => n !== 'direct')];

/** Why a profile cannot run here (a real program that is not installed), or null. */
export function viaMissing(key: string): string | null {
  const v = parseVia(key);
  return v?.profile ? (PROFILES[v.profile]?.real?.missing() ?? null) : null;
}

/** True when the profile runs a real program or package (its scheduling under load is its own). */
export function viaIsReal(key: string): boolean {
  const v = parseVia(key);
  return v?.profile ? PROFILES[v.profile]?.real !== undefined : false;
}

export function parseVia(key: string): Via | null {
  const m = /^([a-z0-9-]+)(?:\/(\d+(?:\.\d+)?))?$/.exec(key);
  if (!m || !m[1]) return null;
  const name = m[1];
  const divisor = m[2] === undefined ? 1 : Number(m[2]);
  if (!(divisor > 0)) return null;
  if (name === 'direct') return m[2] === undefined ? { key, profile: null, divisor: 1 } : null;
  if (!KNOWN_PROFILES.includes(name)) return null;
  return { key, profile: name, divisor };
}

export function viaOf(key: string): Via {
  const v = parseVia(key);
  if (!v) throw new Error(`unknown intermediary profile "${key}"`);
  return v;
}

/** The base profile name (what requirements declare applicability for). */
/** What a client speaks to a profile's first hop: HTTP/2 to an h2 front, HTTP/1.1 to every other. */
export function profileProtocol(profile: string): WireProtocol {
  return profileNamed(profile).specs[0]?.unit === 'h2-front' ? 'h2' : 'http/1.1';
}

export function baseProfile(key: string): string {
  return viaOf(key).profile ?? 'direct';
}

export function viaTimeouts(key: string): ProfileTimeouts {
  const v = viaOf(key);
  if (!v.profile) return {};
  const t = timeoutsOf(v.profile);
  const out: ProfileTimeouts = {};
  if (t.idleMs !== undefined) out.idleMs = t.idleMs / v.divisor;
  if (t.firstByteMs !== undefined) out.firstByteMs = t.firstByteMs / v.divisor;
  if (t.firstByteStatus !== undefined) out.firstByteStatus = t.firstByteStatus;
  if (t.totalMs !== undefined) out.totalMs = t.totalMs / v.divisor;
  return out;
}

export function streamingPossible(key: string): boolean {
  const v = viaOf(key);
  return v.profile === null || PROFILES[v.profile]?.streamingPossible !== false;
}

export function describeVia(key: string): string {
  const v = viaOf(key);
  if (!v.profile) return 'straight to the target';
  const p = PROFILES[v.profile];
  return `${p?.description ?? v.profile}${v.divisor !== 1 ? ` (timeouts ÷ ${v.divisor})` : ''}`;
}

export interface OpenVia {
  origin: URL;
  release: () => Promise<void>;
  /** what the chain's hops did so far, on the harness clock */
  events: () => ReadonlyArray<{ t: number; what: string }>;
  /**
   * When a request for `pathAndQuery` sent at or after `since` reached the target through the
   * chain (waiting up to `waitMs`); null when it has not, or straight to the target, where the
   * client's own send time is the answer.
   */
  arrival: (pathAndQuery: string, since: number, waitMs: number) => Promise<number | null>;
  /** When the response to that request left the target (its first byte at the chain's edge); null straight to the target. */
  departure: (pathAndQuery: string, since: number) => number | null;
}

/**
 * At most this many copies of one real program run at once. Asked about by name, a real profile
 * judges most of the catalogue (applicability.ts), and dozens of squid or varnishd processes
 * started together fail to start on a small machine; a case waits for its slot before its
 * deadline starts (execute.ts), so the wait costs run time, not verdicts.
 */
const REAL_PROGRAM_SLOTS = 6;
const realSlots = new Map<string, { free: number; waiting: Array<() => void> }>();

async function realSlot(profile: string): Promise<() => void> {
  let s = realSlots.get(profile);
  if (!s) realSlots.set(profile, (s = { free: REAL_PROGRAM_SLOTS, waiting: [] }));
  const slots = s;
  if (slots.free > 0) slots.free -= 1;
  else await new Promise<void>((resolve) => slots.waiting.push(resolve));
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const next = slots.waiting.shift();
    if (next) next();
    else slots.free += 1;
  };
}

/** A fresh chain per case: no case sees another's connections, cache entries or timers. */
export async function openVia(key: string, target: URL, trust: TlsTrust): Promise<OpenVia> {
  const v = viaOf(key);
  if (!v.profile)
    return {
      origin: target,
      release: () => Promise.resolve(),
      events: () => [],
      arrival: () => Promise.resolve(null),
      departure: () => null,
    };
  if (PROFILES[v.profile]?.real !== undefined) {
    const free = await realSlot(v.profile);
    try {
      const opened = await openChain(v, target, trust);
      return { ...opened, release: () => opened.release().finally(free) };
    } catch (error) {
      free();
      throw error;
    }
  }
  return openChain(v, target, trust);
}

async function openChain(v: Via, target: URL, trust: TlsTrust): Promise<OpenVia> {
  if (!v.profile) throw new Error('openChain needs a profile');
  const hops = v.divisor === 1 ? (PROFILES[v.profile]?.hops() ?? []) : scaledHops(v.profile, v.divisor);
  // The edge is the only hop that meets the target: for https it opens TLS (a TLS-terminating
  // load balancer or CDN), so every hop and real program in front of it speaks plain HTTP.
  const edge = await startTargetEdge(target, trust);
  let chain;
  try {
    chain = await startChain(hops, edge.url);
  } catch (error) {
    await edge.close();
    throw error;
  }
  const opened = chain;
  return {
    origin: opened.url,
    release: async () => {
      await opened.close();
      await edge.close();
    },
    events: () => opened.events,
    arrival: (pathAndQuery, since, waitMs) => edge.arrival(pathAndQuery, since, waitMs),
    departure: (pathAndQuery, since) => edge.departure(pathAndQuery, since),
  };
}

/**
 * The round trip through an intermediary chain: median of 3 trivial requests (send → headers),
 * each on a fresh chain and connection. Tolerances through a latency hop grow with it.
 */
export async function calibrateViaRtt(key: string, target: URL, clock: Clock, timeScale: number, trust: TlsTrust): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const chain = await openVia(key, target, trust);
    let conn: RecordedConnection | null = null;
    try {
      const opts = { connectTimeoutMs: 5000 * timeScale, clock, trust };
      conn =
        profileProtocol(baseProfile(key)) === 'h2'
          ? await H2Connection.open(chain.origin, opts)
          : await WireConnection.open(chain.origin, opts);
      const res = await conn.exchange(
        { method: 'GET', path: target.pathname + target.search, headers: [['Cache-Control', 'no-cache']] },
        { deadlineMs: 5000 * timeScale, maxBodyBytes: 256 * 1024 },
        target.host,
      );
      if (res.tHeaders !== null) samples.push(res.tHeaders - res.tSent);
    } finally {
      conn?.close();
      await chain.release();
    }
  }
  samples.sort((a, b) => a - b);
  return samples.length ? Math.round((samples[Math.floor(samples.length / 2)] ?? 0) * 1000) / 1000 : 0;
}
