import { create } from 'xmlbuilder2';
import type { CaseResult, Report } from '../report.js';
import { byTime } from '../verdict.js';

/**
 * JUnit XML: one testsuite per spec section, `name = <id>@<via>`, expected/actual in the failure
 * message. fail is a failure, error an error, skip and inconclusive are skipped.
 *
 * JUnit has no warning status, and what CI viewers show of a passed case is next to nothing:
 * dorny/test-reporter and mikepenz/action-junit-report read only failure, error and skipped;
 * GitLab shows failure, error and skipped text and ignores properties; Jenkins hides testcase
 * properties unless keepProperties is set. So a warn (a SHOULD violated) must not be a passed
 * case. Under --strict it is a `<failure type="warning">` (it fails the run too); otherwise it is
 * `<skipped message="warn: …">` with the expected, actual and remedy as the skipped text — the
 * one non-failing state every one of those viewers marks apart from a pass — plus a `verdict`
 * property of `warn` and the timeline in system-out. The root's `warnings` property counts them.
 */
/**
 * Text as the XML must carry it. XML 1.0 cannot carry most control characters, and a hostile
 * server's bytes may contain them. xmlbuilder2 leaves anything that already looks like an entity
 * reference alone (it does not double-encode), so a server's literal "&amp;" would read "&" in
 * a viewer: every "&" is made a reference here, which xmlbuilder2 then keeps as it is.
 */
function xmlSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD').replace(/&/g, '&amp;');
}

function describe(r: CaseResult): string {
  const cause = r.cause ? `\ncause: ${r.cause}${r.direct ? ` (direct: ${r.direct.verdict})` : ''}` : '';
  const remedy = r.remedy ? `\nremedy: ${r.remedy}` : '';
  return xmlSafe(`${r.title}\nexpected: ${r.expected}\nactual: ${r.actual}${cause}${remedy}`);
}

/** The timeline, in time order, one moment a line: `12.3 ms  body-read  #4  what`. */
function timeline(r: CaseResult): string {
  return xmlSafe(
    byTime(r.evidence)
      .map((e) => `${e.t.toFixed(1)} ms  ${e.kind}${e.conn === undefined ? '' : `  #${e.conn}`}  ${e.what}`)
      .join('\n'),
  );
}

export function renderJunit(report: Report, opts: { strict: boolean } = { strict: false }): string {
  const groups = new Map<string, CaseResult[]>();
  for (const r of report.results) {
    const k = xmlSafe(`${r.spec} §${r.section}`);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const isFailure = (r: CaseResult): boolean => r.verdict === 'fail' || (opts.strict && r.verdict === 'warn');
  const isSkipped = (r: CaseResult): boolean =>
    r.verdict === 'skip' || r.verdict === 'inconclusive' || (!opts.strict && r.verdict === 'warn');
  const count = (rs: CaseResult[], p: (r: CaseResult) => boolean): number => rs.filter(p).length;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: xmlSafe(`pushspec ${report.target.name}`),
    tests: report.results.length,
    failures: count(report.results, isFailure),
    errors: count(report.results, (r) => r.verdict === 'error'),
    skipped: count(report.results, isSkipped),
    time: (report.durationMs / 1000).toFixed(3),
  });
  root
    .ele('properties')
    .ele('property', { name: 'warnings', value: count(report.results, (r) => r.verdict === 'warn') })
    .up()
    .ele('property', { name: 'strict', value: String(opts.strict) });
  for (const [name, rs] of groups) {
    const suite = root.ele('testsuite', {
      name,
      tests: rs.length,
      failures: count(rs, isFailure),
      errors: count(rs, (r) => r.verdict === 'error'),
      skipped: count(rs, isSkipped),
      time: (rs.reduce((s, r) => s + r.durationMs, 0) / 1000).toFixed(3),
      timestamp: report.startedAt,
    });
    for (const r of rs) {
      const tc = suite.ele('testcase', {
        classname: xmlSafe(`${r.spec.toLowerCase().replace(/\s+/g, '')}.${r.section}`),
        name: xmlSafe(`${r.id}@${r.via}`),
        time: (r.durationMs / 1000).toFixed(3),
      });
      const text = describe(r);
      if (r.verdict !== 'pass') {
        const props = tc.ele('properties');
        props.ele('property', { name: 'verdict', value: r.verdict });
        if (r.cause) props.ele('property', { name: 'cause', value: r.cause });
      }
      if (isFailure(r))
        tc.ele('failure', {
          message: xmlSafe(`${r.id}@${r.via} (${r.verdict}): expected ${r.expected}; actual ${r.actual}`),
          type: r.verdict === 'warn' ? 'warning' : r.verdict,
        }).txt(`${text}\n\n${timeline(r)}`);
      else if (r.verdict === 'error') tc.ele('error', { message: xmlSafe(r.actual), type: 'harness' }).txt(`${text}\n\n${timeline(r)}`);
      else if (r.verdict === 'warn')
        tc.ele('skipped', { message: xmlSafe(`warn: ${r.id}@${r.via}: ${r.actual}${r.remedy ? ` — remedy: ${r.remedy}` : ''}`) }).txt(
          `WARN (a SHOULD is not met; the run fails on it only with --strict)\n${text}`,
        );
      else if (isSkipped(r)) tc.ele('skipped', { message: xmlSafe(`${r.verdict}: ${r.actual}`) });
      if (r.verdict === 'warn') tc.ele('system-out').txt(`WARN: ${text}\n\n${timeline(r)}`);
      else if (r.verdict === 'pass') tc.ele('system-out').txt(`pass: ${text}`);
    }
  }
  return root.end({ prettyPrint: true });
}
