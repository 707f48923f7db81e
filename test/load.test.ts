import { expect } from 'chai';
import { DEFAULT_TRUST } from '../runner/tls.js';
import { startReferenceServer, type ReferenceServer } from '../fixtures/reference-server.js';
import { systemClock } from '../runner/clock.js';
import { epsilonMs } from '../runner/epsilon.js';
import type { Manifest } from '../runner/manifest/types.js';
import { createPublishAdapter } from '../runner/publish.js';
import { runRamp, type RampOptions, type RampResult } from '../runner/load/ramp.js';
import type { LoadTransport } from '../runner/load/subscriber.js';
import { openFileCount, readSystemLimits } from '../runner/load/system.js';
import { judgePerClientCap, judgeResources } from '../runner/load/verdicts.js';
import { progressPrinter } from '../runner/load/table.js';
import { startCappedServer } from './helpers/capped-server.js';

const now = (): number => systemClock.now();

function ramp(
  manifest: Manifest,
  steps: number[],
  o: Partial<RampOptions> & { transport?: LoadTransport; waitMs?: number } = {},
): Promise<RampResult> {
  const transport = o.transport ?? 'longPoll';
  return runRamp({
    manifest,
    transport,
    steps,
    sourceAddresses: null,
    timing: {
      holdMs: (manifest.longPoll?.holdSeconds ?? 0) * 1000,
      epsilonMs: epsilonMs(1, 1),
      // No wait by default: the ordinary samples (taken after every request was sent) are the barrier.
      waitMs: o.waitMs ?? 0,
      heartbeatMs: null,
      connectTimeoutMs: 5000,
    },
    trust: DEFAULT_TRUST,
    limits: readSystemLimits(),
    publisher: createPublishAdapter(manifest, { clock: systemClock, deadlineMs: 5000 }),
    now,
    notice: () => undefined,
    progress: () => undefined,
    ...o,
  });
}

