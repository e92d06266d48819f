/**
 * One read of the live cluster: the kubeconfig chosen by the shared rules
 * (kubeconfig.ts), then the facts (facts.ts). "No cluster" is an answer with
 * a reason and a hint, never an exception.
 */
import type { GatherOptions } from './facts.js';
import { resolveKubeconfig, type KubeconfigSources } from './kubeconfig.js';
import type { LiveFacts } from './types.js';

export async function readLiveCluster(sources: KubeconfigSources, gather: GatherOptions = {}, log?: (text: string) => void): Promise<LiveFacts> {
  const resolved = resolveKubeconfig(sources);
  if (!resolved.ok) return { ok: false, reason: resolved.error.message, hint: resolved.error.hint };
  const server = resolved.value.kubeconfigPaths.join(', ');
  log?.(`reading the cluster through ${server} (${resolved.value.source})`);
  // Loaded only with a kubeconfig to read through: `kspray plan` on a cluster without one never loads the HTTP stack.
  const { gatherClusterFacts } = await import('./facts.js');
  const gathered = await gatherClusterFacts(resolved.value, gather);
  return gathered.ok ? { ok: true, facts: gathered.value, server } : { ok: false, reason: gathered.error.message, hint: gathered.error.hint };
}
