/** Intermediary profiles a case can run through (issue #3 adds the simulated hops). */
export const VIA_PROFILES: readonly string[] = ['direct'];
