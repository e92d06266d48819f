/**
 * One apply per cluster on this machine (the cluster-wide lock is a Lease:
 * src/kube/lease-lock.ts). `<baseDir>/.kspray/state/<cluster>.lock` is made
 * whole before it appears: written to a temp file, synced, then linked into
 * place, which fails if a lock is there. So of two runs racing for it
 * exactly one wins, and a full disk never leaves an empty lock behind.
 *
 * The lock names its holder (pid, the process's start time and the boot, so
 * a reused pid or a reboot is recognized) and every process group the run
 * started (ansible-playbook runs in its own). A holder that is provably gone
 * (same host, dead or another process under its pid, and none of its
 * groups' processes alive) is taken over at once, with a word; while an
 * orphaned ansible-playbook of a dead run still works on the cluster, the
 * lock is refused even with --break-lock (exit 3, naming the pids and how to
 * stop them): two ansible-playbooks on one host is what the lock prevents.
 * A lock from another host cannot be checked from here: --break-lock.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { onProcessGroup, type StartedGroup } from '../process/children.js';
import { bootId, groupMembers, processStart, type GroupMember } from '../process/proc.js';
import { InterruptedError, UsageError } from '../util/errors.js';
import { fileError } from '../util/fs-errors.js';
import { checkClusterName, stateDir } from './state-paths.js';

export const LockInfoSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
  runId: z.string(),
  command: z.string(),
  user: z.string().optional(),
  /** The holder's start (clock ticks after boot) and the boot: with them a reused pid is not the holder. */
  processStart: z.string().optional(),
  bootId: z.string().optional(),
  /** The process groups the run started (ansible-playbook): what may outlive a killed kspray. */
  // A process group id is positive (0 or -1 would name every process of the kernel, or of the machine, an orphan forever); its start is clock ticks.
  groups: z.array(z.object({ pgid: z.number().int().positive(), start: z.string().regex(/^\d+$/).optional(), command: z.string() })).default([]),
});
export type LockInfo = z.infer<typeof LockInfoSchema>;

export interface Orphan extends GroupMember {
  pgid: number;
}

export type LockState =
  | { state: 'free' }
  | { state: 'held'; holder: LockInfo }
  /** The holder is gone and nothing it started runs: taken over without asking. */
  | { state: 'stale'; holder: LockInfo; why: string }
  /** The holder is gone but processes of its groups still run: refused until they end. */
  | { state: 'orphaned'; holder: LockInfo; orphans: Orphan[] }
  | { state: 'other-host'; holder: LockInfo }
  | { state: 'unreadable'; text: string };

export interface TakenOverLock {
  /** Why taking it over was allowed: the holder is provably gone, or --break-lock was given for one kspray cannot check. */
  reason: 'stale' | 'other-host' | 'unreadable';
  holder?: LockInfo;
  why?: string;
}

export interface LockHandle {
  path: string;
  info: LockInfo;
  /** Set when this acquire replaced someone else's lock. */
  tookOverStale?: TakenOverLock;
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  runId: string;
  /** The command line, for whoever finds the lock held. */
  command: string;
  breakLock?: boolean;
  /** For tests: when the lock says it was taken. */
  now?: Date;
  /** A process group started under the lock could not be recorded (a full disk): the caller says so. */
  onRecordError?: (error: Error) => void;
}

export function lockPath(baseDir: string, cluster: string): string {
  return join(stateDir(baseDir), `${checkClusterName(cluster)}.lock`);
}

/** A pid that exists on this host; EPERM means it exists but belongs to someone else. */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What the lock file says right now, without touching it. */
export async function inspectLock(baseDir: string, cluster: string): Promise<LockState> {
  const text = await readLockText(lockPath(baseDir, cluster));
  return text === undefined ? { state: 'free' } : classify(text);
}

