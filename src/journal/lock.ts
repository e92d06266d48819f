/**
 * One apply per cluster. `<baseDir>/.kspray/state/<cluster>.lock` is created
 * with O_EXCL, so of two runs racing for it exactly one wins. A lock whose
 * holder died (same host, no such pid) is stale: kspray says so and takes it
 * over only when told to (--break-lock). A lock from another host cannot be
 * checked from here, so it counts as held unless told otherwise.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createFileExclusive } from '../util/atomic-write.js';
import { InterruptedError } from '../util/errors.js';
import { checkClusterName, stateDir } from './journal-store.js';

export const LockInfoSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
  runId: z.string(),
  command: z.string(),
});
export type LockInfo = z.infer<typeof LockInfoSchema>;

export type LockState =
  | { state: 'free' }
  | { state: 'held'; holder: LockInfo }
  | { state: 'stale'; holder: LockInfo }
  | { state: 'other-host'; holder: LockInfo }
  | { state: 'unreadable'; text: string };

export interface TakenOverLock {
  /** Why taking it over was allowed: the holder is dead, or --break-lock was given for one kspray cannot check. */
  reason: 'stale' | 'other-host' | 'unreadable';
  holder?: LockInfo;
}

export interface LockHandle {
  path: string;
  info: LockInfo;
  /** Set when this acquire replaced someone else's lock (--break-lock). */
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
  await mkdir(stateDir(baseDir), { recursive: true });
  const info: LockInfo = {
    pid: process.pid, host: hostname(), startedAt: (options.now ?? new Date()).toISOString(),
    runId: options.runId, command: options.command,
  };
  const body = `${JSON.stringify(info, null, 2)}\n`;
  // A few rounds: a lock released between our failed create and our read is simply free again.
  for (let round = 0; round < 5; round += 1) {
    if (await createFileExclusive(path, body)) return handleFor(path, info);
    const text = await readLockText(path);
    if (text === undefined) continue;
    const state = classify(text);
    if (state.state === 'free') continue;
    if (state.state === 'held') throw heldError(cluster, path, state.holder);
    if (!options.breakLock) throw blockedError(cluster, path, state);
    await takeOver(path, text, body, info);
    return handleFor(path, info, state.state === 'unreadable' ? { reason: 'unreadable' } : { reason: state.state, holder: state.holder });
  }
  throw new InterruptedError(`could not take the lock ${path}: it keeps changing hands`, 'Another kspray run is starting; wait and retry.');
}

/**
 * Replaces a lock we may take over: only if it still says what we judged,
 * then by rename (atomic), then read back to be sure that no other breaker
 * overwrote it meanwhile. Two runs breaking the same stale lock in the same
 * millisecond could both pass; that needs two operators typing --break-lock
 * at once, and the window is the read-back.
 */
async function takeOver(path: string, judged: string, body: string, info: LockInfo): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
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

function handleFor(path: string, info: LockInfo, tookOverStale?: TakenOverLock): LockHandle {
  let released = false;
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
      process.off('exit', onExit);
      const text = await readLockText(path);
      if (text !== undefined && sameHolder(parseLock(text), info)) await rm(path, { force: true });
    },
  };
}

/**
 * The lock's text, or undefined when there is none. The creator writes right
 * after the O_EXCL open, so an empty or cut file may just be young: read it a
 * few times before calling it unreadable.
 */
async function readLockText(path: string): Promise<string | undefined> {
  let text = '';
  for (let attempt = 0; attempt < 20; attempt += 1) {
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
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

function classify(text: string): LockState {
  const holder = parseLock(text);
  if (holder === undefined) return { state: 'unreadable', text };
  if (holder.host !== hostname()) return { state: 'other-host', holder };
  return isPidAlive(holder.pid) ? { state: 'held', holder } : { state: 'stale', holder };
}

function sameHolder(a: LockInfo | undefined, b: LockInfo): boolean {
  return a !== undefined && a.pid === b.pid && a.host === b.host && a.runId === b.runId && a.startedAt === b.startedAt;
}

function describe(holder: LockInfo): string {
  return `pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt}, run ${holder.runId} (${holder.command})`;
}

function heldError(cluster: string, path: string, holder: LockInfo): InterruptedError {
  return new InterruptedError(
    `cluster ${cluster} is locked by another kspray run: ${describe(holder)}`,
    `Check it with \`ps -o pid,etime,args -p ${holder.pid}\` and \`kspray status\`; wait for it to end, or stop it with Ctrl-C or \`kill ${holder.pid}\` (it then records the interruption). Lock file: ${path}`,
  );
}

function blockedError(cluster: string, path: string, state: Exclude<LockState, { state: 'free' | 'held' }>): InterruptedError {
  if (state.state === 'stale') {
    return new InterruptedError(
      `cluster ${cluster} has a stale lock: pid ${state.holder.pid} (run ${state.holder.runId}, started ${state.holder.startedAt}) no longer runs on this host`,
      `That run died without releasing ${path}. Check \`kspray status\`, then rerun with --break-lock to take the lock over.`,
    );
  }
  if (state.state === 'other-host') {
    return new InterruptedError(
      `cluster ${cluster} is locked by a kspray run on another host: ${describe(state.holder)}`,
      `kspray cannot check a process on ${state.holder.host} from here. If that run is gone, rerun with --break-lock. Lock file: ${path}`,
    );
  }
  return new InterruptedError(
    `cluster ${cluster} has an unreadable lock file ${path}`,
    'If no other kspray run is active, rerun with --break-lock to take it over.',
  );
}
