// Observations recorded from real runs against the reference server (`pushspec run --fixture`), through simulated profiles.
import type { CacheReplaySeen, HoldSurvivalSeen, IdleSurvivalSeen } from '../../../suites/rfc6202/5-intermediaries.js';

/** recorded: pushspec run --fixture --fault cache-public --only lp.cache-replay → fail */
export const cachePublic: CacheReplaySeen = {
  via: 'shared-cache',
  waitMs: 1000,
  held: false,
  gotEventAgain: true,
  age: '0',
  xCache: 'HIT',
  afterMs: 1.3752170000000206,
  ending: '200',
};

/** recorded: pushspec run --fixture --only lp.cache-replay → pass */
export const replayClean: CacheReplaySeen = {
  via: 'shared-cache',
  waitMs: 1000,
  held: true,
  gotEventAgain: false,
  age: null,
  xCache: null,
  afterMs: 999.6561109999999,
  ending: 'timeout',
};

/** recorded: pushspec run --fixture --fault long-hold --only lp.hold-survives → pass */
export const longHoldSurvives: HoldSurvivalSeen = {
  via: 'idle-timeout',
  conditions: { timeScale: 1, epsilonMs: 182.232, rttMs: 41.116 },
  timeoutMs: 60000,
  firstByteStatus: null,
  holdMs: 10008.631939,
  capMs: 31500,
  live: { status: 200, end: 'complete', afterMs: 10009.847199 },
  divisor: null,
};

/** recorded: pushspec run --fixture --only lp.hold-survives → pass */
export const holdSurvivesClean: HoldSurvivalSeen = {
  via: 'idle-timeout',
  conditions: { timeScale: 1, epsilonMs: 135.636, rttMs: 17.818 },
  timeoutMs: 60000,
  firstByteStatus: null,
  holdMs: 2000,
  capMs: 3500,
  live: { status: 200, end: 'complete', afterMs: 2011.6400019999996 },
  divisor: null,
};

/** recorded: pushspec run --fixture --fault no-heartbeat --only st.idle-survives → fail */
export const idleCut: IdleSurvivalSeen = {
  via: 'idle-timeout',
  conditions: { timeScale: 1, epsilonMs: 127.064, rttMs: 13.532 },
  idleTimeoutMs: 60000,
  idle: {
    limitMs: 1102.05,
    windowMs: 1653.0749999999998,
    declaredMs: 1000,
    gapMs: 1653.6189729999999,
    heartbeats: 0,
    ended: false,
    endHow: 'timeout',
    elapsedMs: 1653.6189729999999,
  },
  targetMs: 1000,
  check: { live: { cut: true, how: 'fin, without the terminating 0-chunk', afterMs: 998.8463259999999, status: 200 }, divisor: 60 },
};

/** recorded: pushspec run --fixture --only st.idle-survives → pass */
export const idleClean: IdleSurvivalSeen = {
  via: 'idle-timeout',
  conditions: { timeScale: 1, epsilonMs: 127.02, rttMs: 13.51 },
  idleTimeoutMs: 60000,
  idle: {
    limitMs: 1101.422,
    windowMs: 1652.133,
    declaredMs: 1000,
    gapMs: 999.412724,
    heartbeats: 1,
    ended: false,
    endHow: 'timeout',
    elapsedMs: 1652.724827,
  },
  targetMs: 2000,
  check: { live: { cut: false, how: 'timeout, without the terminating 0-chunk', afterMs: 2200.233965, status: 200 }, divisor: 30 },
};
