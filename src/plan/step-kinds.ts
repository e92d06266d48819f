/**
 * The kinds of plan steps, defined once: the plan schema's enum, which of
 * them upgrade nodes (Kubespray's pre-upgrade role cordons and drains each
 * node of their batch), which upgrade workers (the canary and the waves), and
 * which belong to the control-plane side of a hop (--masters-only).
 */
export const STEP_KINDS = ['facts', 'cleanup-caches', 'etcd-snapshot', 'control-plane', 'canary', 'workers', 'verify'] as const;
export type StepKindName = (typeof STEP_KINDS)[number];

/** Steps that run Kubespray's node upgrade: each node of a batch is cordoned, drained, upgraded, uncordoned. */
export const NODE_UPGRADE_KINDS: ReadonlySet<string> = new Set<StepKindName>(['control-plane', 'canary', 'workers']);

/** The worker steps: the canary and the waves (or batches) after it; health gates run after each. */
export const WORKER_KINDS: ReadonlySet<string> = new Set<StepKindName>(['canary', 'workers']);

/** What `--masters-only` runs; `--workers-only` runs the rest. */
export const CONTROL_PLANE_SIDE_KINDS: ReadonlySet<string> = new Set<StepKindName>(['facts', 'cleanup-caches', 'etcd-snapshot', 'control-plane']);

export function isNodeUpgrade(kind: string): boolean {
  return NODE_UPGRADE_KINDS.has(kind);
}

export function isWorkerStep(step: { kind: string }): boolean {
  return WORKER_KINDS.has(step.kind);
}
