/**
 * The ramp: step after step of N held requests (runner/load/step.ts), each from as many loopback
 * source addresses as its ports need, stopping at the client's own limits (open files, ports),
 * named and never raised, after a capped step or one where most requests gave way.
 */
import { ORDINARY_SAMPLES, ordinarySamples, summariseOrdinary, WARM_UP_SAMPLES } from './probes.js';
import { runStep } from './step.js';
import {
  connectionsPerAddress,
  FD_MARGIN,
  isLoopback,
  loadSourceAddress,
  MAX_SOURCE_ADDRESSES,
  openFileCount,
  OTHER_CLIENT_ADDRESS,
} from './system.js';
import type { OrdinaryStats, RampOptions, RampResult, StepResult } from './types.js';

export type { OrdinaryStats, RampOptions, RampProgress, RampResult, RampTiming, StepResult } from './types.js';
export { ORDINARY_SAMPLES } from './probes.js';

/** below this share held, the next (larger) step could only fail more: the ramp stops */
const STOP_BELOW_HELD_SHARE = 0.5;

/** Source addresses for a step, or why the step cannot be run from this client. */
function sourcesFor(
  n: number,
  o: RampOptions,
  loopback: boolean,
  portsInUse: number,
): { addresses: Array<string | undefined>; auto: boolean } | string {
  const per = connectionsPerAddress(o.limits);
  const range = `${o.limits.portRange.low}–${o.limits.portRange.high}, ${o.limits.portRangeSource}`;
  if (!loopback) {
    if (n + portsInUse > per)
      return `step ${n} needs more connections than one source address has ephemeral ports (~${per}, ${range}), and the target is not on loopback, where 127.0.0.x addresses could spread them`;
    return { addresses: [undefined], auto: false };
  }
  const count = o.sourceAddresses ?? Math.max(1, Math.ceil((n + portsInUse) / per));
  if (count > MAX_SOURCE_ADDRESSES)
    return `step ${n} needs ${count} source addresses at ~${per} connections each (${range}); at most ${MAX_SOURCE_ADDRESSES} loopback addresses exist`;
  return { addresses: Array.from({ length: count }, (_, i) => loadSourceAddress(i)), auto: o.sourceAddresses === null };
}

export async function runRamp(o: RampOptions): Promise<RampResult> {
  const url = new URL(o.manifest.baseUrl);
  const loopback = isLoopback(url.hostname);
  const otherClient = loopback ? OTHER_CLIENT_ADDRESS : null;
  const ordinary = async (): Promise<OrdinaryStats> =>
    summariseOrdinary(
      await ordinarySamples(o.manifest.baseUrl, ORDINARY_SAMPLES, otherClient ?? undefined, o.timing.connectTimeoutMs, o.now, o.trust),
    );
  // The first exchanges pay for JIT and lazy setup on both sides; the baseline is the server at rest, not that.
  await ordinarySamples(o.manifest.baseUrl, WARM_UP_SAMPLES, otherClient ?? undefined, o.timing.connectTimeoutMs, o.now, o.trust);
  const baseline = await ordinary();
  const steps: StepResult[] = [];
  // Ports our earlier steps left in TIME_WAIT (we close first) still count against each address.
  let portsInUse = 0;
  for (const [i, n] of o.steps.entries()) {
    const sources = sourcesFor(n, o, loopback, portsInUse);
    if (typeof sources === 'string') return { baseline, steps, stopped: sources, otherClient };
    if (o.limits.openFiles !== null && openFileCount() + n + FD_MARGIN > o.limits.openFiles) {
      return {
        baseline,
        steps,
        stopped: `step ${n} needs about ${openFileCount() + n + FD_MARGIN} open files (${n} sockets, ${openFileCount()} open now, ${FD_MARGIN} spare) and the open-file limit (ulimit -n) is ${o.limits.openFiles}; pushspec does not raise it: run \`ulimit -n ${n + 1000}\` (within the hard limit) first, or end --steps below ${o.limits.openFiles - openFileCount() - FD_MARGIN}`,
        otherClient,
      };
    }
    if (sources.auto && sources.addresses.length > 1) {
      o.notice(
        `step ${n}: spreading ${n} connections over ${sources.addresses.length} source addresses (${sources.addresses[0] ?? ''}–${sources.addresses.at(-1) ?? ''}): one address holds ~${connectionsPerAddress(o.limits)} (ephemeral ports ${o.limits.portRange.low}–${o.limits.portRange.high}, ${o.limits.portRangeSource})`,
      );
    }
    const r = await runStep(o, i, n, sources.addresses, ordinary, otherClient);
    if (typeof r === 'string') return { baseline, steps, stopped: r, otherClient };
    steps.push(r);
    portsInUse += r.opened;
    if (r.capped > 0)
      return {
        baseline,
        steps,
        stopped: `step ${n}: the server capped ${r.capped} of ${n} requests (429/503); larger steps from the same client would only be capped more`,
        otherClient,
      };
    if (r.heldAtPublish < n * STOP_BELOW_HELD_SHARE && i < o.steps.length - 1)
      return {
        baseline,
        steps,
        stopped: `step ${n}: only ${r.heldAtPublish} of ${n} requests were still held at the publish; a larger step could only fail more`,
        otherClient,
      };
  }
  return { baseline, steps, stopped: null, otherClient };
}
