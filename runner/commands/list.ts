import type { Requirement } from '../requirement.js';

export function listCommand(reqs: readonly Requirement[], json: boolean): string {
  if (json) {
    const rows = reqs.map((r) => ({ id: r.id, spec: r.spec, section: r.section, level: r.level, title: r.title, sources: r.sources, transports: r.transports, needsPublish: r.needsPublish, timing: r.timing, tolerance: r.tolerance, faults: r.faults }));
    return `${JSON.stringify(rows, null, 2)}\n`;
  }
  const w = Math.max(...reqs.map((r) => r.id.length));
  return `${reqs.map((r) => `${r.id.padEnd(w)}  ${`${r.spec} §${r.section}`.padEnd(14)} ${r.level.padEnd(6)} ${r.title}`).join('\n')}\n`;
}
