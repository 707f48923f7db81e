import type { TransportName } from './manifest/types.js';
import type { Requirement } from './requirement.js';
import { profileNamed, type HopSpec } from '../proxies/index.js';
import type { WireProtocol } from './wire/recorded.js';
import { profileProtocol } from './via.js';

/**
 * Why a requirement says nothing over the protocol the client speaks, or null when it does:
 * RFC 9112 governs HTTP/1.1 messages (connection close, chunked coding, EOF framing), which an
 * HTTP/2 stream does not have; RFC 9113's rules need an HTTP/2 connection.
 */
export function protocolMismatch(r: Pick<Requirement, 'spec' | 'section' | 'protocols' | 'client'>, protocol: WireProtocol): string | null {
  // pushspec enters HTTP/2 in cleartext with prior knowledge (RFC 9113 §3.3), which no browser speaks.
  if (r.client !== undefined && protocol === 'h2')
    return `n/a over HTTP/2: the ${r.client} client is judged over HTTP/1.1 only (browsers speak HTTP/2 only by ALPN over TLS, and pushspec's HTTP/2 path is cleartext with prior knowledge)`;
  const only = r.protocols ?? (r.spec === 'RFC 9112' ? ['http/1.1'] : r.spec === 'RFC 9113' ? ['h2'] : null);
  if (only === null || only.includes(protocol)) return null;
  return protocol === 'h2'
    ? `n/a over HTTP/2: ${r.spec} §${r.section} judges an HTTP/1.1 mechanism (connection close, chunked coding, EOF framing) that an HTTP/2 stream does not have; --http 1.1 judges it`
    : `n/a over HTTP/1.1: an HTTP/2 rule (${r.spec} §${r.section}); --http 2 or auto judges it against a server that offers h2`;
}

/**
 * "Does it work behind X?" — which requirements mean something behind a profile the user names.
 * Derived, not listed per requirement: a profile is a chain of hops, each hop changes some
 * aspects of an exchange (EFFECTS), and each kind of transport depends on some of them
 * (CONCERNS). A requirement applies behind a profile when
 *   1. it declares the profile, or one of the profile's hops, in its `via` (a requirement that
 *      means something behind an idle timeout means something behind every chain that has one);
 *   2. otherwise, unless it is only meaningful behind particular hops (`directToo: false`) or
 *      judges the origin's own message syntax, when the profile changes something its transport
 *      depends on.
 * The full matrix (`--via all`) keeps the curated `via` lists: this rule is for named profiles.
 */
export type Effect =
  | 'delay'
  | 'buffering'
  | 'reframing'
  | 'downgrade'
  | 'first-byte-timeout'
  | 'idle-timeout'
  | 'total-timeout'
  | 'caching'
  | 'transform'
  | 'sharing'
  | 'serialising'
  | 'closing'
  | 'coalescing'
  | 'joining';

/** How the coverage statement names each effect. */
const EFFECT_WORDS: Record<Effect, string> = {
  delay: 'adds delay',
  buffering: 'buffers responses',
  reframing: 're-frames bodies',
  downgrade: 'speaks HTTP/1.0 on one side',
  'first-byte-timeout': 'times out a silent first byte',
  'idle-timeout': 'cuts idle connections',
  'total-timeout': 'caps every exchange',
  caching: 'caches responses',
  transform: 'compresses bodies',
  sharing: 'shares connections between clients',
  serialising: 'serialises pipelined requests',
  closing: 'closes the client connection after every response',
  coalescing: 'makes concurrent requests for one URL wait for a single fetch',
  joining: 'holds every piece of a body for a fixed window to join it with the next',
};

/** What one hop changes. Exhaustive over hop units, so a new kind of hop has to say. */
function hopEffects(spec: HopSpec): Effect[] {
  switch (spec.unit) {
    case 'direct':
      return [];
    case 'latency':
      return ['delay'];
    case 'buffer-full':
    case 'buffer-bytes':
      return ['buffering'];
    case 'rechunk-split':
      return ['reframing'];
    case 'rechunk-coalesce':
      return ['reframing', 'delay', 'joining'];
    case 'http10':
      return ['downgrade', 'reframing', ...(spec.params.side === 'upstream' ? [] : (['closing'] as const))];
    case 'idle-timeout':
      return ['idle-timeout'];
    case 'first-byte-timeout':
      return ['first-byte-timeout'];
    case 'total-timeout':
      return ['total-timeout'];
    case 'shared-cache':
      return ['caching', ...(spec.params.coalesce ? (['coalescing'] as const) : [])];
    case 'gzip':
      return ['transform', 'buffering', 'reframing'];
    case 'conn-pool':
    case 'client-pool':
      return ['sharing'];
    case 'no-pipeline':
      return ['serialising'];
    case 'real-nginx':
      return [
        'reframing',
        'idle-timeout',
        ...(spec.params.buffering ? (['buffering'] as const) : []),
        ...(spec.params.httpVersion === '1.0' ? (['downgrade'] as const) : []),
      ];
    case 'real-haproxy':
      // without option http-no-delay it joins chunks (~200 ms, see proxies/real-haproxy.ts)
      return ['reframing', 'delay', 'idle-timeout'];
    case 'real-varnish':
      return ['caching', 'coalescing', 'reframing', 'first-byte-timeout', 'idle-timeout'];
    case 'real-squid':
      return ['caching', 'reframing', 'idle-timeout'];
    case 'node-http-proxy':
      return spec.params.compress ? ['reframing', 'transform'] : ['reframing'];
    case 'h2-front':
      return ['reframing'];
  }
}

