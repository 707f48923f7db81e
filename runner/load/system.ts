/**
 * What the machine allows the load client, read and never raised: the open-file limit, the
 * ephemeral port range (how many connections one source address can hold to one target) and the
 * files already open. Linux reads /proc; elsewhere the limit comes from the shell and the port
 * range is the IANA default.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface SystemLimits {
  /** the soft RLIMIT_NOFILE, or null when it cannot be read (then no step is refused for it) */
  openFiles: number | null;
  portRange: { low: number; high: number };
  /** where the port range came from, for the message that names it */
  portRangeSource: string;
}

const IANA_EPHEMERAL = { low: 49152, high: 65535 };

function readOpenFileLimit(): number | null {
  try {
    const line = /^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    if (line !== undefined) return line === 'unlimited' ? null : Number(line);
  } catch {
    // not Linux: ask the shell below
  }
  try {
    const out = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2000 }).trim();
    return out === 'unlimited' || !/^\d+$/.test(out) ? null : Number(out);
  } catch {
    return null;
  }
}

export function readSystemLimits(): SystemLimits {
  const openFiles = readOpenFileLimit();
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && high >= low)
      return { openFiles, portRange: { low, high }, portRangeSource: 'net.ipv4.ip_local_port_range' };
  } catch {
    // fall through to the IANA range
  }
  return { openFiles, portRange: IANA_EPHEMERAL, portRangeSource: 'the IANA ephemeral range (assumed)' };
}

/** File descriptors this process holds now (sockets, pipes, files), or 0 where /proc is absent. */
export function openFileCount(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

/**
 * A source address holds one connection per ephemeral port to a given target; a tenth is left
 * for ports still in TIME_WAIT from other traffic and for the kernel's own choice failing early.
 */
export function connectionsPerAddress(l: SystemLimits): number {
  return Math.floor((l.portRange.high - l.portRange.low + 1) * 0.9);
}

/** Sockets the process may still open: the limit less what is open, less a margin for files and the publish hook. */
export const FD_MARGIN = 64;

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** 127.0.0.2, 127.0.0.3, …: the load's client identities; 127.0.0.1 stays free for "another client". */
export function loadSourceAddress(i: number): string {
  return `127.0.0.${2 + i}`;
}

export const OTHER_CLIENT_ADDRESS = '127.0.0.1';
/** 127.0.0.2 … 127.0.0.254 */
export const MAX_SOURCE_ADDRESSES = 253;
