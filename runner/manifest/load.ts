/**
 * Loading and validating target manifests (DESIGN.md §2 "Target manifest (v1)").
 *
 * The JSON Schema is the single source of truth for shape; this module turns its raw ajv errors
 * into one sentence per real mistake, then adds the checks a schema cannot express (URL
 * resolution, placeholders). Everything is collected before throwing so a user fixes a manifest
 * in one round trip instead of one error per run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { parseTree, printParseErrorCode, getNodeValue, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { ManifestError, type ManifestProblem } from './errors.js';
import { findPlaceholders, fillTemplate, KNOWN_PLACEHOLDERS } from './placeholders.js';
import { isCommandPublish, type Manifest, type TransportName } from './types.js';

export const SCHEMA_ID = 'https://pushspec.dev/schema/target.schema.json';

const TRANSPORTS: readonly TransportName[] = ['longPoll', 'stream', 'sse', 'bayeux', 'bosh'];
/** Bayeux and BOSH carry channels inside their own protocol, so only these put {channel} in the request. */
const CHANNEL_TRANSPORTS = ['longPoll', 'stream', 'sse'] as const;
const METHOD_DEFAULTED = ['longPoll', 'stream', 'sse'] as const;
/** Sample values for checking that templated URLs resolve; shaped like what a run fills in. */
const SAMPLE = { channel: 'c0ffee42', payload: 'ps-0000-1' };

type SchemaNode = Record<string, unknown>;
type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ─── schema + ajv ────────────────────────────────────────────────────────────────────────────

interface Engine {
  ajv: Ajv2020;
  validate: ValidateFunction;
  root: SchemaNode;
  /** what each schema pattern means, so a failed regex reads as a sentence */
  patterns: Map<string, PatternMeaning>;
}

interface PatternMeaning {
  /** "expected …" phrase for a missing value */
  expect: string;
  problem(value: string, isPropertyName: boolean): string;
}

let engineCache: Engine | undefined;

/** Path of the shipped schema: walk up from this module, which sits in runner/ or dist/runner/. */
export function targetSchemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'schema', 'target.schema.json');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('pushspec: schema/target.schema.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

function engine(): Engine {
  if (engineCache) return engineCache;
  const root = JSON.parse(readFileSync(targetSchemaPath(), 'utf8')) as SchemaNode;
  const ajv = new Ajv2020({ allErrors: true, discriminator: true, strict: true, strictTuples: false });
  // strictTuples stays off: command is an open tuple (program, then any number of arguments).
  ajv.addSchema(root);
  const validate = ajv.getSchema(SCHEMA_ID);
  if (!validate) throw new Error(`pushspec: schema ${SCHEMA_ID} did not compile`);
  engineCache = { ajv, validate, root, patterns: patternMeanings(root) };
  return engineCache;
}

/** Keyed by the pattern text read from the schema itself, so the two cannot drift apart. */
function patternMeanings(root: SchemaNode): Map<string, PatternMeaning> {
  const at = (ptr: string): unknown => {
    let node: unknown = root;
    for (const seg of parsePointer(ptr)) node = isObject(node) ? node[seg] : undefined;
    return node;
  };
  const m = new Map<string, PatternMeaning>();
  const add = (ptr: string, meaning: PatternMeaning): void => {
    const p = at(ptr);
    if (typeof p === 'string') m.set(p, meaning);
  };
  add('/properties/baseUrl/pattern', {
    expect: 'an absolute http:// or https:// URL such as http://127.0.0.1:8080',
    problem: (v) => `${JSON.stringify(v)} is not an http:// or https:// URL; expected an absolute URL such as http://127.0.0.1:8080`,
  });
  add('/$defs/method/pattern', {
    expect: 'an uppercase HTTP method such as GET or POST',
    problem: (v) =>
      /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v)
        ? `${JSON.stringify(v)} is not uppercase; HTTP methods are case-sensitive, expected ${JSON.stringify(v.toUpperCase())}`
        : `${JSON.stringify(v)} is not an HTTP method; expected an uppercase token such as GET or POST`,
  });
  const token = {
    expect: 'an RFC 9110 token such as X-Cursor',
    problem: (v: string) =>
      `${JSON.stringify(v)} is not a valid header name; expected an RFC 9110 token (letters, digits and !#$%&'*+-.^_\`|~; no spaces or colons)`,
  };
  add('/$defs/headers/propertyNames/pattern', token);
  add('/$defs/cursor/oneOf/1/properties/from/oneOf/0/properties/header/pattern', token);
  add('/$defs/jsonPointer/pattern', {
    expect: 'a JSON pointer such as /next',
    problem: (v) => jsonPointerProblem(v) ?? `${JSON.stringify(v)} is not a JSON pointer`,
  });
  return m;
}

