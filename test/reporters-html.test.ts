import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'parse5';
import type { DefaultTreeAdapterTypes } from 'parse5';
import { applyBaseline, BaselineError, createBaseline, parseBaseline } from '../runner/baseline.js';
import { baselineCommand, compareCommand, loadReport, reportCommand, validateReport } from '../runner/commands/report-commands.js';
import { summarize, type CaseResult, type Report } from '../runner/report.js';
import type { EvidenceKind } from '../runner/verdict.js';
import { compareRows, renderComparison } from '../runner/reporters/compare-html.js';
import { renderHtml, specUrl } from '../runner/reporters/html.js';
import { kindOf, laneOf, rawTimeline } from '../runner/reporters/html-timeline.js';

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/reports/', import.meta.url));

async function fixture(name: string): Promise<Report> {
  return JSON.parse(await readFile(join(FIXTURES, name), 'utf8')) as Report;
}

// --- a small DOM toolkit over parse5, which builds the same tree a browser would -------------

function isElement(n: Node): n is Element {
  return 'tagName' in n;
}

function children(n: Node): Node[] {
  const out: Node[] = [];
  if ('childNodes' in n) out.push(...n.childNodes);
  if (n.nodeName === 'template' && 'content' in n) out.push(n.content);
  return out;
}

function all(root: Node, pred: (e: Element) => boolean = () => true): Element[] {
  const out: Element[] = [];
  const walk = (n: Node): void => {
    if (isElement(n) && pred(n)) out.push(n);
    for (const c of children(n)) walk(c);
  };
  walk(root);
  return out;
}

function attr(e: Element, name: string): string | undefined {
  return e.attrs.find((a) => a.name === name)?.value;
}

function hasClass(e: Element, cls: string): boolean {
  return (attr(e, 'class') ?? '').split(/\s+/).includes(cls);
}

function sel(root: Node, tag: string, cls?: string): Element[] {
  return all(root, (e) => e.tagName === tag && (cls === undefined || hasClass(e, cls)));
}

function text(n: Node): string {
  if (n.nodeName === '#text' && 'value' in n) return n.value;
  return children(n).map(text).join('');
}

function byId(root: Node, id: string): Element | undefined {
  return all(root, (e) => attr(e, 'id') === id)[0];
}

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

/**
 * What a page built from hostile data must never contain, checked on the parsed tree: our one
 * script and one style are the only active content, no event-handler attributes, no URL other
 * than our own anchors and spec links, no embedded resources.
 */