describe('pushspec load: the ramp against the reference server', function () {
  this.timeout(30_000);
  let server: ReferenceServer;
  before(async () => {
    server = await startReferenceServer({ holdMs: 30_000, heartbeatMs: 30_000 });
  });
  after(() => server.close());

  it('holds every poll of 10 and 50, fans one event out to all of them, and measures the ordinary request beside them', async () => {
    const r = await ramp(server.manifest(), [10, 50]);
    expect(r.stopped).to.equal(null);
    expect(r.baseline.latency?.n).to.equal(20);
    expect(r.steps.map((s) => [s.n, s.opened, s.heldAtPublish, s.early, s.failed, s.capped, s.missed])).to.deep.equal([
      [10, 10, 10, 0, 0, 0, 0],
      [50, 50, 50, 0, 0, 0, 0],
    ]);
    for (const s of r.steps) {
      expect(s.fanOut?.n, `N=${s.n}: every held poll got the event`).to.equal(s.n);
      expect(s.fanOut?.maxMs).to.be.below(s.fanOutDeadlineMs);
      expect(s.ordinary.latency?.n).to.equal(20);
      expect(s.client.rssBytes).to.be.above(0);
      expect(s.sourceAddresses).to.deep.equal(['127.0.0.2']);
      expect(s.sustained).to.equal(true);
    }
    const res = judgeResources(r);
    expect(res.outcome).to.equal('pass');
    expect(res.info).to.equal('largest N sustained: 50');
    const dos = judgePerClientCap(r);
    expect(dos.outcome).to.equal('warn');
    expect(dos.actual).to.match(/no cap: one client held up to 50 requests/);
  });

  for (const transport of ['stream', 'sse'] as const) {
    it(`holds ${transport} connections open (from their response head) and fans the event out to them`, async () => {
      const r = await ramp(server.manifest(), [10, 50], { transport });
      expect(r.steps.map((s) => [s.n, s.heldAtPublish, s.fanOut?.n, s.early, s.failed, s.otherClient.state])).to.deep.equal([
        [10, 10, 10, 0, 0, 'got'],
        [50, 50, 50, 0, 0, 'got'],
      ]);
    });
  }

  it('counts polls answered without the event before the declared hold as ended early: LP-RES-01 warn', async () => {
    const short = await startReferenceServer({ holdMs: 200 });
    try {
      // The manifest promises 30 s; the server answers after 200 ms.
      const m = { ...short.manifest(), longPoll: { ...short.manifest().longPoll, url: '/lp?channel={channel}', holdSeconds: 30 } };
      const r = await ramp(m, [10], { waitMs: 600 });
      const s = r.steps[0];
      expect(s?.early).to.equal(10);
      expect(s?.heldAtPublish).to.equal(0);
      expect(s?.sustained).to.equal(false);
      expect(s?.reasons[0]?.why).to.match(/^early: HTTP 200 without the event after … ms$/);
      const v = judgeResources(r);
      expect(v.outcome).to.equal('warn');
      expect(v.actual).to.match(/at N=10 10 ended early/);
      expect(v.info).to.equal('no step was sustained');
    } finally {
      await short.close();
    }
  });

  it('spreads a step over several source addresses when one address has too few ports for it', async () => {
    const lines: string[] = [];
    // 20 ephemeral ports: 18 connections per address, and the 10 of the first step still count.
    const limits = { ...readSystemLimits(), portRange: { low: 40_000, high: 40_019 }, portRangeSource: 'test' };
    const r = await ramp(server.manifest(), [10, 50], { limits, notice: (l) => lines.push(l) });
    expect(r.steps[0]?.sourceAddresses).to.deep.equal(['127.0.0.2']);
    expect(r.steps[1]?.sourceAddresses).to.deep.equal(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']);
    expect(r.steps[1]?.fanOut?.n).to.equal(50);
    expect(lines.join('\n')).to.match(
      /step 50: spreading 50 connections over 4 source addresses \(127\.0\.0\.2–127\.0\.0\.5\): one address holds ~18/,
    );
    // Spread, the load is several clients: SEC-DOS-01 judges only the step from one address.
    expect(judgePerClientCap(r).actual).to.match(/up to 10 requests .*several source addresses/);
  });

  it('stops ramping, naming the open-file limit, when the next step would not fit under it', async () => {
    const limits = { ...readSystemLimits(), openFiles: openFileCount() + 200 };
    const r = await ramp(server.manifest(), [10, 1000], { limits });
    expect(r.steps.map((s) => s.n)).to.deep.equal([10]);
    expect(r.stopped).to.match(
      /^step 1000 needs about \d+ open files .*the open-file limit \(ulimit -n\) is \d+; pushspec does not raise it/,
    );
    expect(judgeResources(r).info).to.match(/largest N sustained: 10; the ramp stopped: step 1000 needs/);
  });
});

describe('pushspec load: SEC-DOS-01 against a server with and without a per-client cap', function () {
  this.timeout(30_000);

  it('pass: past 20 held polls from one address the server answers 429, and another client is still served', async () => {
    const capped = await startCappedServer({ perClient: 20, holdMs: 30_000 });
    try {
      const r = await ramp(capped.manifest(), [10, 50]);
      expect(r.steps.map((s) => [s.n, s.heldAtPublish, s.capped, s.ordinary.failed])).to.deep.equal([
        [10, 10, 0, 0],
        [50, 20, 30, 0],
      ]);
      expect(r.stopped).to.match(/step 50: the server capped 30 of 50 requests/);
      const v = judgePerClientCap(r);
      expect(v.outcome).to.equal('pass');
      expect(v.actual).to.match(
        /^at N=50 the server capped the client at 127\.0\.0\.2 \(30 of 50 answered 429\/503, 20 held\) while another client \(127\.0\.0\.1\) was served: push request its own event in [\d.]+ ms, 20 of 20 ordinary requests answered$/,
      );
      // The cap is the server protecting itself, not a resource failure.
      expect(judgeResources(r).info).to.match(/^largest N sustained: 10 \(the per-client cap stopped the ramp at 50/);
    } finally {
      await capped.close();
    }
  });

  it('warn: the same server without a cap holds all of them', async () => {
    const open = await startCappedServer({ holdMs: 30_000 });
    try {
      const r = await ramp(open.manifest(), [10, 50]);
      expect(r.steps.map((s) => s.capped)).to.deep.equal([0, 0]);
      expect(r.steps.map((s) => s.fanOut?.n)).to.deep.equal([10, 50]);
      const v = judgePerClientCap(r);
      expect(v.outcome).to.equal('warn');
      expect(v.actual).to.match(/^no cap: one client held up to 50 requests/);
    } finally {
      await open.close();
    }
  });

  it('fail: a global cap of 20 refuses the other client as well', async () => {
    const global = await startCappedServer({ global: 20, holdMs: 30_000 });
    try {
      const r = await ramp(global.manifest(), [10, 50]);
      expect(r.steps[1]?.capped).to.equal(30);
      const v = judgePerClientCap(r);
      expect(v.outcome).to.equal('fail');
      expect(v.actual).to.match(
        /another client \(127\.0\.0\.1\) was refused too: push request capped \(HTTP 503\), 20 of 20 ordinary requests answered$/,
      );
    } finally {
      await global.close();
    }
  });
});

describe('pushspec load: the progress line', () => {
  const p = {
    step: 2,
    steps: 4,
    n: 1000,
    phase: 'opening' as const,
    opened: 500,
    held: 498,
    early: 1,
    failed: 1,
    capped: 0,
    elapsedMs: 1234,
  };

  it('on a terminal, one line redrawn in place and cut to its width', () => {
    const out: string[] = [];
    const pr = progressPrinter({ isTTY: true, columns: 40, write: (s) => out.push(s) }, () => 0);
    pr.update(p);
    pr.update({ ...p, opened: 600 });
    pr.line('a notice');
    expect(out[0]).to.equal('\r\u001b[K  step 2/4 N=1000: opening, 500/1000 op');
    expect(out.slice(2)).to.deep.equal(['\r\u001b[K', 'pushspec: a notice\n']);
  });

  it('in a pipe, a line per phase and no more than one per 5 s within a phase', () => {
    const out: string[] = [];
    let t = 0;
    const pr = progressPrinter({ isTTY: false, write: (s) => out.push(s) }, () => t);
    pr.update(p);
    t = 1000;
    pr.update({ ...p, opened: 600 });
    pr.update({ ...p, phase: 'holding' });
    t = 7000;
    pr.update({ ...p, phase: 'holding', held: 999 });
    expect(out).to.deep.equal([
      '  step 2/4 N=1000: opening, 500/1000 opened, 498 held, 1 ended early, 1 failed, 0 capped (1.2 s)\n',
      '  step 2/4 N=1000: holding, 500/1000 opened, 498 held, 1 ended early, 1 failed, 0 capped (1.2 s)\n',
      '  step 2/4 N=1000: holding, 500/1000 opened, 999 held, 1 ended early, 1 failed, 0 capped (1.2 s)\n',
    ]);
  });
});
