/**
 * The run's trust settings for https:// targets, in one place: the raw-socket recorder
 * (runner/wire/), the undici Agent of the ordinary exchanges (publish hook, preflight probe) and
 * the last hop of every intermediary chain (proxies/target-edge.ts) all verify the target's
 * certificate the same way, so a chain can never accept what a direct case refused.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { connect, createSecureContext, rootCertificates, TLSSocket, type ConnectionOptions, type SecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import { HarnessError } from './errors.js';

export interface TlsTrust {
  /** PEM text added to Node's bundled roots (--ca) */
  ca?: string;
  /** where the PEM came from, for the report */
  caPath?: string;
  /** no certificate verification at all (--insecure) */
  insecure: boolean;
  /** --cert/--key: a client certificate presented on every TLS connection (servers that require one, RFC 8446 §4.3.2) */
  client?: { cert: string; key: string; certPath: string };
}

export const DEFAULT_TRUST: TlsTrust = { insecure: false };

/** What the preflight handshake negotiated, for the report. */
export interface TlsFacts {
  protocol: string | null;
  cipher: string | null;
  alpn: string | null;
}

/** SNI carries a host name; RFC 6066 §3 forbids literal IP addresses in it. */
export function serverName(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) === 0 ? host : undefined;
}

const contexts = new Map<string, SecureContext>();

/**
 * The verification half of tls.connect's options; undici's Agent takes the same under `connect`.
 * `ca` replaces Node's roots, so --ca adds to them instead (a public-CA target stays trusted).
 * The context is built once per PEM: a `ca` option would parse ~150 roots on every connection,
 * which measured 2 s of start-up when a run opens its first 32 cases at once.
 */
export function trustOptions(trust: TlsTrust): Pick<ConnectionOptions, 'secureContext' | 'rejectUnauthorized'> {
  if (trust.ca === undefined && trust.client === undefined) return { rejectUnauthorized: !trust.insecure };
  const key = `${trust.ca ?? ''}\0${trust.client?.cert ?? ''}`;
  let secureContext = contexts.get(key);
  if (!secureContext)
    contexts.set(
      key,
      (secureContext = createSecureContext({
        ...(trust.ca === undefined ? {} : { ca: [...rootCertificates, trust.ca] }),
        ...(trust.client === undefined ? {} : { cert: trust.client.cert, key: trust.client.key }),
      })),
    );
  return { rejectUnauthorized: !trust.insecure, secureContext };
}

const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/;

/**
 * Reads --cert and --key before anything runs: each must be a readable PEM of its kind, and the
 * key must belong to the certificate, or the run stops with one usage error (exit 2).
 */
export async function loadClientCertificate(certPath: string, keyPath: string): Promise<{ cert: string; key: string; certPath: string }> {
  const cert = await readPemFile('--cert', certPath, PEM_CERT, {
    readable: 'a readable PEM file with the client certificate',
    missing: 'no PEM certificate in the file; expected a "-----BEGIN CERTIFICATE-----" block (the client certificate)',
  });
  const key = await readPemFile('--key', keyPath, PEM_KEY, {
    readable: "a readable PEM file with the client certificate's private key",
    missing: 'no PEM private key in the file; expected a "-----BEGIN … PRIVATE KEY-----" block (the key of --cert)',
  });
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new HarnessError(
      'PUSHSPEC_E_USAGE',
      `--key ${JSON.stringify(keyPath)}: not the private key of --cert ${JSON.stringify(certPath)} (${e instanceof Error ? e.message : String(e)}); expected the key that belongs to the certificate`,
    );
  }
  return { cert, key, certPath };
}

/** Everything tls.connect needs for `url` (host, port, SNI, trust). */
export function tlsConnectOptions(url: URL, trust: TlsTrust, alpn: readonly string[] = ['http/1.1']): ConnectionOptions {
  const name = serverName(url);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 443 : Number(url.port),
    ...(name === undefined ? {} : { servername: name }),
    // Offered exactly as the run's --http says: only http/1.1 keeps an h2-capable server from choosing h2.
    ALPNProtocols: [...alpn],
    ...trustOptions(trust),
  };
}

/**
 * A TLS connection to `url` that stays half-open after the peer's FIN, like the plain sockets
 * of runner/wire and proxies/link (tls.connect passes allowHalfOpen to its socket; @types/node
 * does not list it).
 */
export function openTls(url: URL, trust: TlsTrust, alpn: readonly string[] = ['http/1.1']): TLSSocket {
  const options: ConnectionOptions & { allowHalfOpen: boolean } = { ...tlsConnectOptions(url, trust, alpn), allowHalfOpen: true };
  return connect(options).setNoDelay(true);
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** Reads --ca before anything runs: a bad file is one usage error, never a failed handshake per case. */
export async function loadCaFile(path: string): Promise<string> {
  return readPemFile('--ca', path, PEM_CERT, {
    readable: 'a readable PEM file with one or more CERTIFICATE blocks',
    missing:
      'no PEM certificate in the file; expected one or more "-----BEGIN CERTIFICATE-----" blocks (the CA that signed the target\'s certificate)',
  });
}

/** One PEM file named by a flag: unreadable or without its block is one usage error naming the flag (exit 2). */
async function readPemFile(flag: string, path: string, pattern: RegExp, say: { readable: string; missing: string }): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    throw new HarnessError(
      'PUSHSPEC_E_USAGE',
      `${flag} ${JSON.stringify(path)}: cannot read the file (${typeof code === 'string' ? code : String(e)}); expected ${say.readable}`,
    );
  }
  if (!pattern.test(text)) throw new HarnessError('PUSHSPEC_E_USAGE', `${flag} ${JSON.stringify(path)}: ${say.missing}`);
  return text;
}

