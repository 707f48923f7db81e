import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import Mocha from 'mocha';
import { HarnessError } from './errors.js';
import { selected } from './plan.js';
import type { Requirement } from './requirement.js';
import { RUN_DEFAULTS as DEFAULTS } from './defaults.js';
import { KNOWN_PROFILES, parseVia } from './via.js';
import { MAX_SHARDS, parseShard, type Shard } from './shard.js';
import { loadCaFile, loadClientCertificate, type TlsTrust } from './tls.js';
import { chromiumMissing, CLIENT_NAMES, type ClientName } from './clients/chromium.js';

/** Flag values as commander hands them over (strings), before validation. */
export interface RawRunFlags {
  only?: string;
  skip?: string;
  level?: string;
  via?: string;
  strict?: boolean;
  timeScale?: string;
  concurrency?: string;
  holdLimit?: string;
  reportDir?: string;
  report?: boolean;
  reporter?: string;
  shard?: string;
  ca?: string;
  insecure?: boolean;
  http?: string;
  cert?: string;
  key?: string;
  clients?: string;
}

export interface ValidatedFlags {
  only: string[];
  skip: string[];
  level: 'must' | 'should' | 'all';
  via: string[];
  viaNamed: boolean;
  strict: boolean;
  timeScale: number;
  concurrency: number;
  holdLimitSeconds: number;
  reportDir: string | null;
  reporter: string;
  shard: Shard | null;
  /** --ca FILE, read by loadTrust() before the run (the file is checked there, before any case) */
  caPath: string | null;
  insecure: boolean;
  /** --http: what to speak straight to the target (auto: as a browser would, by ALPN) */
  http: HttpChoice;
  /** --cert/--key: a client certificate for https targets that require one (read by loadTrust) */
  client: { certPath: string; keyPath: string } | null;
  /** --clients: real clients judged in besides the raw recorder */
  clients: ClientName[];
}

export const HTTP_CHOICES = ['1.1', '2', 'auto'] as const;
export type HttpChoice = (typeof HTTP_CHOICES)[number];

function usage(flag: string, value: string, expected: string): HarnessError {
  return new HarnessError('PUSHSPEC_E_USAGE', `${flag} ${JSON.stringify(value)}: expected ${expected}`);
}

function list(v: string | undefined): string[] {
  return v === undefined
    ? []
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

function positive(flag: string, v: string | undefined, fallback: number, opts: { integer?: boolean; max: number }): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  const ok = v.trim() !== '' && Number.isFinite(n) && n > 0 && n <= opts.max && (!opts.integer || Number.isInteger(n));
  if (!ok) throw usage(flag, v, `${opts.integer ? 'a whole number' : 'a number'} greater than 0 and at most ${opts.max}`);
  return n;
}

/** A mocha reporter is a built-in name or a module mocha can load from the working directory. */
function reporterExists(name: string): boolean {
  if (name === 'progress' || name === 'none' || Object.hasOwn(Mocha.reporters, name)) return true;
  // A Node built-in (`console`, `events`) resolves, but is no reporter: mocha would crash on it.
  if (!/^[A-Za-z0-9._/@-]+$/.test(name) || isBuiltin(name)) return false;
  try {
    createRequire(join(process.cwd(), 'noop.js')).resolve(name);
    return true;
  } catch {
    return false;
  }
}

function caPath(v: string | undefined): string | null {
  if (v === undefined) return null;
  if (v.trim() === '') throw usage('--ca', v, 'the path of a PEM file with the CA certificate(s) that signed the target');
  return v;
}

/** --clients: each name known, and its program present (the remedy named), before anything runs. */
function clientList(v: string | undefined): ClientName[] {
  if (v === undefined) return [];
  const names = v.split(',').map((s) => s.trim());
  const known = (n: string): n is ClientName => (CLIENT_NAMES as readonly string[]).includes(n);
  const bad = names.find((n) => !known(n));
  if (bad !== undefined)
    throw usage('--clients', v, `a comma-separated list of ${CLIENT_NAMES.join(', ')} (${JSON.stringify(bad)} is not one)`);
  const missing = chromiumMissing();
  if (names.includes('chromium') && missing !== null) throw usage('--clients', v, `a browser pushspec can start: ${missing}`);
  return [...new Set(names.filter(known))];
}

function httpChoice(v: string | undefined): HttpChoice {
  if (v === undefined) return DEFAULTS.http;
  const found = HTTP_CHOICES.find((c) => c === v.trim());
  if (found === undefined)
    throw usage(
      '--http',
      v,
      `one of ${HTTP_CHOICES.join(', ')} (1.1: HTTP/1.1 only; 2: HTTP/2, over TLS by ALPN or cleartext with prior knowledge; auto: what ALPN settles, as a browser)`,
    );
  return found;
}

