/**
 * The research catalogue's rows (../shared/research/requirements.md) and what pushspec does with
 * each, so `pushspec list --coverage` and the README say what was looked at and what was not:
 * a passing report must never imply more than was checked.
 */

/** How a catalogue row is covered. */
export type RowStatus =
  /** judged by these requirements */
  | { by: readonly string[] }
  /** judged in part by these requirements; `missing` says what is not */
  | { partly: readonly string[]; missing: string }
  /** judged by `pushspec load`, not by `run` */
  | { load: string }
  /** a summary row whose checks are the rows it points to */
  | { see: readonly string[] }
  /** testable from outside, not built yet */
  | { notYet: string }
  /** nothing a black box can observe on the server */
  | { untestable: string };

export interface CatalogueRow {
  id: string;
  status: RowStatus;
}

export interface CatalogueSection {
  title: string;
  rows: readonly CatalogueRow[];
}

const by = (...ids: string[]): RowStatus => ({ by: ids });
const partly = (missing: string, ...ids: string[]): RowStatus => ({ partly: ids, missing });
const see = (...rows: string[]): RowStatus => ({ see: rows });
const notYet = (what: string): RowStatus => ({ notYet: what });
const untestable = (why: string): RowStatus => ({ untestable: why });
const row = (id: string, status: RowStatus): CatalogueRow => ({ id, status });

const CLIENT_SIDE = 'a client-side practice: the server shows nothing of it';

