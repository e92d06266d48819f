/**
 * How long a step will take: the median time one batch took in earlier
 * steps (the journal's durations), times the step's batches; defaults when
 * nothing was recorded yet. Feeds the maintenance window and the live view's
 * estimate of what remains. Pure.
 */
import { stepDurationsByHost, type Journal, type StepDurationSample } from '../journal/journal.js';
import { KUBESPRAY_DEFAULT_SERIAL, resolveCountOrPercent } from '../plan/count-or-percent.js';
import { NODE_UPGRADE_KINDS, WORKER_KINDS } from '../plan/step-kinds.js';
import type { PlanStep } from '../plan/types.js';

const MINUTE = 60_000;

/** Defaults when no earlier step of the kind tells: per batch of nodes, and for the steps that touch no node. */
export const DEFAULT_ESTIMATES = {
  perNodeBatchMs: 10 * MINUTE,
  factsMs: 2 * MINUTE,
  cleanupMs: 1 * MINUTE,
  etcdSnapshotMs: 2 * MINUTE,
  verifyMs: 1 * MINUTE,
} as const;

/**
 * How many batches Kubespray runs a step's hosts in: the control-plane play
 * goes one node at a time (serial: 1); workers by kspray's serial, else 20%.
 */
export function batchesOf(step: Pick<PlanStep, 'kind' | 'hosts' | 'serial'>): number {
  const hosts = step.hosts.length;
  if (!NODE_UPGRADE_KINDS.has(step.kind)) return 1;
  if (hosts === 0) return 0;
  if (step.kind === 'control-plane') return hosts;
  const size = step.serial ?? resolveCountOrPercent(KUBESPRAY_DEFAULT_SERIAL, hosts);
  return Math.ceil(hosts / Math.max(1, size));
}

export interface EstimateInput {
  /** Earlier samples: stepDurationsByHost(journal). */
  samples: Readonly<Record<string, readonly StepDurationSample[]>>;
  /** How many batches each earlier step ran in (the recorded plan knows); default 1. */
  batchesOfStep?: (stepId: string) => number;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A step's expected duration: the median time one batch took in earlier
 * steps of the same kind (else canary and workers learn from each other,
 * else from any node-upgrade step), times
 * this step's batches. A host's sample is its step's whole duration when the
 * events gave no per-host time, so it is divided by that step's batches.
 */
export function estimateStepMs(step: Pick<PlanStep, 'kind' | 'hosts' | 'serial'>, input: EstimateInput): number {
  const batches = batchesOf(step);
  const isNode = NODE_UPGRADE_KINDS.has(step.kind);
  const perBatch = (kinds: (kind: string) => boolean): number | undefined => {
    const values: number[] = [];
    const seenSteps = new Set<string>();
    for (const samples of Object.values(input.samples)) {
      for (const sample of samples) {
        if (!kinds(sample.kind)) continue;
        // Every host of a step carries the same step-wide duration: count the step once.
        const key = `${sample.stepId}:${sample.durationMs}`;
        if (seenSteps.has(key)) continue;
        seenSteps.add(key);
        values.push(sample.durationMs / Math.max(1, input.batchesOfStep?.(sample.stepId) ?? 1));
      }
    }
    return median(values);
  };
  const workerKinds = (kind: string): boolean => WORKER_KINDS.has(kind);
  const learned = perBatch((kind) => kind === step.kind)
    ?? (workerKinds(step.kind) ? perBatch(workerKinds) : undefined)
    ?? (isNode ? perBatch((kind) => NODE_UPGRADE_KINDS.has(kind)) : undefined);
  if (learned !== undefined) return Math.round(learned * Math.max(1, batches));
  if (isNode) return DEFAULT_ESTIMATES.perNodeBatchMs * batches;
  if (step.kind === 'facts') return DEFAULT_ESTIMATES.factsMs;
  if (step.kind === 'cleanup-caches') return DEFAULT_ESTIMATES.cleanupMs;
  if (step.kind === 'etcd-snapshot') return DEFAULT_ESTIMATES.etcdSnapshotMs;
  return DEFAULT_ESTIMATES.verifyMs;
}

export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** What apply needs to know about the recorded plan: each step's batches, by id. */
export function planBatches(plan: { hops?: ReadonlyArray<{ steps?: ReadonlyArray<Pick<PlanStep, 'id' | 'kind' | 'hosts' | 'serial'>> }> } | undefined): (stepId: string) => number {
  const byId = new Map<string, number>();
  for (const hop of plan?.hops ?? []) for (const step of hop.steps ?? []) byId.set(step.id, batchesOf(step));
  return (stepId) => byId.get(stepId) ?? 1;
}

/** What the journal tells about durations: earlier steps' samples, and each recorded step's batches. */
export function estimateInputOf(journal: Journal): EstimateInput {
  return { samples: stepDurationsByHost(journal), batchesOfStep: planBatches(journal.plan as Parameters<typeof planBatches>[0]) };
}
