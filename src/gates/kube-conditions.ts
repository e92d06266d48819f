/**
 * The Kubernetes conditions a health gate can wait for, judged from what the
 * API returned (kube/focused.ts). Pure: each says passed or not, and why in
 * a line.
 */
import type { NodeFact, PodFact } from '../kube/types.js';
import type { GateCheckResult } from './run-gate.js';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** A workload's status, the replicas its spec wants, and whether its controller has seen that spec. */
function rollout(raw: unknown): { status: Json; wanted: number; seen: boolean } {
  const metadata = obj(obj(raw).metadata);
  const spec = obj(obj(raw).spec);
  const status = obj(obj(raw).status);
  return { status, wanted: spec.replicas === undefined ? 1 : num(spec.replicas), seen: num(status.observedGeneration) >= num(metadata.generation) };
}

/** Every pod the selector picks is Running and Ready, and there is at least one. */
export function podsReady(pods: readonly PodFact[], what: string): GateCheckResult {
  if (pods.length === 0) return { passed: false, output: `no pod matches ${what}` };
  const notReady = pods.filter((pod) => pod.phase !== 'Running' || !pod.ready);
  if (notReady.length === 0) return { passed: true, output: `${pods.length} pod(s) of ${what} Running and Ready` };
  const shown = notReady.slice(0, 5).map((pod) => `${pod.name} (${pod.phase}${pod.ready ? '' : ', not ready'})`);
  return { passed: false, output: `${notReady.length} of ${pods.length} pod(s) of ${what} not ready: ${shown.join(', ')}${notReady.length > 5 ? ', …' : ''}` };
}

/** Every replica updated to the current spec and available, the controller caught up with it. */
export function deploymentAvailable(raw: unknown, what: string): GateCheckResult {
  if (raw === undefined) return { passed: false, output: `${what} does not exist` };
  const { status, wanted, seen } = rollout(raw);
  const counts = { updated: num(status.updatedReplicas), available: num(status.availableReplicas), total: num(status.replicas) };
  const passed = seen && counts.updated === wanted && counts.available === wanted && counts.total === wanted;
  return { passed, output: `${what}: ${counts.available}/${wanted} available, ${counts.updated} updated${seen ? '' : ', the controller has not seen the latest spec yet'}` };
}

/** Every replica ready and on the current revision. */
export function statefulSetAvailable(raw: unknown, what: string): GateCheckResult {
  if (raw === undefined) return { passed: false, output: `${what} does not exist` };
  const { status, wanted, seen } = rollout(raw);
  const ready = num(status.readyReplicas);
  const updated = status.updatedReplicas === undefined ? wanted : num(status.updatedReplicas);
  const revision = status.currentRevision === undefined || status.currentRevision === status.updateRevision;
  const passed = seen && ready === wanted && updated === wanted && revision;
  return { passed, output: `${what}: ${ready}/${wanted} ready, ${updated} updated${revision ? '' : ', a rollout is under way'}${seen ? '' : ', the controller has not seen the latest spec yet'}` };
}

export function nodesReady(nodes: readonly NodeFact[]): GateCheckResult {
  const notReady = nodes.filter((node) => !node.ready).map((node) => node.name);
  if (nodes.length === 0) return { passed: false, output: 'the cluster lists no node' };
  return notReady.length === 0
    ? { passed: true, output: `all ${nodes.length} nodes Ready` }
    : { passed: false, output: `${notReady.length} node(s) NotReady: ${notReady.slice(0, 10).join(', ')}${notReady.length > 10 ? ', …' : ''}` };
}