/** What a check over each transport can be harmed by. Long polls answer with whole bodies, so re-framing and compression leave them alone. */
const HELD: readonly Effect[] = ['buffering', 'downgrade', 'first-byte-timeout', 'idle-timeout', 'total-timeout', 'caching', 'sharing'];
const STREAMING: readonly Effect[] = [
  'buffering',
  'reframing',
  'downgrade',
  'transform',
  'first-byte-timeout',
  'idle-timeout',
  'total-timeout',
  'caching',
];
const CONCERNS: Record<TransportName, readonly Effect[]> = {
  longPoll: HELD,
  bayeux: HELD,
  bosh: [...HELD, 'serialising'],
  stream: STREAMING,
  sse: STREAMING,
};

/**
 * RFC 9110 and RFC 9112 bind every sender of a message: behind a hop that re-sends HTTP the
 * client reads the hop's message, not the server's, so these are judged direct only.
 */
const MESSAGE_SYNTAX_SPECS: ReadonlySet<string> = new Set(['RFC 9110', 'RFC 9112', 'RFC 9113']);

/**
 * Areas that judge how the server answers what one client sends it (its CORS policy, a hostile
 * header): hops forward both unchanged, so behind any of them the answer is the server's own,
 * already judged direct.
 */
const SERVER_ANSWER_AREAS: ReadonlyArray<{ prefix: string; what: string }> = [
  { prefix: 'sec.', what: 'its CORS policy, its answer to an oversized header' },
];

/**
 * The few outcomes a hop decides whatever the server does, found by running the reference
 * server through every profile (test/matrix/): behind such a hop the requirement says
 * nothing about the server, so it is not applicable there, with this reason.
 */
const HOP_DECIDES: ReadonlyArray<{ effect: Effect; id: string; why: string }> = [
  { effect: 'closing', id: 'lp.persistent', why: 'no poll can reuse a connection the hop closes' },
  { effect: 'closing', id: 'lp.idle-repoll', why: 'no re-poll can reuse a connection the hop closes (lp.persistent says so)' },
  {
    effect: 'coalescing',
    id: 'lp.fanout',
    why: "a second client's poll of the same channel waits for the first one's answer (Varnish's waiting list)",
  },
  // Not real-haproxy: whether it corks chunks depends on the kernel under it (proxies/real-haproxy.ts), so there the check has something to say.
  {
    effect: 'joining',
    id: 'st.incremental',
    why: 'every event leaves the hop a full window after it arrived, however promptly the server flushed it (its profile description says by how much)',
  },
  {
    effect: 'total-timeout',
    id: 'st.idle-survives',
    why: 'the hop ends every exchange on its own clock before an idle timeout can act (st.stays-open judges that)',
  },
];

export function profileEffects(profile: string): ReadonlySet<Effect> {
  return new Set(profileNamed(profile).specs.flatMap(hopEffects));
}

/** What a requirement depends on: its transports' concerns, and added delay where it measures time or publishes between polls. */
export function concernsOf(r: Requirement): ReadonlySet<Effect> {
  const out = new Set(r.transports.flatMap((t) => CONCERNS[t]));
  if (r.timing || r.needsPublish) out.add('delay');
  return out;
}

/** `elsewhere`: the requirement only means something behind other kinds of hop (a run leaves it out, as any run without them does). */
export type Applicability = { applies: true } | { applies: false; reason: string; elsewhere?: true };

/** Whether `r` means something behind the named base profile (not `direct`), and if not, why. */
export function applicability(r: Requirement, profile: string): Applicability {
  const declared = r.via ?? [];
  const hops = profileNamed(profile).specs.map((s) => s.unit);
  if (declared.includes(profile)) return { applies: true };
  const effects = profileEffects(profile);
  const decided = HOP_DECIDES.find((d) => d.id === r.id && effects.has(d.effect));
  if (decided) return { applies: false, reason: `${profile} ${EFFECT_WORDS[decided.effect]}: ${decided.why}` };
  if (hops.some((u) => declared.includes(u))) return { applies: true };
  if (r.directToo === false) {
    return {
      applies: false,
      elsewhere: true,
      reason: `only meaningful behind ${declared.join(', ')} (or a chain containing one); ${profile} has none of them`,
    };
  }
  const entered = profileProtocol(profile);
  if (protocolMismatch(r, entered) !== null)
    return {
      applies: false,
      reason:
        entered === 'h2'
          ? `an HTTP/1.1 rule (${r.spec}), and ${profile} is entered over HTTP/2, so it is judged direct (--http 1.1)`
          : `an HTTP/2 rule (${r.spec}), and ${profile} is entered over HTTP/1.1, so it is judged direct (--http 2 or auto)`,
    };
  if (MESSAGE_SYNTAX_SPECS.has(r.spec)) {
    return {
      applies: false,
      reason: `judges the server's own message syntax, which ${[...MESSAGE_SYNTAX_SPECS].join(', ').replace(/, ([^,]*)$/, ' and $1')} bind on each sender (RFC 9113 on each end of an HTTP/2 connection): behind ${profile} the client reads the hop's message, so it is judged direct`,
    };
  }
  const answer = SERVER_ANSWER_AREAS.find((a) => r.id.startsWith(a.prefix));
  if (answer)
    return {
      applies: false,
      reason: `judges the server's own answer to what a client sends (${answer.what}), which ${profile} forwards unchanged, so it is judged direct`,
    };
  const concerns = concernsOf(r);
  if ([...effects].some((e) => concerns.has(e))) return { applies: true };
  const does = effects.size ? [...effects].map((e) => EFFECT_WORDS[e]).join(', ') : 'changes no byte';
  return { applies: false, reason: `${profile} only ${does}, and the check depends on none of that` };
}
