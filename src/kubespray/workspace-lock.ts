/**
 * A lock file around the shared Kubespray mirror, so two kspray processes
 * (two clusters upgraded from one runner, say) never clone, fetch or add a
 * worktree at the same time. O_EXCL create; a holder that died (same host,
 * pid gone) leaves a stale lock that is taken over; a live holder is waited
 * for with backoff, up to a deadline. Git work under the lock is short, so a
 * plain wait is better here than failing as the per-cluster apply lock does.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { isPidAlive } from '../journal/lock.js';
import { createFileExclusive } from '../util/atomic-write.js';
import { InterruptedError } from '../util/errors.js';

export interface MirrorLockOptions {
  /** How long to wait for a live holder. Default 15 minutes (a first clone of Kubespray can take a while). */
  timeoutMs?: number;
  /** First retry delay; doubled up to 1 s. Default 50 ms. */
  initialDelayMs?: number;
}

export interface MirrorLock {
  path: string;
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  host: string;
  token: string;
  startedAt: string;
}

export async function acquireMirrorLock(path: string, options: MirrorLockOptions = {}): Promise<MirrorLock> {
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const me: Holder = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), startedAt: new Date().toISOString() };
  await mkdir(dirname(path), { recursive: true });
  let delay = options.initialDelayMs ?? 50;
  for (;;) {
    if (await createFileExclusive(path, `${JSON.stringify(me)}\n`)) return handle(path, me.token);
    const holder = await readHolder(path);
    if (holder === 'gone') continue;
    if (holder !== 'unreadable' && holder.host === me.host && !isPidAlive(holder.pid)) {
      // Remove only the stale file we judged; a new holder's file has another token.
      await removeIfToken(path, holder.token);
      continue;
    }
    if (holder === 'unreadable' && (await ageMs(path)) > UNREADABLE_STALE_MS) {
      // A holder that died between creating the file and writing it.
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder === 'unreadable' ? 'an unreadable lock' : `pid ${holder.pid} on ${holder.host} since ${holder.startedAt}`;
      throw new InterruptedError(
        `the Kubespray cache is locked by another kspray run (${who}): waited ${Math.round(timeoutMs / 1000)} s`,
        `Wait for it to finish and retry. If no kspray is running, remove ${path}.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(delay * 2, 1000);
  }
}

/** An empty or garbled lock older than this was left by a crash, not by a holder still writing it. */
const UNREADABLE_STALE_MS = 10_000;

async function ageMs(path: string): Promise<number> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

/** The holder, 'gone' when the file vanished, 'unreadable' when it never became valid JSON (a young file is retried briefly). */
async function readHolder(path: string): Promise<Holder | 'gone' | 'unreadable'> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw error;
    }
    const holder = parseHolder(text);
    if (holder) return holder;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return 'unreadable';
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') {
      return { pid: value.pid, host: value.host, token: value.token, startedAt: String(value.startedAt ?? '?') };
    }
  } catch {
    // not JSON (yet)
  }
  return undefined;
}

async function removeIfToken(path: string, token: string): Promise<void> {
  const holder = await readHolder(path);
  if (holder !== 'gone' && holder !== 'unreadable' && holder.token === token) await rm(path, { force: true });
}

function handle(path: string, token: string): MirrorLock {
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      await removeIfToken(path, token);
    },
  };
}
