import type { Report } from '../report.js';

/** How the target's certificate was checked and what the preflight negotiated, in one line (console and HTML); null: not over TLS. */
export function tlsText(t: Report['environment']['tls'], show: (s: string) => string = (s) => s): string | null {
  if (t === undefined) return null;
  const negotiated = [t.protocol, t.cipher, t.alpn ? `ALPN ${t.alpn}` : null].filter((x): x is string => typeof x === 'string').join(', ');
  const suffix = negotiated === '' ? '' : ` · ${negotiated}`;
  if (t.insecure) return `TLS NOT VERIFIED (--insecure): the target's certificate was not checked${suffix}`;
  return `TLS verified${t.ca === undefined ? ' against the system roots' : ` with --ca ${show(t.ca)}`}${suffix}`;
}
