import { readdir, readFile } from 'node:fs/promises';
import { REAL_DIR_PREFIX } from '../../proxies/real-program.js';

/**
 * Processes whose command line names a real-program temp dir (nginx -p, haproxy -f, varnishd -n,
 * squid -f all carry it), read from /proc so the check needs no pgrep.
 */
export async function leftoverRealPrograms(): Promise<string> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(REAL_DIR_PREFIX)) found.push(`${pid} ${cmd.replace(/\0/g, ' ').trim()}`);
  }
  return found.join('\n');
}
