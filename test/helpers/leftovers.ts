import { readdir, readFile } from 'node:fs/promises';
import { REAL_DIR_PREFIX } from '../../proxies/real-program.js';

/** The parent PID from /proc/PID/stat (the field after the parenthesised command name). */
async function parentOf(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
}

async function descendsFromUs(pid: number): Promise<boolean> {
  for (let p: number | null = pid, depth = 0; p !== null && depth < 8; depth++) {
    if (p === process.pid) return true;
    p = await parentOf(p);
  }
  return false;
}

/**
 * Real-program processes (their command line names a pushspec temp dir: nginx -p, haproxy -f,
 * varnishd -n, squid -f) started by this process, read from /proc so the check needs no pgrep.
 * Other test workers run their own real programs at the same time; those are not ours.
 */
export async function leftoverRealPrograms(): Promise<string> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number)) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (pid !== process.pid && cmd.includes(REAL_DIR_PREFIX) && (await descendsFromUs(pid)))
      found.push(`${pid} ${cmd.replace(/\0/g, ' ').trim()}`);
  }
  return found.join('\n');
}
