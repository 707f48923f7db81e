/** Everything the runner needs from proxies/, in one import. */
export type { Hop, HopEvent, HopTimeouts, RunningHop, StartOptions } from './hop.js';
export { startChain } from './chain.js';
export {
  HOP_REMEDIES,
  PROFILES,
  PROFILE_NAMES,
  SIMULATED_PROFILE_NAMES,
  buildHop,
  profileNamed,
  remediesOf,
  rewritesRequests,
  scaleSpec,
  scaledHops,
  timeoutsOf,
} from './profiles.js';
export type { HopSpec, HopUnit, Profile, ProfileTimeouts } from './profiles.js';
export { runProxyCommand } from './standalone.js';
export type { ProxyCommand, ProxyCommandOptions } from './standalone.js';
export { bufferBytes } from './buffer-bytes.js';
export { bufferFull } from './buffer-full.js';
export { clientPool } from './client-pool.js';
export { connPool } from './conn-pool.js';
export { direct } from './direct.js';
export { firstByteTimeout } from './first-byte-timeout.js';
export { gzip } from './gzip.js';
export { http10 } from './http10.js';
export { idleTimeout } from './idle-timeout.js';
export { latency } from './latency.js';
export { noPipeline } from './no-pipeline.js';
export { rechunkCoalesce } from './rechunk-coalesce.js';
export { rechunkSplit } from './rechunk-split.js';
export { sharedCache } from './shared-cache.js';
export { totalTimeout } from './total-timeout.js';
