import { expect } from 'chai';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { selfSignedCertificate, type SelfSigned } from '../fixtures/self-signed.js';
import { HarnessError } from '../runner/errors.js';
import { handshakeTls, resetSocket, type TlsTrust } from '../runner/tls.js';
import { WireConnection } from '../runner/wire/connection.js';
import type { ExchangeLimits } from '../runner/wire/types.js';

const LIMITS: ExchangeLimits = { deadlineMs: 5000 };

interface TlsServed {
  url: URL;
  host: string;
  /** SNI each accepted connection carried (false: none) */
  servernames: Array<string | false>;
  close(): Promise<void>;
}

/** A raw TLS server on 127.0.0.1: `onRequest` runs once per request head, on the decrypted stream. */
async function serveTls(
  pems: SelfSigned,
  onRequest: (socket: tls.TLSSocket, head: string) => void,
  hostname = '127.0.0.1',
): Promise<TlsServed> {
  const sockets = new Set<tls.TLSSocket>();
  const servernames: Array<string | false> = [];
  const server = tls.createServer({ key: pems.key, cert: pems.cert }, (socket) => {
    sockets.add(socket);
    servernames.push(socket.servername ?? false);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      let end = pending.indexOf('\r\n\r\n');
      while (end !== -1) {
        onRequest(socket, pending.slice(0, end));
        pending = pending.slice(end + 4);
        end = pending.indexOf('\r\n\r\n');
      }
    });
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const host = `${hostname}:${(server.address() as AddressInfo).port}`;
  return {
    url: new URL(`https://${host}`),
    host,
    servernames,
    close: () => {
      for (const s of sockets) s.destroy();
      // Not waiting for the count of connections to drain: a server-side TLSSocket reset through
      // its TCP handle (resetSocket) never gives its connection back to the server's count.
      server.close();
      return Promise.resolve();
    },
  };
}

function peerGone(socket: tls.TLSSocket): boolean {
  const handle: unknown = Reflect.get(socket, '_handle');
  const getpeername: unknown = typeof handle === 'object' && handle !== null ? Reflect.get(handle, 'getpeername') : undefined;
  return typeof getpeername === 'function' && Number(Reflect.apply(getpeername, handle, [{}])) < 0;
}

