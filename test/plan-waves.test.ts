/**
 * plan and apply --dry-run read the live cluster (the same --kubeconfig rules
 * as preflight) and split the workers into PDB-aware waves; without a cluster
 * they say plainly that they fall back to Kubespray's own batches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherClusterFacts } from '../src/kube/facts.js';
import { clusterFromFile } from './helpers/cluster.js';
import { waveInputFromFacts } from '../src/plan/wave-input.js';
import { validateWaves } from '../src/plan/waves-validate.js';
import type { PlanDocument } from '../src/plan/types.js';
import { startKubeApiServer, type KubeApiServer } from './fixtures/kube-api-server.js';
import { k1Objects, k1WithDisruptionsAllowed, K1_WORKERS } from './fixtures/kube/k1.js';
import { k1ClusterFile, runCli } from './helpers/cli.js';

let fixed: KubeApiServer;
let blocking: KubeApiServer;

beforeAll(async () => {
  fixed = await startKubeApiServer(k1WithDisruptionsAllowed());
  blocking = await startKubeApiServer(k1Objects());
});
afterAll(async () => {
  await fixed?.stop();
  await blocking?.stop();
});

function workerSteps(plan: PlanDocument) {
  return plan.hops[0]!.steps.filter((step) => step.kind === 'canary' || step.kind === 'workers');
}

describe('PDB-aware worker waves in plan and apply --dry-run', () => {
  it('plans waves that cover every worker once, canary first, each a step of one shared run (serial = the wave sizes), and break no PDB', async () => {
    const result = await runCli(['plan', '1.16→1.18', '-c', k1ClusterFile, '--kubeconfig', fixed.kubeconfigPath, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as PlanDocument;
    expect(plan.workerStrategy.kind).toBe('waves');
    expect(plan.workerStrategy.note).toMatch(/PDB-aware waves from the live cluster: \d+ waves for 5 workers \(lower bound \d+/);
    const steps = workerSteps(plan);
    expect(steps[0]!.kind).toBe('canary');
    expect(steps.flatMap((s) => s.hosts).sort()).toEqual([...K1_WORKERS].sort());
    // One ansible-playbook run for the canary and the waves: --limit all of them in wave order, serial = the wave sizes.
    const limit = steps.flatMap((s) => s.hosts).join(',');
    for (const step of steps) {
      expect(step.sharedRun).toEqual({ id: `hop${step.hop}:workers`, play: 'Finally handle worker upgrades, based on given batch size' });
      expect(step.limit).toBe(limit);
      expect(step.serial).toBe(step.hosts.length);
      expect(step.argv).toEqual(expect.arrayContaining(['--limit', limit, '-e', JSON.stringify({ serial: steps.map((s) => s.hosts.length) })]));
    }
    // An independent validator, fed the same live facts, finds no wave that breaks a budget.
    const facts = await gatherClusterFacts({ kubeconfigPaths: [fixed.kubeconfigPath] });
    if (!facts.ok) throw new Error(facts.error.message);
    const input = waveInputFromFacts((await clusterFromFile(k1ClusterFile)), facts.value);
    expect(validateWaves(input.workers, input.pods, input.pdbs, steps.map((s) => s.hosts), { canary: 1, maxUnavailable: '20%' })).toEqual([]);
    // Both hops use the same waves; the second hop's steps name its own tag.
    expect(workerSteps({ ...plan, hops: [plan.hops[1]!] }).map((s) => s.hosts)).toEqual(steps.map((s) => s.hosts));
  });

  it('puts nodes under budgets that allow no disruption last, alone, and says so', async () => {
    const result = await runCli(['plan', '1.16→1.17', '-c', k1ClusterFile, '--kubeconfig', blocking.kubeconfigPath, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as PlanDocument;
    expect(plan.workerStrategy.note).toMatch(/PDB\(s\) allow no disruption on their nodes .*istio-system\/.*fix the budgets first/);
    const steps = workerSteps(plan);
    expect(steps.at(-1)!.hosts).toHaveLength(1);
  });

  it('apply --dry-run shows the same waves (one selection for dry run and run)', async () => {
    const plan = JSON.parse((await runCli(['plan', '1.16→1.18', '-c', k1ClusterFile, '--kubeconfig', fixed.kubeconfigPath, '--json'])).stdout) as PlanDocument;
    const dry = await runCli(['apply', '-c', k1ClusterFile, '--to', '1.18', '--kubeconfig', fixed.kubeconfigPath, '--dry-run', '--json']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const document = JSON.parse(dry.stdout) as { steps: Array<{ id: string; kind: string; hop: number; kubesprayTag: string; limit: string | null; hosts: string[]; argv: string[] | null; inventory: string }> };
    expect(document.steps.map((s) => s.argv)).toEqual(plan.hops.flatMap((h) => h.steps.map((s) => s.argv)));
    for (const step of document.steps) expect(Object.keys(step)).toEqual(expect.arrayContaining(['kind', 'hop', 'kubesprayTag', 'limit', 'hosts', 'argv', 'inventory']));
  });

  it('falls back to Kubespray\'s own batches and says why when no cluster is reachable', async () => {
    const result = await runCli(['plan', '1.16→1.18', '-c', k1ClusterFile, '--kubeconfig', '/nonexistent/admin.conf', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as PlanDocument;
    expect(plan.workerStrategy).toEqual({ kind: 'kubespray-serial', note: expect.stringMatching(/Kubespray's own serial batches; no PDB-aware waves: kubeconfig \/nonexistent\/admin\.conf \(from --kubeconfig\) does not exist/) });
    const text = await runCli(['plan', '1.16→1.18', '-c', k1ClusterFile]);
    expect(text.stdout).toMatch(/Workers: Kubespray's own serial batches; no PDB-aware waves: no kubeconfig/);
  });
});
