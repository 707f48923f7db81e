import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  buildQuickManifest,
  fillTemplate,
  findPlaceholders,
  isManifestError,
  loadManifestFile,
  ManifestError,
  parseManifestText,
  validateManifest,
  type Manifest,
  type ManifestProblem,
  type QuickOptions,
} from '../runner/manifest/index.js';

/** Tests run from dist/test/, so find the checkout by its package.json rather than by a fixed depth. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the test');
    dir = up;
  }
  return dir;
}

const ROOT = repoRoot();
const SCHEMA_FILE = join(ROOT, 'schema', 'target.schema.json');
const EXAMPLES = join(ROOT, 'fixtures', 'examples');

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A valid manifest to break one thing at a time. */
function base(): Obj {
  return {
    name: 'test-target',
    baseUrl: 'http://127.0.0.1:8080',
    publish: { url: '/pub?id={channel}', body: '{payload}' },
    longPoll: { url: '/sub/lp?id={channel}' },
  };
}

function edit(change: (m: Obj) => void): Obj {
  const m = base();
  change(m);
  return m;
}

function block(m: Obj, key: string): Obj {
  const b = m[key];
  if (!isObj(b)) throw new Error(`${key} is not an object in the test manifest`);
  return b;
}

function problemsOf(f: () => unknown): { error: ManifestError; problems: readonly ManifestProblem[] } {
  try {
    f();
  } catch (e) {
    if (e instanceof ManifestError) return { error: e, problems: e.problems };
    throw e;
  }
  throw new Error('expected a ManifestError, but the manifest was accepted');
}

function show(problems: readonly ManifestProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}