describe('runner/wire over TLS', function () {
  this.timeout(20_000);
  let pems: SelfSigned;
  let trust: TlsTrust;
  before(async () => {
    pems = await selfSignedCertificate();
    trust = { ca: pems.cert, insecure: false };
  });

  it('records each decrypted write as its own read, at the time it arrived', async () => {
    const GAP_MS = 150;
    const pieces = ['first piece\n', 'second, a little longer\n', 'third\n'];
    const s = await serveTls(pems, (socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${pieces.join('').length}\r\n\r\n`);
      pieces.forEach((p, i) => setTimeout(() => socket.write(p), (i + 1) * GAP_MS));
    });
    try {
      const c = await WireConnection.open(s.url, { connectTimeoutMs: 3000, trust });
      const res = await c.exchange({ method: 'GET', path: '/' }, LIMITS, s.host);
      c.close();
      expect(res.end).to.equal('complete');
      expect(res.body.toString()).to.equal(pieces.join(''));
      // One TLS record per server write: reads are exactly the writes, not coalesced or split.
      expect(res.bodyReads.map((r) => r.size)).to.deep.equal(pieces.map((p) => p.length));
      const t = res.bodyReads.map((r) => r.t);
      for (let i = 1; i < t.length; i++)
        expect((t[i] ?? 0) - (t[i - 1] ?? 0), `gap before read ${i}`).to.be.within(GAP_MS - 40, GAP_MS + 120);
    } finally {
      await s.close();
    }
  });

  describe('FIN vs RST', () => {
    const BODY = Buffer.alloc(4000, 0x62);
    let s: TlsServed;
    before(async () => {
      s = await serveTls(pems, (socket, head) => {
        const q = new URL(head.split(' ')[1] ?? '/', 'http://x').searchParams;
        const offset = Number(q.get('offset'));
        const framing = q.get('framing') === 'length' ? `Content-Length: ${BODY.length}\r\n` : '';
        socket.write(`HTTP/1.1 200 OK\r\n${framing}\r\n`);
        socket.write(BODY.subarray(0, offset), () => {
          const how = q.get('how');
          if (how === 'fin') socket.end();
          else if (how === 'rst') resetSocket(socket);
          else setTimeout(() => resetSocket(socket), 20);
        });
      });
    });
    after(() => s.close());

    it('tells a FIN (close_notify + FIN) from an RST at random body offsets in every trial', async () => {
      const wrong: string[] = [];
      const modes = ['fin', 'rst', 'rst-late'] as const;
      for (let trial = 0; trial < 45; trial++) {
        const how = modes[trial % 3] ?? 'fin';
        const framing = Math.random() < 0.5 ? 'close' : 'length';
        const offset = Math.floor(Math.random() * BODY.length);
        const c = await WireConnection.open(s.url, { connectTimeoutMs: 3000, trust });
        const res = await c.exchange({ method: 'GET', path: `/?how=${how}&framing=${framing}&offset=${offset}` }, LIMITS, s.host);
        const transport = how === 'fin' ? 'fin' : 'rst';
        const expected = transport === 'rst' ? 'rst' : framing === 'close' ? 'complete' : 'fin';
        const bodyOk = transport === 'rst' ? res.body.length <= offset : res.body.length === offset;
        if (res.end !== expected || c.closeHow !== transport || !bodyOk) {
          wrong.push(
            `${how}@${offset} (${framing}): expected end ${expected}, closeHow ${transport}, got end ${res.end}, closeHow ${String(c.closeHow)}, ${res.body.length} body bytes`,
          );
        }
        c.close();
      }
      expect(wrong).to.deep.equal([]);
    });

    it('close() sends FIN and reset() an RST on a TLS connection, as the server sees them', async () => {
      const seen: string[] = [];
      let accepted = (): void => undefined;
      const server = tls.createServer({ key: pems.key, cert: pems.cert, allowHalfOpen: true }, (socket) => {
        accepted();
        // libuv may report an RST behind unread bytes as EOF: then the peer is already gone (ENOTCONN).
        socket.on('end', () => {
          seen.push(peerGone(socket) ? 'ECONNRESET' : 'end');
          socket.end();
        });
        socket.on('error', (e: Error & { code?: string }) => seen.push(e.code ?? e.message));
        socket.resume();
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const url = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
      try {
        const graceful = await WireConnection.open(url, { connectTimeoutMs: 3000, trust });
        graceful.close();
        await graceful.whenClosed();
        // The server must have finished its side of the handshake, or the RST is a tlsClientError.
        const serverReady = new Promise<void>((resolve) => (accepted = resolve));
        const abrupt = await WireConnection.open(url, { connectTimeoutMs: 3000, trust });
        await serverReady;
        abrupt.reset();
        await abrupt.whenClosed();
        await new Promise((r) => setTimeout(r, 100));
        expect(seen).to.deep.equal(['end', 'ECONNRESET']);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  it('sends SNI for a host name and none for an IP literal (RFC 6066 §3)', async () => {
    const ok = (socket: tls.TLSSocket): void => void socket.end('HTTP/1.1 204 No Content\r\n\r\n');
    const byName = await serveTls(pems, ok, 'localhost');
    const byIp = await serveTls(pems, ok);
    try {
      for (const s of [byName, byIp]) {
        const c = await WireConnection.open(s.url, { connectTimeoutMs: 3000, trust });
        await c.exchange({ method: 'GET', path: '/' }, LIMITS, s.host);
        c.close();
      }
      expect([byName.servernames, byIp.servernames]).to.deep.equal([['localhost'], [false]]);
    } finally {
      await Promise.all([byName.close(), byIp.close()]);
    }
  });

  describe('preflight handshake', () => {
    const noop = (): void => undefined;
    const failure = async (url: URL, t: TlsTrust): Promise<HarnessError> => {
      try {
        await handshakeTls(url.href, t, 1);
      } catch (e) {
        if (e instanceof HarnessError) return e;
        throw e;
      }
      throw new Error('expected the handshake to be refused');
    };

    it('an untrusted self-signed certificate: one message with the target, DEPTH_ZERO_SELF_SIGNED_CERT and the remedy', async () => {
      const s = await serveTls(pems, noop);
      try {
        const e = await failure(s.url, { insecure: false });
        expect(e.code).to.equal('PUSHSPEC_E_TLS');
        expect(e.message)
          .to.include(`target ${s.url.origin}`)
          .and.include('DEPTH_ZERO_SELF_SIGNED_CERT')
          .and.include('--ca FILE')
          .and.include('--insecure');
      } finally {
        await s.close();
      }
    });

    it('a wrong host name and an expired certificate are named by their codes', async () => {
      const elsewherePems = await selfSignedCertificate({ hosts: ['push.example'] });
      const elsewhere = await serveTls(elsewherePems, noop);
      const expiredPems = await selfSignedCertificate({ expired: true });
      const expired = await serveTls(expiredPems, noop);
      try {
        // Trusted, but for another name: only the host check can refuse it.
        const wrongHost = await failure(elsewhere.url, { insecure: false, ca: elsewherePems.cert });
        expect(wrongHost.message).to.include('ERR_TLS_CERT_ALTNAME_INVALID').and.include('--ca FILE');
        const expiredError = await failure(expired.url, { insecure: false, ca: expiredPems.cert });
        expect(expiredError.message).to.include('CERT_HAS_EXPIRED').and.include('--insecure');
      } finally {
        await Promise.all([elsewhere.close(), expired.close()]);
      }
    });

    it('trusted with --ca, or unverified with --insecure, it reports what was negotiated', async () => {
      const s = await serveTls(pems, noop);
      try {
        const facts = await handshakeTls(s.url.href, trust, 1);
        expect(facts.protocol).to.match(/^TLSv1\.[23]$/);
        expect(facts.cipher).to.be.a('string');
        expect((await handshakeTls(s.url.href, { insecure: true }, 1)).protocol).to.equal(facts.protocol);
      } finally {
        await s.close();
      }
    });

    it('a plain HTTP listener on an https:// URL says it is not TLS, not a certificate problem', async () => {
      const { createServer } = await import('node:http');
      const plain = createServer((_req, res) => res.end('plain'));
      plain.listen(0, '127.0.0.1');
      await once(plain, 'listening');
      const url = new URL(`https://127.0.0.1:${(plain.address() as AddressInfo).port}`);
      try {
        const e = await failure(url, trust);
        expect(e.code).to.equal('PUSHSPEC_E_UNREACHABLE');
        expect(e.message).to.include('the TLS handshake failed').and.include('http://');
      } finally {
        plain.closeAllConnections();
        await new Promise((resolve) => plain.close(resolve));
      }
    });
  });
});
