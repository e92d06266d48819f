/**
 * What Linux's /proc says about processes, for telling a live lock holder
 * from a dead one whose pid was reused, and for finding what is left of a
 * process group after its parent died (SIGKILL, the OOM killer). Each
 * answer is undefined where /proc cannot say (another OS, a hidepid mount):
 * callers then fall back to what kill(pid, 0) can tell.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { redact } from '../util/redact.js';

/** This boot of this machine (/proc/sys/kernel/random/boot_id): after a reboot every old pid is dead. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

interface ProcStat {
  pid: number;
  pgrp: number;
  /** Clock ticks after boot when the process started: with the boot id, a process's identity. */
  start: string;
}

/** /proc/<pid>/stat, whose second field (the command) may hold spaces and parentheses. */
function stat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the command: state(3) ppid(4) pgrp(5) … starttime(22), numbered from 1.
    const pgrp = Number(fields[2]);
    const start = fields[19];
    return Number.isInteger(pgrp) && start !== undefined ? { pid, pgrp, start } : undefined;
  } catch {
    return undefined;
  }
}

/** When the process started (clock ticks after boot), or undefined when it does not exist or /proc cannot say. */
export function processStart(pid: number): string | undefined {
  return stat(pid)?.start;
}

export interface GroupMember {
  pid: number;
  command: string;
}

/**
 * The live processes of a process group that started at or after `since`
 * (the leader's start: members a reused group id gathered before it cannot
 * be ours); undefined when /proc cannot be read.
 */
export function groupMembers(pgid: number, since?: string): GroupMember[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members: GroupMember[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const info = stat(Number(entry));
    if (!info || info.pgrp !== pgid) continue;
    if (since !== undefined && BigInt(info.start) < BigInt(since)) continue;
    members.push({ pid: info.pid, command: commandOf(info.pid) });
  }
  return members.sort((a, b) => a.pid - b.pid);
}

/** The command line as kspray shows it (lock messages, status): masked, as every line kspray prints. */
function commandOf(pid: number): string {
  try {
    return redact(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')).slice(0, 200);
  } catch {
    return '?';
  }
}
