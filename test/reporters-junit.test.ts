import { expect } from 'chai';
import { SaxesParser } from 'saxes';
import type { CaseResult, Report } from '../runner/report.js';
import { summarize } from '../runner/report.js';
import { renderJunit } from '../runner/reporters/junit.js';

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

function report(results: CaseResult[]): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'pushspec', version: '0.0.0' },
    target: { name: 't', baseUrl: 'http://127.0.0.1:1' },
    startedAt: '2026-12-02T00:00:00.000Z',
    durationMs: 1000,
    environment: { rttMs: 1, timeScale: 1, node: 'v20', platform: 'linux-x64', concurrency: 32, publish: 'http' },
    results,
    summary: summarize(results),
  };
}

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/** The XML as a tree, parsed by a strict (well-formedness checking) parser. */
function tree(xml: string): El {
  const parser = new SaxesParser();
  const stack: El[] = [{ name: '#doc', attrs: {}, children: [], text: '' }];
  parser.on('opentag', (t) => {
    const el: El = {
      name: t.name,
      attrs: Object.fromEntries(Object.entries(t.attributes).map(([k, v]) => [k, String(v)])),
      children: [],
      text: '',
    };
    stack.at(-1)?.children.push(el);
    stack.push(el);
  });
  parser.on('text', (t) => {
    const top = stack.at(-1);
    if (top) top.text += t;
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  const root = stack[0]?.children[0];
  if (!root) throw new Error('no root element');
  return root;
}

/**
 * The shape Jenkins' junit-10 XSD (and the Ant one the viewers follow) allows: testsuites >
 * (properties?, testsuite*); testsuite > testcase*; testcase > properties?, then at most one of
 * failure | error | skipped, then system-out?; the counts on each suite match its cases.
 */
function checkShape(root: El): void {
  expect(root.name).to.equal('testsuites');
  const names = (e: El): string[] => e.children.map((c) => c.name);
  expect(names(root).filter((n) => n !== 'testsuite')).to.deep.equal(['properties']);
  let total = 0;
  for (const suite of root.children.filter((c) => c.name === 'testsuite')) {
    expect(suite.attrs).to.include.keys('name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp');
    const cases = suite.children;
    expect(cases.every((c) => c.name === 'testcase')).to.equal(true);
    total += cases.length;
    const has = (c: El, n: string): boolean => c.children.some((x) => x.name === n);
    expect(Number(suite.attrs['tests'])).to.equal(cases.length);
    expect(Number(suite.attrs['failures'])).to.equal(cases.filter((c) => has(c, 'failure')).length);
    expect(Number(suite.attrs['errors'])).to.equal(cases.filter((c) => has(c, 'error')).length);
    expect(Number(suite.attrs['skipped'])).to.equal(cases.filter((c) => has(c, 'skipped')).length);
    for (const c of cases) {
      expect(c.attrs).to.include.keys('name', 'classname', 'time');
      const kids = names(c);
      expect(kids.filter((n) => ['failure', 'error', 'skipped'].includes(n)).length, c.attrs['name']).to.be.at.most(1);
      const order = ['properties', 'failure', 'error', 'skipped', 'system-out'];
      expect(
        kids.every((n) => order.includes(n)),
        kids.join(),
      ).to.equal(true);
      expect(kids.map((n) => order.indexOf(n))).to.deep.equal([...kids.map((n) => order.indexOf(n))].sort((a, b) => a - b));
      for (const p of c.children.find((x) => x.name === 'properties')?.children ?? []) expect(p.attrs).to.include.keys('name', 'value');
    }
  }
  expect(Number(root.attrs['tests'])).to.equal(total);
}

const testcase = (root: El, name: string): El | undefined => root.children.flatMap((s) => s.children).find((c) => c.attrs['name'] === name);

describe('JUnit report', () => {
  const results = [
    result('lp.batch', 'warn', {
      cause: 'server',
      remedy: 'batch them',
      evidence: [
        { t: 9, kind: 'response-end', conn: 3, what: 'second' },
        { t: 2, kind: 'request', conn: 3, what: 'first' },
      ],
    }),
    result('lp.held', 'pass'),
    result('lp.wake', 'fail', { level: 'must', cause: 'intermediary', remedy: 'flush', direct: { verdict: 'pass', actual: 'ok' } }),
    result('lp.order', 'inconclusive'),
    result('lp.gap', 'error'),
    result('st.ids', 'skip', { section: '3.1' }),
  ];

  it('a warn is a skipped case CI viewers show apart from a pass, with the actual and the remedy, a verdict property and the timeline in time order', () => {
    const root = tree(renderJunit(report(results), { strict: false }));
    checkShape(root);
    const tc = testcase(root, 'lp.batch@direct');
    const skipped = tc?.children.find((c) => c.name === 'skipped');
    expect(skipped?.attrs['message']).to.equal('warn: lp.batch@direct: actual of lp.batch — remedy: batch them');
    expect(skipped?.text).to.match(
      /^WARN .*\ntitle of lp\.batch\nexpected: e\nactual: actual of lp\.batch\ncause: server\nremedy: batch them$/,
    );
    const props = tc?.children.find((c) => c.name === 'properties')?.children.map((p) => [p.attrs['name'], p.attrs['value']]);
    expect(props).to.deep.equal([
      ['verdict', 'warn'],
      ['cause', 'server'],
    ]);
    const out = tc?.children.find((c) => c.name === 'system-out')?.text ?? '';
    expect(out).to.match(/^WARN: /);
    expect(out.indexOf('2.0 ms  request  #3  first')).to.be.greaterThan(0).and.lessThan(out.indexOf('9.0 ms  response-end  #3  second'));
    expect(root.attrs['failures']).to.equal('1');
    expect(root.attrs['skipped']).to.equal('3');
    const warnings = root.children[0]?.children.find((p) => p.attrs['name'] === 'warnings');
    expect(warnings?.attrs['value']).to.equal('1');
  });

  it('under --strict a warn is a failure of type "warning" and no longer skipped', () => {
    const root = tree(renderJunit(report(results), { strict: true }));
    checkShape(root);
    const failure = testcase(root, 'lp.batch@direct')?.children.find((c) => c.name === 'failure');
    expect(failure?.attrs['type']).to.equal('warning');
    expect(failure?.text).to.include('remedy: batch them');
    expect([root.attrs['failures'], root.attrs['skipped']]).to.deep.equal(['2', '2']);
  });

  it("a fail carries expected, actual, cause and remedy; an error is the harness's; skip and inconclusive say why", () => {
    const root = tree(renderJunit(report(results), { strict: false }));
    const failure = testcase(root, 'lp.wake@direct')?.children.find((c) => c.name === 'failure');
    expect(failure?.attrs['message']).to.equal('lp.wake@direct (fail): expected e; actual actual of lp.wake');
    expect(failure?.text).to.include('cause: intermediary (direct: pass)').and.include('remedy: flush');
    expect(testcase(root, 'lp.gap@direct')?.children.find((c) => c.name === 'error')?.attrs['type']).to.equal('harness');
    expect(testcase(root, 'lp.order@direct')?.children.find((c) => c.name === 'skipped')?.attrs['message']).to.equal(
      'inconclusive: actual of lp.order',
    );
    expect(testcase(root, 'st.ids@direct')?.children.find((c) => c.name === 'skipped')?.attrs['message']).to.match(/^skip: /);
  });

  it('stays well-formed XML whatever the server sent (NUL, other controls, ]]>, markup, U+2028)', () => {
    const hostile = '</testcase><x>\u0000\u0007]]>&amp;<script>\u2028\uFFFE';
    const root = tree(
      renderJunit(
        report([
          result('lp.batch', 'warn', { actual: hostile, remedy: hostile, evidence: [{ t: 1, kind: 'body-read', what: hostile }] }),
          result('lp.wake', 'fail', { actual: hostile }),
        ]),
      ),
    );
    checkShape(root);
    const skipped = testcase(root, 'lp.batch@direct')?.children.find((c) => c.name === 'skipped');
    expect(skipped?.attrs['message']).to.include('</testcase><x>\uFFFD\uFFFD]]>&amp;<script>\u2028\uFFFD');
  });
});
