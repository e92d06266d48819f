/**
 * The per-cluster lock against real processes: children are node processes
 * (started through the process chokepoint) that take the lock with the real
 * code, so the pid in the lock is a live other process, then a dead one.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bootId, processStart } from '../src/process/proc.js';
import { acquireLock, inspectLock, isPidAlive, lockPath, type LockInfo } from '../src/journal/lock.js';
import { run } from '../src/process/exec.js';
import { ExitCode, InterruptedError, KsprayError } from '../src/util/errors.js';
import { packageRoot } from '../src/util/paths.js';

const LOCK_MODULE = pathToFileURL(join(packageRoot, 'src', 'journal', 'lock.ts')).href;

/**
 * hold: take the lock and keep it until killed. exit: take it and call
 * process.exit() without releasing. race: say ready, wait for the go file,
 * try once, and (if it won) keep the lock until the done file appears.
 */
const CHILD = `
const { acquireLock } = await import(${JSON.stringify(LOCK_MODULE)});
const { existsSync } = await import('node:fs');
const env = process.env;
const say = (event) => console.log(JSON.stringify({ pid: process.pid, ...event }));
const waitFor = async (file) => { while (!existsSync(file)) await new Promise((r) => setTimeout(r, 5)); };
const options = { runId: env.KSPRAY_T_RUN, command: 'kspray apply -c cluster.yaml', breakLock: env.KSPRAY_T_BREAK === '1' };
if (env.KSPRAY_T_MODE === 'race') {
  say({ event: 'ready' });
  await waitFor(env.KSPRAY_T_GO);
}
let handle;
try {
  handle = await acquireLock(env.KSPRAY_T_BASE, 'k1', options);
} catch (error) {
  say({ event: 'refused', exitCode: error.exitCode, message: error.message });
  process.exit(0);
}
say({ event: 'acquired', tookOverStale: handle.tookOverStale ?? null });
if (env.KSPRAY_T_MODE === 'exit') process.exit(0);
if (env.KSPRAY_T_MODE === 'race') { await waitFor(env.KSPRAY_T_DONE); await handle.release(); process.exit(0); }
setInterval(() => {}, 60_000);
`;

interface ChildEvent { pid: number; event: 'ready' | 'acquired' | 'refused'; exitCode?: number; message?: string; tookOverStale?: unknown }

interface Child {
  events: ChildEvent[];
  next(event: ChildEvent['event']): Promise<ChildEvent>;
  kill(): Promise<void>;
  done: Promise<unknown>;
}

let base: string;
const children: Child[] = [];

function startChild(mode: 'hold' | 'exit' | 'race', runId: string, extra: Record<string, string> = {}): Child {
  const controller = new AbortController();
  const events: ChildEvent[] = [];
  const waiters: Array<() => void> = [];
  const done = run([process.execPath, '--input-type=module', '--import', 'tsx', '-e', CHILD], {
    cwd: packageRoot,
    signal: controller.signal,
    env: { KSPRAY_T_MODE: mode, KSPRAY_T_RUN: runId, KSPRAY_T_BASE: base, ...extra },
    onStdoutLine: (line) => {
      if (!line.startsWith('{')) return;
      events.push(JSON.parse(line) as ChildEvent);
      waiters.splice(0).forEach((wake) => wake());
    },
  }).catch((error: unknown) => error);
  const child: Child = {
    events,
    done,
    async next(event) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const found = events.find((candidate) => candidate.event === event);
        if (found) return found;
        const ended = await Promise.race([done.then(() => 'ended'), new Promise<void>((wake) => waiters.push(wake))]);
        if (ended === 'ended' && !events.some((candidate) => candidate.event === event)) {
          throw new Error(`child ended without "${event}": ${String(await done)}`);
        }
        if (Date.now() > deadline) throw new Error(`child never said "${event}"`);
      }
    },
    async kill() {
      controller.abort();
      await done;
    },
  };
  children.push(child);
  return child;
}

async function rejection(promise: Promise<unknown>): Promise<KsprayError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(KsprayError);
  return error as KsprayError;
}

async function lockOnDisk(): Promise<LockInfo> {
  return JSON.parse(await readFile(lockPath(base, 'k1'), 'utf8')) as LockInfo;
}

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'kspray-lock-'));
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.kill()));
  await rm(base, { recursive: true, force: true });
});

