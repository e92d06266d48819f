/**
 * Reads that ask the API for only what they need, for what runs during an
 * upgrade (the canary soak, the health gates): one node by name, the pods on
 * one node (a field selector), the pods of a label selector in a namespace,
 * one Deployment or StatefulSet, the nodes. Never discovery, never every pod
 * of a 100,000-pod cluster every few seconds. Failures are KubeFailures,
 * never throws.
 */
import type { KubeClient } from './client.js';
import { nodeFact, podFact } from './parse.js';
import { fail, ok, type KubeResult } from './result.js';
import type { NodeFact, PodFact } from './types.js';

/** The node, or undefined when the cluster has none of that name. */
export async function readNode(client: KubeClient, name: string): Promise<KubeResult<NodeFact | undefined>> {
  const answer = await client.getJson(`/api/v1/nodes/${encodeURIComponent(name)}`);
  if (!answer.ok) return answer.error.kind === 'not-found' ? ok(undefined) : answer;
  const node = nodeFact(answer.value);
  return node ? ok(node) : fail({ kind: 'invalid-response', server: client.server, message: `cluster at ${client.server} answered node ${name} without a name` });
}

/** The pods scheduled on one node (fieldSelector spec.nodeName). */
export function readPodsOnNode(client: KubeClient, node: string): Promise<KubeResult<PodFact[]>> {
  return client.list('/api/v1/pods', podFact, { query: { fieldSelector: `spec.nodeName=${node}` } });
}

/** The pods a label selector picks in one namespace. */
export function readPodsBySelector(client: KubeClient, namespace: string, selector: string): Promise<KubeResult<PodFact[]>> {
  return client.list(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, podFact, { query: { labelSelector: selector } });
}

export function readNodes(client: KubeClient): Promise<KubeResult<NodeFact[]>> {
  return client.list('/api/v1/nodes', nodeFact);
}

/** A Deployment or StatefulSet as the API returns it (apps/v1), or undefined when there is none. */
export async function readWorkload(client: KubeClient, kind: 'deployments' | 'statefulsets', namespace: string, name: string): Promise<KubeResult<unknown>> {
  const answer = await client.getJson(`/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}`);
  if (!answer.ok) return answer.error.kind === 'not-found' ? ok(undefined) : answer;
  return answer;
}

/** The canaries and the pods on them: what the soak watches. */
export async function readNodesAndTheirPods(client: KubeClient, names: readonly string[]): Promise<KubeResult<{ nodes: NodeFact[]; pods: PodFact[] }>> {
  const nodes: NodeFact[] = [];
  const pods: PodFact[] = [];
  for (const name of names) {
    const node = await readNode(client, name);
    if (!node.ok) return node;
    if (node.value) nodes.push(node.value);
    const onNode = await readPodsOnNode(client, name);
    if (!onNode.ok) return onNode;
    pods.push(...onNode.value);
  }
  return ok({ nodes, pods });
}