export async function acquireLock(baseDir: string, cluster: string, options: AcquireOptions): Promise<LockHandle> {
  const path = lockPath(baseDir, cluster);
  try {
    await mkdir(stateDir(baseDir), { recursive: true });
  } catch (error) {
    throw fileError(error, stateDir(baseDir), 'create the state directory');
  }
  const start = processStart(process.pid);
  const boot = bootId();
  const info: LockInfo = {
    pid: process.pid, host: hostname(), startedAt: (options.now ?? new Date()).toISOString(),
    runId: options.runId, command: options.command, user: currentUser(),
    ...(start === undefined ? {} : { processStart: start }), ...(boot === undefined ? {} : { bootId: boot }), groups: [],
  };
  // A few rounds: a lock released between our failed create and our read is simply free again.
  for (let round = 0; round < 5; round += 1) {
    if (await createLock(path, lockText(info))) return handleFor(path, info, options);
    const text = await readLockText(path);
    if (text === undefined) continue;
    const state = classify(text);
    if (state.state === 'free') continue;
    if (state.state === 'held') throw heldError(cluster, path, state.holder);
    if (state.state === 'orphaned') throw orphanedError(cluster, path, state);
    if (state.state !== 'stale' && !options.breakLock) throw blockedError(cluster, path, state);
    await takeOver(path, text, info);
    const tookOver: TakenOverLock = state.state === 'unreadable'
      ? { reason: 'unreadable' }
      : { reason: state.state, holder: state.holder, ...(state.state === 'stale' ? { why: state.why } : {}) };
    return handleFor(path, info, options, tookOver);
  }
  throw new InterruptedError(`could not take the lock ${path}: it keeps changing hands`, 'Another kspray run is starting; wait and retry.');
}

function lockText(info: LockInfo): string {
  return `${JSON.stringify(info, null, 2)}\n`;
}

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** A complete temp file, then link(2) into place: EEXIST when a lock is there; the lock is never seen half written. */
async function createLock(path: string, body: string): Promise<boolean> {
  const tmp = await writeTemp(path, body);
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function writeTemp(path: string, body: string): Promise<string> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(tmp, { force: true });
    throw fileError(error, path, 'write the lock');
  }
  return tmp;
}

/**
 * Replaces a lock we may take over: only if it still says what we judged,
 * then by rename (atomic), then read back to be sure that no other breaker
 * overwrote it meanwhile. Two runs breaking the same stale lock in the same
 * millisecond could both pass; the window is the read-back.
 */