describe('the cluster lock between real processes', () => {
  it('refuses while a live process holds it, and takes it over at once when that process is provably gone', async () => {
    const holder = startChild('hold', 'run-child');
    const { pid } = await holder.next('acquired');
    expect(pid).not.toBe(process.pid);
    expect(await lockOnDisk()).toMatchObject({ pid, host: hostname(), runId: 'run-child', command: 'kspray apply -c cluster.yaml', processStart: expect.any(String), bootId: expect.any(String), groups: [] });

    const held = await rejection(acquireLock(base, 'k1', { runId: 'run-me', command: 'kspray apply' }));
    expect(held).toBeInstanceOf(InterruptedError);
    expect(held.exitCode).toBe(ExitCode.interrupted);
    expect(held.message).toContain(`pid ${pid}`);
    expect(held.message).toContain(`on host ${hostname()}`);
    expect(held.message).toContain('run run-child');
    expect(held.hint).toContain(`ps -o pid,etime,args -p ${pid}`);
    expect(await inspectLock(base, 'k1')).toMatchObject({ state: 'held', holder: { pid } });
    // Even --break-lock does not take a lock from a live process.
    await expect(acquireLock(base, 'k1', { runId: 'run-me', command: 'kspray apply', breakLock: true })).rejects.toThrow(`pid ${pid}`);

    await holder.kill(); // SIGTERM: node dies without its exit handlers, like a crash
    expect(isPidAlive(pid)).toBe(false);
    expect((await lockOnDisk()).pid).toBe(pid);
    expect(await inspectLock(base, 'k1')).toMatchObject({ state: 'stale', holder: { pid }, why: `pid ${pid} no longer runs` });

    const handle = await acquireLock(base, 'k1', { runId: 'run-me', command: 'kspray apply' });
    expect(handle.tookOverStale).toMatchObject({ reason: 'stale', holder: { pid, runId: 'run-child' }, why: `pid ${pid} no longer runs` });
    expect(await lockOnDisk()).toMatchObject({ pid: process.pid, runId: 'run-me' });

    await handle.release();
    expect(existsSync(lockPath(base, 'k1'))).toBe(false);
  });

  it('a child takes over a stale lock left by another process and reports the old holder', async () => {
    const first = startChild('hold', 'run-1');
    const { pid: deadPid } = await first.next('acquired');
    await first.kill();

    const second = startChild('hold', 'run-2');
    const taken = await second.next('acquired');

    expect(taken.tookOverStale).toMatchObject({ reason: 'stale', holder: { pid: deadPid, runId: 'run-1' } });
    expect(await lockOnDisk()).toMatchObject({ pid: taken.pid, runId: 'run-2' });
  });

  it('recognizes a reused pid: a live, unrelated process under the holder\'s pid is not the holder', async () => {
    const unrelated = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await mkdir(join(base, '.kspray', 'state'), { recursive: true });
      const lock: LockInfo = { pid: unrelated.pid!, host: hostname(), startedAt: '2024-05-01T10:00:00.000Z', runId: 'run-old', command: 'kspray apply', processStart: '1', bootId: bootId()!, groups: [] };
      await writeFile(lockPath(base, 'k1'), JSON.stringify(lock));
      expect(isPidAlive(unrelated.pid!)).toBe(true);
      expect(await inspectLock(base, 'k1')).toMatchObject({ state: 'stale', why: `pid ${unrelated.pid} is another process now (the holder's pid was reused)` });
      const handle = await acquireLock(base, 'k1', { runId: 'run-me', command: 'kspray apply' });
      expect(handle.tookOverStale).toMatchObject({ reason: 'stale', holder: { runId: 'run-old' } });
      await handle.release();
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  it('refuses, even with breakLock, while a dead holder\'s process group still runs; takes over once it is gone', async () => {
    // What a SIGKILLed kspray leaves: its ansible-playbook, alone in its own process group.
    const orphan = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
    const dead = startChild('hold', 'run-dead');
    const { pid } = await dead.next('acquired');
    await dead.kill();
    try {
      const lock = { ...(await lockOnDisk()), groups: [{ pgid: orphan.pid!, start: processStart(orphan.pid!), command: 'ansible-playbook upgrade-cluster.yml' }] };
      await writeFile(lockPath(base, 'k1'), JSON.stringify(lock));

      const state = await inspectLock(base, 'k1');
      expect(state).toMatchObject({ state: 'orphaned', holder: { pid }, orphans: [{ pid: orphan.pid, pgid: orphan.pid, command: 'sleep 60' }] });
      for (const breakLock of [false, true]) {
        const refused = await rejection(acquireLock(base, 'k1', { runId: 'run-me', command: 'kspray apply', breakLock }));
        expect(refused.exitCode).toBe(ExitCode.interrupted);
        expect(refused.message).toContain(`what it started still runs: pid ${orphan.pid} (sleep 60)`);
        expect(refused.hint).toContain(`kill -INT -- -${orphan.pid}`);
      }
    } finally {
      process.kill(-orphan.pid!, 'SIGKILL');
    }
    await new Promise<void>((resolve) => orphan.once('exit', () => resolve()));
    const handle = await acquireLock(base, 'k1', { runId: 'run-me', command: 'kspray apply' });
    expect(handle.tookOverStale).toMatchObject({ reason: 'stale', holder: { pid } });
    await handle.release();
  });

  it('records every process group the run starts, as it starts', async () => {
    const handle = await acquireLock(base, 'k1', { runId: 'run-me', command: 'kspray apply' });
    try {
      const result = await run(['sh', '-c', 'echo $$'], { processGroup: true });
      const pgid = Number(result.stdout.trim());
      await vi.waitFor(async () => expect((await lockOnDisk()).groups).toEqual([expect.objectContaining({ pgid, command: 'sh -c echo $$' })]));
    } finally {
      await handle.release();
    }
  });

  it('says plainly when the lock path is a directory', async () => {
    await mkdir(lockPath(base, 'k1'), { recursive: true });
    const error = await rejection(acquireLock(base, 'k1', { runId: 'r', command: 'c', breakLock: true }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(`the lock file ${lockPath(base, 'k1')} is a directory`);
  });

  it('lets exactly one of several racing processes win', async () => {
    const go = join(base, 'go');
    const done = join(base, 'done');
    const racers = ['a', 'b', 'c', 'd'].map((name) => startChild('race', `run-${name}`, { KSPRAY_T_GO: go, KSPRAY_T_DONE: done }));
    await Promise.all(racers.map((racer) => racer.next('ready')));

    await writeFile(go, '');
    const outcomes = await Promise.all(racers.map((racer) => Promise.race([racer.next('acquired'), racer.next('refused')])));

    const winners = outcomes.filter((outcome) => outcome.event === 'acquired');
    const losers = outcomes.filter((outcome) => outcome.event === 'refused');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(3);
    for (const loser of losers) {
      expect(loser.exitCode).toBe(ExitCode.interrupted);
      expect(loser.message).toContain(`pid ${winners[0]!.pid} (`);
      expect(loser.message).toContain(`on host ${hostname()}`);
    }
    await writeFile(done, '');
    await Promise.all(racers.map((racer) => racer.done));
    expect(existsSync(lockPath(base, 'k1'))).toBe(false);
  });

  it('removes its lock when the process exits without releasing it', async () => {
    const child = startChild('exit', 'run-exit');
    await child.next('acquired');
    await child.done;

    expect(existsSync(lockPath(base, 'k1'))).toBe(false);
  });
});

describe('locks kspray cannot check, and release', () => {
  const foreign: LockInfo = { pid: 1, host: 'elsewhere.invalid', startedAt: '2024-05-01T10:00:00.000Z', runId: 'run-far', command: 'kspray apply', groups: [] };

  async function writeLock(text: string): Promise<void> {
    await mkdir(join(base, '.kspray', 'state'), { recursive: true });
    await writeFile(lockPath(base, 'k1'), text);
  }

  it('counts a lock from another host as held unless breakLock', async () => {
    await writeLock(JSON.stringify(foreign));

    const error = await rejection(acquireLock(base, 'k1', { runId: 'r', command: 'c' }));
    expect(error.exitCode).toBe(ExitCode.interrupted);
    expect(error.message).toContain('on another host: pid 1 on host elsewhere.invalid');
    expect(error.hint).toContain('--break-lock');

    const handle = await acquireLock(base, 'k1', { runId: 'r', command: 'c', breakLock: true });
    expect(handle.tookOverStale).toEqual({ reason: 'other-host', holder: foreign });
    await handle.release();
  });

  it('explains an unreadable lock and takes it over with breakLock', async () => {
    await writeLock('{"pid": 12');

    await expect(acquireLock(base, 'k1', { runId: 'r', command: 'c' })).rejects.toThrow(/unreadable lock file/);
    const handle = await acquireLock(base, 'k1', { runId: 'r', command: 'c', breakLock: true });
    expect(handle.tookOverStale).toEqual({ reason: 'unreadable' });
    expect(await inspectLock(base, 'k1')).toMatchObject({ state: 'held', holder: { pid: process.pid, runId: 'r' } });
    await handle.release();
    expect(await inspectLock(base, 'k1')).toEqual({ state: 'free' });
  });

  it('reads a lock naming process group 0 as unreadable: no group of the kernel\'s is ever an orphan of a run', async () => {
    await writeLock(JSON.stringify({ ...foreign, groups: [{ pgid: 0, command: 'ansible-playbook' }] }));

    await expect(acquireLock(base, 'k1', { runId: 'r', command: 'c' })).rejects.toThrow(/unreadable lock file/);
    const handle = await acquireLock(base, 'k1', { runId: 'r', command: 'c', breakLock: true });
    expect(handle.tookOverStale).toEqual({ reason: 'unreadable' });
    await handle.release();
  });

  it('release leaves a lock that is no longer its own', async () => {
    const handle = await acquireLock(base, 'k1', { runId: 'mine', command: 'c' });
    await writeLock(JSON.stringify(foreign));

    await handle.release();

    expect((await lockOnDisk()).runId).toBe('run-far');
  });

  it('refuses a second acquire from the same live process', async () => {
    const handle = await acquireLock(base, 'k1', { runId: 'one', command: 'c' });

    await expect(acquireLock(base, 'k1', { runId: 'two', command: 'c' })).rejects.toThrow(`pid ${process.pid}`);
    await handle.release();
    await handle.release();
    const again = await acquireLock(base, 'k1', { runId: 'two', command: 'c' });
    await again.release();
  });
});
