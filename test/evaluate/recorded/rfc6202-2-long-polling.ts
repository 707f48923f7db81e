// Observations recorded from real runs against the reference server (`pushspec run --fixture`).
import type {
  AfterTimeoutSeen,
  CompleteSeen,
  FanoutSeen,
  GapSeen,
  PersistentSeen,
  RepollSeen,
  TrialsSeen,
} from '../../../suites/rfc6202/2-long-polling.js';

/** recorded: pushspec run --fixture --fault short-poll --only lp.held → fail */
export const shortPoll: TrialsSeen = {
  conditions: { timeScale: 1, epsilonMs: 101.698, rttMs: 0.849 },
  trials: [
    {
      tauMs: 599.9067,
      publishMs: 2.25696999999991,
      endedBeforePublish: true,
      latencyMs: null,
      responseMs: null,
      endedAfterMs: 6.516920000000027,
      status: 200,
      ending: '200',
      events: 0,
    },
    {
      tauMs: 628.4467890000001,
      publishMs: 6.664080000000013,
      endedBeforePublish: true,
      latencyMs: null,
      responseMs: null,
      endedAfterMs: 7.215490000000045,
      status: 200,
      ending: '200',
      events: 0,
    },
    {
      tauMs: 830.3812990000001,
      publishMs: 1.3775000000000546,
      endedBeforePublish: true,
      latencyMs: null,
      responseMs: null,
      endedAfterMs: 7.491100000000188,
      status: 200,
      ending: '200',
      events: 0,
    },
    {
      tauMs: 1200.450989,
      publishMs: 1.7390889999996944,
      endedBeforePublish: true,
      latencyMs: null,
      responseMs: null,
      endedAfterMs: 7.625249000000167,
      status: 200,
      ending: '200',
      events: 0,
    },
  ],
};

/** recorded: pushspec run --fixture --only lp.held → pass */
export const heldClean: TrialsSeen = {
  conditions: { timeScale: 1, epsilonMs: 102.116, rttMs: 1.058 },
  trials: [
    {
      tauMs: 585.7467939999999,
      publishMs: 5.195153000000005,
      endedBeforePublish: false,
      latencyMs: 4.419077000000016,
      responseMs: 590.1658709999999,
      endedAfterMs: 590.1658709999999,
      status: 200,
      ending: '200',
      events: 1,
    },
    {
      tauMs: 661.565153,
      publishMs: 3.707787999999937,
      endedBeforePublish: false,
      latencyMs: 3.0683369999999286,
      responseMs: 664.6334899999999,
      endedAfterMs: 664.6334899999999,
      status: 200,
      ending: '200',
      events: 1,
    },
    {
      tauMs: 952.862889,
      publishMs: 4.476243000000068,
      endedBeforePublish: false,
      latencyMs: 3.9089380000000347,
      responseMs: 956.771827,
      endedAfterMs: 956.771827,
      status: 200,
      ending: '200',
      events: 1,
    },
    {
      tauMs: 1177.935657,
      publishMs: 5.713443999999981,
      endedBeforePublish: false,
      latencyMs: 1.6531910000001062,
      responseMs: 1179.588848,
      endedAfterMs: 1179.588848,
      status: 200,
      ending: '200',
      events: 1,
    },
  ],
};

