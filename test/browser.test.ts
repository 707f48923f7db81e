/**
 * The HTML report in a real browser (Debian's headless Chromium via playwright-core): the hash
 * CSP must let our own script run and nothing else; filters, expansion and anchors must work
 * from file:// with no server; a hostile report must not run script or load anything.
 * Skips (with a message) when /usr/bin/chromium is absent; CI installs it.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import type { Report } from '../runner/report.js';
import { renderComparison } from '../runner/reporters/compare-html.js';
import { VIA_PROFILES } from '../runner/via.js';
import { renderHtml } from '../runner/reporters/html.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test', 'fixtures', 'reports');
const OUT = join(ROOT, 'test-output');

interface Watch {
  requests: string[];
  dialogs: string[];
  pageErrors: string[];
  console: string[];
}

async function fixture(name: string): Promise<Report> {
  return JSON.parse(await readFile(join(FIXTURES, name), 'utf8')) as Report;
}

describe('HTML report in headless Chromium', function () {
  this.timeout(90_000);
  let ctx: BrowserContext | undefined;
  let profileDir: string | undefined;
  const files: Record<'report' | 'hostile' | 'compare' | 'wide' | 'full', string> = {
    report: '',
    hostile: '',
    compare: '',
    wide: '',
    full: '',
  };

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipping browser tests: ${CHROMIUM} not found (apt-get install -y chromium)`);
      this.skip();
    }
    // test-output/ ignores itself, so screenshots never end up in a commit.
    await mkdir(OUT, { recursive: true });
    await writeFile(join(OUT, '.gitignore'), '*\n');
    const [sample, sampleB, hostile] = await Promise.all(['sample.json', 'sample-b.json', 'hostile.json'].map(fixture));
    files.report = join(OUT, 'report.html');
    files.hostile = join(OUT, 'hostile.html');
    files.compare = join(OUT, 'compare.html');
    // A real run (pushspec fixture with six faults), typed evidence and all.
    files.full = join(OUT, 'full-run.html');
    await writeFile(files.full, renderHtml(await fixture('full-run.json')));
    await writeFile(files.report, renderHtml(sample as Report));
    await writeFile(files.hostile, renderHtml(hostile as Report));
    // Every profile a full run has, as columns: the matrix must scroll inside, not the page.
    files.wide = join(OUT, 'wide.html');
    const wide = (sample as Report).results.flatMap((r) => VIA_PROFILES.map((via) => ({ ...r, via })));
    await writeFile(files.wide, renderHtml({ ...(sample as Report), results: wide }));
    await writeFile(
      files.compare,
      renderComparison([
        { label: 'sample.json', report: sample as Report },
        { label: 'sample-b.json', report: sampleB as Report },
      ]),
    );
    profileDir = await mkdtemp(join(tmpdir(), 'pushspec-chromium-'));
    ctx = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
      viewport: { width: 1280, height: 900 },
    });
  });

  after(async () => {
    await ctx?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  async function open(file: string): Promise<{ page: Page; watch: Watch }> {
    const page = await (ctx as BrowserContext).newPage();
    // A broken page should fail fast rather than wait out Playwright's 30 s default.
    page.setDefaultTimeout(5_000);
    const watch: Watch = { requests: [], dialogs: [], pageErrors: [], console: [] };
    page.on('request', (r) => watch.requests.push(r.url()));
    page.on('dialog', (d) => {
      watch.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => watch.pageErrors.push(e.message));
    page.on('console', (m) => watch.console.push(m.text()));
    // Init scripts are injected by the driver, outside the page's CSP; they only observe.
    await page.addInitScript(
      "window.__csp=[];document.addEventListener('securitypolicyviolation',function(e){window.__csp.push(e.violatedDirective+' '+e.blockedURI);});",
    );
    await page.goto(pathToFileURL(file).href);
    return { page, watch };
  }

  async function cspViolations(page: Page): Promise<string[]> {
    return await page.evaluate<string[]>('window.__csp');
  }

  /**
   * Waits for a case to be open with a locator: Playwright matches selectors in its own isolated
   * world without evaluating page-supplied source, so the report's CSP (no 'unsafe-eval') cannot
   * block the wait, as it could block waitForFunction's in-page polling.
   */
  async function waitOpen(page: Page, id: string): Promise<void> {
    await page.locator(`details#${id}[open]`).waitFor({ state: 'attached' });
  }

  async function visibleCount(page: Page, selector: string): Promise<number> {
    // The project compiles without DOM typings, so in-page code is passed as source text.
    return await page.evaluate<number>(
      `Array.from(document.querySelectorAll(${JSON.stringify(selector)})).filter((e) => e.offsetParent !== null).length`,
    );
  }

  it('renders the matrix, filters, expands cases and loads nothing', async () => {
    const { page, watch } = await open(files.report);
    try {
      await page.locator('#matrix').waitFor({ state: 'visible' });
      expect(await visibleCount(page, '#matrix tr.req')).to.equal(8);
      // The headline, then what failed (fail first), then the per-profile answer, all above the matrix.
      expect(await page.locator('#overall').textContent()).to.equal('FAIL · 2 failing');
      expect(
        await page.evaluate(`Array.from(document.querySelectorAll('#failure-list li')).slice(0, 2).map((e) => e.dataset.verdict)`),
      ).to.deep.equal(['fail', 'fail']);
      expect(await visibleCount(page, '#profile-table tr[data-answer]')).to.be.greaterThan(0);
      const order = await page.evaluate(
        `['overall', 'failure-list', 'profile-table', 'matrix'].map((id) => document.getElementById(id).getBoundingClientRect().top)`,
      );
      expect(order).to.deep.equal([...(order as number[])].sort((a, b) => a - b));

      // The toolbar is unhidden by our script: proof that the hashed script ran under the CSP.
      expect(await page.locator('#filters').isVisible()).to.equal(true);
      expect(await page.locator('#f-count').textContent()).to.equal('showing 20 of 20 cases');

      await page.click('button.vf[data-verdict="fail"]');
      expect(await visibleCount(page, 'details.case')).to.equal(2);
      expect(
        await page.evaluate(`Array.from(document.querySelectorAll('details.case:not([hidden])')).map((e) => e.dataset.verdict)`),
      ).to.deep.equal(['fail', 'fail']);
      expect(await visibleCount(page, '#matrix tr.req')).to.equal(2);
      expect(await page.locator('#f-count').textContent()).to.equal('showing 2 of 20 cases');
      await page.click('#f-reset');
      expect(await visibleCount(page, 'details.case')).to.equal(20);

      await page.selectOption('#f-via', { label: 'shared-cache' });
      expect(await visibleCount(page, '#matrix th.via')).to.equal(1);
      expect(await visibleCount(page, 'details.case')).to.equal(4);
      await page.selectOption('#f-via', '');

      // Expanding a case (a plain <details>) shows its timeline chart.
      const c = page.locator('#case-2');
      expect(await c.locator('svg.tl').isVisible()).to.equal(false);
      await c.locator(':scope > summary').click();
      expect(await page.evaluate(`document.getElementById('case-2').open`)).to.equal(true);
      const box = await c.locator('svg.tl').boundingBox();
      expect(box && box.width > 300 && box.height > 40).to.equal(true);
      expect(await c.locator('svg.tl g.ev').count()).to.equal(6);

      // A matrix cell opens its case.
      await page.click('#matrix a[href="#case-17"]');
      await waitOpen(page, 'case-17');

      // Printing shows every case, even collapsed ones.
      await page.click('#f-collapse');
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('#case-0 svg.tl').isVisible()).to.equal(true);
      expect(await page.locator('#filters').isVisible()).to.equal(false);
      await page.emulateMedia({ media: 'screen' });

      await c.locator(':scope > summary').click();
      // Full-page shots are taken at the current scroll; from the top the sticky toolbar sits in place.
      await page.evaluate('window.scrollTo(0, 0)');
      const shot = join(OUT, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`      screenshot: ${shot}`);

      // A failure in the list opens its case.
      const first = (await page.getAttribute('#failure-list li:first-child a', 'href')) ?? '';
      await page.click('#failure-list li:first-child a');
      await waitOpen(page, first.slice(1));

      expect(await cspViolations(page)).to.deep.equal([]);
      expect(watch.pageErrors).to.deep.equal([]);
      expect(watch.console).to.deep.equal([]);
      expect(watch.requests).to.deep.equal([pathToFileURL(files.report).href]);
    } finally {
      await page.close();
    }
  });

  it('a matrix with every profile scrolls inside its box at 1280 px; the page itself does not overflow', async () => {
    const { page } = await open(files.wide);
    try {
      await page.locator('#matrix').waitFor({ state: 'visible' });
      expect(await page.evaluate(`document.querySelectorAll('#matrix th.via').length`)).to.equal(VIA_PROFILES.length);
      const [pageW, viewW, boxScroll, boxW] = await page.evaluate<number[]>(
        `[document.documentElement.scrollWidth, window.innerWidth, document.getElementById('matrix-scroll').scrollWidth, document.getElementById('matrix-scroll').clientWidth]`,
      );
      expect(pageW, 'page width').to.be.at.most(viewW ?? 0);
      expect(boxScroll, 'the matrix box scrolls').to.be.greaterThan(boxW ?? 0);
    } finally {
      await page.close();
    }
  });

  it('a real run reads as a decision: headline, failures first with remedies, the answer per profile, a legend, typed timeline lanes', async () => {
    const { page, watch } = await open(files.full);
    try {
      await page.setViewportSize({ width: 1400, height: 1000 });
      await page.locator('#headline').waitFor({ state: 'visible' });
      const headline = (await page.locator('#headline').textContent()) ?? '';
      expect(headline).to.match(/^The server itself fails \d+ requirements: /);
      expect(headline).to.match(/Breaks behind [a-z0-9-]+(, [a-z0-9/-]+)*/);
      // What failed: fails before warnings, and every one says what to change.
      const list = await page.evaluate<Array<[string, boolean]>>(
        `Array.from(document.querySelectorAll('#failure-list li')).map((li) => [li.dataset.verdict, !!li.querySelector('.remedy')])`,
      );
      expect(list.length).to.be.greaterThan(5);
      expect(
        list.every(([, remedy]) => remedy),
        'every failure has a remedy',
      ).to.equal(true);
      const verdicts = list.map(([v]) => v);
      expect(verdicts.lastIndexOf('fail')).to.be.lessThan(verdicts.indexOf('warn'));
      // Per profile: an answer, the deciding requirements and the fix; the description on hover.
      const rows = await page.evaluate<Array<[string, string, string]>>(
        `Array.from(document.querySelectorAll('#profile-table tbody tr')).map((tr) => [tr.dataset.answer, tr.querySelector('th').getAttribute('title') || '', tr.querySelector('td.remedy').textContent])`,
      );
      expect(rows.some(([a]) => a === 'fail') && rows.some(([a]) => a === 'pass')).to.equal(true);
      expect(
        rows.every(([, title]) => title.length > 10),
        'profile descriptions on hover',
      ).to.equal(true);
      expect(rows.filter(([a]) => a === 'fail').every(([, , fix]) => fix.length > 10)).to.equal(true);
      const matrixTitles = await page.evaluate<number>(`document.querySelectorAll('#matrix th.via[title]').length`);
      const columns = await page.evaluate<number>(`document.querySelectorAll('#matrix th.via').length`);
      expect(matrixTitles).to.equal(columns);
      expect(await page.evaluate<number>(`document.querySelectorAll('#profile-legend dt').length`)).to.equal(columns);
      // Order on the page: headline, failures, profiles, matrix, cases.
      const order = await page.evaluate<number[]>(
        `['headline', 'failure-list', 'profile-table', 'matrix', 'cases'].map((id) => document.getElementById(id).getBoundingClientRect().top)`,
      );
      expect(order).to.deep.equal([...order].sort((a, b) => a - b));

      // The timeline of a case with every kind of moment: lanes by kind, no "other", in time order.
      const id = await page.evaluate<string>(
        `(() => { const want = ['request', 'response', 'body read', 'publish', 'connection']; return Array.from(document.querySelectorAll('details.case')).find((d) => want.every((l) => Array.from(d.querySelectorAll('svg.tl text.lane-label')).some((t) => t.textContent === l)))?.id ?? ''; })()`,
      );
      expect(id, 'a case with request, response, body read, publish and connection lanes').to.match(/^case-\d+$/);
      await page.locator(`#${id} > summary`).click();
      const lanes = await page.evaluate<string[]>(
        `Array.from(document.querySelectorAll('#${id} svg.tl text.lane-label')).map((t) => t.textContent)`,
      );
      expect(lanes.slice(0, 5)).to.deep.equal(['request', 'response', 'body read', 'publish', 'connection']);
      expect(lanes).to.not.include('other');
      const times = await page.evaluate<number[]>(
        `document.querySelector('#${id} pre.raw').textContent.split('\\n').map((l) => Number(l.trim().split(' ')[0]))`,
      );
      expect(times).to.deep.equal([...times].sort((a, b) => a - b));
      expect(await page.locator(`#${id} svg.tl`).isVisible()).to.equal(true);
      const tl = join(OUT, 'full-run-timeline.png');
      await page.locator(`#${id} figure.tl`).screenshot({ path: tl });
      console.log(`      screenshot: ${tl}`);

      // Responsive: at 1400 px and at 800 px the page never scrolls sideways; the matrix does, inside its box.
      for (const width of [1400, 800]) {
        await page.setViewportSize({ width, height: 1000 });
        const [pageW, viewW, boxScroll, boxW] = await page.evaluate<number[]>(
          `[document.documentElement.scrollWidth, document.documentElement.clientWidth, document.getElementById('matrix-scroll').scrollWidth, document.getElementById('matrix-scroll').clientWidth]`,
        );
        expect(pageW, `page width at ${width} px`).to.be.at.most(viewW ?? 0);
        if (width === 800) expect(boxScroll, 'the matrix scrolls inside its box at 800 px').to.be.greaterThan(boxW ?? 0);
        await page.evaluate('window.scrollTo(0, 0)');
        const shot = join(OUT, `full-run-${width}.png`);
        await page.screenshot({ path: shot, fullPage: false });
        console.log(`      screenshot: ${shot}`);
      }
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('#profile-legend').isVisible()).to.equal(true);
      const printed = join(OUT, 'full-run-print.pdf');
      await page.pdf({ path: printed, format: 'A4' });
      console.log(`      print: ${printed}`);
      await page.emulateMedia({ media: 'screen' });

      expect(await cspViolations(page)).to.deep.equal([]);
      expect(watch.pageErrors).to.deep.equal([]);
      expect(watch.requests).to.deep.equal([pathToFileURL(files.full).href]);
    } finally {
      await page.close();
    }
  });

  it('renders a full run quickly (size and time printed)', async () => {
    const html = await readFile(files.full, 'utf8');
    const page = await (ctx as BrowserContext).newPage();
    try {
      const t0 = Date.now();
      await page.goto(pathToFileURL(files.full).href, { waitUntil: 'load' });
      const loadMs = Date.now() - t0;
      const paint = await page.evaluate<number>(`performance.getEntriesByType('navigation')[0].loadEventEnd`);
      console.log(
        `      full run: ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, ${(await fixture('full-run.json')).results.length} cases; load event after ${paint.toFixed(0)} ms (goto → load ${loadMs} ms)`,
      );
      expect(loadMs, 'a full report opens within 5 s even on a loaded machine').to.be.lessThan(5_000);
    } finally {
      await page.close();
    }
  });

  it('runs no script from a hostile report and makes no request', async () => {
    const { page, watch } = await open(files.hostile);
    try {
      await page.click('#f-expand');
      // Give anything that would fire (onerror, onload, meta refresh) a moment to do so.
      await page.locator('details.case svg.tl').first().hover();
      await page.waitForTimeout(300);
      expect(await page.evaluate('typeof window.__pwned')).to.equal('undefined');
      expect(watch.dialogs).to.deep.equal([]);
      expect(
        await page.evaluate(`document.querySelectorAll('script, img, iframe, link, object, embed, meta[http-equiv=refresh]').length`),
      ).to.equal(1);
      const bodyText = await page.locator('body').innerText();
      expect(bodyText).to.include('<script>window.__pwned=1;alert(1)</script>');
      expect(bodyText).to.include('"><img src=x onerror="window.__pwned=2;alert(2)">');
      expect(await page.title()).to.include('<script>');
      expect(await page.evaluate('getComputedStyle(document.body).backgroundImage')).to.equal('none');
      expect(await cspViolations(page)).to.deep.equal([]);
      expect(watch.pageErrors).to.deep.equal([]);
      expect(watch.requests).to.deep.equal([pathToFileURL(files.hostile).href]);
      expect(page.url()).to.equal(pathToFileURL(files.hostile).href);
    } finally {
      await page.close();
    }
  });

  it('highlights differing cells in the comparison and filters to them', async () => {
    const { page, watch } = await open(files.compare);
    try {
      expect(await visibleCount(page, 'table.cmp tr.row')).to.equal(20);
      expect(await visibleCount(page, 'table.cmp td.changed')).to.equal(6);
      const outline = await page.evaluate(`getComputedStyle(document.querySelector('table.cmp td.changed')).outlineStyle`);
      expect(outline).to.equal('solid');
      await page.check('#only-diff');
      expect(await visibleCount(page, 'table.cmp tr.row')).to.equal(6);
      expect(await cspViolations(page)).to.deep.equal([]);
      expect(watch.pageErrors).to.deep.equal([]);
      expect(watch.requests).to.deep.equal([pathToFileURL(files.compare).href]);
    } finally {
      await page.close();
    }
  });
});