export const CATALOGUE: readonly CatalogueSection[] = [
  {
    title: 'RFC 6202 §1–2 long polling',
    rows: [
      row('LP-DEF-01', by('lp.held')),
      row('LP-CYCLE-01', by('lp.wake')),
      row('LP-CYCLE-02', by('lp.complete')),
      row('LP-CYCLE-03', by('lp.repoll')),
      row('LP-PERSIST-01', by('lp.persistent')),
      row('LP-HDR-01', by('lp.header-overhead')),
      row('LP-LAT-01', by('lp.wake', 'lp.gap-no-loss', 'lp.gap-latency')),
      row('LP-LAT-02', see('BP-PIPE-01')),
      row(
        'LP-CONN-01',
        partly(
          'a graceful idle close (FIN) under 4 s is reported (idleCloseMs), not warned: the client retries on a new connection (RFC 9112 §9.3.1)',
          'lp.idle-repoll',
        ),
      ),
      row('LP-RES-01', { load: 'pushspec load: the largest number of held polls sustained' }),
      row('LP-DEGRADE-01', by('lp.batch', 'lp.order', 'lp.no-duplicates', 'lp.gap-after-timeout')),
      row('LP-TIMEOUT-01', see('BP-TIMEOUT-01', 'BP-TIMEOUT-02', 'BP-TIMEOUT-03', 'BP-TIMEOUT-04')),
      row('LP-CACHE-01', see('BP-CACHE-03')),
      row('LP-FRAME-01', notYet('a message split across two long-poll responses')),
    ],
  },
  {
    title: 'RFC 6202 §3 streaming',
    rows: [
      row('ST-DEF-01', by('st.stays-open')),
      row('ST-CYCLE-01', by('st.first-byte')),
      row('ST-FRAME-01', by('st.no-content-length')),
      row('ST-FRAME-02', by('st.http10-eof')),
      row('ST-FRAME-03', by('h1.connection-close')),
      row('ST-FRAME-04', notYet('EOF-framed streams without per-message terminators and an end-of-stream marker')),
      row('ST-CHUNK-01', by('st.chunk-syntax')),
      row('ST-INTER-01', notYet('a working fallback behind a buffering proxy (padding, recycling, or switching to long polling)')),
      row('ST-LAT-01', partly('latency across a server-initiated recycle', 'st.incremental')),
      row('ST-RECYCLE-01', notYet('stream lifetime and bytes before the server recycles it')),
      row(
        'ST-BUF-01',
        partly(
          'no verdict by design (information only): the bytes before the first event are reported as measurements of st.incremental (bytesBeforeFirstEvent, paddedKiB); fetch() and XHR streaming clients',
          'client.eventsource',
          'st.incremental',
        ),
      ),
      row('ST-SRVBUF-01', by('st.incremental')),
      row('ST-FRAMING-02', by('st.app-framing')),
    ],
  },
  {
    title: 'RFC 6202 §4 technologies (Bayeux, BOSH, SSE)',
    rows: [
      row('BAYEUX-6202-01', by('bay.two-connections')),
      row('BOSH-6202-01', by('bosh.hold-release')),
      row('BOSH-6202-02', by('bosh.wait', 'bosh.inactivity')),
      row('BOSH-6202-03', by('bosh.no-chunked')),
      row('BOSH-6202-04', notYet('an unrelated GET sharing the BOSH connection; compression')),
      row('SSE-6202-01', by('st.incremental', 'st.app-framing')),
    ],
  },
  {
    title: 'RFC 6202 §5 best practices',
    rows: [
      row('BP-CONN-01', notYet('six polls or streams from one simulated browser, then an ordinary request')),
      row('BP-CONN-02', untestable(CLIENT_SIDE)),
      row('BP-CONN-03', partly('plain long polls sharing a cookie', 'bay.multiple-clients')),
      row('BP-PIPE-01', partly('two events back to back through INT-DELAY(d), and L(E2) against d and 3d + ε', 'h1.pipeline-order')),
      row('BP-PIPE-02', notYet('an ordinary request pipelined behind a long poll')),
      row('BP-PIPE-03', notYet('a service that only works when POSTs are pipelined')),
      row('BP-PIPE-04', notYet('delivery through a hop that does not pipeline')),
      row('BP-PROXY-01', by('lp.wake')),
      row('BP-PROXY-02', see('ST-INTER-01')),
      row('BP-PROXY-03', notYet('held polls starving a proxy with a small backend pool')),
      row('BP-PROXY-04', see('LP-RES-01')),
      row('BP-RESP-01', by('lp.timeout-status')),
      row('BP-RESP-02', by('lp.wake')),
      row('BP-TIMEOUT-01', by('lp.hold-floor')),
      row('BP-TIMEOUT-02', by('lp.hold-time')),
      row('BP-TIMEOUT-03', by('lp.timeout-status')),
      row('BP-TIMEOUT-04', by('lp.hold-survives', 'st.idle-survives', 'st.heartbeat', 'bay.connect-survives', 'bosh.wait-survives')),
      row('BP-CACHE-01', untestable('a statement about clients: nothing to observe')),
      row('BP-CACHE-02', see('BP-CACHE-03')),
      row('BP-CACHE-03', by('lp.not-storable', 'lp.cache-replay')),
      row('BP-CACHE-04', by('lp.no-cache-request')),
    ],
  },
  {
    title: 'RFC 6202 §6 security',
    rows: [
      row(
        'SEC-INJ-01',
        partly(
          'U+2028/U+2029 escaping in the JSONP of Bayeux callback-polling',
          'bay.jsonp-callback',
          'sec.jsonp-callback',
          'sec.jsonp-separators',
          'sec.nosniff',
        ),
      ),
      row('SEC-DOS-01', { load: 'pushspec load: a per-client cap while other clients are still served' }),
      row('SEC-GEN-01', untestable('says the document adds no security issue of its own')),
    ],
  },
  {
    title: 'WHATWG HTML §9.2 server-sent events',
    rows: [
      row('SSE-CT-01', by('sse.content-type')),
      row('SSE-REQ-01', by('sse.browser-request')),
      row('SSE-STATUS-01', notYet('5xx for overload (terminal for EventSource); streams ended within 1 s as a reconnect loop')),
      row('SSE-204-01', by('sse.stop-204')),
      row('SSE-REDIR-01', notYet('a redirected event-stream request (information only)')),
      row('SSE-ENC-01', by('sse.utf8')),
      row('SSE-LINE-01', untestable('every line terminator and any mix of them is valid: nothing to violate')),
      row('SSE-EVT-01', by('sse.dispatch')),
      row('SSE-FIELD-01', by('sse.field-names')),
      row('SSE-DATA-01', by('sse.data-multiline')),
      row('SSE-DATA-02', by('sse.data-leading-space')),
      row('SSE-DATA-03', untestable('id-only blocks are valid: information only')),
      row('SSE-ID-01', by('sse.ids', 'sse.id-no-nul')),
      row('SSE-RETRY-01', by('sse.retry', 'sse.retry-floor')),
      row('SSE-LEID-01', by('sse.resume', 'sec.last-event-id-oversized')),
      row('SSE-RECON-01', notYet('reconnection refused inside the retry window')),
      row('SSE-COMMENT-01', by('sse.heartbeat', 'st.idle-survives')),
      row('SSE-CHUNK-01', by('st.app-framing')),
      row('SSE-CONNLIM-01', see('BP-CONN-01')),
      row('SSE-CL-01', partly('the SSE endpoint of a target that also declares a stream endpoint', 'st.no-content-length')),
      row('SSE-CACHE-01', by('sse.not-storable')),
      row('SSE-GZIP-01', by('st.gzip-flush')),
    ],
  },
  {
    title: 'RFC 9112 HTTP/1.1 framing and persistence',
    rows: [
      row('H1-TE-01', by('st.http10-eof', 'h1.http10-no-chunked')),
      row('H1-TE-02', partly('Transfer-Encoding on a 204 other than the declared SSE stop answer', 'sse.stop-204')),
      row('H1-TE-03', partly('Bayeux and BOSH responses', 'h1.te-without-cl')),
      row('H1-CHUNK-01', by('st.chunk-syntax')),
      row('H1-CHUNK-02', notYet('meaning carried in chunk extensions')),
      row('H1-CHUNK-03', notYet('essential data only in trailers')),
      row('H1-LEN-01', partly('body bytes on a 204 other than the declared SSE stop answer', 'http.head', 'sse.stop-204')),
      row('H1-LEN-02', by('h1.self-delimited')),
      row('H1-LEN-03', by('h1.no-stray-bytes')),
      row('H1-INCOMP-01', by('st.chunk-syntax')),
      row('H1-TLS-01', notYet('close_notify before closing an EOF-framed response over TLS')),
      row('H1-ASSOC-01', by('h1.no-stray-bytes')),
      row('H1-PERSIST-01', by('lp.persistent')),
      row('H1-PERSIST-02', by('h1.http10-close')),
      row('H1-CLOSE-01', by('h1.connection-close')),
      row('H1-PIPE-01', partly('an ordinary GET pipelined behind a long poll', 'h1.pipeline-order')),
      row('H1-PIPE-02', untestable('a client retry rule; the server side is information only')),
      row('H1-CONC-01', see('SEC-DOS-01', 'BP-CONN-01')),
      row('H1-TIMEOUT-01', by('h1.idle-close')),
      row('H1-TEARDOWN-01', notYet('the final response lost to an RST after Connection: close')),
      row('H1-VER-01', by('h1.response-version')),
      row('H1-BARECR-01', notYet('a bare CR in the status line or header fields')),
    ],
  },
  {
    title: 'RFC 9111 caching (with RFC 9110 §9.3.3, §15.1)',
    rows: [
      row('CACHE-STORE-01', by('lp.not-storable', 'sse.not-storable', 'bay.not-storable')),
      row('CACHE-HEUR-01', by('lp.not-storable')),
      row('CACHE-NOSTORE-01', by('lp.not-storable', 'lp.cache-replay')),
      row('CACHE-NOCACHE-01', by('lp.not-storable', 'lp.cache-replay')),
      row('CACHE-PRIVATE-01', by('lp.not-storable')),
      row('CACHE-MAXAGE-01', by('lp.not-storable')),
      row(
        'CACHE-VARY-01',
        notYet(
          'content that depends on Cookie or Authorization without Vary: needs the manifest to name the per-user request field and two users’ values (a black box cannot know which field selects the content); then one storable poll per user through shared-cache, and the second user served the first’s answer is the cross-user leak',
        ),
      ),
      row('CACHE-AUTH-01', by('lp.not-storable')),
      row('CACHE-COLLAPSE-01', by('lp.cache-replay')),
      row('CACHE-POST-01', notYet('POST responses (Bayeux, BOSH) made cacheable by explicit freshness and Content-Location')),
      row('CACHE-PRAGMA-01', by('lp.not-storable')),
      row('CACHE-TRANSFORM-01', by('st.gzip-flush')),
      row('CACHE-INCOMP-01', by('sse.not-storable')),
      row('CACHE-PASS-01', untestable("a proxy's duty: the gzip and shared-cache profiles follow it")),
      row('HTTP-FWD-01', see('ST-INTER-01', 'ST-SRVBUF-01')),
    ],
  },
  {
    title: 'XEP-0124 / XEP-0206 BOSH',
    rows: [
      row('BOSH-HTTP-01', by('bosh.session')),
      row('BOSH-HTTP-02', by('bosh.no-chunked')),
      row('BOSH-HTTP-03', by('bosh.content')),
      row('BOSH-HTTP-04', notYet('a compressed response body that is invalid')),
      row('BOSH-HTTP-05', notYet('pipelined BOSH requests answered out of order')),
      row('BOSH-SESS-01', by('bosh.session')),
      row('BOSH-SESS-02', partly('maxpause, where pausing is supported', 'bosh.session')),
      row('BOSH-WAIT-01', by('bosh.wait')),
      row('BOSH-HOLD-01', by('bosh.hold-release')),
      row('BOSH-ORDER-01', by('bosh.rid-order', 'bosh.rid-out-of-order')),
      row('BOSH-RID-01', by('bosh.rid-window')),
      row('BOSH-RID-02', by('bosh.rid-resend')),
      row('BOSH-RID-03', notYet('a repeated rid that is still held')),
      row('BOSH-RID-04', by('bosh.rid-expired')),
      row('BOSH-INACT-01', by('bosh.inactivity')),
      row('BOSH-PAUSE-01', notYet('a pause request where maxpause is advertised')),
      row('BOSH-OVER-01', notYet('more simultaneous requests than `requests`')),
      row('BOSH-POLL-01', by('bosh.polling-session', 'bosh.overactivity')),
      row('BOSH-TERM-01', by('bosh.terminate')),
      row('BOSH-ERR-01', by('bosh.error-conditions')),
      row('BOSH-SEC-01', by('bosh.sid-unpredictable')),
      row('BOSH-SEC-02', notYet('a session request over plain HTTP after one over TLS')),
      row('BOSH-INTER-01', by('bosh.wait-survives')),
    ],
  },
  {
    title: 'Bayeux 1.0',
    rows: [
      row('BAY-TRANS-01', by('bay.two-connections')),
      row('BAY-TRANS-02', by('bay.handshake')),
      row('BAY-TWO-01', by('bay.two-connections')),
      row('BAY-HS-01', by('bay.handshake')),
      row('BAY-HS-02', by('bay.handshake-refused')),
      row('BAY-HS-03', by('bay.handshake-alone')),
      row('BAY-MSG-01', by('bay.handshake')),
      row('BAY-MSG-02', by('bay.response-type')),
      row('BAY-ID-01', by('bay.handshake', 'bay.reply-ids')),
      row('BAY-CID-01', by('bay.client-id-unique')),
      row('BAY-CID-02', by('bay.client-id-private')),
      row('BAY-CONN-01', by('bay.connect-held')),
      row('BAY-CONN-02', by('bay.connect-held')),
      row('BAY-CONN-03', by('bay.one-connect')),
      row('BAY-CONN-04', notYet('a session expired after maxInterval without a connect')),
      row('BAY-ADV-01', by('bay.advice-types')),
      row('BAY-ADV-02', by('bay.unknown-client')),
      row('BAY-MULTI-01', by('bay.multiple-clients')),
      row('BAY-DISC-01', by('bay.disconnect-releases')),
      row('BAY-DEL-01', by('bay.connect-wakes', 'bay.no-loss')),
      row('BAY-UNCONN-01', by('bay.unconnected-answered')),
      row('BAY-ERR-01', by('bay.error-format')),
      row('BAY-JSONP-01', by('bay.jsonp-callback')),
      row('BAY-SEC-01', untestable('which data is private is knowledge only the application has')),
    ],
  },
  {
    title: 'RFC 10036 Incremental',
    rows: [
      row(
        'INCR-01',
        partly(
          'no verdict by design (information only, RFC 10036 is new and advisory): the field is reported as the incremental measurement of these checks; long polls with padding, and the INT-INCR proxy that shows the effect',
          'sse.content-type',
          'st.no-content-length',
        ),
      ),
      row('INCR-02', untestable("an intermediary's duty, not the server's")),
    ],
  },
];
