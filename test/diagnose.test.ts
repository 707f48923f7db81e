import { expect } from 'chai';
import { diagnose } from '../runner/diagnose.js';
import type { CaseResult } from '../runner/report.js';

/** Attribution is a pure function of the case, its direct twin and the statuses seen: judged on canned results. */
const result = (via: string, verdict: CaseResult['verdict'], actual: string, level: CaseResult['level'] = 'must'): CaseResult => ({
  id: 'st.incremental',
  section: '3.2',
  spec: 'RFC 6202',
  level,
  title: 't',
  via,
  verdict,
  expected: 'e',
  actual,
  durationMs: 1,
  measurements: {},
  evidence: [],
});
const none = { statuses: [] };

describe('diagnose: whose doing a verdict is', () => {
  it("a direct failure is the server's, with the requirement's remedy", () => {
    const d = diagnose({
      result: result('direct', 'fail', 'late'),
      direct: null,
      sightings: none,
      directSightings: null,
      requirementRemedy: 'flush',
      directToo: true,
    });
    expect([d.cause, d.remedy]).to.deep.equal(['server', 'flush']);
  });

  it('passes direct, fails through a buffering hop: the hop, with what it does and the remedy for it', () => {
    const d = diagnose({
      result: result('buffer-bytes', 'fail', 'event 1 never arrived'),
      direct: result('direct', 'pass', 'ok'),
      sightings: { statuses: [200] },
      directSightings: { statuses: [200] },
      requirementRemedy: 'flush',
      directToo: true,
    });
    expect(d.cause).to.equal('intermediary');
    expect(d.direct).to.deep.equal({ verdict: 'pass', actual: 'ok' });
    expect(d.actual).to.match(/^passes direct; through buffer-bytes \(holds each response.*\): event 1 never arrived$/);
    expect(d.remedy).to.match(/X-Accel-Buffering: no/);
  });

  it('a hop-caused failure behind a profile of timeouts only, on a check that waits for none, still carries a remedy', () => {
    const d = diagnose({
      result: result('heroku', 'warn', 'late', 'should'),
      direct: result('direct', 'pass', 'ok'),
      sightings: { statuses: [200] },
      directSightings: { statuses: [200] },
      requirementRemedy: 'flush',
      directToo: true,
    });
    expect([d.cause, d.remedy]).to.deep.equal(['intermediary', 'flush']);
  });

  it("a refusal only through a header-rewriting hop (TE stripped → 403) is the server's dependence on hop-by-hop headers", () => {
    const d = diagnose({
      result: result('http10', 'inconclusive', 'no event arrived'),
      direct: result('direct', 'pass', 'ok'),
      sightings: { statuses: [403] },
      directSightings: { statuses: [200] },
      requirementRemedy: 'flush',
      directToo: true,
    });
    expect(d.verdict).to.equal('fail');
    expect(d.cause).to.equal('server');
    expect(d.actual).to.match(
      /refused the request with HTTP 403: http10 forwards requests as every proxy must, without hop-by-hop headers such as TE/,
    );
    expect(d.remedy).to.match(/do not require TE: chunked/);
  });

  it('a hop-only check behind a preset names what the server can do about the hops it is about, not the whole preset', () => {
    const cache = diagnose({
      result: result('varnish-default', 'fail', 'replayed'),
      direct: null,
      sightings: none,
      directSightings: null,
      requirementRemedy: 'no-store',
      directToo: false,
      meaningfulVia: ['shared-cache', 'varnish-default'],
    });
    expect(cache.remedy).to.match(/^no-store; behind varnish-default: mark push responses "Cache-Control: no-store"/);
    expect(cache.remedy).not.to.match(/heartbeat|first byte|30 s/);
    const idle = diagnose({
      result: result('nginx-http11', 'fail', 'cut'),
      direct: null,
      sightings: none,
      directSightings: null,
      requirementRemedy: 'heartbeat',
      directToo: false,
      meaningfulVia: ['idle-timeout', 'nginx-http11'],
    });
    expect(idle.remedy)
      .to.match(/heartbeat/)
      .and.not.match(/X-Accel-Buffering/);
  });

  it("failing direct too is the server's, not the hop's", () => {
    const d = diagnose({
      result: result('http10', 'fail', 'late'),
      direct: result('direct', 'fail', 'late'),
      sightings: none,
      directSightings: none,
      requirementRemedy: 'flush',
      directToo: true,
    });
    expect([d.cause, d.actual]).to.deep.equal(['server', 'late (fails direct too)']);
  });

  it("timeout remedies only for checks that wait for timeouts; a harness error is the harness's", () => {
    const d = diagnose({
      result: result('nginx-default', 'fail', 'x'),
      direct: result('direct', 'pass', 'ok'),
      sightings: none,
      directSightings: none,
      requirementRemedy: undefined,
      directToo: true,
    });
    expect(d.remedy).not.to.match(/heartbeat/);
    const t = diagnose({
      result: result('nginx-default', 'fail', 'x'),
      direct: null,
      sightings: none,
      directSightings: null,
      requirementRemedy: 'send heartbeats',
      directToo: false,
    });
    expect(t.remedy).to.match(/^send heartbeats; behind nginx-default: .*heartbeat/);
    expect(
      diagnose({
        result: result('direct', 'error', 'boom'),
        direct: null,
        sightings: none,
        directSightings: null,
        requirementRemedy: undefined,
        directToo: true,
      }).cause,
    ).to.equal('harness');
  });
});
