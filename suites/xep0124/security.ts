/**
 * XEP-0124 §19 (security considerations): the session id is the only thing that ties a request
 * to a session, so anyone who can guess one can read and write another user's stream.
 */
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { boshControlMs, created, newSession } from '../scenarios/bosh.js';

const xep = (anchor: string): string => `https://xmpp.org/extensions/xep-0124.html#${anchor}`;

export interface SidsSeen {
  /** sessions asked for */
  asked: number;
  /** the sid of each session created, in creation order */
  sids: string[];
  /** why the sessions that were not created were not (first few) */
  failures: string[];
}

/** 24 sessions; a sid should carry at least 64 bits an attacker cannot predict (OWASP's session-id minimum). */
const sidLimits = { sessions: 24, minSessions: 12, minBits: 64 };

/** The first `n` of a list, for messages. */
const few = (xs: readonly string[], n = 4): string => `${xs.slice(0, n).join(', ')}${xs.length > n ? ', …' : ''}`;

/** The longest common prefix of the strings. */
function commonPrefix(xs: readonly string[]): string {
  const first = xs[0] ?? '';
  let n = 0;
  while (n < first.length && xs.every((x) => x[n] === first[n])) n++;
  return first.slice(0, n);
}

/** The parts of the sids that differ (common prefix and suffix removed). */
function varyingParts(sids: readonly string[]): string[] {
  const pre = commonPrefix(sids).length;
  const rest = sids.map((s) => s.slice(pre));
  const suf = commonPrefix(rest.map((s) => [...s].reverse().join(''))).length;
  return rest.map((s) => s.slice(0, s.length - suf));
}

/** Whether the varying parts read as one number (decimal, or hex) that grows with every new session: a counter or a clock. */
export function sequential(sids: readonly string[]): boolean {
  if (sids.length < 3) return false;
  const parts = varyingParts(sids);
  const radix = parts.every((p) => /^[0-9]+$/.test(p)) ? 10 : parts.every((p) => /^[0-9a-f]+$/i.test(p)) ? 16 : null;
  if (radix === null) return false;
  const values = parts.map((p) => BigInt(radix === 10 ? p : `0x${p}`));
  return values.every((v, i) => i === 0 || v > (values[i - 1] ?? v));
}

/**
 * An upper estimate of the unpredictable bits per sid: the positions (left-aligned, up to the
 * shortest sid) at which the sids differ, times log2 of the alphabet seen at those positions.
 * Small samples under-count the alphabet, so the estimate errs low only for tiny alphabets.
 */
export function estimatedBits(sids: readonly string[]): number {
  const len = Math.min(...sids.map((s) => s.length));
  const alphabet = new Set<string>();
  let varying = 0;
  for (let i = 0; i < len; i++) {
    const seen = new Set(sids.map((s) => s[i] ?? ''));
    if (seen.size < 2) continue;
    varying++;
    for (const c of seen) alphabet.add(c);
  }
  return varying === 0 ? 0 : Math.round(varying * Math.log2(alphabet.size));
}

// XEP-0124 §19: "the connection manager MUST generate ... session IDs that are unpredictable and
// non-repeating".
const sidUnpredictable = defineRequirement<SidsSeen, typeof sidLimits>({
  id: 'bosh.sid-unpredictable',
  spec: 'XEP-0124',
  section: '19',
  level: 'must',
  title: 'Session ids never repeat and cannot be predicted from earlier ones',
  sources: [xep('security'), xep('session-create')],
  transports: ['bosh'],
  needsPublish: false,
  timing: false,
  limits: sidLimits,
  tolerance: (l) =>
    `${l.sessions} sessions created one after another: any repeated sid fails; sids that count up, or that differ in fewer than ${l.minBits} bits by a positional estimate, warn`,
  faults: ['bosh-sid-sequential'],
  remedy:
    'draw each sid from a cryptographically secure random generator, at least 64 bits (a random UUID, 16 random bytes in hex or base64)',
  async scenario(ctx) {
    const sids: string[] = [];
    const failures: string[] = [];
    for (let i = 0; i < sidLimits.sessions; i++) {
      const s = newSession(ctx, `session ${i + 1}`);
      try {
        await created(ctx, s);
        if (s.sid !== null) sids.push(s.sid);
        // Leave nothing behind on the server: the session is not needed past its sid.
        await s.terminate(boshControlMs(ctx));
      } catch (e) {
        if (!(e instanceof Inconclusive)) throw e;
        failures.push(e.message);
      } finally {
        s.close();
      }
    }
    return { asked: sidLimits.sessions, sids, failures: failures.slice(0, 3) };
  },
  evaluate(o, l): Verdict {
    const expected = `${o.asked} distinct sids with ≥ ${l.minBits} unpredictable bits, no counter`;
    if (o.sids.length < l.minSessions)
      return verdict.unobservable(
        `only ${o.sids.length} of ${o.asked} sessions were created${o.failures.length ? ` (${few(o.failures, 1)})` : ''}`,
      );
    const repeated = [...new Set(o.sids.filter((s, i) => o.sids.indexOf(s) !== i))];
    if (repeated.length)
      return verdict.violation(
        expected,
        `${o.sids.length - new Set(o.sids).size} of ${o.sids.length} sessions got a sid another session had (${few(repeated.map((s) => JSON.stringify(s)))}): requests of one user land in the other's session`,
      );
    const bits = estimatedBits(o.sids);
    const measurements = { sessions: o.sids.length, estimatedBits: bits };
    const sample = few(
      o.sids.map((s) => JSON.stringify(s)),
      3,
    );
    if (sequential(o.sids))
      return verdict.warn(
        expected,
        `the sids count up from one session to the next (${sample}): whoever sees one sid can guess the next user's and hijack the session`,
        { measurements },
      );
    if (bits < l.minBits)
      return verdict.warn(expected, `the ${o.sids.length} sids differ in about ${bits} bits (${sample}): few enough to guess a live one`, {
        measurements,
      });
    return verdict.pass(expected, `${o.sids.length} distinct sids varying in about ${bits} bits, no counter (${sample})`, { measurements });
  },
});

export const boshSecurityRequirements: Requirement[] = [sidUnpredictable];
export { sidUnpredictable };
