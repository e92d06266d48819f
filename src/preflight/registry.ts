/**
 * Every preflight check kspray runs: its id (what --skip-check takes and the
 * journal records), the worst severity it reports, and what it needs. The
 * orchestration (run-preflights.ts) runs them in this order; reports list
 * them in this order. A host check also blocks on a host Ansible cannot reach.
 */
import type { Severity } from './types.js';

/** What a check needs gathered: the Kubernetes API, Ansible on the hosts, or only the model and the catalog. */
export type CheckNeeds = 'cluster-api' | 'hosts' | 'model';

export interface CheckInfo {
  id: string;
  title: string;
  /** The worst severity it can report. */
  severity: Severity;
  needs: CheckNeeds;
  /** 'next': it reads the cluster as it is now, so it gates the first hop checked; 'each': it looks at every hop. */
  hops: 'next' | 'each';
  description: string;
}

export const PREFLIGHT_CHECKS: readonly CheckInfo[] = [
  { id: 'ansible', title: 'Ansible version', severity: 'block', needs: 'model', hops: 'each', description: 'the Ansible each hop runs (local or the venv pin) against the range its Kubespray tag accepts' },
  { id: 'vars-drift', title: 'Settings a tag does not read', severity: 'warn', needs: 'model', hops: 'each', description: 'settings of the cluster file the hop\'s tag does not read (render, plan and apply refuse them unless --allow-unread), and typed settings written under a new name' },
  { id: 'mirror', title: 'Mirror has every download', severity: 'block', needs: 'model', hops: 'each', description: 'with mirrors declared (offline.*): every file of every hop answers at its URL (HEAD; --verify-checksums downloads and checks sha256), every image manifest is in the registry' },
  { id: 'cluster-api', title: 'Cluster API', severity: 'block', needs: 'cluster-api', hops: 'next', description: 'the Kubernetes API answers through the kubeconfig (no API: no PDB check, no drain; waive with apply --no-cluster-api --reason)' },
  { id: 'nodes', title: 'Nodes', severity: 'block', needs: 'cluster-api', hops: 'next', description: 'every node Ready, kubelets within the version skew, the control plane at one version' },
  { id: 'api-endpoints', title: 'API through its load balancer', severity: 'block', needs: 'cluster-api', hops: 'next', description: 'the API answers through the external load balancer (its certificate naming it) and through each control plane, before the control-plane step' },
  { id: 'pdb', title: 'PodDisruptionBudgets', severity: 'block', needs: 'cluster-api', hops: 'next', description: 'budgets that allow no disruption and would hang the drain' },
  { id: 'dns', title: 'Cluster DNS address', severity: 'block', needs: 'cluster-api', hops: 'each', description: 'the DNS Service against Kubespray\'s and kubeadm\'s addresses, on the tags where they clash' },
  { id: 'removed-apis', title: 'Removed APIs', severity: 'block', needs: 'cluster-api', hops: 'each', description: 'objects and manifests (--manifests) on APIs a hop stops serving' },
  { id: 'etcd-health', title: 'etcd quorum', severity: 'block', needs: 'hosts', hops: 'next', description: 'every etcd member healthy, an odd member count, no alarm (etcdctl on the first etcd host)' },
  { id: 'stale-caches', title: 'Stale caches', severity: 'block', needs: 'hosts', hops: 'next', description: 'kubectl\'s HTTP cache and old docker login data on the control-plane hosts (a warning: apply removes them; an unreachable host blocks)' },
  { id: 'kubeadm-dry-run', title: 'kubeadm dry run', severity: 'block', needs: 'hosts', hops: 'next', description: 'kubeadm upgrade apply --dry-run, as the hop\'s tag runs it, on the first control-plane host' },
];

export const CHECK_IDS: readonly string[] = PREFLIGHT_CHECKS.map((check) => check.id);

export function checkInfo(id: string): CheckInfo | undefined {
  return PREFLIGHT_CHECKS.find((check) => check.id === id);
}

/** The position of a check in the registry (unknown ids last), for stable ordering. */
export function checkOrder(id: string): number {
  const index = CHECK_IDS.indexOf(id);
  return index === -1 ? CHECK_IDS.length : index;
}

/** One line per check, for command help. */
export function checksHelp(): string {
  const width = Math.max(...CHECK_IDS.map((id) => id.length));
  return PREFLIGHT_CHECKS.map((check) => `  ${check.id.padEnd(width)}  ${check.severity.padEnd(5)}  ${check.description}`).join('\n');
}
