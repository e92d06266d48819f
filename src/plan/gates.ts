/**
 * The plan's health gates, from the cluster file's upgrade.gates: each is
 * checked after the canary and after each wave (every worker step of every
 * hop), before the step that follows may start. Pure.
 */
import { GATE_DURATION_FORMS, type Cluster, type GateInput } from '../model/schema.js';
import { formatArgv } from '../process/exec-error.js';
import { parseDurationMs } from '../util/duration.js';
import { isWorkerStep } from './step-kinds.js';
import type { PlanGate, PlanHop } from './types.js';

export const GATE_DEFAULTS = { timeoutMs: 5 * 60_000, intervalMs: 10_000 } as const;

/** `30s`, `10m`, `1h30m`, `500ms` (the schema checked the form). */
export function gateDurationMs(text: string): number {
  const ms = parseDurationMs(text, GATE_DURATION_FORMS);
  if (ms === undefined) throw new Error(`gateDurationMs: ${text}`);
  return ms;
}

export function planGates(cluster: Cluster, hops: readonly PlanHop[]): PlanGate[] {
  const after = hops.flatMap((hop) => hop.steps.filter(isWorkerStep).map((step) => step.id));
  return (cluster.upgrade?.gates ?? []).map((gate) => planGate(gate, after));
}

function planGate(gate: GateInput, after: string[]): PlanGate {
  const kube = gate.kubernetes;
  return {
    name: gate.name,
    kind: gate.command ? 'command' : gate.http ? 'http' : 'kubernetes',
    command: gate.command ? [...gate.command] : null,
    http: gate.http ? { url: gate.http.url, status: gate.http.status ?? 200, bodyContains: gate.http.bodyContains ?? null } : null,
    kubernetes: !kube
      ? null
      : kube.podsReady
        ? { condition: 'pods-ready', namespace: kube.podsReady.namespace, name: null, selector: kube.podsReady.selector }
        : kube.deployment
          ? { condition: 'deployment-available', namespace: kube.deployment.namespace, name: kube.deployment.name, selector: null }
          : kube.statefulSet
            ? { condition: 'statefulset-available', namespace: kube.statefulSet.namespace, name: kube.statefulSet.name, selector: null }
            : { condition: 'nodes-ready', namespace: null, name: null, selector: null },
    timeoutMs: gate.timeout === undefined ? GATE_DEFAULTS.timeoutMs : Math.max(1, gateDurationMs(gate.timeout)),
    intervalMs: gate.interval === undefined ? GATE_DEFAULTS.intervalMs : Math.max(1, gateDurationMs(gate.interval)),
    after,
  };
}

/** What a gate checks, in a few words (plan text, dry run, messages). */
export function describeGate(gate: PlanGate): string {
  // Quoted where a word needs it: what a reviewer reads is the argv that runs, never a shell line it is not.
  if (gate.command) return `command ${formatArgv(gate.command)}`;
  if (gate.http) return `GET ${gate.http.url} answers ${gate.http.status}${gate.http.bodyContains ? ` with "${gate.http.bodyContains}"` : ''}`;
  const k = gate.kubernetes!;
  switch (k.condition) {
    case 'pods-ready': return `every pod ${k.selector} in ${k.namespace} Ready`;
    case 'deployment-available': return `Deployment ${k.namespace}/${k.name} fully available`;
    case 'statefulset-available': return `StatefulSet ${k.namespace}/${k.name} fully available`;
    case 'nodes-ready': return 'every node Ready';
  }
}

/** The gates that follow `stepId` (checked before the step after it starts). */
export function gatesAfter(gates: readonly PlanGate[], stepId: string): PlanGate[] {
  return gates.filter((gate) => gate.after.includes(stepId));
}
