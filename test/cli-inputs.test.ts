import { expect } from 'chai';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';

/**
 * Bad input (DESIGN §7, quality bar 6): every bad flag and malformed manifest is exit 2 with one
 * line naming the flag or field, before any case runs, nothing written. Apart from the CLI's end-
 * to-end runs so mocha's parallel workers can take the two halves side by side.
 */
describe('CLI bad input', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pushspec-cli-input-'));
  });

  async function manifestFile(name: string, content: string): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, content);
    return file;
  }

  const badFlags: Array<[string[], RegExp]> = [
    [['run', '--level', 'sometimes'], /--level|sometimes/],
    [['run', '--time-scale', '0'], /--time-scale "0": expected a number greater than 0/],
    [['run', '--time-scale', 'fast'], /--time-scale "fast"/],
    [['run', '--concurrency', '1.5'], /--concurrency "1.5": expected a whole number/],
    [['run', '--only', 'nope.'], /--only "nope\.": expected a requirement ID or prefix/],
    [['run', '--via', 'nowhere'], /--via "nowhere": expected all, or profile names/],
    [['run', '--fault', 'nope'], /--fault "nope": expected one of short-poll/],
    [['run', '--frobnicate'], /unknown option '--frobnicate'/],
    [['run', '--target', 'x.json', '--long-poll', 'http://127.0.0.1:1/lp'], /--target cannot be combined/],
    [['run', '--long-poll', 'not a url'], /--long-poll/],
    [['run', '--long-poll', 'http://127.0.0.1:1/lp?c={channel}', '--publish', 'POST'], /--publish/],
    [['run', '--long-poll', 'http://127.0.0.1:1/lp', '--cursor', 'sideways'], /--cursor/],
    [
      ['run', '--reporter', 'fancy'],
      /--reporter "fancy": expected progress, none, a mocha reporter \(.*spec.*\) or an installed reporter module/,
    ],
    [['run', '--reporter', 'console'], /--reporter "console": expected progress, none, a mocha reporter/],
    [['run', '--via', 'heroku/0'], /--via "heroku\/0": expected NAME\/N with N a number greater than 0/],
    [['run', '--via', 'heroku/-2'], /--via "heroku\/-2": expected NAME\/N with N a number greater than 0/],
    [['run', '--only', 'lp.held', '--skip', 'lp.held'], /no cases selected: --only lp.held --skip lp.held leave no requirement to run/],
    [['run', '--target', 'x.json', '--fault', 'drop-gap'], /--fault drop-gap: faults are injected into the bundled reference server/],
    [['run', '--long-poll', 'http://127.0.0.1:1/lp?c={channel}', '--fault', 'drop-gap'], /--fault drop-gap: faults are injected/],
    [
      ['run', '--report-dir', '/proc/pushspec-x'],
      /--report-dir "\/proc\/pushspec-x": .*expected a directory pushspec can create and write/,
    ],
    [
      ['run', '--report-dir', 'package.json/sub'],
      /--report-dir "package.json\/sub": .*package.json is a file, so no directory can be created under it/,
    ],
    [['run', '--report-dir', 'package.json'], /--report-dir "package.json": it is a file, not a directory/],
    [['frobnicate'], /^pushspec: unknown command 'frobnicate'; expected one of run, list, .*help/],
    [['help', 'frobnicate'], /^pushspec: unknown command 'frobnicate'; expected one of run, list/],
    [['--fault', 'drop-gap', '--target', 'x.json'], /--fault drop-gap: faults are injected/],
    [['run', '--via', 'nginx-default/0'], /--via "nginx-default\/0": expected NAME\/N with N a number greater than 0/],
    [
      ['run', '--report-dir', '/proc/self/pushspec-x/y'],
      /--report-dir "\/proc\/self\/pushspec-x\/y": .*expected a directory pushspec can create and write/,
    ],
  ];
  // "Before any case runs" in time: within a few start-ups of the CLI measured now, on this machine
  // under this load, rather than a fixed 5 s that a busy CI worker overran at 11 s.
  let startUpMs = 0;
  before(async () => {
    startUpMs = (await cli(['--version'])).ms;
  });

  for (const [args, message] of badFlags) {
    it(`rejects ${args.join(' ')} with exit 2, before any case runs, with a message naming the flag`, async () => {
      const r = await cli(args, { timeoutMs: 30_000 });
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.match(message);
      // Caught before the run: no reference server started, no progress printed.
      expect(r.stderr).to.not.match(/running against the bundled reference server|\d+ cases/);
      expect(r.ms, `${r.ms} ms against a ${startUpMs} ms start-up`).to.be.below(3 * startUpMs + 3000);
      // The message (and at most a hint or the problem's line): no usage dump, no stack trace.
      expect(r.stderr.trim().split('\n').length, r.stderr).to.be.at.most(2);
      expect(r.stderr).to.not.match(/Usage:|\n\s+at /);
      expect(r.stdout).to.equal('');
    });
  }

  const badManifests: Array<[string, string, RegExp]> = [
    ['not-json.json', '{ "name": "x", ', /line \d+/],
    ['empty.json', '', /empty|expected/i],
    ['array.json', '[]', /expected an object|object/],
    ['no-name.json', '{"baseUrl":"http://127.0.0.1:1","longPoll":{"url":"/lp?c={channel}"}}', /name/],
    ['bad-base.json', '{"name":"x","baseUrl":"ftp://h","longPoll":{"url":"/lp?c={channel}"}}', /\/baseUrl/],
    ['unknown-field.json', '{"name":"x","baseUrl":"http://127.0.0.1:1","longpoll":{"url":"/lp"}}', /longpoll/],
    [
      'cursor-type.json',
      '{"name":"x","baseUrl":"http://127.0.0.1:1","longPoll":{"url":"/lp?c={channel}","cursor":{"type":"qurey"}}}',
      /\/longPoll\/cursor\/type.*etag/,
    ],
    [
      'hold-string.json',
      '{"name":"x","baseUrl":"http://127.0.0.1:1","longPoll":{"url":"/lp?c={channel}","holdSeconds":"30"}}',
      /\/longPoll\/holdSeconds/,
    ],
    ['no-channel.json', '{"name":"x","baseUrl":"http://127.0.0.1:1","longPoll":{"url":"/lp"}}', /\/longPoll\/url.*\{channel\}/],
    ['placeholder.json', '{"name":"x","baseUrl":"http://127.0.0.1:1","longPoll":{"url":"/lp?c={chanel}"}}', /\{chanel\}/],
    [
      'publish-both.json',
      '{"name":"x","baseUrl":"http://127.0.0.1:1","publish":{"url":"/p?c={channel}","body":"{payload}","command":["x"]},"longPoll":{"url":"/lp?c={channel}"}}',
      /\/publish/,
    ],
    [
      'https-mixed.json',
      '{"name":"x","baseUrl":"http://127.0.0.1:1","longPoll":{"url":"https://127.0.0.1:1/lp?c={channel}"}}',
      /\/longPoll\/url.*is on https:\/\/127\.0\.0\.1:1, not on baseUrl's origin/,
    ],
    [
      'pointer.json',
      '{"name":"x","baseUrl":"http://127.0.0.1:1","longPoll":{"url":"/lp?c={channel}","cursor":{"type":"query","param":"s","from":{"json":"next"}}}}',
      /\/longPoll\/cursor\/from\/json/,
    ],
  ];
  for (const [name, content, message] of badManifests) {
    it(`rejects the malformed manifest ${name} with exit 2, naming the field`, async () => {
      const file = await manifestFile(name, content);
      const out = join(dir, `out-${name}`);
      const r = await cli(['run', '--target', file, '--report-dir', out]);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.include(name);
      expect(r.stderr).to.match(message);
      // nothing half-written
      await readFile(join(out, 'report.json')).then(
        () => expect.fail('a report was written for an invalid manifest'),
        () => undefined,
      );
    });
  }
});
