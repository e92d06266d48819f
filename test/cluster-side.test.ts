/**
 * State where every client sees it (issue 11): two applies of one cluster
 * from two directories (two machines, a pipeline and a laptop) share one
 * Lease in the cluster, and a run from a fresh directory holding only the
 * cluster file resumes from the journal the cluster keeps. Real processes,
 * the fixture, and the fake HTTPS API with real Lease and Secret semantics.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickJournal } from '../src/cli/cluster-side.js';
import { startKubeApiServer } from './fixtures/kube-api-server.js';
import { k1WithDisruptionsAllowed } from './fixtures/kube/k1.js';
import { fixtureWaivers, K1_MASTERS, setupApplyFixture, nodeUpgradeStarted } from './helpers/apply-fixture.js';
import { repoRoot, withTempDir } from './helpers/cli.js';

describe('one upgrade per cluster, across machines', () => {
  it('refuses a second apply from another directory (exit 3, naming the holder); a fresh directory resumes from the cluster\'s journal', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 2 });
      const server = await startKubeApiServer({ objects: k1WithDisruptionsAllowed(), nodeStateDir: fx.stateDir });
      const elsewhere = async (name: string): Promise<string> => {
        const file = join(dir, name, 'inventories', 'k1', 'cluster.yaml');
        await mkdir(join(dir, name, 'inventories', 'k1'), { recursive: true });
        await copyFile(fx.clusterFile, file);
        return file;
      };
      try {
        const api = ['--kubeconfig', server.kubeconfigPath, '--skip-preflight'];
        const first = spawn('node', [join(repoRoot, 'bin', 'kspray.js'), 'apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--masters-only', ...api, ...fixtureWaivers(api)], {
          cwd: dir, env: { ...process.env, ...fx.env, NO_COLOR: '1', KSPRAY_FIXTURE_HOST_SECONDS: '2' }, stdio: ['ignore', 'ignore', 'pipe'],
        });
        let firstErr = '';
        first.stderr.on('data', (chunk: Buffer) => (firstErr += chunk.toString()));
        const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
        await nodeUpgradeStarted(fx);
        const lease = server.object('Lease', 'kspray-k1', 'kube-system') as { spec: { holderIdentity: string } } | undefined;
        expect(lease?.spec.holderIdentity).toContain(`pid ${first.pid}`);

        const second = await fx.kspray(['apply', '-c', await elsewhere('laptop'), '--to', '1.17', '--yes', ...api]);
        expect(second.exitCode, second.stderr).toBe(3);
        expect(second.stderr).toContain('cluster k1 is being upgraded by another kspray run');
        expect(second.stderr).toContain(`${first.pid}`);

        expect(await exited, firstErr).toBe(0);
        expect(server.object('Lease', 'kspray-k1', 'kube-system')).toBeUndefined();
        expect(server.object('Secret', 'kspray-k1-journal', 'kube-system')).toBeDefined();
        const mastersDone = fx.journal().length;

        // A CI job on a fresh runner: only the cluster file, no .kspray/ at all.
        const fresh = await elsewhere('runner');
        const workers = await fx.kspray(['apply', '-c', fresh, '--to', '1.17', '--yes', ...api]);
        expect(workers.exitCode, workers.stderr).toBe(0);
        expect(workers.stderr).toContain('no local journal: resuming from the one kept in the cluster');
        expect(workers.stderr).toMatch(/resuming: 4 step\(s\) already done, next is hop1:canary/);
        // The control plane did not run again: only the workers' plays came after.
        expect(fx.journal().slice(mastersDone).some((line) => K1_MASTERS.includes(line.host) && line.play !== 'Gather facts')).toBe(false);
        expect(existsSync(join(dir, 'runner', 'inventories', 'k1', '.kspray', 'state', 'k1.json'))).toBe(true);
      } finally {
        await server.stop();
      }
    });
  });
});

describe('pickJournal', () => {
  it('takes the newer complete copy and says so', () => {
    const local = { journal: 'L', savedAt: '2026-12-06T10:00:00.000Z' };
    const older = { journal: 'C', savedAt: '2026-12-06T09:00:00.000Z' };
    const newer = { journal: 'C', savedAt: '2026-12-06T11:00:00.000Z' };
    expect(pickJournal(local, undefined)).toEqual({ journal: 'L', source: 'local', note: undefined });
    expect(pickJournal(undefined, newer)).toMatchObject({ journal: 'C', source: 'cluster', note: expect.stringContaining('no local journal') });
    expect(pickJournal(local, newer)).toMatchObject({ journal: 'C', source: 'cluster', note: expect.stringContaining('newer than the local one') });
    expect(pickJournal(local, older)).toMatchObject({ journal: 'L', source: 'local', note: expect.stringContaining('the local journal (saved 2026-12-06T10:00:00.000Z) is newer') });
    expect(pickJournal(local, { journal: undefined, savedAt: undefined, problem: 'not JSON' })).toMatchObject({ journal: 'L', source: 'local', note: expect.stringContaining('is not complete (not JSON)') });
    expect(pickJournal(local, { ...local, journal: 'C' })).toEqual({ journal: 'L', source: 'local', note: undefined });
  });

  it('compares the times, not their text: another spelling of an older instant, or a time that is none, does not win', () => {
    const local = { journal: 'L', savedAt: '2026-12-06T10:00:00.000Z' };
    expect(pickJournal(local, { journal: 'C', savedAt: '2026-12-06T10:00:00Z' })).toEqual({ journal: 'L', source: 'local', note: undefined });
    expect(pickJournal(local, { journal: 'C', savedAt: '2026-12-06T09:30:00-01:00' })).toMatchObject({ journal: 'C', source: 'cluster' });
    expect(pickJournal(local, { journal: 'C', savedAt: 'zzz' })).toMatchObject({ journal: 'L', source: 'local' });
  });
});
