import type { FaultName } from '../../fixtures/faults.js';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.js';
import { testDoor } from '../drivers/door.js';

/**
 * A compliant reference server beside one with a single fault, for fault tests that drive a
 * protocol driver against both; every server and door opened through it closes in `close()`.
 */
export function faultPairs(holdMs: number): {
  both: (fault: FaultName) => Promise<[ReferenceServer, ReferenceServer]>;
  door: (url: URL) => ReturnType<typeof testDoor>;
  close: () => Promise<void>;
} {
  const servers: ReferenceServer[] = [];
  const doors: Array<{ close(): void }> = [];
  return {
    both: async (fault) => {
      const pair = await Promise.all([startReferenceServer({ holdMs }), startReferenceServer({ holdMs, faults: [fault] })]);
      servers.push(...pair);
      return pair;
    },
    door: (url) => {
      const d = testDoor(url);
      doors.push(d);
      return d;
    },
    close: async () => {
      for (const d of doors.splice(0)) d.close();
      await Promise.all(servers.splice(0).map((s) => s.close()));
    },
  };
}
