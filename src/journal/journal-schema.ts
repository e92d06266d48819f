/**
 * The run journal's shape: `.kspray/state/<cluster>.json`. kspray writes it
 * and reads it back to resume, so the schema is strict about types but
 * tolerant of extra fields (a newer kspray may add some; journalVersion is
 * what changes when an old one could not read the file any more).
 */
import { z } from 'zod';
import { PlanDocumentSchema } from '../plan/plan-schema.js';

/** 2: the plan is a validated plan document (plan-schema.ts), the cluster state kspray left is recorded, refused and declined runs. */
export const JOURNAL_VERSION = 2 as const;

const isoTime = z.string().min(1);

/**
 * refused: a hop's preflight blocked after an earlier hop of the run had run
 * (a refusal before anything ran records no run at all); declined: the
 * operator answered no at a later hop's prompt.
 */
export const RunStatusSchema = z.enum(['running', 'succeeded', 'failed', 'interrupted', 'stopped-window', 'refused', 'declined']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const StepStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed', 'interrupted']);
export type StepStatus = z.infer<typeof StepStatusSchema>;

/** What one host did in one step, as Ansible's recap counts it. */
export const HostStatusSchema = z.enum(['ok', 'changed', 'failed', 'unreachable', 'skipped']);
export type HostStatus = z.infer<typeof HostStatusSchema>;

const count = z.number().int().nonnegative();

export const HostResultSchema = z.object({
  ok: count,
  changed: count,
  failed: count,
  unreachable: count,
  skipped: count,
  rescued: count.optional(),
  ignored: count.optional(),
  status: HostStatusSchema,
  durationMs: z.number().nonnegative().optional(),
});
export type HostResult = z.infer<typeof HostResultSchema>;

export const SkippedCheckSchema = z.object({ id: z.string().min(1), reason: z.string() });
export type SkippedCheck = z.infer<typeof SkippedCheckSchema>;

/** --skip-gate NAME --reason TEXT: a health gate the operator waived for the run. */
export const SkippedGateSchema = z.object({ name: z.string().min(1), reason: z.string() });
export type SkippedGate = z.infer<typeof SkippedGateSchema>;

export const RunFlagsSchema = z.object({
  skippedChecks: z.array(SkippedCheckSchema).default([]),
  skippedGates: z.array(SkippedGateSchema).optional(),
  /** --no-cluster-api --reason TEXT: the run went without the Kubernetes API (no PDB check, no live verify), and why. */
  noClusterApi: z.string().optional(),
  /** --no-etcd-snapshot --reason TEXT: no snapshot before the control plane, and why. */
  noEtcdSnapshot: z.string().optional(),
}).catchall(z.unknown());
export type RunFlags = z.infer<typeof RunFlagsSchema>;

export const RunRecordSchema = z.object({
  runId: z.string().min(1),
  startedAt: isoTime,
  endedAt: isoTime.optional(),
  status: RunStatusSchema,
  pid: z.number().int(),
  host: z.string(),
  flags: RunFlagsSchema.default({ skippedChecks: [] }),
  /** Why the run ended as it did (a refusal, a failure), one line. */
  message: z.string().optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export const StepRecordSchema = z.object({
  status: StepStatusSchema,
  hop: z.number().int().nonnegative(),
  kind: z.string().min(1),
  /** The run that last started this step (a resumed run keeps earlier runs' successes). */
  runId: z.string().optional(),
  startedAt: isoTime.optional(),
  endedAt: isoTime.optional(),
  durationMs: z.number().nonnegative().optional(),
  attempts: count,
  logPath: z.string().optional(),
  hosts: z.record(z.string(), HostResultSchema),
  failedHosts: z.array(z.string()),
  message: z.string().optional(),
});
export type StepRecord = z.infer<typeof StepRecordSchema>;

export const CleanupSchema = z.object({
  host: z.string().min(1),
  paths: z.array(z.string()),
  at: isoTime,
  stepId: z.string().optional(),
});
export type Cleanup = z.infer<typeof CleanupSchema>;

/** An etcd snapshot apply took before a hop's control plane (etcd/snapshot.ts), and where it lies. */
export const SnapshotRecordSchema = z.object({
  stepId: z.string(),
  hop: z.number().int().positive(),
  at: isoTime,
  host: z.string(),
  path: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string(),
  revision: z.number(),
  hash: z.number(),
  totalKeys: z.number(),
});
export type SnapshotRecord = z.infer<typeof SnapshotRecordSchema>;

export const InterruptionSchema = z.object({
  at: isoTime,
  signal: z.string(),
  /** The step that was running, if any. */
  step: z.string().optional(),
  /** The graceful stop: the run ended at a batch or step boundary, no host in flight. */
  atBoundary: z.boolean().optional(),
});
export type Interruption = z.infer<typeof InterruptionSchema>;

/** Where kspray last left the cluster: the last hop it finished. Kept across plans; the cluster file says the same (apply writes both). */
export const ClusterStateSchema = z.object({
  version: z.string().regex(/^v1\.\d+\.\d+$/),
  tag: z.string().regex(/^v2\.\d+\.\d+$/),
  at: isoTime,
  runId: z.string().optional(),
});
export type ClusterStateRecord = z.infer<typeof ClusterStateSchema>;

/**
 * A health gate's verdict (upgrade.gates): checked after a worker step,
 * before the next step may start; a failed one stops the run there.
 */
export const GateRecordSchema = z.object({
  name: z.string().min(1),
  /** The worker step it followed, and the step that waited for it. */
  after: z.string().min(1),
  before: z.string().optional(),
  status: z.enum(['passed', 'failed', 'skipped', 'interrupted']),
  attempts: count,
  at: isoTime,
  durationMs: z.number().nonnegative(),
  runId: z.string().optional(),
  /** The check's last output (masked, a tail). */
  output: z.string().optional(),
  /** skipped: --skip-gate's reason. */
  reason: z.string().optional(),
});
export type GateRecord = z.infer<typeof GateRecordSchema>;

export const JournalSchema = z.object({
  journalVersion: z.literal(JOURNAL_VERSION),
  cluster: z.string().min(1),
  /** The current run, or the last one; undefined before the first run. */
  runId: z.string().optional(),
  /** The plan this journal tracks: what was run, compared (never executed) when a run resumes. */
  plan: PlanDocumentSchema,
  /** The plan's identity (plan/identity.ts): a resumed run knows it runs the same plan. */
  planId: z.string().min(1),
  clusterState: ClusterStateSchema.optional(),
  /** When this journal was last written (the writer's clock): of two copies (this machine's, the cluster's), the newer wins. */
  savedAt: isoTime.optional(),
  runs: z.array(RunRecordSchema),
  /**
   * Step ids in plan order. Object key order survives JSON for ids like
   * "hop1:wave3" but not for integer-like ids, so the order is kept apart.
   */
  stepOrder: z.array(z.string()).default([]),
  steps: z.record(z.string(), StepRecordSchema),
  /** Nodes kspray's own steps cordoned and have not uncordoned: all that `recover` may uncordon. */
  cordonedByKspray: z.array(z.string()),
  cleanups: z.array(CleanupSchema),
  /** The etcd snapshots taken, oldest first: what `kspray recover --etcd` restores from. */
  snapshots: z.array(SnapshotRecordSchema).default([]),
  interruption: InterruptionSchema.optional(),
  /** Health gate verdicts, in order (a journal written before gates existed has none). */
  gates: z.array(GateRecordSchema).optional(),
});
export type Journal = z.infer<typeof JournalSchema>;
