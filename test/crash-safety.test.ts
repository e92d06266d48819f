/**
 * Crash-safe runs (issue 11) with real processes on the fixture: a SIGKILLed
 * kspray leaves its ansible-playbook running, and no second one starts on the
 * same hosts until it is gone; SIGHUP (a dropped SSH session) stops cleanly;
 * a disk that fills mid-run ends in a clear message, a valid journal and no
 * empty lock, and the next run resumes once there is space again.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { catalogFromDocument } from '../src/catalog/load.js';
import { JournalSchema } from '../src/journal/journal-schema.js';
import { groupMembers } from '../src/process/proc.js';
import { fixtureWaivers, K1_MASTERS, setupApplyFixture, type ApplyFixture } from './helpers/apply-fixture.js';
import { repoRoot, withTempDir } from './helpers/cli.js';

const NO_API = fixtureWaivers([]);

/** `kspray apply --to 1.17` in the background, as an operator's terminal or a CI job would run it. */
function startApply(fx: ApplyFixture, env: Record<string, string>) {
  const child = spawn('node', [join(repoRoot, 'bin', 'kspray.js'), 'apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', ...NO_API], {
    cwd: fx.dir, env: { ...process.env, ...fx.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => stderr };
}

const journalFile = (fx: ApplyFixture) => join(fx.dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json');
const lockFile = (fx: ApplyFixture) => join(fx.dir, 'inventories', 'k1', '.kspray', 'state', 'k1.lock');

/** Processes whose command line mentions the test directory (ansible-playbook and its workers). */
function processesOf(dir: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((line) => line.includes(dir) && !line.includes('ps -eo'));
}

/** On every host, one node upgrade at a time: each starts at least a node upgrade's length after the one before. */
function expectNoOverlap(fx: ApplyFixture, hostSeconds: number): void {
  // The plays that upgrade (cordon, drain, new kubelet) nodes, as the catalog refreshed from the fixture knows them.
  const catalog = catalogFromDocument(JSON.parse(readFileSync(join(fx.cacheDir, 'catalog.json'), 'utf8')));
  const upgrading = new Set(catalog.cordoningPlays('v2.13.4'));
  expect(upgrading.size).toBeGreaterThan(0);
  const upgrades = fx.journal().filter((line) => upgrading.has(line.play));
  for (const host of new Set(upgrades.map((line) => line.host))) {
    const times = upgrades.filter((line) => line.host === host).map((line) => line.time).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `${host} ran two plays at once`).toBeGreaterThanOrEqual(hostSeconds - 0.05);
  }
}

describe('crash-safe runs', () => {
  it('after SIGKILL of kspray, refuses to start while its ansible-playbook lives, naming it, then resumes and finishes', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 1 });
      const first = startApply(fx, { KSPRAY_FIXTURE_HOST_SECONDS: '3' });
      await vi.waitFor(() => expect(existsSync(join(fx.stateDir, 'k1-master01', 'cordoned'))).toBe(true), { timeout: 120_000, interval: 100 });
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      const lock = JSON.parse(readFileSync(lockFile(fx), 'utf8')) as { groups: Array<{ pgid: number }> };
      const pgid = lock.groups.at(-1)!.pgid;
      expect(groupMembers(pgid)!.length).toBeGreaterThan(0);

      for (const extra of [[], ['--break-lock']]) {
        const second = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', ...extra]);
        expect(second.exitCode, second.stderr).toBe(3);
        expect(second.stderr).toMatch(new RegExp(`what it started still runs: pid \\d+ \\([^)]*ansible-playbook`));
        expect(second.stderr).toContain(`kill -INT -- -${pgid}`);
      }
      const status = JSON.parse((await fx.kspray(['status', '-c', fx.clusterFile, '--json'])).stdout) as { orphans: Array<{ pgid: number }> };
      expect(status.orphans.map((orphan) => orphan.pgid)).toContain(pgid);

      await vi.waitFor(() => expect(groupMembers(pgid)).toEqual([]), { timeout: 120_000, interval: 200 });
      const resumed = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes'], { KSPRAY_FIXTURE_HOST_SECONDS: '3' });
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/took over the lock of run \S+ \(pid \d+ since \S+\): pid \d+ no longer runs/);
      expect(readFileSync(fx.clusterFile, 'utf8')).toContain('version: v1.17.12');
      expectNoOverlap(fx, 3);
    });
  });

  it('handles SIGHUP like SIGTERM: exit 3, no ansible-playbook left, the interruption journaled, the lock released', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 1 });
      const run = startApply(fx, { KSPRAY_FIXTURE_HOST_SECONDS: '30' });
      await vi.waitFor(() => expect(existsSync(join(fx.stateDir, 'k1-master01', 'cordoned'))).toBe(true), { timeout: 120_000, interval: 100 });
      run.child.kill('SIGHUP');
      expect((await run.exited).code).toBe(3);
      expect(run.stderr()).toContain('SIGHUP received');
      await vi.waitFor(() => expect(processesOf(dir)).toEqual([]), { timeout: 5_000, interval: 100 });
      const journal = JournalSchema.parse(JSON.parse(readFileSync(journalFile(fx), 'utf8')));
      expect(journal.interruption).toMatchObject({ signal: 'SIGHUP', step: 'hop1:control-plane' });
      expect(existsSync(lockFile(fx))).toBe(false);
    });
  });

  it('a disk that fills mid-run: a clear message naming the path, a valid journal, no empty lock; the next run resumes once there is space', async () => {
    await withTempDir(async (dir) => {
      // The cluster directory on a small tmpfs of its own (root only; CI runs as root).
      const inventories = join(dir, 'inventories');
      mkdirSync(inventories);
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', inventories], { encoding: 'utf8' });
      expect(mounted.status, `this test needs to mount a tmpfs (root): ${mounted.stderr}`).toBe(0);
      try {
        const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 1 });
        const run = startApply(fx, { KSPRAY_FIXTURE_HOST_SECONDS: '2' });
        await vi.waitFor(() => expect(existsSync(join(fx.stateDir, 'k1-master01', 'cordoned'))).toBe(true), { timeout: 120_000, interval: 100 });
        const filler = join(inventories, 'filler');
        await fill(filler);
        const { code } = await run.exited;
        expect(code, run.stderr()).toBe(1);
        expect(run.stderr()).toMatch(new RegExp(`cannot (write|create)[^\\n]* ${inventories.replace(/[/.]/g, '\\$&')}/k1/\\S+: no space left on the device`));
        expect(run.stderr()).toContain('free some space there');
        expect(run.stderr()).not.toMatch(/unexpected error|Unhandled 'error' event|\n\s+at /);
        const journal = JournalSchema.parse(JSON.parse(readFileSync(journalFile(fx), 'utf8')));
        expect(journal.steps['hop1:facts']?.status).toBe('succeeded');
        if (existsSync(lockFile(fx))) expect(readFileSync(lockFile(fx), 'utf8').length).toBeGreaterThan(0);

        // A resume on the still full disk fails as clearly, and leaves no empty lock either.
        const stillFull = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes']);
        expect(stillFull.exitCode).toBe(1);
        expect(stillFull.stderr).toContain("no space left on the device");
        expect(existsSync(lockFile(fx)) && readFileSync(lockFile(fx), 'utf8') === '').toBe(false);

        await rm(filler);
        const resumed = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes']);
        expect(resumed.exitCode, resumed.stderr).toBe(0);
        expect(resumed.stderr).not.toContain('--break-lock');
        expect(readFileSync(fx.clusterFile, 'utf8')).toContain('version: v1.17.12');
        expect(K1_MASTERS.every((host) => readFileSync(join(fx.stateDir, host, 'kubelet_version'), 'utf8').trim() === 'v1.17.12')).toBe(true);
      } finally {
        spawnSync('umount', ['-l', inventories]);
      }
    });
  });
});

/** Writes until the device is full. */
async function fill(file: string): Promise<void> {
  const handle = await open(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) await handle.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await handle.close();
  }
}