/** RFC 6901 syntax: "" or "/"-separated reference tokens where "~" only appears as "~0" or "~1". */
export function jsonPointerProblem(p: string): string | undefined {
  if (p !== '' && !p.startsWith('/')) {
    return `${JSON.stringify(p)} is not a JSON pointer: it must start with "/"; expected e.g. ${JSON.stringify('/' + p.replace(/\./g, '/'))}`;
  }
  const bad = /~(?![01])/.exec(p);
  if (bad) return `${JSON.stringify(p)} is not a valid JSON pointer: "~" at position ${bad.index} must be written "~0" (or "~1" for "/")`;
  return undefined;
}

// ─── JSON pointers ───────────────────────────────────────────────────────────────────────────

function parsePointer(ptr: string): string[] {
  if (ptr === '') return [];
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function toPointer(segs: readonly string[]): string {
  return segs.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function child(v: unknown, seg: string): unknown {
  if (Array.isArray(v)) return /^\d+$/.test(seg) ? (v as unknown[])[Number(seg)] : undefined;
  return isObject(v) && Object.hasOwn(v, seg) ? v[seg] : undefined;
}

function valueAt(data: unknown, segs: readonly string[]): unknown {
  let v = data;
  for (const s of segs) v = child(v, s);
  return v;
}

// ─── walking the schema alongside the data ───────────────────────────────────────────────────

interface SchemaAt {
  node: SchemaNode;
  /** pointer of node inside the schema document, for ajv.getSchema */
  ptr: string;
  /** the $def that was followed last, e.g. "/$defs/url": its meaning words the "expected …" */
  def?: string;
}

function deref(e: Engine, at: SchemaAt): SchemaAt {
  const ref = at.node['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#')) return at;
  const ptr = ref.slice(1);
  const target = valueAt(e.root, parsePointer(ptr));
  if (!isObject(target)) return at;
  const { $ref: _drop, ...siblings } = at.node;
  return deref(e, { node: { ...target, ...siblings }, ptr, def: ptr });
}

/** The oneOf branch the data is meant to be, or undefined when it cannot tell. */
function branchIndex(union: SchemaNode, value: unknown): number | undefined {
  const c = chooseBranch(union, value, '');
  return 'index' in c ? c.index : undefined;
}

function descendBranch(e: Engine, at: SchemaAt, value: unknown): SchemaAt {
  const branches = at.node['oneOf'];
  if (!Array.isArray(branches)) return at;
  const i = branchIndex(at.node, value);
  const b: unknown = i === undefined ? undefined : branches[i];
  return isObject(b) ? deref(e, { node: b, ptr: `${at.ptr}/oneOf/${i}` }) : at;
}

/**
 * The schema that governs the data at segs. Unions on the way are resolved by what the data
 * says it is; `pickLast` also resolves a union sitting at segs itself.
 */
function schemaAt(e: Engine, data: unknown, segs: readonly string[], pickLast = false): SchemaAt | undefined {
  let at = deref(e, { node: e.root, ptr: '' });
  let value = data;
  for (const seg of segs) {
    at = descendBranch(e, at, value);
    const props = at.node['properties'];
    const prefix = at.node['prefixItems'];
    let next: unknown;
    let ptr: string;
    if (isObject(props) && Object.hasOwn(props, seg)) {
      next = props[seg];
      ptr = `${at.ptr}/properties/${toPointer([seg]).slice(1)}`;
    } else if (Array.isArray(prefix) && /^\d+$/.test(seg) && Number(seg) < prefix.length) {
      next = prefix[Number(seg)];
      ptr = `${at.ptr}/prefixItems/${seg}`;
    } else if (isObject(at.node['items']) && /^\d+$/.test(seg)) {
      next = at.node['items'];
      ptr = `${at.ptr}/items`;
    } else if (isObject(at.node['additionalProperties'])) {
      next = at.node['additionalProperties'];
      ptr = `${at.ptr}/additionalProperties`;
    } else return undefined;
    if (!isObject(next)) return undefined;
    at = deref(e, { node: next, ptr });
    value = child(value, seg);
  }
  return pickLast ? descendBranch(e, at, value) : at;
}

type Choice = { index: number } | { problem: ManifestProblem };

/**
 * Which alternative of a oneOf the user meant. Tagged unions (cursor, framing) go by "type";
 * the others (publish, cursor source) by which required field is present. Saying "you meant X,
 * and X is wrong like this" beats ajv's list of every branch's complaints.
 */
function chooseBranch(union: SchemaNode, value: unknown, path: string): Choice {
  const raw = union['oneOf'];
  const branches = (Array.isArray(raw) ? raw : []).filter(isObject);
  const title = typeof union['title'] === 'string' ? union['title'] : 'value';
  const tags = branches.map((b) => {
    const t = valueAt(b, ['properties', 'type', 'const']);
    return typeof t === 'string' ? t : undefined;
  });
  if (!isObject(value)) {
    const tagged = typeof value === 'string' && tags.includes(value) ? ` (write {"type": ${JSON.stringify(value)}})` : '';
    return {
      problem: { path, message: `expected an object with ${describeAlternatives(branches, tags)}, got ${describeValue(value)}${tagged}` },
    };
  }
  if (tags.every((t): t is string => t !== undefined)) {
    const list = tags.join(', ');
    if (!Object.hasOwn(value, 'type'))
      return { problem: { path: `${path}/type`, message: `missing required field "type"; expected one of ${list}` } };
    const t = value['type'];
    const i = typeof t === 'string' ? tags.indexOf(t) : -1;
    if (i >= 0) return { index: i };
    const hint = typeof t === 'string' ? didYouMean(t, tags) : '';
    const what = typeof t === 'string' ? `${JSON.stringify(t)} is not a ${title} type` : `${describeValue(t)} is not a ${title} type`;
    return { problem: { path: `${path}/type`, message: `${what}${hint}; expected one of ${list}` } };
  }
  const keys = branches.map((b) => {
    const r = b['required'];
    return Array.isArray(r) ? r.filter((k): k is string => typeof k === 'string') : [];
  });
  const matching = keys.flatMap((ks, i) => (ks.every((k) => Object.hasOwn(value, k)) ? [i] : []));
  if (matching.length === 1 && matching[0] !== undefined) return { index: matching[0] };
  const firstKeys = keys.map((ks) => ks[0] ?? '?');
  if (matching.length === 0) {
    const none =
      firstKeys.length === 2
        ? `has neither "${firstKeys[0]}" nor "${firstKeys[1]}"`
        : `has none of ${firstKeys.map((k) => `"${k}"`).join(', ')}`;
    return { problem: { path, message: `${none}; expected one of ${describeAlternatives(branches, tags)}` } };
  }
  const both = matching.map((i) => `"${firstKeys[i] ?? '?'}"`);
  return { problem: { path, message: `has both ${both.join(' and ')}; expected only one: ${describeAlternatives(branches, tags)}` } };
}

function describeAlternatives(branches: SchemaNode[], tags: (string | undefined)[]): string {
  if (tags.length > 0 && tags.every((t) => t !== undefined)) return `"type": one of ${tags.join(', ')}`;
  return branches
    .map((b) => {
      const r = b['required'];
      const k = Array.isArray(r) && typeof r[0] === 'string' ? r[0] : '?';
      return typeof b['title'] === 'string' ? `"${k}" (${b['title']})` : `"${k}"`;
    })
    .join(' or ');
}

// ─── turning ajv errors into problems ────────────────────────────────────────────────────────

const DEF_MEANING: Record<string, string> = {
  '/$defs/url': 'a URL, relative to baseUrl or absolute http(s)',
  '/$defs/seconds': 'a number of seconds greater than 0 and at most 3600',
  '/$defs/headers': 'an object of header name → string value',
  '/$defs/body': 'a string',
};

function expectOf(e: Engine, at: SchemaAt | undefined): string {
  if (!at) return 'a value';
  const n = at.node;
  if (Array.isArray(n['oneOf'])) {
    const branches = n['oneOf'].filter(isObject);
    const tags = branches.map((b) => {
      const t = valueAt(b, ['properties', 'type', 'const']);
      return typeof t === 'string' ? t : undefined;
    });
    return `an object with ${describeAlternatives(branches, tags)}`;
  }
  const pattern = n['pattern'];
  if (typeof pattern === 'string') {
    const m = e.patterns.get(pattern);
    if (m) return m.expect;
  }
  if (at.def !== undefined && DEF_MEANING[at.def] !== undefined) return DEF_MEANING[at.def] ?? 'a value';
  switch (n['type']) {
    case 'string':
      return typeof n['minLength'] === 'number' && n['minLength'] > 0 ? 'a non-empty string' : 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    default:
      return 'a value';
  }
}

function typeWords(t: unknown): string {
  switch (t) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'integer':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case 'null':
      return 'null';
    default:
      return String(t);
  }
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return `string ${JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v)}`;
    case 'number':
    case 'boolean':
      return `${typeof v} ${String(v)}`;
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

function fmt(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function convertErrors(e: Engine, errors: readonly ErrorObject[], data: unknown): ManifestProblem[] {
  const unionPaths = [
    ...new Set(errors.filter((x) => x.keyword === 'oneOf' || x.keyword === 'discriminator').map((x) => x.instancePath)),
  ].sort((a, b) => a.length - b.length);
  const handled: string[] = [];
  const problems: ManifestProblem[] = [];
  for (const p of unionPaths) {
    if (handled.some((h) => p === h || p.startsWith(h + '/'))) continue;
    handled.push(p);
    problems.push(...analyseUnion(e, p, data));
  }
  for (const err of errors) {
    const p = err.instancePath;
    if (handled.some((h) => p === h || p.startsWith(h + '/'))) continue;
    const problem = fromError(e, err, data);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Re-validate a failed union against the one branch the user meant, so only its errors surface. */
function analyseUnion(e: Engine, path: string, data: unknown): ManifestProblem[] {
  const segs = parsePointer(path);
  const value = valueAt(data, segs);
  const at = schemaAt(e, data, segs);
  if (!at || !Array.isArray(at.node['oneOf'])) return [{ path, message: `does not match the schema; expected ${expectOf(e, at)}` }];
  const choice = chooseBranch(at.node, value, path);
  if ('problem' in choice) return [choice.problem];
  const branchValidate = e.ajv.getSchema(`${SCHEMA_ID}#${at.ptr}/oneOf/${choice.index}`);
  if (!branchValidate) return [{ path, message: `does not match the schema; expected ${expectOf(e, at)}` }];
  if (branchValidate(value)) return [];
  const errs = (branchValidate.errors ?? []).map((x) => ({ ...x, instancePath: path + x.instancePath }));
  return convertErrors(e, errs, data);
}

function fromError(e: Engine, err: ErrorObject, data: unknown): ManifestProblem | undefined {
  const path = err.instancePath;
  const segs = parsePointer(path);
  const value = valueAt(data, segs);
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      const sub = schemaAt(e, data, [...segs, missing]);
      return { path: path + toPointer([missing]), message: `missing required field "${missing}"; expected ${expectOf(e, sub)}` };
    }
    case 'additionalProperties': {
      const extra = String(params['additionalProperty']);
      const props = schemaAt(e, data, segs, true)?.node['properties'];
      const allowed = isObject(props) ? Object.keys(props) : [];
      return {
        path: path + toPointer([extra]),
        message: `unknown field "${extra}"${didYouMean(extra, allowed)}; allowed fields: ${allowed.join(', ')}`,
      };
    }
    case 'type': {
      // A union (cursor, framing) given as a scalar: say what shapes it may take.
      const at = schemaAt(e, data, segs);
      if (at && Array.isArray(at.node['oneOf'])) {
        const choice = chooseBranch(at.node, value, path);
        if ('problem' in choice) return choice.problem;
      }
      return { path, message: `expected ${typeWords(params['type'])}, got ${describeValue(value)}` };
    }
    case 'minLength':
      return { path, message: `is empty; expected ${expectOf(e, schemaAt(e, data, segs))}` };
    case 'pattern': {
      const pattern = String(params['pattern']);
      const meaning = e.patterns.get(pattern);
      // propertyNames errors carry the offending key; the problem is about that key, so point at it.
      const name = (err as ErrorObject & { propertyName?: string }).propertyName;
      if (name !== undefined) {
        return {
          path: path + toPointer([name]),
          message: meaning
            ? meaning.problem(name, true)
            : `${JSON.stringify(name)} is not an allowed name; expected one matching ${pattern}`,
        };
      }
      const s = typeof value === 'string' ? value : String(value);
      return { path, message: meaning ? meaning.problem(s, false) : `${JSON.stringify(s)} does not match ${pattern}` };
    }
    case 'propertyNames':
      return undefined; // the nested pattern error says which name and why
    case 'exclusiveMinimum':
      return { path, message: `${fmt(value)} is too small; expected a number greater than ${String(params['limit'])}` };
    case 'minimum':
      return { path, message: `${fmt(value)} is too small; expected at least ${String(params['limit'])}` };
    case 'maximum':
      return { path, message: `${fmt(value)} is too large; expected at most ${String(params['limit'])}` };
    case 'exclusiveMaximum':
      return { path, message: `${fmt(value)} is too large; expected less than ${String(params['limit'])}` };
    case 'minItems': {
      const limit = Number(params['limit']);
      const what = segs.at(-1) === 'command' ? ' (the program to run, then its arguments)' : '';
      return { path, message: `is an empty array; expected at least ${limit} item${limit === 1 ? '' : 's'}${what}` };
    }
    case 'const':
      return { path, message: `expected ${JSON.stringify(params['allowedValue'])}, got ${describeValue(value)}` };
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues']) ? params['allowedValues'].map((a) => JSON.stringify(a)).join(', ') : '';
      return { path, message: `${fmt(value)} is not allowed; expected one of ${allowed}` };
    }
    default:
      return { path, message: `${err.message ?? 'is invalid'} (${err.keyword})` };
  }
}

// ─── helpers for friendlier wording ──────────────────────────────────────────────────────────

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

/** A near-miss suggestion ("longpoll" → "longPoll"), or "" when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= (word.length <= 3 ? 1 : 2) ? ` (did you mean "${best}"?)` : '';
}

// ─── checks the schema cannot express ────────────────────────────────────────────────────────

interface Template {
  path: string;
  text: string;
  /** only the publish block may carry {payload} */
  inPublish: boolean;
}

