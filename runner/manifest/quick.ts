/**
 * Quick mode: `pushspec run --long-poll URL --publish 'POST URL BODY'` builds the same manifest a
 * file would, in memory, and sends it through the same validation, so both paths obey one set of
 * rules. Problems name the flag the user typed, not a JSON pointer they never wrote.
 */
import { ManifestError, isManifestError, type ManifestProblem } from './errors.js';
import { didYouMean, validateManifest } from './load.js';
import { findPlaceholders } from './placeholders.js';
import type { Cursor, Manifest } from './types.js';

export interface QuickOptions {
  /** absolute long-poll URL; its origin becomes baseUrl */
  longPoll?: string;
  /** absolute streaming URL */
  stream?: string;
  /** absolute SSE URL */
  sse?: string;
  /** 'METHOD URL [BODY]'; the body is the rest of the string after the URL */
  publish?: string;
  /** etag | none | session | last-event-id | query:PARAM:/json/pointer | query:PARAM:header:Header-Name */
  cursor?: string;
  /** declared long-poll hold, seconds */
  hold?: string;
  name?: string;
  /** 'Name: value', sent on every request */
  header?: string[];
}

/** The flag each option is reported as; the CLI should declare these same names. */
export const QUICK_FLAGS = {
  longPoll: '--long-poll',
  stream: '--stream',
  sse: '--sse',
  publish: '--publish',
  cursor: '--cursor',
  hold: '--hold',
  name: '--name',
  header: '--header',
} as const satisfies Record<keyof QuickOptions, string>;

const SOURCE = 'command line';
const PUBLISH_EXAMPLE = `'POST http://127.0.0.1:8080/pub?id={channel} {payload}'`;
const CURSOR_FORMS = 'etag, none, session, last-event-id, query:PARAM:/json/pointer or query:PARAM:header:Header-Name';
const SIMPLE_CURSORS = ['etag', 'none', 'session', 'last-event-id'] as const;

type TransportKey = 'longPoll' | 'stream' | 'sse';
const TRANSPORT_KEYS: readonly TransportKey[] = ['longPoll', 'stream', 'sse'];

