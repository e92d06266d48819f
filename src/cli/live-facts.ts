/**
 * Reading the live cluster for plan, apply and preflight, with the same
 * --kubeconfig / --context rules everywhere (flag > KUBECONFIG > the cluster
 * file's access.kubeconfig > artifacts/admin.conf beside it). "No cluster"
 * is an answer with a reason, never an exception.
 */
import type { LoadedCluster } from '../model/load.js';
import type { ClusterFacts } from '../kube/types.js';

export interface LiveFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

export type LiveFacts = { ok: true; facts: ClusterFacts; server: string } | { ok: false; reason: string };

export async function readLiveFacts(loaded: LoadedCluster, flags: LiveFlags): Promise<LiveFacts> {
  const { resolveKubeconfig } = await import('../kube/kubeconfig.js');
  const access = resolveKubeconfig({
    flag: flags.kubeconfig, flagContext: flags.context, env: process.env.KUBECONFIG,
    model: loaded.cluster.access?.kubeconfig, modelContext: loaded.cluster.access?.context,
    clusterFile: loaded.file, clusterName: loaded.cluster.name,
  });
  if (!access.ok) return { ok: false, reason: access.error.message };
  const { gatherClusterFacts } = await import('../kube/facts.js');
  const facts = await gatherClusterFacts(access.value);
  if (!facts.ok) return { ok: false, reason: facts.error.message };
  return { ok: true, facts: facts.value, server: access.value.kubeconfigPaths.join(':') };
}
