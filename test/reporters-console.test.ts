import { expect } from 'chai';
import type { CaseResult } from '../runner/report.js';
import { wantsColour } from '../runner/reporters/colour.js';
import { LiveProgress, WAITING_LINE_MS } from '../runner/reporters/progress.js';

function result(id: string, verdict: CaseResult['verdict'], extra: Partial<CaseResult> = {}): CaseResult {
  return {
    id,
    section: '2.1',
    spec: 'RFC 6202',
    level: 'should',
    title: `title of ${id}`,
    via: 'direct',
    verdict,
    expected: 'e',
    actual: `actual of ${id}`,
    durationMs: 1200,
    measurements: {},
    evidence: [],
    ...extra,
  };
}

describe('console progress', () => {
  it('prints a line per case as it settles and, during a long silence, what it is waiting on', () => {
    let now = 0;
    const lines: string[] = [];
    const p = new LiveProgress(
      3,
      (l) => lines.push(l),
      false,
      () => now,
    );
    try {
      p.caseStarted('lp.held@direct');
      now = 100;
      p.caseStarted('st.idle-survives@heroku');
      now = 900;
      p.caseDone(result('lp.wake', 'pass'));
      expect(lines).to.deep.equal(['  3 cases', '  [1/3] PASS         lp.wake@direct (1.2 s)']);
      now += WAITING_LINE_MS - 1;
      p.tick();
      expect(lines).to.have.length(2);
      now += 1;
      p.tick();
      expect(lines[2]).to.equal('  … waiting on 2 case(s) (longest: lp.held@direct, 6 s)');
      expect(p.open()).to.deep.equal({ done: 1, total: 3, running: ['lp.held@direct', 'st.idle-survives@heroku'] });
    } finally {
      p.stop();
    }
  });

  it('colours a terminal only: not a pipe, not with NO_COLOR, not TERM=dumb', () => {
    expect(wantsColour({ isTTY: true }, {})).to.equal(true);
    expect(wantsColour({ isTTY: false }, {})).to.equal(false);
    expect(wantsColour({}, {})).to.equal(false);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: '1' })).to.equal(false);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: '' })).to.equal(true);
    expect(wantsColour({ isTTY: true }, { TERM: 'dumb' })).to.equal(false);
  });

  it('colours verdicts on a terminal, and the plain progress has no escape codes', () => {
    const lines: string[] = [];
    const p = new LiveProgress(
      1,
      (l) => lines.push(l),
      true,
      () => 0,
    );
    p.caseDone(result('lp.held', 'fail'));
    p.stop();
    expect(lines[1]).to.include('\u001b[31mFAIL');
  });
});
