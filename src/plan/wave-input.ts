/**
 * From what the Kubernetes API says (nodes, pods, PDBs) to the wave planner's
 * plain input, and from its result to the plan's worker waves. Pure.
 */
import type { ClusterFacts } from '../kube/types.js';
import type { Cluster } from '../model/schema.js';
import { pureWorkers } from './steps.js';
import { planWaves, type WaveOptions, type WavePlan, type WavePod, type WavePdb, type WaveWorker } from './waves.js';

export interface WaveInput {
  workers: WaveWorker[];
  pods: WavePod[];
  pdbs: WavePdb[];
}

export function waveInputFromFacts(cluster: Cluster, facts: ClusterFacts): WaveInput {
  const zoneOf = new Map(facts.nodes.map((node) => [node.name, node.zone]));
  const workers = pureWorkers(cluster).map((name): WaveWorker => {
    const zone = zoneOf.get(name) ?? cluster.nodes.find((node) => node.name === name)?.zone;
    return zone === undefined ? { name } : { name, zone };
  });
  const pods = facts.pods.flatMap((pod): WavePod[] => (pod.nodeName === undefined ? [] : [{
    namespace: pod.namespace, name: pod.name, nodeName: pod.nodeName, labels: pod.labels,
    healthy: pod.ready && pod.phase === 'Running',
  }]));
  const pdbs = facts.pdbs.map((pdb): WavePdb => ({
    namespace: pdb.namespace, name: pdb.name, selector: pdb.selector,
    ...(pdb.minAvailable === undefined ? {} : { minAvailable: pdb.minAvailable }),
    ...(pdb.maxUnavailable === undefined ? {} : { maxUnavailable: pdb.maxUnavailable }),
  }));
  return { workers, pods, pdbs };
}

export interface PlannedWaves {
  waves: string[][];
  note: string;
  plan: WavePlan;
}

export function planWorkerWaves(cluster: Cluster, facts: ClusterFacts, options: WaveOptions): PlannedWaves | undefined {
  const input = waveInputFromFacts(cluster, facts);
  if (input.workers.length === 0) return undefined;
  const plan = planWaves(input.workers, input.pods, input.pdbs, options);
  const blocked = plan.blocked.length > 0
    ? `; ${plan.blocked.length} PDB(s) allow no disruption on their nodes (${plan.blocked.map((b) => b.pdb).join(', ')}): those nodes go last, alone — fix the budgets first (kspray preflight)`
    : '';
  return {
    waves: plan.waves,
    note: `PDB-aware waves from the live cluster: ${plan.achieved} waves for ${input.workers.length} workers (lower bound ${plan.lowerBound}; serial=1 would take ${input.workers.length})${blocked}`,
    plan,
  };
}