function headerTemplates(headers: unknown, base: string, inPublish: boolean): Template[] {
  if (!isObject(headers)) return [];
  return Object.entries(headers).flatMap(([k, v]) =>
    typeof v === 'string' ? [{ path: `${base}${toPointer(['headers', k])}`, text: v, inPublish }] : [],
  );
}

function blockTemplates(block: Obj, base: string, inPublish: boolean): Template[] {
  const out: Template[] = [];
  for (const field of ['url', 'body'] as const) {
    const v = block[field];
    if (typeof v === 'string') out.push({ path: `${base}/${field}`, text: v, inPublish });
  }
  out.push(...headerTemplates(block['headers'], base, inPublish));
  const cmd = block['command'];
  if (inPublish && Array.isArray(cmd)) {
    cmd.forEach((a: unknown, i) => {
      if (typeof a === 'string') out.push({ path: `${base}/command/${i}`, text: a, inPublish });
    });
  }
  return out;
}

const has = (ts: readonly Template[], name: string): boolean => ts.some((t) => findPlaceholders(t.text).includes(name));

function semanticProblems(m: Obj): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const known = KNOWN_PLACEHOLDERS.map((k) => `{${k}}`).join(' and ');

  let base: URL | undefined;
  const baseUrl = m['baseUrl'];
  if (typeof baseUrl === 'string') {
    if (findPlaceholders(baseUrl).length > 0) {
      problems.push({
        path: '/baseUrl',
        message: `placeholders are not filled in baseUrl; expected a fixed origin such as http://127.0.0.1:8080, with {channel} in the transport and publish URLs`,
      });
    } else {
      try {
        const u = new URL(baseUrl);
        if (u.protocol === 'http:' || u.protocol === 'https:') base = u;
        else
          problems.push({
            path: '/baseUrl',
            message: `${JSON.stringify(baseUrl)} is not an http:// or https:// URL; expected an absolute URL such as http://127.0.0.1:8080`,
          });
      } catch {
        problems.push({
          path: '/baseUrl',
          message: `${JSON.stringify(baseUrl)} is not a valid URL; expected an absolute http:// or https:// URL such as http://127.0.0.1:8080`,
        });
      }
    }
  }

  const globalTs = headerTemplates(m['headers'], '', false);
  const blocks: Array<{ name: TransportName; block: Obj }> = TRANSPORTS.flatMap((name) => {
    const b = m[name];
    return isObject(b) ? [{ name, block: b }] : [];
  });
  const publish = isObject(m['publish']) ? m['publish'] : undefined;
  const all: Template[] = [
    ...globalTs,
    ...blocks.flatMap(({ name, block }) => blockTemplates(block, `/${name}`, false)),
    ...(publish ? blockTemplates(publish, '/publish', true) : []),
    // sse.stopUrl: checked for placeholders, but not counted as the block's {channel} (its url must have it).
    ...blocks.flatMap(({ name, block }) =>
      typeof block['stopUrl'] === 'string' ? [{ path: `/${name}/stopUrl`, text: block['stopUrl'], inPublish: false }] : [],
    ),
  ];

  // A misspelt placeholder is the real mistake; "no {channel}" on the same block would be an echo.
  const misspelt = new Set<string>();
  for (const t of all) {
    for (const name of new Set(findPlaceholders(t.text))) {
      if (!(KNOWN_PLACEHOLDERS as readonly string[]).includes(name)) {
        misspelt.add(t.path.split('/').slice(0, 2).join('/'));
        const hint = didYouMean(name, KNOWN_PLACEHOLDERS).replace(/"([^"]+)"/, '{$1}');
        problems.push({ path: t.path, message: `unknown placeholder {${name}}${hint}; known placeholders are ${known}` });
      } else if (name === 'payload' && !t.inPublish) {
        problems.push({
          path: t.path,
          message: `{payload} is only filled in the publish block; expected it in publish.body, publish.url or the publish command, not in a transport request`,
        });
      }
    }
  }

  if (m['channels'] !== false) {
    const why = `so each case gets a fresh channel, or set "channels": false if the server has no channels`;
    const publishWhy = `so each case gets a fresh channel; set "broadcast": true if one publish reaches every subscriber, or "channels": false if the server has no channels`;
    for (const { name, block } of blocks) {
      if (!(CHANNEL_TRANSPORTS as readonly string[]).includes(name) || typeof block['url'] !== 'string' || misspelt.has(`/${name}`))
        continue;
      if (!has([...globalTs, ...blockTemplates(block, `/${name}`, false)], 'channel')) {
        problems.push({
          path: `/${name}/url`,
          message: `no {channel} placeholder in url, headers or body; expected e.g. "${exampleWithChannel(block['url'])}" ${why}`,
        });
      }
    }
    if (publish && !misspelt.has('/publish') && publish['broadcast'] !== true) {
      const command = Object.hasOwn(publish, 'command');
      const ts = command ? blockTemplates(publish, '/publish', true) : [...globalTs, ...blockTemplates(publish, '/publish', true)];
      if ((command ? Array.isArray(publish['command']) : typeof publish['url'] === 'string') && !has(ts, 'channel')) {
        problems.push(
          command
            ? {
                path: '/publish/command',
                message: `no {channel} placeholder in the command arguments; expected e.g. ["./publish.sh", "{channel}", "{payload}"] ${publishWhy}`,
              }
            : {
                path: '/publish/url',
                message: `no {channel} placeholder in url, headers or body; expected e.g. "${exampleWithChannel(publish['url'])}" ${publishWhy}`,
              },
        );
      }
    }
  }

  if (publish && !misspelt.has('/publish')) {
    const command = Array.isArray(publish['command']);
    const ts = blockTemplates(publish, '/publish', true);
    if ((command || typeof publish['url'] === 'string') && !has(ts, 'payload')) {
      problems.push(
        command
          ? {
              path: '/publish/command',
              message: `no {payload} placeholder in the command arguments; expected an argument "{payload}": pushspec recognises its events by the token in it`,
            }
          : {
              path: '/publish/body',
              message: `no {payload} placeholder in the publish request; expected it in the body (e.g. "body": "{payload}"), url or headers: pushspec recognises its events by the token in it`,
            },
      );
    }
  }

  // A body on GET/HEAD is dropped or refused on the way, so a declared one is a mistake.
  for (const [path, block, dflt] of [
    ...(['longPoll', 'stream'] as const).flatMap((n) => (isObject(m[n]) ? [[`/${n}`, m[n], 'GET'] as const] : [])),
    ...(publish && !Array.isArray(publish['command']) ? [['/publish', publish, 'POST'] as const] : []),
  ]) {
    const method = typeof block['method'] === 'string' ? block['method'] : dflt;
    if (typeof block['body'] === 'string' && (method === 'GET' || method === 'HEAD')) {
      const note = typeof block['method'] === 'string' ? '' : ' (the default)';
      problems.push({
        path: `${path}/body`,
        message: `a ${method} request${note} carries no body; expected "method": "POST" (or another method with a body) when a body is given`,
      });
    }
  }

  if (base) {
    for (const [path, url] of [
      ...blocks.map(({ name, block }) => [`/${name}/url`, block['url']] as const),
      ...(publish ? [['/publish/url', publish['url']] as const] : []),
    ]) {
      if (typeof url !== 'string' || url === '') continue;
      let resolved: URL;
      try {
        resolved = new URL(fillTemplate(url, SAMPLE, 'url'), base);
      } catch {
        problems.push({
          path,
          message: `${JSON.stringify(url)} does not resolve against baseUrl ${base.href}; expected a path such as /sub?id={channel} or an absolute http(s) URL`,
        });
        continue;
      }
      if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') {
        problems.push({
          path,
          message: `${JSON.stringify(url)} resolves to a ${resolved.protocol.slice(0, -1)}: URL; expected a path relative to baseUrl or an absolute http:// or https:// URL`,
        });
        continue;
      }
      if (path === '/publish/url') continue;
      // Transports are observed on raw connections to baseUrl's origin (the publish hook is an
      // ordinary client request, so it may go anywhere); https:// is that origin over TLS.
      if (resolved.origin !== base.origin) {
        problems.push({
          path,
          message: `${JSON.stringify(url)} is on ${resolved.origin}, not on baseUrl's origin ${base.origin}; transport requests are sent to baseUrl, so expected a path or an absolute URL on ${base.origin} (give the other server its own manifest)`,
        });
      }
    }
  }

  // Header names are case-insensitive: two spellings in one map would send both or one at random.
  for (const [base, headers] of [
    ['', m['headers']] as const,
    ...[...blocks.map(({ name, block }) => [`/${name}`, block] as const), ...(publish ? [['/publish', publish] as const] : [])].map(
      ([p, b]) => [p, b['headers']] as const,
    ),
  ]) {
    if (!isObject(headers)) continue;
    const seen = new Map<string, string>();
    for (const k of Object.keys(headers)) {
      const first = seen.get(k.toLowerCase());
      if (first !== undefined)
        problems.push({
          path: `${base}${toPointer(['headers', k])}`,
          message: `header "${k}" repeats "${first}" (names are case-insensitive); expected each header once`,
        });
      else seen.set(k.toLowerCase(), k);
    }
  }

  if (!TRANSPORTS.some((t) => m[t] !== undefined)) {
    problems.push({ path: '', message: `no transport to test; expected at least one of ${TRANSPORTS.join(', ')}` });
  }
  return problems;
}

