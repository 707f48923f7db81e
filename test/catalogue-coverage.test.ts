import { expect } from 'chai';
import { catalogueCoverage, rowRequirements } from '../runner/catalogue-coverage.js';
import { CATALOGUE } from '../suites/catalogue.js';
import { REQUIREMENTS } from '../suites/index.js';
import { cli } from './helpers/cli.js';

/** The coverage statement may never claim a row is judged by a requirement that does not exist. */
describe('catalogue coverage', function () {
  this.timeout(30_000);
  const rows = CATALOGUE.flatMap((s) => s.rows);
  const ids = new Set(REQUIREMENTS.map((r) => r.id));

  it('names each catalogue row once', () => {
    const seen = rows.map((r) => r.id);
    expect(seen.length).to.equal(new Set(seen).size);
    // The research catalogue's 170 rows, less the five intermediary models (proxies/ builds those).
    expect(seen.length).to.equal(165);
  });

  it('every requirement a row names exists, and every pointer names a row', () => {
    const rowIds = new Set(rows.map((r) => r.id));
    for (const r of rows) {
      for (const id of rowRequirements(r)) expect(ids.has(id), `${r.id} names unknown requirement ${id}`).to.equal(true);
      if ('see' in r.status) for (const t of r.status.see) expect(rowIds.has(t), `${r.id} points to unknown row ${t}`).to.equal(true);
    }
  });

  it('counts rows by kind and lists the requirements beyond the catalogue', () => {
    const c = catalogueCoverage(CATALOGUE, ['lp.held', 'x.extra']);
    const all = c.sections.reduce((n, s) => n + s.rows, 0);
    const kinds = c.sections.reduce((n, s) => n + s.judged + s.partly + s.load + s.pointers + s.notYet + s.untestable, 0);
    expect(kinds).to.equal(all);
    expect(c.beyond).to.deep.equal(['x.extra']);
    const lp = c.sections[0];
    expect(lp?.missing.some((m) => m.row === 'LP-CONN-01')).to.equal(true);
  });

  it('`pushspec list --coverage` prints the table, what is missing, and the requirements beyond it', async () => {
    const r = await cli(['list', '--coverage']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^Section\s+Rows\s+Judged/m);
    expect(r.stdout).to.match(/^All\s+165\s/m);
    expect(r.stdout).to.include('LP-CONN-01');
    expect(r.stdout).to.match(/judged beyond the catalogue's rows: .*h2\.concurrent-streams/);
    const j = JSON.parse((await cli(['list', '--coverage', '--json'])).stdout) as { sections: unknown[]; beyond: string[] };
    expect(j.sections).to.have.length(CATALOGUE.length);
  });
});
