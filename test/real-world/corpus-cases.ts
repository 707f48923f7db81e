import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishesReachOthers } from '../../runner/manifest/types.js';
import { ROOT } from '../helpers/cli.js';
import { CORPUS, judgeTarget, verdictDiff, verdictTable, type VerdictTable } from './corpus.js';
import type { RunningServer } from './servers/types.js';

/**
 * pushspec against real third-party servers (Debian nginx + nchan; npm sockjs, engine.io,
 * better-sse, sse-channel, faye), each judged on every profile and compared with the verdicts
 * recorded in test/real-world/expected/ after checking them against the server's ground truth
 * (test/real-world/<server>.md). A changed verdict fails with the diff; so does any `error` or
 * a run over 60 s. Where a program is missing the test is skipped with the install command in
 * its title — except in CI (PUSHSPEC_CI=1, set by .ci/run), where a skip would hide a gap.
 */
const EXPECTED = join(ROOT, 'test', 'real-world', 'expected');
const CI = process.env['PUSHSPEC_CI'] === '1';
const MAX_RUN_MS = 60_000;
// Where one publish reaches every subscriber, publishing cases run one at a time (measured:
// better-sse with one global channel 88 s before the live idle checks were shortened).
const MAX_SERIAL_RUN_MS = 120_000;

function expectedFor(server: string, variant: string): VerdictTable | null {
  const file = join(EXPECTED, `${server}.${variant}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as VerdictTable) : null;
}

/** The corpus cases of one server: a file per server, so mocha's parallel workers share the corpus. */
export function corpusCases(name: string): void {
  const server = CORPUS.find((s) => s.name === name);
  if (server === undefined) throw new Error(`corpus server ${name}: expected one of ${CORPUS.map((s) => s.name).join(', ')}`);
  describe('real-world corpus: verdicts on third-party servers match their ground truth', function () {
    this.timeout(MAX_RUN_MS * 2);
    const missing = server.missing();
    if (missing && !CI) {
      it.skip(`${server.name} (${server.description}) — not installed here: ${missing}`);
      return;
    }
    describe(`${server.name} (${server.description})`, () => {
      let running: RunningServer | null = null;
      before(async function () {
        if (missing) throw new Error(`${server.name} is required in CI but not installed: ${missing}`);
        running = await server.start();
      });
      after(async () => {
        await running?.stop();
      });

      it('every variant it offers has recorded verdicts', () => {
        const variants = Object.keys(running?.targets ?? {});
        const unrecorded = variants.filter((v) => expectedFor(server.name, v) === null);
        expect(
          unrecorded,
          `record them with: node dist/test/real-world/judge.js ${server.name} --write, then check each against test/real-world/${server.name}.md`,
        ).to.deep.equal([]);
      });

      it('each variant: the recorded verdicts, no error, within 60 s (120 s where publishing cases run one at a time)', async function () {
        this.timeout(MAX_SERIAL_RUN_MS * 1.5 * Math.max(1, Object.keys(running?.targets ?? {}).length));
        const problems: string[] = [];
        for (const [variant, manifest] of Object.entries(running?.targets ?? {})) {
          const expected = expectedFor(server.name, variant);
          if (!expected) continue;
          const { results, durationMs } = await judgeTarget(manifest, server.skip?.[variant]?.ids, [], running?.access?.[variant]);
          const diff = verdictDiff(expected, verdictTable(results));
          problems.push(...diff.map((d) => `${variant}: ${d}`));
          problems.push(...results.filter((r) => r.verdict === 'error').map((r) => `${variant}: ${r.id}@${r.via} error: ${r.actual}`));
          const limit = publishesReachOthers(manifest) ? MAX_SERIAL_RUN_MS : MAX_RUN_MS;
          if (durationMs > limit) problems.push(`${variant}: the run took ${(durationMs / 1000).toFixed(1)} s (limit ${limit / 1000} s)`);
        }
        expect(problems, `${server.name}: verdicts that changed`).to.deep.equal([]);
      });
    });
  });
}
