/**
 * kspray apply runs PDB-aware worker waves for real: the Kubespray-shaped
 * fixture repo, real ansible-playbook on ansible_connection=local hosts, and a
 * fake Kubernetes API whose PDBs let at most five workers drain at once
 * (test/fixtures/kube/waves-cluster.ts). The waves come out of the run's own
 * journal; the fixture's journal says what Ansible actually did, in order.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatherClusterFacts } from '../src/kube/facts.js';
import { waveInputFromFacts } from '../src/plan/wave-input.js';
import { pdbBreaches, validateWaves } from '../src/plan/waves-validate.js';
import type { PlanDocument } from '../src/plan/types.js';
import { startKubeApiServer } from './fixtures/kube-api-server.js';
import type { FixtureJournalLine } from './fixtures/kubespray-repo.js';
import { drainedTogether, wavesCluster, workerUpgradePlays } from './fixtures/kube/waves-cluster.js';
import { K1_MASTERS, setupApplyFixture } from './helpers/apply-fixture.js';
import { withTempDir } from './helpers/cli.js';
import { clusterFromFile } from './helpers/cluster.js';

const WORKERS = 10;
const generated = wavesCluster({ workers: WORKERS });

describe('kspray apply with PDB-aware worker waves', () => {
  it('reads which workers were down together from the fixture journal (each down for hostSeconds from its line)', () => {
    const line = (time: number, host: string) => ({ time, host, play: 'p', kubeVersion: 'v1.17.12' });
    expect(drainedTogether([line(0, 'a'), line(0, 'b'), line(0.1, 'c'), line(1.5, 'd')], 1)).toEqual([['a', 'b'], ['a', 'b', 'c'], ['d']]);
  });

  it('plans no waves, and says why, when the pods or the budgets cannot be listed (waves blind to PDBs would break them)', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: WORKERS });
      for (const [path, what] of [['/api/v1/pods', 'pods'], ['/apis/policy/v1beta1/poddisruptionbudgets', 'pdbs']] as const) {
        const forbidden = await startKubeApiServer({ objects: generated.objects, faults: { [path]: 403 } });
        try {
          const result = await fx.kspray(['plan', '1.16→1.17', '-c', fx.clusterFile, '--kubeconfig', forbidden.kubeconfigPath, '--max-unavailable', '5', '--json']);
          expect(result.exitCode, result.stderr).toBe(0);
          const plan = JSON.parse(result.stdout) as PlanDocument;
          expect(plan.workerStrategy.kind).toBe('kubespray-serial');
          expect(plan.workerStrategy.note).toContain(`no PDB-aware waves: the cluster's ${what} could not be listed`);
        } finally {
          await forbidden.stop();
        }
      }
    });
  });

  it('upgrades the workers wave after wave, canary first, each once, no wave over a budget', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: WORKERS });
      // The fake API follows the fixture's node upgrades: kspray's verify step reads the nodes back.
      const server = await startKubeApiServer({ objects: generated.objects, nodeStateDir: fx.stateDir });
      try {
        const result = await fx.kspray(['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', '--skip-preflight', '--kubeconfig', server.kubeconfigPath, '--max-unavailable', '5']);
        expect(result.exitCode, result.stderr).toBe(0);
        const waves = await recordedWaves(dir);
        checkJournalOrder(fx.journal(), waves);
        await checkBudgets(server.kubeconfigPath, fx.clusterFile, waves);
        // Every node ends upgraded and uncordoned.
        for (const host of [...K1_MASTERS, ...generated.workers]) {
          expect((await readFile(join(fx.stateDir, host, 'kubelet_version'), 'utf8')).trim(), host).toBe('v1.17.12');
          expect(existsSync(join(fx.stateDir, host, 'cordoned')), host).toBe(false);
        }
      } finally {
        await server.stop();
      }
    });
  });

  it('stops in the wave that failed, the next waves untouched, and resumes there with a run narrowed to the waves left', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: WORKERS });
      const server = await startKubeApiServer({ objects: generated.objects, nodeStateDir: fx.stateDir });
      try {
        const plan = JSON.parse((await fx.kspray(['plan', '1.16→1.17', '-c', fx.clusterFile, '--json', '--kubeconfig', server.kubeconfigPath, '--max-unavailable', '5'])).stdout) as PlanDocument;
        const [canary, wave1, wave2, ...later] = plan.hops[0]!.steps.filter((step) => step.kind === 'canary' || step.kind === 'workers');
        const failing = wave2!.hosts[1]!;
        const apply = ['apply', '-c', fx.clusterFile, '--yes', '--skip-preflight', '--kubeconfig', server.kubeconfigPath];

        const failed = await fx.kspray([...apply, '--to', '1.17', '--max-unavailable', '5'], { KSPRAY_FIXTURE_FAIL_HOSTS: failing });
        expect(failed.exitCode, failed.stderr).toBe(1);
        expect(failed.stderr).toContain(`${wave2!.id} failed on ${failing}`);
        const state = await readJournal(dir);
        expect([canary, wave1].map((step) => state.steps[step!.id]!.status)).toEqual(['succeeded', 'succeeded']);
        expect(state.steps[wave2!.id]).toMatchObject({ status: 'failed', failedHosts: [failing] });
        for (const step of later) expect(state.steps[step.id]!.status).toBe('pending');
        const upgradedOnce = upgradedHosts(fx.journal());
        expect(upgradedOnce.filter((host) => later.some((step) => step.hosts.includes(host)))).toEqual([]);
        expect(existsSync(join(fx.stateDir, failing, 'cordoned'))).toBe(true);

        const resumed = await fx.kspray(apply);
        expect(resumed.exitCode, resumed.stderr).toBe(0);
        expect(resumed.stderr).toContain(`next is ${wave2!.id}`);
        // Canary and wave 1 were not upgraded again; the failed wave and the rest once more / once.
        const upgrades = upgradedHosts(fx.journal());
        const count = (host: string) => upgrades.filter((h) => h === host).length;
        for (const host of [...canary!.hosts, ...wave1!.hosts]) expect(count(host), host).toBe(1);
        for (const host of wave2!.hosts) expect(count(host), host).toBe(2);
        for (const host of later.flatMap((step) => step.hosts)) expect(count(host), host).toBe(1);
        const resumedLog = await readFile(join(dir, 'inventories', 'k1', (await readJournal(dir)).steps[wave2!.id]!.logPath!), 'utf8');
        expect(resumedLog).not.toContain(`[${canary!.hosts[0]}`);
        expect(existsSync(join(fx.stateDir, failing, 'cordoned'))).toBe(false);
      } finally {
        await server.stop();
      }
    });
  });
});

/**
 * The worker waves as the run recorded its plan (.kspray/state/k1.json), each a finished step: the canary and
 * the waves in one ansible-playbook run (--limit every wave's hosts in wave order, serial the list of wave
 * sizes, canary first), each journaled as its own step.
 */