function assertInert(doc: Node): void {
  expect(sel(doc, 'script'), 'script elements').to.have.length(1);
  expect(sel(doc, 'style'), 'style elements').to.have.length(1);
  for (const tag of [
    'img',
    'iframe',
    'link',
    'object',
    'embed',
    'base',
    'form',
    'frame',
    'audio',
    'video',
    'image',
    'use',
    'foreignObject',
    'input',
  ]) {
    const found = all(doc, (e) => e.tagName.toLowerCase() === tag.toLowerCase());
    // the comparison page has its own "only differing rows" checkbox
    const ours = found.filter((e) => tag === 'input' && attr(e, 'id') === 'only-diff');
    expect(found.length - ours.length, `<${tag}> elements`).to.equal(0);
  }
  const metas = sel(doc, 'meta').map((m) => attr(m, 'charset') ?? attr(m, 'http-equiv') ?? attr(m, 'name'));
  expect(metas).to.deep.equal(['utf-8', 'Content-Security-Policy', 'referrer', 'viewport']);
  for (const e of all(doc)) {
    for (const a of e.attrs) {
      expect(a.name, `attribute on <${e.tagName}>`).not.to.match(/^on/i);
      expect(a.name).not.to.equal('style');
      expect(a.value.toLowerCase(), `<${e.tagName} ${a.name}>`).not.to.include('javascript:');
      expect(a.value, `<${e.tagName} ${a.name}>`).not.to.include('evil.example');
      if (['href', 'src', 'xlink:href', 'action', 'formaction', 'srcset', 'poster', 'data'].includes(a.name)) {
        expect(a.value, `<${e.tagName} ${a.name}>`).to.match(
          /^(#case-\d+|https:\/\/www\.rfc-editor\.org\/rfc\/rfc\d+(#(section|appendix)-[0-9A-Z.]+)?|https:\/\/(xmpp\.org|html\.spec\.whatwg\.org|fetch\.spec\.whatwg\.org|docs\.cometd\.org)\/[^"<>\s]*)$/,
        );
      }
    }
  }
}

function cspOf(doc: Node): string {
  const meta = sel(doc, 'meta').find((m) => attr(m, 'http-equiv') === 'Content-Security-Policy');
  expect(meta, 'CSP meta').to.not.equal(undefined);
  return attr(meta as Element, 'content') ?? '';
}

function assertCsp(doc: Node, html: string): void {
  const csp = cspOf(doc);
  expect(csp).not.to.include('unsafe');
  expect(csp).not.to.match(/https?:|\*/);
  expect(csp).to.match(/(^|; )default-src 'none'(;|$)/);
  const script = sel(doc, 'script')[0];
  const style = sel(doc, 'style')[0];
  expect(script && style).to.not.equal(undefined);
  expect(csp).to.include(`script-src ${sha256(text(script as Element))};`);
  expect(csp).to.include(`style-src ${sha256(text(style as Element))};`);
  // The CSP must be in force before anything it governs.
  expect(html.indexOf('Content-Security-Policy')).to.be.lessThan(html.indexOf('<style>'));
}

// ---------------------------------------------------------------------------------------------

describe('HTML report', () => {
  let sample: Report;
  let html: string;
  let doc: DefaultTreeAdapterTypes.Document;

  before(async () => {
    sample = await fixture('sample.json');
    html = renderHtml(sample);
    doc = parse(html);
  });

  it('is one self-contained document with a strict, hash-based CSP', () => {
    expect(html.startsWith('<!DOCTYPE html>')).to.equal(true);
    assertCsp(doc, html);
    assertInert(doc);
  });

  it('has a matrix row per requirement and a column per profile, grouped by section', () => {
    const reqs = new Set(sample.results.map((r) => r.id));
    const vias = [...new Set(sample.results.map((r) => r.via))];
    const matrix = byId(doc, 'matrix') as Element;
    expect(sel(matrix, 'tr', 'req')).to.have.length(reqs.size);
    expect(sel(matrix, 'th', 'via').map(text)).to.deep.equal(vias);
    for (const tr of sel(matrix, 'tr', 'req')) expect(sel(tr, 'td', 'cell')).to.have.length(vias.length);
    expect(sel(matrix, 'th', 'sec').map(text)).to.deep.equal(['2.1', '2.2', '5.4', '5.5', '5.6'].map((s) => `RFC 6202 §${s}`));
    const link = sel(sel(matrix, 'th', 'sec')[3] as Element, 'a')[0] as Element;
    expect(attr(link, 'href')).to.equal('https://www.rfc-editor.org/rfc/rfc6202#section-5.5');
  });

  it('links every matrix cell to an existing case with the same verdict', () => {
    const matrix = byId(doc, 'matrix') as Element;
    const links = sel(matrix, 'a').filter((a) => (attr(a, 'href') ?? '').startsWith('#'));
    expect(links).to.have.length(sample.results.length);
    for (const a of links) {
      const id = (attr(a, 'href') as string).slice(1);
      const target = byId(doc, id);
      expect(target, id).to.not.equal(undefined);
      expect((target as Element).tagName).to.equal('details');
      const td = a.parentNode as Element;
      expect(attr(td, 'data-verdict')).to.equal(attr(target as Element, 'data-verdict'));
      const idx = Number(id.replace('case-', ''));
      const r = sample.results[idx] as Report['results'][number];
      expect(attr(td, 'data-verdict')).to.equal(r.verdict);
      expect(text(target as Element)).to.include(r.actual);
    }
  });

  it('shows counts that match the summary, and an overall badge', () => {
    const all = sel(byId(doc, 'counts') as Element, 'tr', 'all')[0] as Element;
    const cells = sel(all, 'td').filter((td) => attr(td, 'data-outcome') !== undefined);
    const shown: Record<string, number> = Object.fromEntries(
      cells.map((td): [string, number] => [attr(td, 'data-outcome') ?? '', Number(text(td))]),
    );
    expect(shown).to.deep.equal(sample.summary);
    expect(text(byId(doc, 'overall') as Element)).to.equal('FAIL · 2 failing');
    expect(byId(doc, 'summary-mismatch')).to.equal(undefined);
    for (const k of ['Target', 'Started', 'Tool', 'RTT', 'Time scale']) expect(text(byId(doc, 'meta') as Element)).to.include(k);
  });

  it('lists what failed first (fail, error, then warn), each linked to its case, with cause and remedy', () => {
    const list = byId(doc, 'failure-list') as Element;
    const items = sel(list, 'li');
    const notable = sample.results.filter((r) => ['fail', 'error', 'warn'].includes(r.verdict));
    // One item per requirement, verdict and cause, linking every case it showed in.
    expect(items).to.have.length(new Set(notable.map((r) => JSON.stringify([r.id, r.verdict, r.cause ?? '']))).size);
    expect(items.flatMap((li) => sel(li, 'a'))).to.have.length(notable.length);
    const order = items.map((li) => attr(li, 'data-verdict'));
    expect(order).to.deep.equal(
      [...order].sort((a, b) => ['fail', 'error', 'warn'].indexOf(a ?? '') - ['fail', 'error', 'warn'].indexOf(b ?? '')),
    );
    for (const li of items) {
      for (const a of sel(li, 'a')) {
        const target = byId(doc, (attr(a, 'href') ?? '').slice(1)) as Element;
        expect(attr(target, 'data-verdict')).to.equal(attr(li, 'data-verdict'));
      }
    }
    expect(html.indexOf('id="failures"')).to.be.lessThan(html.indexOf('id="matrix"'));
    const clean = parse(renderHtml({ ...sample, results: sample.results.filter((r) => r.verdict === 'pass') }));
    expect(byId(clean, 'failures-none')).to.not.equal(undefined);
  });

  it("opens with a headline: the server direct, then where it breaks, separating the hop's doing from the server's", () => {
    const base = sample.results[0] as CaseResult;
    const mk = (via: string, verdict: CaseResult['verdict'], cause?: CaseResult['cause']): CaseResult => ({
      ...base,
      id: 'st.incremental',
      via,
      verdict,
      ...(cause ? { cause, remedy: 'X-Accel-Buffering: no' } : {}),
    });
    const results = [
      mk('direct', 'pass'),
      mk('nginx-default', 'fail', 'intermediary'),
      mk('shared-cache', 'fail', 'server'),
      mk('latency', 'pass'),
    ];
    const headline = text(byId(parse(renderHtml({ ...sample, results, summary: summarize(results) })), 'headline') as Element);
    expect(headline).to.equal(
      'Directly, the server meets every requirement it was judged on. Breaks behind nginx-default, where what works direct fails. ' +
        'Also breaks behind shared-cache, each time for something the server itself does. Works behind latency. What to change is listed first, below.',
    );
  });

  it('answers "does it work behind X?" per profile: what it models, the answer, the deciding checks, the fix', () => {
    const table = byId(doc, 'profile-table') as Element;
    const rows = sel(table, 'tr').filter((tr) => attr(tr, 'data-answer') !== undefined);
    const vias = [...new Set(sample.results.map((r) => r.via))].filter((v) => v !== 'direct');
    expect(rows.map((tr) => text(sel(tr, 'th')[0] as Element))).to.deep.equal(vias);
    for (const tr of rows) {
      const via = text(sel(tr, 'th')[0] as Element);
      const through = sample.results.filter((r) => r.via === via);
      const broken = through.some((r) => r.verdict === 'fail' || r.verdict === 'error');
      const warned = through.some((r) => r.verdict === 'warn');
      expect(attr(tr, 'data-answer'), via).to.equal(
        broken ? 'fail' : warned ? 'warn' : through.some((r) => r.verdict === 'pass') ? 'pass' : 'inconclusive',
      );
      expect(text(tr), via).to.not.include('undefined');
    }
  });

  it('says in the run details how an https target was verified, a shard and a merge', () => {
    const meta = (r: Report): string => text(byId(parse(renderHtml(r)), 'meta') as Element);
    expect(
      meta({
        ...sample,
        environment: { ...sample.environment, tls: { insecure: true, protocol: 'TLSv1.3', cipher: null, alpn: 'http/1.1' } },
      }),
    ).to.include("TLS NOT VERIFIED (--insecure): the target's certificate was not checked · TLSv1.3, ALPN http/1.1");
    expect(meta({ ...sample, environment: { ...sample.environment, tls: { insecure: false, ca: 'ca.pem' } } })).to.include(
      'TLS verified with --ca ca.pem',
    );
    expect(meta(sample)).to.not.include('TLS');
    expect(meta({ ...sample, environment: { ...sample.environment, shard: { index: 2, count: 4 } } })).to.include(
      '2/4 (pushspec merge joins the shards)',
    );
    const merged = {
      file: 's1.json',
      baseUrl: 'http://127.0.0.1:1',
      startedAt: '2026-01-01T00:00:00Z',
      durationMs: 4500,
      rttMs: 1,
      cases: 37,
      shard: { index: 1, count: 2 },
    };
    expect(meta({ ...sample, environment: { ...sample.environment, merged: [merged] } })).to.include(
      's1.json (shard 1/2): 37 cases, 4.5 s',
    );
  });

  it('warns when the stored summary disagrees with the results', () => {
    const d = parse(renderHtml({ ...sample, summary: { ...sample.summary, fail: 0 } }));
    expect(byId(d, 'summary-mismatch')).to.not.equal(undefined);
  });

  it('renders each case with expected/actual, measurements and one timeline mark per evidence item', () => {
    const cases = sel(doc, 'details', 'case');
    expect(cases).to.have.length(sample.results.length);
    sample.results.forEach((r, i) => {
      const c = byId(doc, `case-${i}`) as Element;
      expect(text(sel(c, 'pre', 'expected')[0] as Element)).to.equal(r.expected);
      expect(text(sel(c, 'pre', 'actual')[0] as Element)).to.equal(r.actual);
      expect(text(c)).to.include(`RFC 6202 §${r.section}`);
      const marks = sel(c, 'g', 'ev');
      expect(marks, r.id).to.have.length(r.evidence.length);
      const raw = r.evidence.length ? text(sel(c, 'pre', 'raw')[0] as Element) : '';
      for (const e of r.evidence) {
        expect(raw).to.include(e.what);
        expect(marks.some((m) => text(m).includes(e.what))).to.equal(true);
      }
      for (const k of Object.keys(r.measurements)) expect(text(c)).to.include(k);
    });
  });

  it('builds spec links only from recognised specs and well-formed sections', () => {
    expect(specUrl('RFC 6202', '5.5')).to.equal('https://www.rfc-editor.org/rfc/rfc6202#section-5.5');
    expect(specUrl('RFC 9112', '7.1.2')).to.equal('https://www.rfc-editor.org/rfc/rfc9112#section-7.1.2');
    expect(specUrl('RFC 6202', 'A.1')).to.equal('https://www.rfc-editor.org/rfc/rfc6202#appendix-A.1');
    expect(specUrl('RFC 6202', '2.1"><script>')).to.equal('https://www.rfc-editor.org/rfc/rfc6202');
    expect(specUrl('XEP-0124', '7')).to.equal('https://xmpp.org/extensions/xep-0124.html');
    expect(specUrl('WHATWG', '9.2')).to.match(/^https:\/\/html\.spec\.whatwg\.org\//);
    expect(specUrl('Bayeux', '1')).to.match(/^https:\/\/docs\.cometd\.org\//);
    expect(specUrl('javascript:alert(1)//', '1')).to.equal(undefined);
    expect(specUrl('RFC 6202<script>', '1')).to.equal(undefined);
  });

  it('draws each moment in the lane of its typed kind, and guesses only for reports without kinds', () => {
    expect(laneOf({ kind: 'request', what: 'anything' })).to.equal('request');
    expect(laneOf({ kind: 'response-head', what: 'read 4 bytes' })).to.equal('response');
    expect(laneOf({ kind: 'body-read', what: 'x' })).to.equal('body read');
    expect(laneOf({ kind: 'connection-end', what: 'x' })).to.equal('connection');
    expect(laneOf({ kind: 'hop', what: 'x' })).to.equal('intermediary');
    // A report from before evidence was typed: the first word decides.
    expect(kindOf({ what: 'sent GET /x' })).to.equal('request');
    expect(kindOf({ what: 'headers 200 OK' })).to.equal('response-head');
    expect(kindOf({ what: 'read off=0 size=12' })).to.equal('body-read');
    expect(kindOf({ what: 'publish fired' })).to.equal('publish');
    expect(kindOf({ what: 'FIN from proxy' })).to.equal('connection-end');
    // A kind we do not know (a tampered report) is guessed from the text, never trusted.
    expect(kindOf({ kind: '<script>', what: '<script>' })).to.equal('note');
  });

  it('lists the timeline in time order whatever order report.json has it in', () => {
    const raw = rawTimeline([
      { t: 30, kind: 'connection-end', conn: 2, what: 'third' },
      { t: 10, kind: 'request', conn: 2, bytes: 80, what: 'first' },
      { t: 20, kind: 'body-read', conn: 2, bytes: 12, what: 'second' },
    ]);
    expect(raw.split('\n').map((l) => l.trim().split(/\s+/).at(-1))).to.deep.equal(['first', 'second', 'third']);
    expect(raw).to.match(/\+10 ms {2}request {9}#2 {8}80 B {2}first/);
  });
});

describe('HTML report of a hostile server', () => {
  let hostile: Report;
  let html: string;
  let doc: DefaultTreeAdapterTypes.Document;

  before(async () => {
    hostile = await fixture('hostile.json');
    html = renderHtml(hostile);
    doc = parse(html);
  });

  it('contains no active content other than our own script and style', () => {
    assertCsp(doc, html);
    assertInert(doc);
    expect(sel(doc, 'svg').every((s) => hasClass(s, 'tl'))).to.equal(true);
    expect(sel(doc, 'title')).to.have.length(1 + sel(doc, 'g', 'ev').length + sel(doc, 'svg').length);
  });

  it('shows the hostile strings as literal text', () => {
    const body = text(doc);
    for (const s of [
      '<script>window.__pwned=1;alert(1)</script>',
      '"><img src=x onerror="window.__pwned=2;alert(2)">',
      '</style><style>body{background:url(https://evil.example/x.png)}</style>',
      'javascript:window.__pwned=3',
      ']]><![CDATA[<svg onload=alert(4)>]]>',
      '${window.__pwned=5}',
      '--><script>window.__pwned=9</script><!--',
    ]) {
      expect(body, s).to.include(s);
      if (s.includes('<')) expect(html, s).not.to.include(s.slice(s.indexOf('<'))); // never present unescaped
    }
    expect(text(sel(doc, 'title')[0] as Element)).to.include('<script>window.__pwned=1;alert(1)</script>');
  });

  it('makes bidi overrides and control characters visible instead of interpreting them', () => {
    // eslint-disable-next-line no-control-regex -- NUL and ESC are exactly what must not appear
    expect(html).not.to.match(/[\u202A-\u202E\u2066-\u2069\u200B\u0000\u001b]/);
    const ctl = sel(doc, 'span', 'ctl').map(text);
    for (const cp of ['U+202E', 'U+202C', 'U+2066', 'U+2069', 'U+200B', 'U+0000', 'U+001B']) expect(ctl).to.include(cp);
  });

  it('keeps typed evidence, remedies, profile names and the headline inert too (</script>, <img onerror>, U+2028, NUL)', () => {
    const evil = '</script><img src=x onerror="window.__pwned=7">\u2028\u0000"\'';
    const first = hostile.results[0] as CaseResult;
    const results: CaseResult[] = [
      {
        ...first,
        via: 'direct',
        verdict: 'fail',
        remedy: evil,
        cause: 'server',
        excessMs: 1e9,
        measurements: { latencyMs: 1e9, [evil]: evil },
        evidence: [
          { t: 5, kind: evil as EvidenceKind, conn: evil as unknown as number, bytes: 3, what: evil },
          { t: 1, kind: 'request', conn: 1, what: evil },
        ],
      },
      { ...first, via: evil, verdict: 'warn', remedy: evil, cause: 'intermediary' },
    ];
    const page = renderHtml({ ...hostile, results, summary: summarize(results) });
    const tree = parse(page);
    assertCsp(tree, page);
    assertInert(tree);
    // eslint-disable-next-line no-control-regex -- NUL and the line separator must only appear as markers
    expect(page).not.to.match(/[\u2028\u0000]/);
    expect(page).not.to.include('<img');
    const body = text(tree);
    expect(body).to.include('</script><img src=x onerror="window.__pwned=7">U+2028U+0000');
    expect(text(byId(tree, 'headline') as Element)).to.include('</script><img');
    // A kind we do not define never becomes a class; the raw line is in time order.
    for (const e of all(tree, (x) => x.attrs.some((a) => a.name === 'class'))) expect(attr(e, 'class')).not.to.include('<');
    const raw = text(sel(tree, 'pre', 'raw')[0] as Element);
    expect(raw.indexOf('+1 ms')).to.be.lessThan(raw.indexOf('+5 ms'));
    // A legacy never-arrived stand-in reads as what it meant.
    expect(body).to.include('never arrived').and.not.include('1.000e+9');
    // The hostile profile name gets no hover title (only catalogued profiles do).
    expect(sel(tree, 'th', 'via').map((th) => attr(th, 'title'))).to.deep.equal(['straight to the target', undefined]);
  });

  it('keeps hostile specs and sections out of URLs and odd timestamps on the chart', () => {
    const hrefs = sel(doc, 'a').map((a) => attr(a, 'href') ?? '');
    expect(hrefs.filter((h) => h.startsWith('https://'))).to.satisfy((l: string[]) =>
      l.every(
        (h) => h === 'https://www.rfc-editor.org/rfc/rfc6202#section-2.1' || h === 'https://www.rfc-editor.org/rfc/rfc6202#section-5.4',
      ),
    );
    for (const e of all(doc, (x) => ['circle', 'rect', 'line', 'text'].includes(x.tagName))) {
      for (const a of e.attrs) if (/^(x|y|cx|cy|x1|x2|y1|y2|width|height)$/.test(a.name)) expect(a.value).to.match(/^-?[\d.]+$/);
    }
  });
});

describe('comparison report', () => {
  let a: Report;
  let b: Report;

  before(async () => {
    a = await fixture('sample.json');
    b = await fixture('sample-b.json');
  });

  it('has a row per id@via, a column per report, and highlights differing cells', () => {
    const html = renderComparison([
      { label: 'before', report: a },
      { label: 'after', report: b },
    ]);
    const doc = parse(html);
    assertCsp(doc, html);
    assertInert(doc);
    const rows = sel(doc, 'tr', 'row');
    expect(rows).to.have.length(a.results.length);
    const diffRows = rows.filter((r) => hasClass(r, 'diff'));
    const key = (r: Element): string => text(sel(r, 'td', 'key')[0] as Element);
    // five verdicts changed, one case not run in the second report
    expect(diffRows).to.have.length(6);
    expect(diffRows.map(key).join('|')).to.include('bp.hold-below-proxy-timeouts@shared-cache');
    const changed = all(doc, (e) => e.tagName === 'td' && hasClass(e, 'changed'));
    expect(changed).to.have.length(6);
    for (const td of changed) expect(text(td)).to.include('Δ');
    const absent = changed.find((td) => attr(td, 'data-verdict') === 'absent');
    expect(absent && text(absent)).to.include('not run');
    expect(text(byId(doc, 'diff-summary') as Element)).to.equal('6 of 20 rows differ.');
    // no highlight where nothing changed
    for (const r of rows.filter((x) => !hasClass(x, 'diff'))) expect(sel(r, 'td', 'changed')).to.have.length(0);
  });

  it('compares three reports, including a hostile one, as inert text', async () => {
    const hostile = await fixture('hostile.json');
    const { rows, differing } = compareRows([
      { label: 'a', report: a },
      { label: 'b', report: b },
      { label: 'h', report: hostile },
    ]);
    expect(rows.length).to.be.greaterThan(a.results.length);
    expect(differing).to.be.greaterThan(0);
    const html = renderComparison([
      { label: 'a', report: a },
      { label: '<script>window.__pwned=1</script>', report: hostile },
    ]);
    const doc = parse(html);
    assertCsp(doc, html);
    assertInert(doc);
    expect(text(doc)).to.include('<script>window.__pwned=1</script>');
  });
});

describe('baseline', () => {
  let a: Report;
  let b: Report;

  before(async () => {
    a = await fixture('sample.json');
    b = await fixture('sample-b.json');
  });

  it('lists failures (and, on request, warnings) sorted by id@via', () => {
    expect(createBaseline(a)).to.deep.equal({
      schemaVersion: 1,
      expectedFailures: ['bp.forbid-caching@shared-cache', 'lp.holds-until-event@shared-cache'],
    });
    const withWarn = createBaseline(a, { includeWarnings: true }).expectedFailures;
    expect(withWarn).to.have.length(6);
    expect(withWarn).to.include('stream.events-unbuffered@nginx-default');
    expect([...withWarn].sort()).to.deep.equal(withWarn);
  });

  it('accepts known failures', () => {
    const res = applyBaseline(a, createBaseline(a));
    expect(res).to.deep.include({ newFailures: [], stale: [], ok: true });
    expect(res.known).to.have.length(2);
  });

  it('reports new failures and stale entries', () => {
    const res = applyBaseline(b, createBaseline(a));
    expect(res.newFailures).to.deep.equal(['stream.events-unbuffered@direct']);
    expect(res.stale).to.deep.equal(['bp.forbid-caching@shared-cache', 'lp.holds-until-event@shared-cache']);
    expect(res.known).to.deep.equal([]);
    expect(res.ok).to.equal(false);
  });

  it('does not call an entry stale when the run could not tell', () => {
    const base = parseBaseline(
      {
        schemaVersion: 1,
        expectedFailures: [
          'lp.delivers-on-publish@shared-cache', // inconclusive
          'bp.forbid-caching@nginx-default', // error
          'bp.complete-response@nginx-default', // skip
          'lp.not-run@direct', // absent
          'lp.no-duplicates@direct', // warn: still not passing
          'bp.forbid-caching@shared-cache',
          'lp.holds-until-event@shared-cache',
        ],
      },
      'inline',
    );
    const res = applyBaseline(a, base);
    expect(res.stale).to.deep.equal([]);
    expect(res.notJudged).to.deep.equal([
      'bp.complete-response@nginx-default',
      'bp.forbid-caching@nginx-default',
      'lp.delivers-on-publish@shared-cache',
      'lp.not-run@direct',
    ]);
    expect(res.known).to.include('lp.no-duplicates@direct');
    expect(res.ok).to.equal(true);
  });

  it('counts warnings as failures only when asked (--strict)', () => {
    const res = applyBaseline(a, createBaseline(a), { includeWarnings: true });
    expect(res.newFailures).to.have.length(4);
    expect(applyBaseline(a, createBaseline(a, { includeWarnings: true }), { includeWarnings: true }).ok).to.equal(true);
  });

  it('rejects malformed baselines with errors naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /b\.json: expected a JSON object.*got an array/],
      [{ expectedFailures: [] }, /"schemaVersion" must be 1, got nothing/],
      [{ schemaVersion: 2, expectedFailures: [] }, /"schemaVersion" must be 1, got number 2/],
      [{ schemaVersion: 1 }, /"expectedFailures" must be an array/],
      [{ schemaVersion: 1, expectedFailures: [3] }, /"expectedFailures\[0\]" must be a string/],
      [{ schemaVersion: 1, expectedFailures: ['ok@x', 'no-via'] }, /"expectedFailures\[1\]" must look like "id@via".*"no-via"/],
      [{ schemaVersion: 1, expectedFailures: [], expected: [] }, /unknown field "expected"/],
    ];
    for (const [json, re] of cases) {
      let err: unknown;
      try {
        parseBaseline(json, 'b.json');
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(json)).to.be.instanceOf(BaselineError);
      expect((err as BaselineError).message).to.match(re);
      expect((err as BaselineError).code).to.equal('PUSHSPEC_E_BASELINE');
      expect((err as BaselineError).exitCode).to.equal(2);
    }
    expect(parseBaseline({ $schema: 'x', schemaVersion: 1, expectedFailures: ['b@v', 'a@v', 'b@v'] }, 'b.json')).to.deep.equal({
      schemaVersion: 1,
      expectedFailures: ['a@v', 'b@v'],
    });
  });
});

describe('report commands', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pushspec-report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function rejection(p: Promise<unknown>): Promise<Error & { exitCode?: number }> {
    try {
      await p;
    } catch (e) {
      return e as Error & { exitCode?: number };
    }
    throw new Error('expected a rejection');
  }

  it('renders report.json to HTML atomically, replacing an existing file', async () => {
    const out = join(dir, 'out', 'x.html');
    await mkdir(join(dir, 'out'));
    await writeFile(out, 'old');
    await reportCommand(join(FIXTURES, 'sample.json'), out);
    const html = await readFile(out, 'utf8');
    expect(html).to.match(/^<!DOCTYPE html>[\s\S]*<\/html>\n$/);
    expect(await readdir(join(dir, 'out'))).to.deep.equal(['x.html']);
  });

  it('leaves nothing behind when the final rename fails', async () => {
    const out = join(dir, 'taken');
    await mkdir(join(out, 'child'), { recursive: true }); // a non-empty directory cannot be replaced
    const err = await rejection(reportCommand(join(FIXTURES, 'sample.json'), out));
    expect(err.message).to.match(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(await readdir(dir)).to.deep.equal(['taken']);
  });

  it('rejects bad input with exitCode 2 naming the file and the problem', async () => {
    const write = async (name: string, body: string): Promise<string> => {
      const p = join(dir, name);
      await writeFile(p, body);
      return p;
    };
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /missing\.json: cannot read report \(ENOENT\)/],
      [await write('broken.json', '{"schemaVersion": 1,'), /broken\.json: not valid JSON/],
      [await write('v2.json', '{"schemaVersion": 2, "results": []}'), /v2\.json: .*"schemaVersion" must be 1, got 2/],
      [await write('nores.json', '{"schemaVersion": 1}'), /nores\.json: .*"results" must be an array/],
      [
        await write('badv.json', '{"schemaVersion": 1, "results": [{"id": "a.b", "via": "direct", "verdict": "ok"}]}'),
        /badv\.json: .*"results\[0\]\.verdict" must be one of pass, fail/,
      ],
      [await write('noid.json', '{"schemaVersion": 1, "results": [{"via": "direct", "verdict": "pass"}]}'), /"results\[0\]\.id"/],
    ];
    for (const [file, re] of cases) {
      const err = await rejection(reportCommand(file, join(dir, 'o.html')));
      expect(err.message, file).to.match(re);
      expect(err.exitCode, file).to.equal(2);
    }
    expect(await readdir(dir)).not.to.include('o.html');
  });

  it('compares several reports, and needs at least two', async () => {
    const out = join(dir, 'compare.html');
    await compareCommand([join(FIXTURES, 'sample.json'), join(FIXTURES, 'sample-b.json')], out);
    const doc = parse(await readFile(out, 'utf8'));
    expect(sel(doc, 'th', 'col').map(text)).to.deep.equal(['ref · sample.json', 'sample-b.json']);
    const err = await rejection(compareCommand([join(FIXTURES, 'sample.json')], out));
    expect(err.exitCode).to.equal(2);
  });

  it('prints a baseline that parses back', async () => {
    const textOut = await baselineCommand(join(FIXTURES, 'sample.json'));
    expect(textOut.endsWith('\n')).to.equal(true);
    const base = parseBaseline(JSON.parse(textOut), 'stdout');
    expect(base.expectedFailures).to.have.length(2);
  });

  it('loads every stored fixture', async () => {
    for (const f of ['sample.json', 'sample-b.json', 'hostile.json']) {
      const r = await loadReport(join(FIXTURES, f));
      expect(validateReport(r, f)).to.equal(r);
    }
  });
});