async function takeOver(path: string, judged: string, info: LockInfo): Promise<void> {
  const tmp = await writeTemp(path, lockText(info));
  try {
    if ((await readLockText(path)) !== judged) throw lostRace(path);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
  const after = await readLockText(path);
  if (after === undefined || !sameHolder(parseLock(after), info)) throw lostRace(path);
}

function lostRace(path: string): InterruptedError {
  return new InterruptedError(`the lock ${path} changed while kspray was taking it over`, 'Another kspray run took it; check `kspray status` before retrying.');
}

function handleFor(path: string, info: LockInfo, options: AcquireOptions, tookOverStale?: TakenOverLock): LockHandle {
  let released = false;
  let current = info;
  let writes = Promise.resolve();
  // Every process group this run starts goes into the lock as it starts, one rewrite at a time.
  const stopRecording = onProcessGroup((group: StartedGroup) => {
    writes = writes.then(async () => {
      if (released) return;
      const next: LockInfo = { ...current, groups: [...current.groups, { pgid: group.pgid, command: group.command, ...(group.start === undefined ? {} : { start: group.start }) }] };
      const text = await readLockText(path);
      if (text === undefined || !sameHolder(parseLock(text), info)) return;
      const tmp = await writeTemp(path, lockText(next));
      try {
        await rename(tmp, path);
        current = next;
      } finally {
        await rm(tmp, { force: true });
      }
    }).catch((error: unknown) => options.onRecordError?.(error instanceof Error ? error : new Error(String(error))));
  });
  // 'exit' handlers run synchronously: the last chance to remove our lock on process.exit().
  const onExit = (): void => {
    try {
      if (sameHolder(parseLock(readFileSync(path, 'utf8')), info)) unlinkSync(path);
    } catch {
      // Already gone or unreadable: nothing of ours to remove.
    }
  };
  process.on('exit', onExit);
  return {
    path, info, ...(tookOverStale === undefined ? {} : { tookOverStale }),
    async release() {
      if (released) return;
      released = true;
      stopRecording();
      process.off('exit', onExit);
      await writes;
      const text = await readLockText(path);
      if (text !== undefined && sameHolder(parseLock(text), info)) await rm(path, { force: true });
    },
  };
}

/** The lock's text, or undefined when there is none. Locks appear whole (createLock), but an old kspray's may be young: read it a few times. */
async function readLockText(path: string): Promise<string | undefined> {
  let text = '';
  for (let attempt = 0; attempt < 20; attempt += 1) {
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
        throw new UsageError(`the lock file ${path} is a directory`, `kspray does not remove directories: if nothing of yours is in it, remove it (rmdir ${path}) and run again`);
      }
      throw fileError(error, path, 'read the lock file');
    }
    if (parseLock(text) !== undefined) return text;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return text;
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const parsed = LockInfoSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock's holder still runs, and if not, whether anything it started does. Pure but for /proc and kill(0). */
function classify(text: string): LockState {
  const holder = parseLock(text);
  if (holder === undefined) return { state: 'unreadable', text };
  if (holder.host !== hostname()) return { state: 'other-host', holder };
  const boot = bootId();
  if (holder.bootId !== undefined && boot !== undefined && holder.bootId !== boot) {
    return { state: 'stale', holder, why: 'the machine rebooted since' };
  }
  if (isPidAlive(holder.pid)) {
    const start = holder.processStart === undefined ? undefined : processStart(holder.pid);
    if (start === undefined || start === holder.processStart) return { state: 'held', holder };
    return gone(holder, `pid ${holder.pid} is another process now (the holder's pid was reused)`);
  }
  return gone(holder, `pid ${holder.pid} no longer runs`);
}

function gone(holder: LockInfo, why = 'it no longer runs'): LockState {
  const orphans = holder.groups.flatMap((group) => liveMembers(group).map((member) => ({ ...member, pgid: group.pgid })));
  return orphans.length > 0 ? { state: 'orphaned', holder, orphans } : { state: 'stale', holder, why };
}

/** The live processes of a group the holder started; without /proc, whether the group has any process at all. */
function liveMembers(group: LockInfo['groups'][number]): GroupMember[] {
  const members = groupMembers(group.pgid, group.start);
  if (members !== undefined) return members;
  try {
    process.kill(-group.pgid, 0);
    return [{ pid: group.pgid, command: group.command }];
  } catch {
    return [];
  }
}

function sameHolder(a: LockInfo | undefined, b: LockInfo): boolean {
  return a !== undefined && a.pid === b.pid && a.host === b.host && a.runId === b.runId && a.startedAt === b.startedAt;
}

function describe(holder: LockInfo): string {
  return `pid ${holder.pid}${holder.user ? ` (${holder.user})` : ''} on host ${holder.host}, started ${holder.startedAt}, run ${holder.runId} (${holder.command})`;
}

function heldError(cluster: string, path: string, holder: LockInfo): InterruptedError {
  return new InterruptedError(
    `cluster ${cluster} is locked by another kspray run: ${describe(holder)}`,
    `Check it with \`ps -o pid,etime,args -p ${holder.pid}\` and \`kspray status\`; wait for it to end, or stop it with Ctrl-C or \`kill ${holder.pid}\` (it then records the interruption). Lock file: ${path}`,
  );
}

function orphanedError(cluster: string, path: string, state: Extract<LockState, { state: 'orphaned' }>): InterruptedError {
  const groups = [...new Set(state.orphans.map((orphan) => orphan.pgid))];
  return new InterruptedError(
    `cluster ${cluster}: the kspray run that holds the lock (${describe(state.holder)}) is gone, but what it started still runs: ${state.orphans.map((o) => `pid ${o.pid} (${o.command})`).join('; ')}`,
    `Two ansible-playbooks must never work on the same hosts: wait for ${state.orphans.length === 1 ? 'it' : 'them'} to end, or stop ${state.orphans.length === 1 ? 'it' : 'them'} with ${groups.map((pgid) => `\`kill -INT -- -${pgid}\``).join(' and ')}; then run apply again (it takes the lock over and resumes). Lock file: ${path}`,
  );
}

function blockedError(cluster: string, path: string, state: Extract<LockState, { state: 'other-host' | 'unreadable' }>): InterruptedError {
  if (state.state === 'other-host') {
    return new InterruptedError(
      `cluster ${cluster} is locked by a kspray run on another host: ${describe(state.holder)}`,
      `kspray cannot check a process on ${state.holder.host} from here. If that run and its ansible-playbook are gone, rerun with --break-lock. Lock file: ${path}`,
    );
  }
  return new InterruptedError(
    `cluster ${cluster} has an unreadable lock file ${path}`,
    'If no other kspray run is active, rerun with --break-lock to take it over.',
  );
}