/** recorded: pushspec run --fixture --fault ignore-until-timeout --only lp.wake → fail */
export const ignoreUntilTimeout: TrialsSeen = {
  conditions: { timeScale: 1, epsilonMs: 102.042, rttMs: 1.021 },
  trials: [
    {
      tauMs: 537.3661150000003,
      publishMs: 2.494212999999945,
      endedBeforePublish: false,
      latencyMs: 1465.2527549999995,
      responseMs: 2002.6188699999998,
      endedAfterMs: 2002.6188699999998,
      status: 200,
      ending: '200',
      events: 1,
    },
    {
      tauMs: 648.5220140000001,
      publishMs: 1.591918999999507,
      endedBeforePublish: false,
      latencyMs: 1354.452805,
      responseMs: 2002.974819,
      endedAfterMs: 2002.974819,
      status: 200,
      ending: '200',
      events: 1,
    },
    {
      tauMs: 869.3395129999999,
      publishMs: 2.4150049999998373,
      endedBeforePublish: false,
      latencyMs: 1133.8527800000002,
      responseMs: 2003.192293,
      endedAfterMs: 2003.192293,
      status: 200,
      ending: '200',
      events: 1,
    },
    {
      tauMs: 1167.5957380000004,
      publishMs: 2.049119999999675,
      endedBeforePublish: false,
      latencyMs: 835.7462479999995,
      responseMs: 2003.341986,
      endedAfterMs: 2003.341986,
      status: 200,
      ending: '200',
      events: 1,
    },
  ],
};

/** recorded: pushspec run --fixture --only lp.wake → pass */
export const wakeClean: TrialsSeen = {
  conditions: { timeScale: 1, epsilonMs: 101.262, rttMs: 0.631 },
  trials: [
    {
      tauMs: 533.156354,
      publishMs: 4.266300000000001,
      endedBeforePublish: false,
      latencyMs: 3.1597430000000486,
      responseMs: 536.316097,
      endedAfterMs: 536.316097,
      status: 200,
      ending: '200',
      events: 1,
    },
    {
      tauMs: 790.479413,
      publishMs: 3.3479429999999866,
      endedBeforePublish: false,
      latencyMs: 2.359903000000031,
      responseMs: 792.839316,
      endedAfterMs: 792.839316,
      status: 200,
      ending: '200',
      events: 1,
    },
    {
      tauMs: 947.5502570000001,
      publishMs: 3.3958849999999074,
      endedBeforePublish: false,
      latencyMs: 2.706017999999858,
      responseMs: 950.256275,
      endedAfterMs: 950.256275,
      status: 200,
      ending: '200',
      events: 1,
    },
    {
      tauMs: 1190.106948,
      publishMs: 3.5937280000000555,
      endedBeforePublish: false,
      latencyMs: 2.456095000000005,
      responseMs: 1192.563043,
      endedAfterMs: 1192.563043,
      status: 200,
      ending: '200',
      events: 1,
    },
  ],
};

/** recorded: pushspec run --fixture --fault stream-after-event --only lp.complete → fail */
export const streamAfterEvent: CompleteSeen = {
  conditions: { timeScale: 1, epsilonMs: 101.95, rttMs: 0.975 },
  framing: 'chunked',
  ending: 'complete',
  endAfterEventMs: 1597.616004,
  openAfterEventMs: 1598.0249530000006,
};

/** recorded: pushspec run --fixture --fault repoll-not-held --only lp.repoll → fail */
export const repollNotHeld: { repolls: RepollSeen[] } = {
  repolls: [
    { endedEarly: true, ok: true, delivered: false, ending: '200', events: 0, nextDelivered: null },
    { endedEarly: true, ok: true, delivered: false, ending: '200', events: 1, nextDelivered: null },
    { endedEarly: true, ok: true, delivered: false, ending: '200', events: 1, nextDelivered: null },
  ],
};

/** recorded: pushspec run --fixture --fault connection-close --only lp.persistent → warn */
export const connectionClose: PersistentSeen = {
  conditions: { timeScale: 1, epsilonMs: 101.696, rttMs: 0.848 },
  first: { connectionId: 2, saysClose: true, httpVersion: '1.1', status: 200 },
  closedHow: null,
  second: null,
};

/** recorded: pushspec run --fixture --fault drop-gap --only lp.gap-no-loss → fail */
export const dropGap: GapSeen = {
  published: ['pst-esu4muyn-0001-z', 'pst-esu4muyn-0002-z', 'pst-esu4muyn-0003-z', 'pst-esu4muyn-0004-z'],
  gapTokens: ['pst-esu4muyn-0002-z', 'pst-esu4muyn-0003-z', 'pst-esu4muyn-0004-z'],
  gapPolls: [[]],
  received: ['pst-esu4muyn-0001-z'],
  cursor: 'query',
};