function absoluteHttpUrl(s: string): URL | undefined {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

interface QuickPublish {
  method?: string;
  url: string;
  body?: string;
}

function parsePublish(spec: string, problems: ManifestProblem[]): QuickPublish | undefined {
  const flag = QUICK_FLAGS.publish;
  const s = spec.trim();
  const expected = `expected "METHOD URL [BODY]", e.g. ${PUBLISH_EXAMPLE}`;
  if (s === '') {
    problems.push({ path: flag, message: `is empty; ${expected}` });
    return undefined;
  }
  const m = /^(\S+)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(s);
  const [first = '', second, rest] = m ? [m[1], m[2], m[3]] : [];
  // Method omitted ("URL [BODY]") reads unambiguously, so accept it and let POST apply.
  const looksLikeUrl = (t: string): boolean => t.includes('://') || t.startsWith('/');
  const [method, url, body] = looksLikeUrl(first)
    ? [undefined, first, [second, rest].filter((x): x is string => x !== undefined).join(' ')]
    : [first, second, rest];
  if (url === undefined) {
    problems.push({ path: flag, message: `${JSON.stringify(s)} has no URL; ${expected}` });
    return undefined;
  }
  if (!looksLikeUrl(url)) {
    problems.push({ path: flag, message: `${JSON.stringify(url)} is not a URL; ${expected}` });
    return undefined;
  }
  return {
    ...(method === undefined ? {} : { method }),
    url,
    ...(body === undefined || body === '' ? {} : { body }),
  };
}

function parseCursor(spec: string, problems: ManifestProblem[]): Cursor | undefined {
  const flag = QUICK_FLAGS.cursor;
  const s = spec.trim();
  const simple = SIMPLE_CURSORS.find((c) => c === s);
  if (simple) return { type: simple };
  if (!s.startsWith('query:')) {
    const hint = didYouMean(s.split(':')[0] ?? s, [...SIMPLE_CURSORS, 'query']);
    problems.push({ path: flag, message: `${JSON.stringify(s)} is not a cursor${hint}; expected one of ${CURSOR_FORMS}` });
    return undefined;
  }
  const rest = s.slice('query:'.length);
  const colon = rest.indexOf(':');
  const param = colon < 0 ? rest : rest.slice(0, colon);
  const source = colon < 0 ? '' : rest.slice(colon + 1);
  if (param === '') {
    problems.push({
      path: flag,
      message: `${JSON.stringify(s)} names no query parameter; expected query:PARAM:/json/pointer or query:PARAM:header:Header-Name, e.g. query:since:/next`,
    });
    return undefined;
  }
  if (source.startsWith('header:')) {
    const header = source.slice('header:'.length);
    if (header === '') {
      problems.push({
        path: flag,
        message: `${JSON.stringify(s)} names no header; expected query:${param}:header:Header-Name, e.g. query:${param}:header:X-Cursor`,
      });
      return undefined;
    }
    return { type: 'query', param, from: { header } };
  }
  if (source.startsWith('/')) return { type: 'query', param, from: { json: source } };
  problems.push({
    path: flag,
    message: `${JSON.stringify(s)} does not say where the cursor comes from; expected query:${param}:/json/pointer (e.g. query:${param}:/next) or query:${param}:header:Header-Name`,
  });
  return undefined;
}

function parseHold(spec: string, problems: ManifestProblem[]): number | undefined {
  // "30s" is how people write durations on command lines; anything else must be plain seconds.
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*s?\s*$/.exec(spec);
  if (!m?.[1]) {
    problems.push({
      path: QUICK_FLAGS.hold,
      message: `${JSON.stringify(spec)} is not a number of seconds; expected a number greater than 0 and at most 3600, e.g. 30`,
    });
    return undefined;
  }
  return Number(m[1]);
}

function parseHeaders(specs: readonly string[], problems: ManifestProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of specs) {
    const colon = h.indexOf(':');
    if (colon <= 0 || h.slice(0, colon).trim() === '') {
      problems.push({
        path: QUICK_FLAGS.header,
        message: `${JSON.stringify(h)} is not a header; expected "Name: value", e.g. "Authorization: Bearer TOKEN"`,
      });
      continue;
    }
    out[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
  }
  return out;
}

/** Which flag a manifest path came from; ordered most specific first. */
function flagFor(path: string, baseFlag: string): { flag: string; rest: string } {
  const table: Array<[string, string]> = [
    ['/longPoll/cursor', QUICK_FLAGS.cursor],
    ['/longPoll/holdSeconds', QUICK_FLAGS.hold],
    ['/longPoll', QUICK_FLAGS.longPoll],
    ['/stream', QUICK_FLAGS.stream],
    ['/sse', QUICK_FLAGS.sse],
    ['/publish', QUICK_FLAGS.publish],
    ['/headers', QUICK_FLAGS.header],
    ['/name', QUICK_FLAGS.name],
    ['/baseUrl', baseFlag],
  ];
  for (const [prefix, flag] of table) {
    if (path === prefix || path.startsWith(prefix + '/')) {
      // Header names already appear in the message; other sub-fields tell which part of the flag.
      const rest =
        prefix === '/headers'
          ? ''
          : path
              .slice(prefix.length + 1)
              .replace(/~1/g, '/')
              .replace(/~0/g, '~');
      return { flag, rest };
    }
  }
  return { flag: baseFlag, rest: '' };
}

/** Build (and validate) a manifest from quick-mode flags. Throws ManifestError naming the flags. */
export function buildQuickManifest(opts: QuickOptions): Manifest {
  const problems: ManifestProblem[] = [];
  const manifest: Record<string, unknown> = {};

  let base: URL | undefined;
  let baseFlag: string = QUICK_FLAGS.longPoll;
  for (const key of TRANSPORT_KEYS) {
    const url = opts[key];
    if (url === undefined) continue;
    const flag = QUICK_FLAGS[key];
    const parsed = absoluteHttpUrl(url);
    if (!parsed) {
      problems.push({
        path: flag,
        message: `${JSON.stringify(url)} is not an absolute http:// or https:// URL; expected e.g. http://127.0.0.1:8080/sub?id={channel}`,
      });
      continue;
    }
    if (!base) {
      base = parsed;
      baseFlag = flag;
    }
    manifest[key] = { url };
  }
  if (TRANSPORT_KEYS.every((k) => opts[k] === undefined)) {
    problems.push({
      path: QUICK_FLAGS.longPoll,
      message: `no transport given; expected --long-poll URL (or --stream URL, --sse URL) or --target FILE`,
    });
  }

  const longPoll = manifest['longPoll'] as Record<string, unknown> | undefined;
  for (const [opt, flag] of [
    ['cursor', QUICK_FLAGS.cursor],
    ['hold', QUICK_FLAGS.hold],
  ] as const) {
    if (opts[opt] !== undefined && opts.longPoll === undefined) {
      problems.push({ path: flag, message: `only applies to long polling; expected --long-poll URL as well` });
    }
  }
  if (opts.cursor !== undefined) {
    const cursor = parseCursor(opts.cursor, problems);
    if (cursor && longPoll) longPoll['cursor'] = cursor;
  }
  if (opts.hold !== undefined) {
    const hold = parseHold(opts.hold, problems);
    if (hold !== undefined && longPoll) longPoll['holdSeconds'] = hold;
  }
  if (opts.publish !== undefined) {
    const publish = parsePublish(opts.publish, problems);
    if (publish) manifest['publish'] = publish;
  }
  const headers = parseHeaders(opts.header ?? [], problems);
  if (Object.keys(headers).length > 0) manifest['headers'] = headers;

  // Without a usable transport URL there is no baseUrl, and validating would only add noise.
  if (!base) throw new ManifestError(SOURCE, problems);

  manifest['name'] = opts.name ?? base.host;
  manifest['baseUrl'] = base.origin;
  // Without a file there is no "channels" field to set: a server whose URLs never mention
  // {channel} is taken to have no channels, and any mention makes them required everywhere.
  const texts = [...TRANSPORT_KEYS.map((k) => opts[k] ?? ''), opts.publish ?? '', ...Object.values(headers)];
  if (!texts.some((t) => findPlaceholders(t).includes('channel'))) manifest['channels'] = false;

  let result: Manifest | undefined;
  const all = [...problems];
  try {
    result = validateManifest(manifest, SOURCE);
  } catch (e) {
    if (!isManifestError(e)) throw e;
    // Flags that failed to parse were left out of the manifest, so validation cannot repeat
    // their problems; what it says about the rest is news, reported in the same go.
    for (const p of e.problems) {
      const { flag, rest } = flagFor(p.path, baseFlag);
      const message = p.message.replace(
        /set "channels": false if the server has no channels/,
        'leave {channel} out of every flag if the server has no channels',
      );
      all.push({ path: flag, message: rest === '' ? message : `${rest}: ${message}` });
    }
  }
  if (all.length > 0 || !result) throw new ManifestError(SOURCE, all);
  return result;
}
