/**
 * Reading the live cluster for plan, apply and preflight, with the same
 * --kubeconfig / --context rules everywhere (flag > KUBECONFIG > the cluster
 * file's access.kubeconfig > artifacts/admin.conf beside it). "No cluster"
 * is an answer with a reason, never an exception.
 */
import type { GatherOptions } from '../kube/facts.js';
import type { LiveFacts } from '../kube/types.js';
import type { LoadedCluster } from '../model/load.js';

export type { LiveFacts } from '../kube/types.js';

export interface LiveFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

export async function readLiveFacts(loaded: LoadedCluster, flags: LiveFlags, gather: GatherOptions = {}): Promise<LiveFacts> {
  const { readLiveCluster } = await import('../kube/live.js');
  return readLiveCluster({
    flag: flags.kubeconfig, flagContext: flags.context, env: process.env.KUBECONFIG,
    model: loaded.cluster.access?.kubeconfig, modelContext: loaded.cluster.access?.context,
    clusterFile: loaded.file, clusterName: loaded.cluster.name,
  }, gather);
}