describe('manifest', () => {
  describe('schema', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Obj;

    it('is a draft 2020-12 schema that compiles under ajv strict mode', () => {
      expect(schema['$schema']).to.equal('https://json-schema.org/draft/2020-12/schema');
      expect(schema['$id']).to.equal('https://pushspec.dev/schema/target.schema.json');
      const ajv = new Ajv2020({ strict: true, strictTuples: false, discriminator: true, allErrors: true });
      expect(() => ajv.compile(schema)).not.to.throw();
    });

    it('describes every property and closes every object (editors autocomplete from it)', () => {
      const missing: string[] = [];
      const open: string[] = [];
      const walk = (node: unknown, at: string): void => {
        if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}/${i}`));
        if (!isObj(node)) return;
        const props = node['properties'];
        if (isObj(props)) {
          for (const [k, v] of Object.entries(props))
            if (!isObj(v) || typeof v['description'] !== 'string') missing.push(`${at}/properties/${k}`);
          if (node['additionalProperties'] !== false) open.push(at);
        }
        for (const [k, v] of Object.entries(node)) if (k !== 'examples') walk(v, `${at}/${k}`);
      };
      walk(schema, '#');
      expect(missing, 'properties without description').to.deep.equal([]);
      // The cursor/framing unions declare "type" only to name it; their branches are closed.
      expect(open, 'objects that allow unknown fields').to.deep.equal(['#/$defs/cursor', '#/$defs/framing']);
    });

    it('its own examples entry is a valid manifest', () => {
      const examples = schema['examples'];
      expect(examples).to.be.an('array');
      expect((examples as unknown[]).length).to.be.greaterThan(0);
      for (const ex of examples as unknown[]) validateManifest(ex, 'schema example');
    });
  });

  describe('example manifests', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));

    it('ships the three documented examples', () => {
      expect(files).to.include.members(['query-cursor.json', 'etag-cursor.json', 'command-publish.json']);
    });

    for (const f of ['query-cursor.json', 'etag-cursor.json', 'command-publish.json']) {
      it(`${f} validates and points at the schema`, async () => {
        const m = await loadManifestFile(join(EXAMPLES, f));
        expect(m.$schema).to.equal('../../schema/target.schema.json');
        expect(existsSync(join(EXAMPLES, m.$schema ?? ''))).to.equal(true);
      });
    }

    it('query-cursor.json reads the cursor from /next; command-publish.json runs a script', async () => {
      const q = await loadManifestFile(join(EXAMPLES, 'query-cursor.json'));
      expect(q.longPoll?.cursor).to.deep.equal({ type: 'query', param: 'since', from: { json: '/next' } });
      const c = await loadManifestFile(join(EXAMPLES, 'command-publish.json'));
      expect(c.publish).to.deep.equal({ command: ['./publish.sh', '{channel}', '{payload}'] });
    });

    it('the DESIGN.md §2 example is valid', () => {
      validateManifest(
        {
          $schema: 'https://pushspec.dev/schema/target.schema.json',
          name: 'my-server',
          baseUrl: 'http://127.0.0.1:8080',
          headers: { Authorization: 'Bearer x' },
          publish: { method: 'POST', url: '/pub?id={channel}', headers: {}, body: '{payload}' },
          longPoll: { url: '/sub/lp?id={channel}', method: 'GET', cursor: { type: 'etag' }, holdSeconds: 30 },
          stream: { url: '/sub/stream?id={channel}', framing: { type: 'ndjson' }, heartbeatSeconds: 15 },
          sse: { url: '/sub/sse?id={channel}' },
          bayeux: { url: '/faye' },
          bosh: { url: '/http-bind', domain: 'localhost', jid: 'user@localhost', password: 'secret' },
        },
        'design',
      );
    });
  });

  describe('normalisation', () => {
    it('applies defaults: channels true, GET on transports, POST on an HTTP publish', () => {
      const m = validateManifest(
        edit((x) => {
          x['stream'] = { url: '/s?id={channel}' };
          x['sse'] = { url: '/e?id={channel}' };
        }),
        't.json',
      );
      expect(m.channels).to.equal(true);
      expect(m.longPoll?.method).to.equal('GET');
      expect(m.stream?.method).to.equal('GET');
      expect(m.sse?.method).to.equal('GET');
      expect(m.publish).to.deep.include({ method: 'POST' });
    });

    it('keeps explicit values and does not mutate the input', () => {
      const input = edit((x) => {
        x['channels'] = false;
        x['longPoll'] = { url: '/lp', method: 'POST', body: 'subscribe' };
        x['publish'] = { method: 'PUT', url: '/pub', body: '{payload}' };
      });
      const before = structuredClone(input);
      const m: Manifest = validateManifest(input, 't.json');
      expect(m.channels).to.equal(false);
      expect(m.longPoll?.method).to.equal('POST');
      expect(m.publish).to.deep.include({ method: 'PUT' });
      expect(input).to.deep.equal(before);
    });

    it('"channels": false lifts the {channel} requirement', () => {
      validateManifest(
        edit((x) => {
          x['channels'] = false;
          x['longPoll'] = { url: '/lp' };
          x['publish'] = { command: ['./pub', '{payload}'] };
        }),
        't.json',
      );
    });

    it('{channel} may come from headers or a POST body; absolute URLs are fine', () => {
      validateManifest(
        edit((x) => {
          x['longPoll'] = { url: 'http://127.0.0.1:8080/lp', headers: { 'X-Channel': '{channel}' } };
          x['stream'] = { url: '/s', method: 'POST', body: '{"channel":"{channel}"}' };
        }),
        't.json',
      );
    });

    it('accepts comments and trailing commas in files', () => {
      const m = parseManifestText(
        `// target for CI\n{\n  "name": "x", /* inline */\n  "baseUrl": "http://h:1",\n  "sse": { "url": "/e?c={channel}", },\n}\n`,
        'ci.json',
      );
      expect(m.sse?.url).to.equal('/e?c={channel}');
    });
  });

  describe('malformed manifests', () => {
    interface Case {
      what: string;
      /** an object goes through validateManifest, a string through parseManifestText */
      input: Obj | string | unknown[];
      path: string;
      phrases: string[];
      /** most cases are one mistake and must produce exactly one problem */
      count?: number;
    }
    const cases: Case[] = [
      {
        what: 'not JSON',
        input: '{\n  "name": "x"\n  "baseUrl": "http://h"\n}',
        path: '',
        phrases: ['not valid JSON', 'line 3, column 3', 'expected ","'],
      },
      { what: 'empty file', input: '', path: '', phrases: ['empty'] },
      { what: 'only whitespace and comments', input: '  // nothing here\n', path: '', phrases: ['empty'] },
      { what: 'array at top level', input: '[{"name": "x"}]', path: '', phrases: ['JSON object at the top level', 'got an array'] },
      {
        what: 'missing name',
        input: edit((m) => delete m['name']),
        path: '/name',
        phrases: ['missing required field "name"', 'expected a non-empty string'],
      },
      { what: 'empty name', input: edit((m) => (m['name'] = '')), path: '/name', phrases: ['is empty'] },
      {
        what: 'missing baseUrl',
        input: edit((m) => delete m['baseUrl']),
        path: '/baseUrl',
        phrases: ['missing required field "baseUrl"', 'http://'],
      },
      {
        what: 'baseUrl not a URL',
        input: edit((m) => (m['baseUrl'] = 'not a url')),
        path: '/baseUrl',
        phrases: ['"not a url"', 'http:// or https://'],
      },
      {
        what: 'ftp baseUrl',
        input: edit((m) => (m['baseUrl'] = 'ftp://files.example')),
        path: '/baseUrl',
        phrases: ['"ftp://files.example" is not an http:// or https:// URL'],
      },
      {
        what: 'https transport on an http baseUrl',
        input: edit((m) => ((m['longPoll'] as Obj)['url'] = 'https://127.0.0.1:8080/lp?id={channel}')),
        path: '/longPoll/url',
        phrases: ['is on https://127.0.0.1:8080', "not on baseUrl's origin http://127.0.0.1:8080"],
      },
      {
        what: 'transport on another origin',
        input: edit((m) => ((m['longPoll'] as Obj)['url'] = 'http://other.example/lp?id={channel}')),
        path: '/longPoll/url',
        phrases: ["not on baseUrl's origin http://127.0.0.1:8080", 'transport requests are sent to baseUrl'],
      },
      {
        what: 'placeholder in baseUrl',
        input: edit((m) => (m['baseUrl'] = 'http://{channel}.example')),
        path: '/baseUrl',
        phrases: ['placeholders'],
      },
      {
        what: 'unknown top-level field',
        input: edit((m) => (m['longpoll'] = { url: '/x' })),
        path: '/longpoll',
        phrases: ['unknown field "longpoll"', 'did you mean "longPoll"', 'allowed fields: $schema, name, baseUrl'],
      },
      {
        what: 'unknown cursor type',
        input: edit((m) => (block(m, 'longPoll')['cursor'] = { type: 'qurey' })),
        path: '/longPoll/cursor/type',
        phrases: ['"qurey" is not a cursor type', 'expected one of etag, query, last-event-id, session, none'],
      },
      {
        what: 'cursor without type',
        input: edit((m) => (block(m, 'longPoll')['cursor'] = {})),
        path: '/longPoll/cursor/type',
        phrases: ['missing required field "type"', 'etag'],
      },
      {
        what: 'query cursor without param',
        input: edit((m) => (block(m, 'longPoll')['cursor'] = { type: 'query', from: { json: '/next' } })),
        path: '/longPoll/cursor/param',
        phrases: ['missing required field "param"'],
      },
      {
        what: 'query cursor with empty param',
        input: edit((m) => (block(m, 'longPoll')['cursor'] = { type: 'query', param: '', from: { header: 'X-Cursor' } })),
        path: '/longPoll/cursor/param',
        phrases: ['is empty'],
      },
      {
        what: 'field of another cursor type',
        input: edit((m) => (block(m, 'longPoll')['cursor'] = { type: 'etag', param: 'since' })),
        path: '/longPoll/cursor/param',
        phrases: ['unknown field "param"', 'allowed fields: type'],
      },
      {
        what: 'json pointer without leading slash',
        input: edit((m) => (block(m, 'longPoll')['cursor'] = { type: 'query', param: 'since', from: { json: 'next' } })),
        path: '/longPoll/cursor/from/json',
        phrases: ['must start with "/"', '"/next"'],
      },
      {
        what: 'json pointer with a bare ~',
        input: edit((m) => (block(m, 'longPoll')['cursor'] = { type: 'query', param: 'since', from: { json: '/a~b' } })),
        path: '/longPoll/cursor/from/json',
        phrases: ['"~0"'],
      },
      {
        what: 'cursor source with both header and json',
        input: edit((m) => (block(m, 'longPoll')['cursor'] = { type: 'query', param: 'since', from: { header: 'X-C', json: '/n' } })),
        path: '/longPoll/cursor/from',
        phrases: ['has both "header" and "json"'],
      },
      {
        what: 'holdSeconds as string',
        input: edit((m) => (block(m, 'longPoll')['holdSeconds'] = '30')),
        path: '/longPoll/holdSeconds',
        phrases: ['expected a number, got string "30"'],
      },
      {
        what: 'holdSeconds negative',
        input: edit((m) => (block(m, 'longPoll')['holdSeconds'] = -5)),
        path: '/longPoll/holdSeconds',
        phrases: ['-5 is too small', 'greater than 0'],
      },
      {
        what: 'holdSeconds too large',
        input: edit((m) => (block(m, 'longPoll')['holdSeconds'] = 7200)),
        path: '/longPoll/holdSeconds',
        phrases: ['at most 3600'],
      },
      {
        what: 'publish with neither url nor command',
        input: edit((m) => (m['publish'] = { body: '{payload}' })),
        path: '/publish',
        phrases: ['has neither "url" nor "command"'],
      },
      {
        what: 'publish with both url and command',
        input: edit((m) => (m['publish'] = { url: '/pub?id={channel}', command: ['./pub', '{channel}', '{payload}'] })),
        path: '/publish',
        phrases: ['has both "url" and "command"'],
      },
      {
        what: 'publish as a string',
        input: edit((m) => (m['publish'] = 'POST /pub')),
        path: '/publish',
        phrases: ['expected an object with "url"', 'got string'],
      },
      {
        what: 'empty command array',
        input: edit((m) => (m['publish'] = { command: [] })),
        path: '/publish/command',
        phrases: ['empty array', 'at least 1 item'],
      },
      {
        what: 'empty program name',
        input: edit((m) => (m['publish'] = { command: ['', '{channel}', '{payload}'] })),
        path: '/publish/command/0',
        phrases: ['is empty'],
      },
      {
        what: 'missing {channel} in longPoll url',
        input: edit((m) => (block(m, 'longPoll')['url'] = '/sub/lp')),
        path: '/longPoll/url',
        phrases: ['no {channel} placeholder', '"channels": false'],
      },
      {
        what: 'missing {channel} in publish command',
        input: edit((m) => (m['publish'] = { command: ['./pub', '{payload}'] })),
        path: '/publish/command',
        phrases: ['no {channel} placeholder'],
      },
      {
        what: 'unknown placeholder {chanel}',
        input: edit((m) => (block(m, 'longPoll')['url'] = '/sub/lp?id={chanel}')),
        path: '/longPoll/url',
        phrases: ['unknown placeholder {chanel}', 'known placeholders are {channel} and {payload}'],
      },
      {
        what: '{payload} missing from publish',
        input: edit((m) => delete block(m, 'publish')['body']),
        path: '/publish/body',
        phrases: ['no {payload} placeholder'],
      },
      {
        what: '{payload} in a transport',
        input: edit((m) => (m['sse'] = { url: '/e?id={channel}&p={payload}' })),
        path: '/sse/url',
        phrases: ['{payload} is only filled in the publish block'],
      },
      {
        what: 'header value not a string',
        input: edit((m) => (m['headers'] = { 'X-Token': 5 })),
        path: '/headers/X-Token',
        phrases: ['expected a string, got number 5'],
      },
      {
        what: 'header name not a token',
        input: edit((m) => (m['headers'] = { 'Bad Name': 'x' })),
        path: '/headers/Bad Name',
        phrases: ['not a valid header name', 'RFC 9110 token'],
      },
      {
        what: 'lowercase method',
        input: edit((m) => (block(m, 'longPoll')['method'] = 'get')),
        path: '/longPoll/method',
        phrases: ['not uppercase', 'expected "GET"'],
      },
      {
        what: 'invalid method token',
        input: edit((m) => (block(m, 'publish')['method'] = 'PO ST')),
        path: '/publish/method',
        phrases: ['is not an HTTP method', 'GET or POST'],
      },
      {
        what: 'framing delimiter without value',
        input: edit((m) => (m['stream'] = { url: '/s?id={channel}', framing: { type: 'delimiter' } })),
        path: '/stream/framing/value',
        phrases: ['missing required field "value"'],
      },
      {
        what: 'framing as a bare string',
        input: edit((m) => (m['stream'] = { url: '/s?id={channel}', framing: 'ndjson' })),
        path: '/stream/framing',
        phrases: ['expected an object', '{"type": "ndjson"}'],
      },
      {
        what: 'unknown framing type',
        input: edit((m) => (m['stream'] = { url: '/s?id={channel}', framing: { type: 'xml' } })),
        path: '/stream/framing/type',
        phrases: ['"xml" is not a framing type', 'ndjson'],
      },
      {
        what: 'body on the sse block',
        input: edit((m) => (m['sse'] = { url: '/e?id={channel}', body: 'x' })),
        path: '/sse/body',
        phrases: ['unknown field "body"', 'allowed fields: url, method, headers, heartbeatSeconds, stopUrl'],
      },
      {
        what: 'a misspelt placeholder in sse.stopUrl',
        input: edit((m) => (m['sse'] = { url: '/e?id={channel}', stopUrl: '/e?id={chanel}&closed=1' })),
        path: '/sse/stopUrl',
        phrases: ['unknown placeholder {chanel}', 'did you mean {channel}'],
      },
      {
        what: 'body on a GET poll',
        input: edit((m) => (block(m, 'longPoll')['body'] = 'x')),
        path: '/longPoll/body',
        phrases: ['GET request (the default) carries no body'],
      },
      {
        what: 'url resolving to another scheme',
        input: edit((m) => (m['stream'] = { url: 'ws://h/s?id={channel}' })),
        path: '/stream/url',
        phrases: ['ws: URL', 'http://'],
      },
      {
        what: 'channels not a boolean',
        input: edit((m) => (m['channels'] = 'no')),
        path: '/channels',
        phrases: ['expected true or false, got string "no"'],
      },
      {
        what: 'no transport at all',
        input: edit((m) => delete m['longPoll']),
        path: '',
        phrases: ['no transport', 'longPoll, stream, sse, bayeux, bosh'],
      },
      {
        what: 'duplicate key in a file',
        input: '{\n  "name": "a",\n  "name": "b",\n  "baseUrl": "http://h",\n  "sse": { "url": "/e?c={channel}" }\n}',
        path: '/name',
        phrases: ['duplicate field "name"'],
      },
    ];

    for (const c of cases) {
      it(`${c.what} → ${c.path || '(document)'}`, () => {
        const input = c.input;
        const { problems } = problemsOf(() =>
          typeof input === 'string' ? parseManifestText(input, 't.json') : validateManifest(input, 't.json'),
        );
        const hit = problems.find((p) => p.path === c.path);
        expect(hit, `no problem at "${c.path}" among:\n${show(problems)}`).to.not.equal(undefined);
        for (const phrase of c.phrases) expect(hit?.message).to.include(phrase);
        expect(problems.length, `expected ${c.count ?? 1} problem(s), got:\n${show(problems)}`).to.equal(c.count ?? 1);
      });
    }

    it(`covers at least 15 malformed manifests (has ${cases.length})`, () => {
      expect(cases.length).to.be.at.least(15);
    });

    it('reports several problems at once, in document order', () => {
      const { error, problems } = problemsOf(() =>
        validateManifest(
          {
            name: 'x',
            baseUrl: 'http://127.0.0.1:8080',
            extra: true,
            publish: { url: '/pub?id={channel}' },
            longPoll: { url: '/lp?id={channel}', cursor: { type: 'qurey' }, holdSeconds: '30' },
            stream: { url: '/s?id={chanel}', method: 'get' },
          },
          'target.json',
        ),
      );
      expect(problems.map((p) => p.path)).to.deep.equal([
        '/extra',
        '/publish/body',
        '/longPoll/cursor/type',
        '/longPoll/holdSeconds',
        '/stream/url',
        '/stream/method',
      ]);
      const lines = error.message.split('\n');
      expect(lines[0]).to.equal('target.json: invalid manifest');
      expect(lines).to.have.length(problems.length + 1);
      expect(lines).to.include(
        '  /longPoll/cursor/type: "qurey" is not a cursor type (did you mean "query"?); expected one of etag, query, last-event-id, session, none',
      );
    });

    it('error carries code, exit code, source, and file positions', () => {
      const text = '{\n  "name": "x",\n  "baseUrl": "http://h",\n  "longPoll": { "url": "/lp?id={channel}", "holdSeconds": "30" }\n}';
      const { error, problems } = problemsOf(() => parseManifestText(text, 'target.json'));
      expect(error).to.be.instanceOf(Error);
      expect(isManifestError(error)).to.equal(true);
      expect(error.code).to.equal('PUSHSPEC_E_MANIFEST');
      expect(error.exitCode).to.equal(2);
      expect(error.source).to.equal('target.json');
      expect(problems[0]).to.deep.include({ path: '/longPoll/holdSeconds', line: 4, column: 44 });
      expect(error.message).to.include('(line 4, column 44)');
    });

    it('a missing file names the file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pushspec-manifest-'));
      try {
        const file = join(dir, 'nope.json');
        const err: unknown = await loadManifestFile(file).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(ManifestError);
        const me = err as ManifestError;
        expect(me.source).to.equal(file);
        expect(me.message.split('\n')[0]).to.equal(`${file}: cannot read manifest`);
        expect(me.problems[0]?.message).to.include('file not found');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('loadManifestFile reports syntax errors with line:column', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pushspec-manifest-'));
      try {
        const file = join(dir, 'target.json');
        writeFileSync(file, '{\n  "name": "x",\n  "baseUrl": \'http://h\'\n}');
        const err: unknown = await loadManifestFile(file).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isManifestError(err)).to.equal(true);
        expect((err as ManifestError).problems[0]).to.deep.include({ path: '', line: 3, column: 14 });
        expect((err as ManifestError).message).to.match(/line 3, column 14/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('placeholders', () => {
    it('finds placeholders and leaves JSON braces alone', () => {
      expect(findPlaceholders('/p?c={channel}&x={payload}&y={channel}')).to.deep.equal(['channel', 'payload', 'channel']);
      expect(findPlaceholders('{"text":"{payload}"}')).to.deep.equal(['payload']);
      expect(findPlaceholders('{} { channel } {1x}')).to.deep.equal([]);
    });

    it('fills url-encoded or raw', () => {
      const v = { channel: 'a b/c', payload: 'x&y' };
      expect(fillTemplate('/p?c={channel}&d={payload}', v, 'url')).to.equal('/p?c=a%20b%2Fc&d=x%26y');
      expect(fillTemplate('{"c":"{channel}","d":"{payload}"}', v, 'raw')).to.equal('{"c":"a b/c","d":"x&y"}');
    });

    it('refuses to send a literal {payload} when no payload is given', () => {
      expect(() => fillTemplate('{payload}', { channel: 'c' }, 'raw')).to.throw(/payload/);
      expect(fillTemplate('/sub?id={channel}', { channel: 'c' }, 'url')).to.equal('/sub?id=c');
    });
  });

  describe('quick mode', () => {
    const lp = 'http://127.0.0.1:8080/sub/lp?id={channel}';
    const pub = 'POST http://127.0.0.1:8080/pub?id={channel} {payload}';

    function quickProblems(opts: QuickOptions): readonly ManifestProblem[] {
      const { error, problems } = problemsOf(() => buildQuickManifest(opts));
      expect(error.source).to.equal('command line');
      expect(error.message.split('\n')[0]).to.equal('command line: invalid manifest');
      return problems;
    }

    it('builds a valid manifest from flags', () => {
      const m = buildQuickManifest({
        longPoll: lp,
        publish: 'POST http://127.0.0.1:8080/pub?id={channel} {"text": "{payload}"}',
        cursor: 'query:since:header:X-Cursor',
        hold: '20',
        name: 'quick-test',
        header: ['Authorization: Bearer abc:def'],
      });
      expect(m.name).to.equal('quick-test');
      expect(m.baseUrl).to.equal('http://127.0.0.1:8080');
      expect(m.channels).to.equal(true);
      expect(m.headers).to.deep.equal({ Authorization: 'Bearer abc:def' });
      expect(m.longPoll).to.deep.equal({
        url: lp,
        method: 'GET',
        cursor: { type: 'query', param: 'since', from: { header: 'X-Cursor' } },
        holdSeconds: 20,
      });
      expect(m.publish).to.deep.equal({ method: 'POST', url: 'http://127.0.0.1:8080/pub?id={channel}', body: '{"text": "{payload}"}' });
    });

    it('accepts a JSON-pointer cursor, a method-less publish, and infers channels: false', () => {
      const m = buildQuickManifest({
        longPoll: 'http://h:9/lp',
        publish: 'http://h:9/pub {payload}',
        cursor: 'query:since:/next',
        hold: '30s',
      });
      expect(m.channels).to.equal(false);
      expect(m.longPoll?.cursor).to.deep.equal({ type: 'query', param: 'since', from: { json: '/next' } });
      expect(m.longPoll?.holdSeconds).to.equal(30);
      expect(m.publish).to.deep.equal({ method: 'POST', url: 'http://h:9/pub', body: '{payload}' });
    });

    it('bad --publish (no URL) names the flag', () => {
      const ps = quickProblems({ longPoll: lp, publish: 'POST' });
      expect(ps).to.have.length(1);
      expect(ps[0]?.path).to.equal('--publish');
      expect(ps[0]?.message).to.include('has no URL').and.include('METHOD URL [BODY]');
    });

    it('bad --cursor names the flag and lists the forms', () => {
      const ps = quickProblems({ longPoll: lp, publish: pub, cursor: 'qeury' });
      expect(ps.map((p) => p.path)).to.deep.equal(['--cursor']);
      expect(ps[0]?.message).to.include('is not a cursor').and.include('query:PARAM:/json/pointer');
      const ps2 = quickProblems({ longPoll: lp, publish: pub, cursor: 'query:since:next' });
      expect(ps2[0]?.path).to.equal('--cursor');
      expect(ps2[0]?.message).to.include('query:since:/json/pointer');
    });

    it('bad --hold ("abc", 0) names the flag', () => {
      const ps = quickProblems({ longPoll: lp, publish: pub, hold: 'abc' });
      expect(ps.map((p) => p.path)).to.deep.equal(['--hold']);
      expect(ps[0]?.message).to.include('"abc" is not a number of seconds');
      const ps0 = quickProblems({ longPoll: lp, publish: pub, hold: '0' });
      expect(ps0.map((p) => p.path)).to.deep.equal(['--hold']);
      expect(ps0[0]?.message).to.include('greater than 0');
    });

    it('maps validation problems back to flags and reports them together with parse problems', () => {
      const ps = quickProblems({
        longPoll: lp,
        publish: 'post http://127.0.0.1:8080/pub {payload}',
        hold: 'abc',
        header: ['Bad Name: x', 'nocolon'],
      });
      expect(ps.map((p) => p.path)).to.have.members(['--hold', '--header', '--publish', '--publish', '--header']);
      const publish = ps.filter((p) => p.path === '--publish').map((p) => p.message);
      expect(publish.some((m) => m.startsWith('method: "post" is not uppercase'))).to.equal(true);
      expect(publish.some((m) => m.startsWith('url: no {channel} placeholder'))).to.equal(true);
    });

    it('no transport, or a relative transport URL, names the transport flag', () => {
      expect(quickProblems({ publish: pub }).map((p) => p.path)).to.deep.equal(['--long-poll']);
      const ps = quickProblems({ longPoll: '/sub/lp?id={channel}' });
      expect(ps[0]?.path).to.equal('--long-poll');
      expect(ps[0]?.message).to.include('absolute http:// or https:// URL');
    });
  });
});