async function recordedWaves(dir: string): Promise<string[][]> {
  const journal = JSON.parse(await readFile(join(dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json'), 'utf8')) as {
    plan: PlanDocument; steps: Record<string, { status: string; logPath?: string }>;
  };
  expect(journal.plan.workerStrategy.kind).toBe('waves');
  const steps = journal.plan.hops[0]!.steps.filter((step) => step.kind === 'canary' || step.kind === 'workers');
  expect(steps[0]!.kind).toBe('canary');
  expect(steps[0]!.hosts).toHaveLength(1);
  expect(steps).toHaveLength(generated.lowerBound);
  const union = steps.flatMap((step) => step.hosts).join(',');
  for (const step of steps) {
    expect(journal.steps[step.id]!.status).toBe('succeeded');
    expect(step.sharedRun).toEqual({ id: 'hop1:workers', play: 'Finally handle worker upgrades, based on given batch size' });
    expect(step.serial).toBe(step.hosts.length);
    expect(step.limit).toBe(union);
    expect(step.argv).toEqual(expect.arrayContaining(['--limit', union, '-e', JSON.stringify({ serial: steps.map((w) => w.hosts.length) })]));
    expect(journal.steps[step.id]!.logPath).toBe(journal.steps[steps[0]!.id]!.logPath);
  }
  return steps.map((step) => step.hosts);
}

async function readJournal(dir: string): Promise<{ plan: PlanDocument; steps: Record<string, { status: string; failedHosts?: string[]; logPath?: string }> }> {
  return JSON.parse(await readFile(join(dir, 'inventories', 'k1', '.kspray', 'state', 'k1.json'), 'utf8')) as never;
}

/** The hosts the worker upgrade play ran on, one entry per time, in order (the fixture journal). */
function upgradedHosts(lines: FixtureJournalLine[]): string[] {
  const plays = workerUpgradePlays('v2.13.4');
  return lines.filter((line) => plays.has(line.play) && generated.workers.includes(line.host)).map((line) => line.host);
}

/** What Ansible did: the control plane first, then every worker upgraded exactly once, wave i+1 strictly after wave i. */
function checkJournalOrder(lines: FixtureJournalLine[], waves: string[][]): void {
  const plays = workerUpgradePlays('v2.13.4');
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
  const lastMaster = lines.map((line) => K1_MASTERS.includes(line.host) && line.play !== 'Gather facts').lastIndexOf(true);
  expect(lastMaster).toBeLessThan(lines.indexOf(upgrades[0]!));
}

/** No wave drains more of an app than its PDB allows: against the fixture's placement, and by the independent validator through the API. */
async function checkBudgets(kubeconfig: string, clusterFile: string, waves: string[][]): Promise<void> {
  for (const hosts of waves) {
    for (const [app, nodes] of Object.entries(generated.placement)) {
      expect(hosts.filter((host) => nodes.includes(host)).length, `${app} in wave ${hosts.join(',')}`).toBeLessThanOrEqual(1);
    }
  }
  const facts = await gatherClusterFacts({ kubeconfigPaths: [kubeconfig] });
  if (!facts.ok) throw new Error(facts.error.message);
  const input = waveInputFromFacts(await clusterFromFile(clusterFile), facts.value);
  expect(validateWaves(input.workers, input.pods, input.pdbs, waves, { canary: 1, maxUnavailable: 5 })).toEqual([]);
  // The checks bite: Kubespray's own 20% batch (two neighbours) breaks app1's budget, and so would a sixth worker in a wave.
  expect(pdbBreaches(input.pods, input.pdbs, generated.workers.slice(0, 2))).toEqual(['shop/app1: 2 pods drained, 1 allowed']);
  const six = [...Object.values(generated.placement).map((nodes) => nodes[0]!), generated.placement.app1![1]!];
  expect(pdbBreaches(input.pods, input.pdbs, six)).toHaveLength(1);
}
