import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_NAMES } from '../../fixtures/faults.js';
import { startReferenceServer } from '../../fixtures/reference-server.js';
import { HarnessError } from '../errors.js';

export function parseFaults(v: string | undefined): string[] {
  const faults =
    v === undefined
      ? []
      : v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  for (const f of faults)
    if (!(FAULT_NAMES as readonly string[]).includes(f))
      throw new HarnessError('PUSHSPEC_E_USAGE', `--fault ${JSON.stringify(f)}: expected one of ${FAULT_NAMES.join(', ')}`);
  return faults;
}

function ms(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n > 3_600_000)
    throw new HarnessError(
      'PUSHSPEC_E_USAGE',
      `${flag} ${JSON.stringify(v)}: expected a whole number of milliseconds between 1 and 3600000`,
    );
  return n;
}

/** Starts the reference server, prints its URL and manifest, and stops it on SIGINT/SIGTERM. */
export async function fixtureCommand(flags: {
  fault?: string;
  port?: string;
  holdMs: string;
  heartbeatMs: string;
  tls?: boolean;
  http2?: boolean;
}): Promise<void> {
  const faults = parseFaults(flags.fault);
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new HarnessError('PUSHSPEC_E_USAGE', `--port ${JSON.stringify(flags.port)}: expected a port number 0–65535`);
  const server = await startReferenceServer({
    faults,
    port,
    holdMs: ms('--hold-ms', flags.holdMs),
    heartbeatMs: ms('--heartbeat-ms', flags.heartbeatMs),
    tls: flags.tls === true,
    http2: flags.http2 === true,
  });
  // The certificate lives as long as the server: the file is removed when it stops.
  const caFile = server.caPem === null ? null : join(tmpdir(), `pushspec-fixture-${server.port}-ca.pem`);
  if (caFile !== null && server.caPem !== null) await writeFile(caFile, server.caPem, { mode: 0o644 });
  // The manifest is the data (`pushspec fixture > target.json`); the banner is a message.
  process.stderr.write(
    `pushspec reference server${faults.length ? ` with faults ${faults.join(', ')}` : ''} listening on ${server.url} (manifest on stdout; Ctrl-C stops it)\n`,
  );
  if (caFile !== null)
    process.stderr.write(`its self-signed certificate (the CA to trust): ${caFile} — pushspec run --target FILE --ca ${caFile}\n`);
  process.stdout.write(`${JSON.stringify(server.manifest(), null, 2)}\n`);
  const stop = (): void => {
    void server
      .close()
      .then(() => (caFile === null ? undefined : rm(caFile, { force: true })))
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
