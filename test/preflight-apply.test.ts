/**
 * apply's preflight gate end to end: the built CLI, the Kubespray-shaped
 * fixture repo with hosts on ansible_connection=local, and the fake API
 * server serving k1 with the field notes' budgets. A hop is refused while a
 * check blocks, and runs once every blocking check is skipped with a reason,
 * which the journal keeps.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startKubeApiServer } from './fixtures/kube-api-server.js';
import { K1_FILE } from './fixtures/kube/k1.js';
import { setupApplyFixture } from './helpers/apply-fixture.js';
import { withTempDir } from './helpers/cli.js';

/**
 * The checks that block this hop here: the field notes' budgets, and etcd,
 * which the fixture hosts do not run (etcdctl finds no member). The catalog
 * refreshed from the fixture repo has no DNS facts, so dns is skipped.
 */
const SKIP_ALL = [
  '--skip-check', 'pdb', '--reason', 'budgets relaxed by hand for the window (CHG-1234)',
  '--skip-check', 'etcd-health', '--reason', 'fixture hosts run no etcd',
];

describe('kspray apply runs the hop\'s preflight first', () => {
  it('refuses the hop while a check blocks, then runs it with every blocking check skipped, and records why', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 1 });
      // The fake API mirrors the fixture's fake nodes: apply's verify step reads the versions back.
      const server = await startKubeApiServer({ files: [K1_FILE], nodeStateDir: fx.stateDir });
      try {
        const apply = (extra: string[]) => fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--kubeconfig', server.kubeconfigPath, ...extra], {}, { preflight: true });

        const refused = await apply([]);
        const stillRefused = await apply(SKIP_ALL.slice(0, 4));

        expect(refused.exitCode).toBe(1);
        expect(refused.stderr).toContain('kspray: hop 1 (Kubespray v2.13.4, v1.16.3 → v1.17.12) refused: preflight blocks in pdb, etcd-health; nothing of it was run');
        expect(refused.stderr).toContain('BLOCK pdb (hop 1): PodDisruptionBudget istio-system/istio-pilot allows 0 disruptions');
        expect(refused.stderr).toContain('--skip-check pdb --reason TEXT');
        expect(stillRefused.exitCode).toBe(1);
        expect(stillRefused.stderr).toContain('pdb blocks, skipped as asked (--skip-check pdb: budgets relaxed by hand for the window (CHG-1234))');
        expect(stillRefused.stderr).toContain('refused: preflight blocks in etcd-health; nothing of it was run');
        expect(fx.journal()).toEqual([]);
        // A refused start records no run: status does not say a run failed or died.
        const afterRefusal = await fx.kspray(['status', '-c', fx.clusterFile, '--json']);
        expect(afterRefusal.exitCode).toBe(0);
        expect(JSON.parse(afterRefusal.stdout)).toMatchObject({ runId: null, runStatus: null });
        const next = await fx.kspray(['preflight', '-c', fx.clusterFile, '--to', '1.17', '--kubeconfig', server.kubeconfigPath, '--skip-hosts', '--json']);
        expect(next.exitCode).toBe(1);
        expect((JSON.parse(next.stdout) as { hops: Array<{ index: number; tag: string }> }).hops).toEqual([expect.objectContaining({ index: 1, tag: 'v2.13.4' })]);

        const ran = await apply(SKIP_ALL);

        expect(ran.exitCode, ran.stderr).toBe(0);
        expect(fx.journal().length).toBeGreaterThan(0);
        const status = JSON.parse((await fx.kspray(['status', '-c', fx.clusterFile, '--json'])).stdout) as { skippedChecks: Array<{ id: string; reason: string }> };
        expect(status.skippedChecks).toEqual([
          { id: 'pdb', reason: 'budgets relaxed by hand for the window (CHG-1234)' },
          { id: 'etcd-health', reason: 'fixture hosts run no etcd' },
        ]);
      } finally {
        await server.stop();
      }
    });
  });

  it('exits 2 on a --skip-check without its reason or of an unknown check, before anything runs', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 1 });

      const none = join(dir, 'none.conf');
      const [noReason, unknown, noApiReason] = await Promise.all([
        fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--kubeconfig', none, '--skip-check', 'pdb'], {}, { preflight: true }),
        fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--kubeconfig', none, '--skip-check', 'pdbs', '--reason', 'typo'], {}, { preflight: true }),
        fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--skip-check', 'pdb', '--reason', 'budgets relaxed', '--no-cluster-api'], {}, { preflight: true }),
      ]);

      expect([noReason.exitCode, unknown.exitCode, noApiReason.exitCode]).toEqual([2, 2, 2]);
      expect(noReason.stderr).toContain('--skip-check pdb without a --reason');
      expect(noApiReason.stderr).toContain('--no-cluster-api without a --reason');
      expect(unknown.stderr).toContain('--skip-check pdbs: no such check');
      expect(fx.journal()).toEqual([]);
    });
  });
});
