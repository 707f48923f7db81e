import type { Manifest } from '../../../runner/manifest/types.js';

/**
 * One real third-party server of the corpus, started by the tests themselves on loopback.
 * `targets` holds one manifest per endpoint variant worth judging separately (e.g. nchan's
 * long poll with the etag cursor and its SSE subscriber), keyed by a short variant name.
 */
export interface RunningServer {
  /** variant name → manifest pointing at the running server */
  targets: Record<string, Manifest>;
  /** how a variant is reached when not plain HTTP/1.1: the CA its TLS certificate chains to, the --http to use */
  access?: Record<string, TargetAccess>;
  /** Stops every process this server started, by its own PID. Idempotent. */
  stop(): Promise<void>;
}

export interface TargetAccess {
  /** PEM of the (self-signed) certificate the variant's https:// origin presents */
  caPem?: string;
  http?: '1.1' | '2' | 'auto';
}

export interface CorpusServer {
  /** file-name-safe, e.g. 'nchan', 'better-sse' */
  name: string;
  /** what it is and which version, e.g. 'nginx 1.22.1 + nchan 1.3.6 (Debian)' */
  description: string;
  /** null when it can run here; otherwise the install command that makes it available */
  missing(): string | null;
  start(): Promise<RunningServer>;
  /**
   * Requirements left out of a variant's run, as a user who knows the server would `--skip`
   * them, with the reason (e.g. sockjs: a channel URL is one client's session, so two clients
   * on it cannot be a fan-out).
   */
  skip?: Record<string, { ids: string[]; why: string }>;
}
