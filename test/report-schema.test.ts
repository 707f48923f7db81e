import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROOT } from './helpers/cli.js';
import type { Report } from '../runner/report.js';
import { EVIDENCE_KINDS, OUTCOMES } from '../runner/verdict.js';
import { startReferenceServer } from '../fixtures/reference-server.js';
import { runSuite } from '../runner/run.js';

/**
 * schema/report.schema.json describes what pushspec writes: a report from a real run validates,
 * and the schema's enums are the code's (kinds, outcomes), so the two cannot drift apart.
 */
interface Schema {
  $defs: { outcome: { enum: string[] }; evidence: { properties: { kind: { enum: string[] } } } };
}

async function json<T>(...path: string[]): Promise<T> {
  return JSON.parse(await readFile(join(ROOT, ...path), 'utf8')) as T;
}

describe('report.json schema', () => {
  let schema: Schema;
  let validate: ReturnType<Ajv2020['compile']>;
  let report: Report;

  before(async () => {
    schema = await json<Schema>('schema', 'report.schema.json');
    validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
    // Recorded from `pushspec run` against `pushspec fixture` with six faults (observations dropped for size).
    report = await json<Report>('test', 'fixtures', 'reports', 'full-run.json');
  });

  it('a report recorded from a real run validates', () => {
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true);
  });

  it('names the same evidence kinds and outcomes as the code', () => {
    expect(schema.$defs.evidence.properties.kind.enum).to.deep.equal([...EVIDENCE_KINDS]);
    expect(schema.$defs.outcome.enum).to.deep.equal([...OUTCOMES]);
  });

  it('every case of the recorded run has typed evidence in time order, and a remedy on every fail and warn', () => {
    for (const r of report.results) {
      const ts = r.evidence.map((e) => e.t);
      expect(ts, `${r.id}@${r.via}`).to.deep.equal([...ts].sort((a, b) => a - b));
      if (r.verdict === 'fail' || r.verdict === 'warn') expect(r.remedy, `${r.id}@${r.via}`).to.be.a('string').and.not.equal('');
    }
    const kinds = new Set(report.results.flatMap((r) => r.evidence.map((e) => e.kind)));
    for (const k of [
      'request',
      'response-head',
      'body-read',
      'response-end',
      'publish',
      'connection-open',
      'connection-end',
      'hop',
    ] as const)
      expect([...kinds]).to.include(k);
  });

  it('rejects evidence without a kind, or with one it does not define', () => {
    const first = report.results[0];
    if (!first) throw new Error('empty fixture');
    const untyped = { ...report, results: [{ ...first, evidence: [{ t: 1, what: 'read 5 bytes' }] }] };
    expect(validate(untyped)).to.equal(false);
    const unknown = { ...report, results: [{ ...first, evidence: [{ t: 1, kind: 'other', what: 'x' }] }] };
    expect(validate(unknown)).to.equal(false);
  });

  it('a report of an https run validates, with the trust and what the handshake negotiated; a malformed tls block does not', async function () {
    this.timeout(30_000);
    const server = await startReferenceServer({ tls: true });
    let tlsReport: Report;
    try {
      const trust = { insecure: false, ca: server.caPem ?? '', caPath: 'ca.pem' };
      ({ report: tlsReport } = await runSuite({
        manifest: server.manifest(),
        trust,
        only: ['http.date'],
        skip: [],
        level: 'all',
        via: ['direct'],
        viaNamed: false,
        strict: false,
        timeScale: 1,
        concurrency: 4,
        holdLimitSeconds: 30,
        reportDir: null,
        reporter: 'none',
      }));
    } finally {
      await server.close();
    }
    expect(validate(tlsReport), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true);
    expect(tlsReport.environment.tls).to.include({ insecure: false, ca: 'ca.pem', alpn: 'http/1.1' });
    expect(tlsReport.environment.tls?.protocol).to.match(/^TLSv1\.[23]$/);
    expect(validate({ ...tlsReport, environment: { ...tlsReport.environment, tls: { ca: 'ca.pem' } } })).to.equal(false);
    expect(validate({ ...tlsReport, environment: { ...tlsReport.environment, tls: { insecure: 'yes' } } })).to.equal(false);
  });
});
