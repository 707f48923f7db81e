/**
 * The core of `pushspec proxy PROFILE --upstream URL [--port N]`: run one profile's chain in
 * front of a server so a user can curl through it and watch what each hop does.
 */
import { performance } from 'node:perf_hooks';
import { startChain } from './chain.js';
import { PROFILES, PROFILE_NAMES } from './profiles.js';
import { startTargetEdge } from './target-edge.js';
import { DEFAULT_TRUST, handshakeTls, type TlsTrust } from '../runner/tls.js';

export interface ProxyCommandOptions {
  profile: string;
  upstream: string;
  port?: number;
  /** for an https upstream: how its certificate is verified (--ca, --insecure) */
  trust?: TlsTrust;
  /** One line of output (no trailing newline). */
  out: (line: string) => void;
}

export interface ProxyCommand {
  url: URL;
  close(): Promise<void>;
}

function parseUpstream(value: string): URL {
  const allowed = 'allowed: an absolute http:// or https:// URL such as http://127.0.0.1:8080';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--upstream: "${value}" is not a URL (${allowed})`);
  }
  // "localhost:8080" parses as a URL with the scheme "localhost:".
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`--upstream: "${value}" is not an http:// or https:// URL (${allowed}; did you mean http://${value}?)`);
  if (url.hostname === '') throw new Error(`--upstream: "${value}" has no host (${allowed})`);
  return url;
}

export async function runProxyCommand(options: ProxyCommandOptions): Promise<ProxyCommand> {
  const profile = PROFILES[options.profile];
  if (profile === undefined) {
    throw new Error(`PROFILE: "${options.profile}" is not a profile (allowed: ${PROFILE_NAMES.join(', ')})`);
  }
  const upstream = parseUpstream(options.upstream);
  const { port } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new Error(`--port: "${String(port)}" is not a port (allowed: an integer from 0 to 65535; 0 picks a free one)`);
  }
  const hops = profile.hops();
  // An https upstream is met by a TLS-terminating tap, as in a run: the hops speak plain HTTP.
  // Its certificate is checked once up front: refused later, each request would only see a FIN.
  const trust = options.trust ?? DEFAULT_TRUST;
  if (upstream.protocol === 'https:') await handshakeTls(upstream.href, trust, 1);
  const edge = upstream.protocol === 'https:' ? await startTargetEdge(upstream, trust) : null;
  let chain;
  try {
    chain = await startChain(hops, edge?.url ?? upstream, port === undefined ? {} : { port });
  } catch (error) {
    await edge?.close();
    throw error;
  }
  const { out } = options;
  out(`${options.profile}: ${chain.url.href} → ${upstream.origin}/ (${profile.description})`);
  if (profile.realWorld !== undefined) out(`  models: ${profile.realWorld}`);
  if (edge !== null)
    out(
      `  TLS to the upstream${options.trust?.insecure ? ' WITHOUT certificate verification (--insecure)' : ''}: the hops speak plain HTTP, the last link opens TLS`,
    );
  if (!profile.streamingPossible) out('  note: no server can stream through this profile');
  hops.forEach((hop, i) => out(`  ${i + 1}. ${hop.name}: ${hop.describe}`));
  if (upstream.pathname !== '/' || upstream.search !== '')
    out(`  note: requests keep their own path; "${upstream.pathname}${upstream.search}" of --upstream is ignored`);
  const t0 = performance.now();
  const unwatch = chain.watch?.((event) => out(`+${Math.round(event.t - t0)}ms ${event.what}`));
  return {
    url: chain.url,
    close: async () => {
      unwatch?.();
      await chain.close();
      await edge?.close();
    },
  };
}
