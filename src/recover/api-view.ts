/**
 * The Kubernetes API's view of the nodes, for recover: optional. With a
 * kubeconfig (--kubeconfig, KUBECONFIG, the cluster file's access, or
 * Kubespray's admin.conf beside it) recover reads each node's readiness,
 * cordon and running kubelet, and uncordons through the API; without one it
 * does all of that through Ansible and kubectl on the first control-plane host.
 */
import type { KubeClient } from '../kube/client.js';
import type { LoadedCluster } from '../model/load.js';
import type { ApiNodeObservation } from './decide.js';

export interface ApiView {
  client: KubeClient;
  server: string;
  nodes: Record<string, ApiNodeObservation>;
}

export type ApiViewResult = { ok: true; view: ApiView } | { ok: false; configured: boolean; reason: string };

export async function readApiView(loaded: LoadedCluster, flags: { kubeconfig?: string | undefined; context?: string | undefined }): Promise<ApiViewResult> {
  const { resolveKubeconfig } = await import('../kube/kubeconfig.js');
  const access = resolveKubeconfig({
    flag: flags.kubeconfig, flagContext: flags.context, env: process.env.KUBECONFIG,
    model: loaded.cluster.access?.kubeconfig, modelContext: loaded.cluster.access?.context,
    clusterFile: loaded.file, clusterName: loaded.cluster.name,
  });
  // No kubeconfig anywhere is the ordinary case, not a failure: Ansible does it all.
  if (!access.ok) return { ok: false, configured: flags.kubeconfig !== undefined || Boolean(process.env.KUBECONFIG) || Boolean(loaded.cluster.access?.kubeconfig), reason: access.error.message };
  const { connectKube } = await import('../kube/client.js');
  const { nodeFact } = await import('../kube/parse.js');
  const connected = await connectKube(access.value);
  if (!connected.ok) return { ok: false, configured: true, reason: connected.error.message };
  const client = connected.value;
  const listed = await client.list('/api/v1/nodes', nodeFact);
  if (!listed.ok) {
    client.close();
    return { ok: false, configured: true, reason: listed.error.message };
  }
  const nodes: Record<string, ApiNodeObservation> = {};
  for (const node of listed.value) nodes[node.name] = { ready: node.ready, unschedulable: node.unschedulable, kubeletVersion: node.kubeletVersion };
  return { ok: true, view: { client, server: client.server, nodes } };
}