function clientPaths(cert: string | undefined, key: string | undefined): { certPath: string; keyPath: string } | null {
  if (cert === undefined && key === undefined) return null;
  if (cert === undefined || key === undefined || cert.trim() === '' || key.trim() === '')
    throw new HarnessError(
      'PUSHSPEC_E_USAGE',
      `${cert === undefined || cert.trim() === '' ? '--cert' : '--key'} missing: a client certificate needs both --cert FILE (the certificate, PEM) and --key FILE (its private key, PEM)`,
    );
  return { certPath: cert, keyPath: key };
}

/** --ca's PEM is read once, before preflight: a bad file stops the run with one message (exit 2). */
export async function loadTrust(v: Pick<ValidatedFlags, 'caPath' | 'insecure'> & { client?: ValidatedFlags['client'] }): Promise<TlsTrust> {
  const client = v.client ? { client: await loadClientCertificate(v.client.certPath, v.client.keyPath) } : {};
  if (v.caPath === null) return { insecure: v.insecure, ...client };
  return { insecure: v.insecure, ca: await loadCaFile(v.caPath), caPath: v.caPath, ...client };
}

/** Every flag checked, each error naming the flag, the bad value and what is expected (exit 2). */
export function validateRunFlags(f: RawRunFlags, requirements: readonly Requirement[], profiles: readonly string[]): ValidatedFlags {
  const ids = requirements.map((r) => r.id);
  const only = list(f.only);
  const skip = list(f.skip);
  for (const [flag, prefixes] of [
    ['--only', only],
    ['--skip', skip],
  ] as const) {
    for (const p of prefixes) {
      if (!ids.some((id) => id.startsWith(p)))
        throw usage(flag, p, `a requirement ID or prefix; known IDs: ${ids.join(', ')} (see \`pushspec list\`)`);
    }
  }
  const level = f.level ?? DEFAULTS.level;
  if (level !== 'must' && level !== 'should' && level !== 'all') throw usage('--level', level, 'one of must, should, all');
  if (!requirements.some((r) => selected(r, { only, skip, level }))) {
    const flags = [
      f.only !== undefined ? `--only ${f.only}` : '',
      f.skip !== undefined ? `--skip ${f.skip}` : '',
      f.level !== undefined && f.level !== 'all' ? `--level ${f.level}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    throw new HarnessError(
      'PUSHSPEC_E_USAGE',
      `no cases selected: ${flags} leave no requirement to run; expected --only and --skip prefixes that overlap less (see \`pushspec list\`)`,
    );
  }
  const named = !(f.via === undefined || f.via === DEFAULTS.via);
  // Asked about named profiles, the run still judges direct: every verdict through a hop is read
  // against the same requirement direct (cause, remedy), and origin-only checks run there.
  // `all` inside a list (`all,real-nginx`) stands for every simulated profile.
  const asked = named ? [...new Set(list(f.via).flatMap((v) => (v === 'all' ? profiles : [v])))] : [...profiles];
  if (asked.length === 0) throw usage('--via', f.via ?? '', `all, or one or more of ${profiles.join(', ')}`);
  const via = named ? [...new Set(['direct', ...asked])] : asked;
  for (const v of asked) {
    const divisor = /^[a-z0-9-]+\/(.*)$/.exec(v)?.[1];
    if (divisor !== undefined && !(Number(divisor) > 0))
      throw usage(
        '--via',
        v,
        `NAME/N with N a number greater than 0 (the profile's timeouts are divided by N), e.g. ${v.split('/')[0] ?? 'idle-timeout'}/10`,
      );
    if (!parseVia(v))
      throw usage('--via', v, `all, or profile names (optionally NAME/N: timeouts divided by N) from ${KNOWN_PROFILES.join(', ')}`);
  }
  // CI logs stay quiet (just the summary) unless a reporter is asked for.
  const reporter = f.reporter ?? (process.env['CI'] === 'true' ? DEFAULTS.ciReporter : DEFAULTS.reporter);
  if (!reporterExists(reporter))
    throw usage(
      '--reporter',
      reporter,
      `progress, none, a mocha reporter (${Object.keys(Mocha.reporters)
        .filter((n) => /^[a-z]/.test(n))
        .join(', ')}) or an installed reporter module`,
    );
  const shard = f.shard === undefined ? null : parseShard(f.shard);
  if (f.shard !== undefined && shard === null)
    throw usage('--shard', f.shard, `i/n with whole numbers 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, e.g. 2/4 for the second of four machines`);
  return {
    only,
    skip,
    level,
    via,
    viaNamed: named,
    strict: f.strict === true,
    timeScale: positive('--time-scale', f.timeScale, DEFAULTS.timeScale, { max: 100 }),
    concurrency: positive('--concurrency', f.concurrency, DEFAULTS.concurrency, { integer: true, max: 1024 }),
    holdLimitSeconds: positive('--hold-limit', f.holdLimit, DEFAULTS.holdLimitSeconds, { max: 3600 }),
    reportDir: f.report === false ? null : (f.reportDir ?? DEFAULTS.reportDir),
    reporter,
    shard,
    caPath: caPath(f.ca),
    insecure: f.insecure ?? DEFAULTS.insecure,
    http: httpChoice(f.http),
    client: clientPaths(f.cert, f.key),
    clients: clientList(f.clients),
  };
}
