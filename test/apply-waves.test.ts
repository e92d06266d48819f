/**
 * kspray apply runs PDB-aware worker waves for real: the Kubespray-shaped
 * fixture repo, real ansible-playbook on ansible_connection=local hosts, and a
 * fake Kubernetes API whose PDBs let at most five workers drain at once
 * (test/fixtures/kube/waves-cluster.ts). The waves come out of the run's own
 * journal; the fixture's journal says what Ansible actually did, in order.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherClusterFacts } from '../src/kube/facts.js';
import { waveInputFromFacts } from '../src/plan/wave-input.js';
import { pdbBreaches, validateWaves } from '../src/plan/waves-validate.js';
import type { PlanDocument } from '../src/plan/types.js';
import { startKubeApiServer, type KubeApiServer } from './fixtures/kube-api-server.js';
import { mirrorNodeState, wavesCluster, workerUpgradePlays } from './fixtures/kube/waves-cluster.js';
import { K1_MASTERS, setupApplyFixture } from './helpers/apply-fixture.js';
import { withTempDir } from './helpers/cli.js';
import { clusterFromFile } from './helpers/cluster.js';

const WORKERS = 10;
const generated = wavesCluster({ workers: WORKERS });
let server: KubeApiServer;

beforeAll(async () => {
  server = await startKubeApiServer(generated.objects);
});
afterAll(async () => {
  await server?.stop();
});

describe('kspray apply with PDB-aware worker waves', () => {
  it('upgrades the workers wave after wave, canary first, each once, no wave over a budget', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: WORKERS });
      const mirror = mirrorNodeState(server, generated.objects, fx.stateDir);
      try {
        const result = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--skip-preflight', '--kubeconfig', server.kubeconfigPath, '--max-unavailable', '5']);
        expect(result.exitCode, result.stderr).toBe(0);
      } finally {
        mirror.stop();
      }

      // The waves, as the run recorded its plan.
      const journal = JSON.parse(await readFile(join(dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json'), 'utf8')) as { plan: PlanDocument; steps: Record<string, { status: string }> };
      expect(journal.plan.workerStrategy.kind).toBe('waves');
      const steps = journal.plan.hops[0]!.steps.filter((step) => step.kind === 'canary' || step.kind === 'workers');
      const waves = steps.map((step) => step.hosts);
      expect(steps[0]!.kind).toBe('canary');
      expect(waves[0]).toHaveLength(1);
      expect(waves).toHaveLength(generated.lowerBound);
      for (const step of steps) {
        expect(journal.steps[step.id]!.status).toBe('succeeded');
        expect(step.limit).toBe(step.hosts.join(','));
        expect(step.argv).toEqual(expect.arrayContaining(['--limit', step.limit, '-e', `serial=${step.hosts.length}`]));
      }

      // What Ansible did: every worker upgraded exactly once, wave i+1 strictly after wave i.
      const plays = workerUpgradePlays('v2.13.4');
      const lines = fx.journal();
      const upgrades = lines.filter((line) => plays.has(line.play));
      expect(upgrades.map((line) => line.host).sort()).toEqual([...generated.workers].sort());
      const waveOf = new Map(waves.flatMap((hosts, i) => hosts.map((host) => [host, i] as const)));
      const order = upgrades.map((line) => waveOf.get(line.host)!);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      for (let i = 1; i < waves.length; i++) {
        const previous = upgrades.filter((line) => waveOf.get(line.host) === i - 1).map((line) => line.time);
        const current = upgrades.filter((line) => waveOf.get(line.host) === i).map((line) => line.time);
        expect(Math.min(...current)).toBeGreaterThan(Math.max(...previous));
      }
      // The control plane went first, as ever.
      const lastMaster = lines.map((line) => K1_MASTERS.includes(line.host) && line.play !== 'Gather facts').lastIndexOf(true);
      expect(lastMaster).toBeLessThan(lines.indexOf(upgrades[0]!));

      // No wave drains two pods of one app (each PDB allows one), checked against the fixture's own placement…
      for (const hosts of waves) {
        for (const [app, nodes] of Object.entries(generated.placement)) {
          expect(hosts.filter((host) => nodes.includes(host)).length, `${app} in wave ${hosts.join(',')}`).toBeLessThanOrEqual(1);
        }
      }
      // …and by the independent validator, fed the pods and budgets through the API.
      const facts = await gatherClusterFacts({ kubeconfigPaths: [server.kubeconfigPath] });
      if (!facts.ok) throw new Error(facts.error.message);
      const input = waveInputFromFacts(await clusterFromFile(fx.clusterFile), facts.value);
      expect(validateWaves(input.workers, input.pods, input.pdbs, waves, { canary: 1, maxUnavailable: 5 })).toEqual([]);
      // The checks bite: Kubespray's own 20% batch (two neighbours) breaks app1's budget, and so would a sixth worker in a wave.
      expect(pdbBreaches(input.pods, input.pdbs, generated.workers.slice(0, 2))).toEqual(['shop/app1: 2 pods drained, 1 allowed']);
      const six = [...Object.values(generated.placement).map((nodes) => nodes[0]!), generated.placement.app1![1]!];
      expect(pdbBreaches(input.pods, input.pdbs, six)).toHaveLength(1);
    });
  });
});
