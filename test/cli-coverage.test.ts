import { expect } from 'chai';
import type { CaseResult } from '../runner/report.js';
import { coverageLines, profileCoverage } from '../runner/reporters/coverage.js';

const result = (id: string, via: string, verdict: CaseResult['verdict'], actual = ''): CaseResult => ({
  id,
  via,
  verdict,
  actual,
  section: '2.1',
  spec: 'RFC 6202',
  level: 'must',
  title: id,
  expected: '',
  durationMs: 0,
  measurements: {},
  evidence: [],
});

describe('coverage statement behind named profiles', () => {
  const reason = "judges the server's own message syntax, which RFC 9110, RFC 9112 and RFC 9113 bind on each sender";
  const results = [
    result('lp.held', 'direct', 'pass'),
    result('lp.held', 'nginx-default', 'pass'),
    result('sse.dispatch', 'nginx-default', 'skip', 'n/a: the target declares no sse endpoint'),
    result('http.date', 'nginx-default', 'skip', `n/a behind nginx-default: ${reason}`),
    result('http.head', 'nginx-default', 'skip', `n/a behind nginx-default: ${reason}`),
  ];

  it('counts judged, not applicable (grouped by reason) and not judged per profile', () => {
    expect(profileCoverage({ results })).to.deep.equal([
      { via: 'nginx-default', requirements: 4, judged: 1, notApplicable: [{ reason, ids: ['http.date', 'http.head'] }], notJudged: 1 },
    ]);
  });

  it('prints one line per profile and one per reason; nothing when every requirement applied', () => {
    const lines = coverageLines({ results }, (s) => s);
    expect(lines).to.include(
      '  coverage behind nginx-default: 1 of 4 requirements judged through it, 2 not applicable, 1 not judged (see above)',
    );
    expect(lines).to.include(`    n/a http.date, http.head: ${reason}`);
    expect(coverageLines({ results: results.slice(0, 3) }, (s) => s)).to.deep.equal([]);
  });
});