function exampleWithChannel(url: unknown): string {
  if (typeof url !== 'string') return '/sub?id={channel}';
  return url + (url.includes('?') ? '&' : '?') + 'id={channel}';
}

// ─── ordering + normalising ──────────────────────────────────────────────────────────────────

/** Position of a path in the document, so problems read top to bottom like the file. */
function docOrder(data: unknown, path: string): number[] {
  const out: number[] = [];
  let v = data;
  for (const seg of parsePointer(path)) {
    if (Array.isArray(v)) out.push(Number(seg));
    else if (isObject(v)) {
      const i = Object.keys(v).indexOf(seg);
      // A missing field is reported before its siblings: "name"/"url" missing reads best first.
      out.push(i);
    } else out.push(0);
    v = child(v, seg);
  }
  return out;
}

function compareOrder(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function normalise(m: Obj): Manifest {
  // Validated above, so the shape matches; clone so callers' objects are never mutated.
  const out = structuredClone(m) as unknown as Manifest;
  out.channels ??= true;
  for (const t of METHOD_DEFAULTED) {
    const block = out[t];
    if (block) block.method ??= 'GET';
  }
  if (out.publish && !isCommandPublish(out.publish)) out.publish.method ??= 'POST';
  return out;
}

// ─── public API ──────────────────────────────────────────────────────────────────────────────

/** Validation problems of a manifest value, in document order; [] when it is valid. */
export function manifestProblems(value: unknown): ManifestProblem[] {
  if (!isObject(value)) return [{ path: '', message: `expected a JSON object at the top level, got ${describeValue(value)}` }];
  const e = engine();
  const schemaOk = e.validate(value);
  const fromSchema = schemaOk ? [] : convertErrors(e, e.validate.errors ?? [], value);
  // A spot the schema already complained about (or sits inside) would only get a noisier second opinion.
  const covered = (path: string): boolean => fromSchema.some((s) => s.path !== '' && (path === s.path || path.startsWith(s.path + '/')));
  const semantic = semanticProblems(value).filter((p) => !covered(p.path));
  const unique = new Map<string, ManifestProblem>();
  for (const p of [...fromSchema, ...semantic]) unique.set(`${p.path}\u0000${p.message}`, p);
  return [...unique.values()]
    .map((p, i) => ({ p, i, order: docOrder(value, p.path) }))
    .sort((a, b) => compareOrder(a.order, b.order) || a.i - b.i)
    .map(({ p }) => p);
}

/**
 * Validate an already-parsed manifest. Returns it normalised: channels true, method GET on
 * longPoll/stream/sse and POST on an HTTP publish when they were omitted.
 */
export function validateManifest(value: unknown, source: string): Manifest {
  const problems = manifestProblems(value);
  if (problems.length > 0) throw new ManifestError(source, problems);
  return normalise(value as Obj);
}

const PARSE_REASON: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":" after the property name',
  CommaExpected: 'expected "," between entries',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the array',
  EndOfFileExpected: 'unexpected content after the end of the top-level value',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'unterminated /* comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'incomplete number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape sequence in a string',
  InvalidCharacter: 'invalid character in a string (control characters must be escaped)',
};

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Offset of the thing a problem path names: the key for a field, the nearest parent when absent. */
function locate(root: JsonNode, path: string): number {
  let node = root;
  let at = root.offset;
  for (const seg of parsePointer(path)) {
    if (node.type === 'object') {
      const prop = node.children?.find((p) => p.children?.[0]?.value === seg);
      const key = prop?.children?.[0];
      const val = prop?.children?.[1];
      if (!key || !val) return at;
      at = key.offset;
      node = val;
    } else if (node.type === 'array') {
      const item = node.children?.[Number(seg)];
      if (!item) return at;
      at = item.offset;
      node = item;
    } else return at;
  }
  return at;
}