/** recorded: pushspec run --fixture --fault drop-after-timeout --only lp.gap-after-timeout → fail */
export const dropAfterTimeout: AfterTimeoutSeen = {
  idle: { seq: 2, status: 200, endedAfterMs: 2002.4791420000001 },
  publishedAfterMs: 0.7909970000000612,
  publishStatus: 204,
  repolls: [
    { seq: 3, ending: '200', events: 0, delivered: false },
    { seq: 4, ending: '200', events: 0, delivered: false },
  ],
  cursor: 'query',
};

/** recorded: pushspec run --fixture --fault duplicate-last --only lp.no-duplicates → fail */
export const duplicateLast: GapSeen = {
  published: ['pst-txcwwkef-0001-z', 'pst-txcwwkef-0002-z', 'pst-txcwwkef-0003-z', 'pst-txcwwkef-0004-z'],
  gapTokens: ['pst-txcwwkef-0002-z', 'pst-txcwwkef-0003-z', 'pst-txcwwkef-0004-z'],
  gapPolls: [['pst-txcwwkef-0002-z', 'pst-txcwwkef-0003-z', 'pst-txcwwkef-0004-z', 'pst-txcwwkef-0004-z']],
  received: [
    'pst-txcwwkef-0001-z',
    'pst-txcwwkef-0001-z',
    'pst-txcwwkef-0002-z',
    'pst-txcwwkef-0003-z',
    'pst-txcwwkef-0004-z',
    'pst-txcwwkef-0004-z',
  ],
  cursor: 'query',
};

/** recorded: pushspec run --fixture --fault reverse-order --only lp.order → fail */
export const reverseOrder: GapSeen = {
  published: ['pst-6aeobt0p-0001-z', 'pst-6aeobt0p-0002-z', 'pst-6aeobt0p-0003-z', 'pst-6aeobt0p-0004-z'],
  gapTokens: ['pst-6aeobt0p-0002-z', 'pst-6aeobt0p-0003-z', 'pst-6aeobt0p-0004-z'],
  gapPolls: [['pst-6aeobt0p-0004-z', 'pst-6aeobt0p-0003-z', 'pst-6aeobt0p-0002-z']],
  received: ['pst-6aeobt0p-0001-z', 'pst-6aeobt0p-0004-z', 'pst-6aeobt0p-0003-z', 'pst-6aeobt0p-0002-z'],
  cursor: 'query',
};

/** recorded: pushspec run --fixture --fault one-per-response --only lp.batch → warn */
export const onePerResponse: GapSeen = {
  published: ['pst-kkl20b4n-0001-z', 'pst-kkl20b4n-0002-z', 'pst-kkl20b4n-0003-z', 'pst-kkl20b4n-0004-z'],
  gapTokens: ['pst-kkl20b4n-0002-z', 'pst-kkl20b4n-0003-z', 'pst-kkl20b4n-0004-z'],
  gapPolls: [['pst-kkl20b4n-0002-z'], ['pst-kkl20b4n-0003-z'], ['pst-kkl20b4n-0004-z']],
  received: ['pst-kkl20b4n-0001-z', 'pst-kkl20b4n-0002-z', 'pst-kkl20b4n-0003-z', 'pst-kkl20b4n-0004-z'],
  cursor: 'query',
};

/** recorded: pushspec run --fixture --fault single-subscriber --only lp.fanout → fail */
export const singleSubscriber: FanoutSeen = {
  conditions: { timeScale: 1, epsilonMs: 102.016, rttMs: 1.008 },
  clients: [
    { name: 'A', ending: '200', arrival: 409.6565459999997 },
    { name: 'B', ending: '200', arrival: 2009.5163599999996 },
  ],
};

/** recorded: pushspec run --fixture --fault bloated-headers --only lp.header-overhead → warn */
export const bloatedHeaders = { headerBytes: 2199, bodyBytes: 140 };
