import { create } from 'xmlbuilder2';
import type { CaseResult, Report } from '../report.js';

/**
 * JUnit XML: one testsuite per RFC section, `name = <id>@<via>`, expected/actual in the failure
 * message. fail and error are failures/errors; skip and inconclusive are skipped. A warn (a
 * SHOULD) is a `<failure type="warning">` under --strict; otherwise it passes, as JUnit has no
 * warning status, but carries `<property name="verdict" value="warn">` and a system-out that
 * starts with "WARN" (Jenkins, GitLab and GitHub's JUnit viewers show both on the case), and the
 * root's `warnings` property counts them.
 */
/** XML 1.0 cannot carry most control characters; a hostile server's bytes may contain them. */
function xmlSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
}

export function renderJunit(report: Report, opts: { strict: boolean } = { strict: false }): string {
  const groups = new Map<string, CaseResult[]>();
  for (const r of report.results) {
    const k = `${r.spec} §${r.section}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const isFailure = (r: CaseResult): boolean => r.verdict === 'fail' || (opts.strict && r.verdict === 'warn');
  const count = (rs: CaseResult[], p: (r: CaseResult) => boolean): number => rs.filter(p).length;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: xmlSafe(`pushspec ${report.target.name}`),
    tests: report.results.length,
    failures: count(report.results, isFailure),
    errors: count(report.results, (r) => r.verdict === 'error'),
    skipped: count(report.results, (r) => r.verdict === 'skip' || r.verdict === 'inconclusive'),
    time: (report.durationMs / 1000).toFixed(3),
  });
  root.ele('properties').ele('property', { name: 'warnings', value: count(report.results, (r) => r.verdict === 'warn') }).up().ele('property', { name: 'strict', value: String(opts.strict) });
  for (const [name, rs] of groups) {
    const suite = root.ele('testsuite', {
      name,
      tests: rs.length,
      failures: count(rs, isFailure),
      errors: count(rs, (r) => r.verdict === 'error'),
      skipped: count(rs, (r) => r.verdict === 'skip' || r.verdict === 'inconclusive'),
      time: (rs.reduce((s, r) => s + r.durationMs, 0) / 1000).toFixed(3),
      timestamp: report.startedAt,
    });
    for (const r of rs) {
      const tc = suite.ele('testcase', { classname: `${r.spec.toLowerCase().replace(/\s+/g, '')}.${r.section}`, name: `${r.id}@${r.via}`, time: (r.durationMs / 1000).toFixed(3) });
      const text = xmlSafe(`${r.title}\nexpected: ${r.expected}\nactual: ${r.actual}${r.cause ? `\ncause: ${r.cause}${r.direct ? ` (direct: ${r.direct.verdict})` : ''}` : ''}${r.remedy ? `\nremedy: ${r.remedy}` : ''}`);
      const evidence = xmlSafe(r.evidence.map((e) => `${e.t.toFixed(1)} ms  ${e.what}`).join('\n'));
      if (r.verdict !== 'pass') {
        const props = tc.ele('properties');
        props.ele('property', { name: 'verdict', value: r.verdict });
        if (r.cause) props.ele('property', { name: 'cause', value: r.cause });
      }
      if (isFailure(r)) tc.ele('failure', { message: xmlSafe(`${r.id}@${r.via} (${r.verdict}): expected ${r.expected}; actual ${r.actual}`), type: r.verdict === 'warn' ? 'warning' : r.verdict }).txt(`${text}\n\n${evidence}`);
      else if (r.verdict === 'error') tc.ele('error', { message: xmlSafe(r.actual), type: 'harness' }).txt(`${text}\n\n${evidence}`);
      else if (r.verdict === 'skip' || r.verdict === 'inconclusive') tc.ele('skipped', { message: xmlSafe(`${r.verdict}: ${r.actual}`) });
      if (r.verdict === 'warn' || r.verdict === 'pass') tc.ele('system-out').txt(`${r.verdict === 'warn' ? 'WARN' : 'pass'}: ${text}`);
    }
  }
  return root.end({ prettyPrint: true });
}