/**
 * Resets a socket (RST). A TLSSocket's handle is the TLS layer, which has no reset()
 * (net.Socket#resetAndDestroy throws ERR_INVALID_HANDLE_TYPE), and resetting the TCP handle under
 * it from outside leaves the TLSSocket without a 'close' event. So Node's own reset path
 * (net.Socket#_destroy with resetAndClosing: handle.reset(), then 'close') runs on the TCP handle.
 * Meant for sockets we connected (runner/wire, the target edge): on an accepted TLSSocket the
 * tls.Server would never hear that its connection closed.
 */
export function resetSocket(socket: Socket | TLSSocket): void {
  const handle: unknown = Reflect.get(socket, '_handle');
  const parent: unknown = typeof handle === 'object' && handle !== null ? Reflect.get(handle, '_parent') : undefined;
  if (socket instanceof TLSSocket && typeof parent === 'object' && parent !== null && typeof Reflect.get(parent, 'reset') === 'function') {
    Reflect.set(socket, 'resetAndClosing', true);
    Reflect.set(socket, '_handle', parent);
    socket.destroy();
    return;
  }
  socket.resetAndDestroy();
}

/** OpenSSL's verification codes and Node's host name check: the certificate, not the network. */
const CERT_CODES =
  /^(ERR_TLS_CERT_ALTNAME_INVALID|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_|UNABLE_TO_|ERR_TLS_CERT|INVALID_CA|CERT_UNTRUSTED|CERT_REJECTED|HOSTNAME_MISMATCH)/;

/**
 * The message of a certificate the run does not trust, or null when `error` is about something
 * else. `who` names the connection: `target https://…` or `publish hook https://…`.
 */
export function certificateProblem(who: string, error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !CERT_CODES.test(code)) return null;
  const what = error instanceof Error ? error.message : String(error);
  return `${who}: the TLS certificate is not trusted: ${code} (${what}); expected a certificate that chains to a trusted CA and names the target's host; remedy: --ca FILE with the PEM of the CA that signed it, or --insecure to skip verification (the report then says the run was unverified)`;
}

/** How long after a TLS 1.3 handshake the preflight waits for the server's verdict on our certificate. */
const TLS13_SETTLE_MS = 300;

/** OpenSSL's codes for a server that wants a client certificate, or refused ours. */
const CLIENT_CERT_CODES =
  /CERTIFICATE_REQUIRED|PEER_DID_NOT_RETURN_A_CERTIFICATE|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_UNSUPPORTED_CERTIFICATE|ALERT_CERTIFICATE_(UNKNOWN|REVOKED|EXPIRED)/;

/** The message of a server that requires a client certificate (or refused --cert), or null for any other error. */
export function clientCertificateProblem(who: string, error: unknown, trust: TlsTrust): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !CLIENT_CERT_CODES.test(code)) return null;
  return trust.client === undefined
    ? `${who}: the server requires a TLS client certificate (${code}); expected --cert FILE --key FILE with a certificate it trusts`
    : `${who}: the server refused the client certificate --cert ${JSON.stringify(trust.client.certPath)} (${code}); expected a certificate it trusts (signed by a CA it accepts, with clientAuth usage)`;
}

/**
 * An https target must complete a TLS handshake the run trusts before any case runs: a
 * certificate problem is one message naming the target, the TLS error code and the remedy
 * (exit 2), never the same failure once per case. Returns what was negotiated, for the report.
 */
export async function handshakeTls(
  baseUrl: string,
  trust: TlsTrust,
  timeScale: number,
  alpn: readonly string[] = ['http/1.1'],
): Promise<TlsFacts> {
  const url = new URL(baseUrl);
  const timeoutMs = 5000 * timeScale;
  return new Promise((resolve, reject) => {
    const s = connect(tlsConnectOptions(url, trust, alpn));
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(
        new HarnessError(
          'PUSHSPEC_E_UNREACHABLE',
          `target ${url.origin}: no TLS handshake within ${timeoutMs} ms; expected a TLS server at ${url.host} (is it plain http://?)`,
        ),
      );
    });
    s.once('secureConnect', () => {
      const facts: TlsFacts = {
        protocol: s.getProtocol(),
        cipher: s.getCipher().name,
        alpn: typeof s.alpnProtocol === 'string' ? s.alpnProtocol : null,
      };
      // TLS 1.3: a server that requires a client certificate says so only after our Finished
      // (an alert), and one that accepts us sends a session ticket; wait for either, briefly.
      const done = (): void => {
        clearTimeout(settle);
        s.destroy();
        resolve(facts);
      };
      const settle = setTimeout(done, TLS13_SETTLE_MS * timeScale);
      s.once('session', done);
    });
    s.once('error', (e: Error) => {
      s.destroy();
      const client = clientCertificateProblem(`target ${url.origin}`, e, trust);
      if (client !== null) return reject(new HarnessError('PUSHSPEC_E_TLS', client));
      const cert = certificateProblem(`target ${url.origin}`, e);
      const code = (e as { code?: unknown }).code;
      reject(
        new HarnessError(
          cert === null ? 'PUSHSPEC_E_UNREACHABLE' : 'PUSHSPEC_E_TLS',
          cert ??
            `target ${url.origin}: the TLS handshake failed: ${typeof code === 'string' ? `${code} (${e.message})` : e.message}; expected a TLS server at ${url.host} (a plain HTTP server needs an http:// URL)`,
        ),
      );
    });
  });
}