/** Duplicate keys are legal JSON but the last one silently wins: almost always an editing slip. */
function duplicateKeys(node: JsonNode, segs: string[], out: ManifestProblem[], text: string): void {
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const key = prop.children?.[0];
      const val = prop.children?.[1];
      if (!key || typeof key.value !== 'string') continue;
      if (seen.has(key.value)) {
        out.push({
          path: toPointer([...segs, key.value]),
          message: `duplicate field "${key.value}"; expected each field once (the last one would silently win)`,
          ...lineColumn(text, key.offset),
        });
      }
      seen.add(key.value);
      if (val) duplicateKeys(val, [...segs, key.value], out, text);
    }
  } else if (node.type === 'array') {
    (node.children ?? []).forEach((c, i) => duplicateKeys(c, [...segs, String(i)], out, text));
  }
}

/** Parse manifest text (JSON with comments and trailing commas) and validate it. */
export function parseManifestText(text: string, source: string): Manifest {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const emptyMsg = 'the file is empty; expected a JSON object such as {"name": "my-server", "baseUrl": "http://127.0.0.1:8080", ...}';
  if (body.trim() === '') throw new ManifestError(source, [{ path: '', message: emptyMsg }]);
  const errors: ParseError[] = [];
  const root = parseTree(body, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const first = errors[0];
  if (first) {
    // Later parse errors are nearly always fallout of the first one.
    const code = printParseErrorCode(first.error);
    const { line, column } = lineColumn(body, first.offset);
    throw new ManifestError(source, [
      { path: '', message: `not valid JSON at line ${line}, column ${column}: ${PARSE_REASON[code] ?? code} (${code})`, line, column },
    ]);
  }
  if (!root) throw new ManifestError(source, [{ path: '', message: emptyMsg }]);
  const value: unknown = getNodeValue(root);
  const dups: ManifestProblem[] = [];
  duplicateKeys(root, [], dups, body);
  const problems = [...dups, ...manifestProblems(value)].map((p) =>
    p.line !== undefined || p.path === '' ? p : { ...p, ...lineColumn(body, locate(root, p.path)) },
  );
  if (problems.length > 0) throw new ManifestError(source, problems);
  return normalise(value as Obj);
}

/** Read, parse and validate a manifest file. Every failure is a ManifestError naming the file. */
export async function loadManifestFile(file: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `file not found; expected a target manifest (JSON) at ${file}`
        : code === 'EISDIR'
          ? `is a directory; expected a target manifest file (JSON)`
          : code === 'EACCES' || code === 'EPERM'
            ? `permission denied; expected a readable target manifest file`
            : `cannot be read (${err instanceof Error ? err.message : String(err)}); expected a readable target manifest file`;
    throw new ManifestError(file, [{ path: '', message: why }], 'cannot read manifest');
  }
  return parseManifestText(text, file);
}
