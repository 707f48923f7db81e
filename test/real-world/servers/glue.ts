import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the corpus glue servers share: reading a publish body, and announcing the port. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** Listens on 127.0.0.1 (port 0 unless given) and prints `PORT <n>` for startChild's printedPort. */
export function listenAndAnnounce(server: Server, port = 0): void {
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
  });
}
