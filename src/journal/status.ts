/**
 * `kspray status`: what the journal says, as a plain object (--json) and as
 * text. Pure: the CLI loads the journal (and, if it likes, inspects the lock).
 */
import { z } from 'zod';
import { InterruptionSchema, RunStatusSchema, SkippedCheckSchema, SnapshotRecordSchema, StepStatusSchema, type Journal, type RunStatus, type StepStatus } from './journal-schema.js';
import { firstUnfinishedStep, orderedStepIds } from './journal.js';
import type { LockState } from './lock.js';

const time = z.string().nullable();

export const StepRefSchema = z.strictObject({
  id: z.string(),
  hop: z.number().int().nonnegative(),
  kind: z.string(),
  status: StepStatusSchema,
  startedAt: time,
  endedAt: time,
  logPath: z.string().nullable(),
});
export type StepRef = z.infer<typeof StepRefSchema>;

/** The `kspray status --json` document; published as schema/status.schema.json. */
export const StatusSummarySchema = z.strictObject({
  statusVersion: z.literal(1),
  cluster: z.string(),
  runs: z.strictObject({ version: z.string(), tag: z.string().nullable(), source: z.enum(['journal', 'cluster-file']) })
    .describe('Where the cluster is: the last hop kspray finished (journal), else what the cluster file says'),
  plan: z.strictObject({ from: z.string(), to: z.string(), hops: z.number().int().nonnegative() }).nullable().describe('The plan the journal tracks; null before any apply'),
  planId: z.string().nullable(),
  runId: z.string().nullable(),
  runStatus: RunStatusSchema.nullable(),
  startedAt: time,
  endedAt: time,
  runDiedUnrecorded: z.boolean().nullable()
    .describe('The journal says running but no live process holds the lock: the run died without recording it (the next apply marks it interrupted); null when unknown'),
  needsBreakLock: z.boolean().describe('The lock is one kspray cannot check (another host, unreadable): the next apply needs --break-lock'),
  orphans: z.array(z.strictObject({ pid: z.number().int(), pgid: z.number().int(), command: z.string() }))
    .describe('Processes a dead run started that still run (an orphaned ansible-playbook): the next apply waits for them'),
  runMessage: z.string().nullable().describe('Why the last run ended as it did (a refusal, a failure), when it said'),
  currentStep: StepRefSchema.nullable().describe('The step running now, else the one that ran last'),
  currentHop: z.number().int().nullable(),
  steps: z.strictObject({ done: z.number().int(), total: z.number().int(), failed: z.number().int(), interrupted: z.number().int(), pending: z.number().int(), running: z.number().int() }),
  failedStep: StepRefSchema.extend({ failedHosts: z.array(z.string()), message: z.string().nullable() }).nullable(),
  interruption: InterruptionSchema.nullable(),
  resumeAt: z.string().nullable().describe('Where the next apply of this plan starts; null when every step succeeded'),
  cordonedByKspray: z.array(z.string()),
  skippedChecks: z.array(SkippedCheckSchema),
  lastSnapshot: SnapshotRecordSchema.nullable().describe('The newest etcd snapshot apply took (kspray recover --etcd restores from it)'),
}).describe('kspray status');
export type StatusSummary = z.infer<typeof StatusSummarySchema>;

export function statusJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(StatusSummarySchema) as Record<string, unknown>;
}

/** The status of a cluster no apply ever ran for: what the cluster file says, nothing else. */
export function noRunStatus(cluster: string, file: { version: string; tag: string | undefined }): StatusSummary {
  return {
    statusVersion: 1, cluster, runs: { version: file.version, tag: file.tag ?? null, source: 'cluster-file' }, plan: null, planId: null,
    runId: null, runStatus: null, startedAt: null, endedAt: null, runDiedUnrecorded: null, needsBreakLock: false, runMessage: null,
    orphans: [], currentStep: null, currentHop: null, steps: { done: 0, total: 0, failed: 0, interrupted: 0, pending: 0, running: 0 },
    failedStep: null, interruption: null, resumeAt: null, cordonedByKspray: [], skippedChecks: [], lastSnapshot: null,
  };
}

export interface StatusOptions {
  lock?: LockState;
  /** What the cluster file says, when the journal has no finished hop. */
  clusterFile?: { version: string; tag: string | undefined };
}

export function summarizeStatus(journal: Journal, stepOrder?: readonly string[], options: StatusOptions = {}): StatusSummary {
  const order = orderedStepIds(journal, stepOrder);
  const run = journal.runs.find((candidate) => candidate.runId === journal.runId);
  const refs = order.flatMap((id) => (journal.steps[id] === undefined ? [] : [stepRef(journal, id)]));
  const countOf = (status: StepStatus): number => refs.filter((ref) => ref.status === status).length;
  const current = refs.find((ref) => ref.status === 'running') ?? lastStarted(refs);
  const failed = refs.find((ref) => ref.status === 'failed');
  const failedRecord = failed === undefined ? undefined : journal.steps[failed.id];
  return {
    statusVersion: 1,
    cluster: journal.cluster,
    runs: journal.clusterState
      ? { version: journal.clusterState.version, tag: journal.clusterState.tag, source: 'journal' }
      : { version: options.clusterFile?.version ?? journal.plan.from.version, tag: options.clusterFile?.tag ?? journal.plan.from.tag ?? null, source: 'cluster-file' },
    plan: { from: journal.plan.from.version, to: journal.plan.to.version, hops: journal.plan.hops.length },
    planId: journal.planId,
    runId: journal.runId ?? null,
    runStatus: run?.status ?? null,
    startedAt: run?.startedAt ?? null,
    endedAt: run?.endedAt ?? null,
    runDiedUnrecorded: diedUnrecorded(run?.status, options.lock),
    needsBreakLock: options.lock?.state === 'other-host' || options.lock?.state === 'unreadable',
    orphans: options.lock?.state === 'orphaned' ? options.lock.orphans.map((o) => ({ pid: o.pid, pgid: o.pgid, command: o.command })) : [],
    runMessage: run?.message ?? null,
    currentStep: current ?? null,
    currentHop: current?.hop ?? null,
    steps: {
      done: countOf('succeeded'), total: order.length, failed: countOf('failed'),
      interrupted: countOf('interrupted'), running: countOf('running'),
      pending: order.length - refs.length + countOf('pending'),
    },
    failedStep: failed === undefined || failedRecord === undefined
      ? null
      : { ...failed, failedHosts: [...failedRecord.failedHosts], message: failedRecord.message ?? null },
    interruption: journal.interruption ? { ...journal.interruption } : null,
    resumeAt: firstUnfinishedStep(journal, order) ?? null,
    cordonedByKspray: [...journal.cordonedByKspray],
    skippedChecks: run?.flags.skippedChecks.map((check) => ({ ...check })) ?? [],
    lastSnapshot: journal.snapshots.at(-1) ?? null,
  };
}

function diedUnrecorded(status: RunStatus | undefined, lock: LockState | undefined): boolean | null {
  // A lock on another host cannot be checked from here: unknown, not dead.
  if (status !== 'running' || lock === undefined || lock.state === 'other-host') return null;
  return lock.state !== 'held';
}

function stepRef(journal: Journal, id: string): StepRef {
  const step = journal.steps[id]!;
  return {
    id, hop: step.hop, kind: step.kind, status: step.status,
    startedAt: step.startedAt ?? null, endedAt: step.endedAt ?? null, logPath: step.logPath ?? null,
  };
}

function lastStarted(refs: readonly StepRef[]): StepRef | undefined {
  let last: StepRef | undefined;
  for (const ref of refs) {
    if (ref.startedAt !== null && (last?.startedAt == null || Date.parse(ref.startedAt) >= Date.parse(last.startedAt))) last = ref;
  }
  return last;
}

export function formatStatus(summary: StatusSummary): string {
  const lines: string[] = [];
  const steps = summary.steps;
  if (summary.runId === null) {
    lines.push(`cluster ${summary.cluster}: no run yet (${steps.total} steps planned)`);
  } else {
    const ended = summary.endedAt === null ? '' : `, ended ${summary.endedAt}`;
    lines.push(`cluster ${summary.cluster}: run ${summary.runId} ${summary.runStatus ?? 'unknown'} (started ${summary.startedAt ?? '?'}${ended})`);
  }
  lines.push(`  runs Kubernetes ${summary.runs.version}, Kubespray ${summary.runs.tag ?? '(not set)'} (${summary.runs.source === 'journal' ? 'the last hop kspray finished' : 'the cluster file'})${summary.plan ? `; plan ${summary.plan.from} → ${summary.plan.to} in ${summary.plan.hops} hop(s)` : ''}`);
  if (summary.runDiedUnrecorded === true) {
    lines.push('  the journal says running, but no kspray process holds the lock: that run died; the next apply resumes it');
  }
  if (summary.needsBreakLock) {
    lines.push('  the lock is one kspray cannot check from here (another host, or unreadable): when that run is gone, pass --break-lock to the next apply');
  }
  if (summary.orphans.length > 0) {
    lines.push(`  the run died, but what it started still runs: ${summary.orphans.map((o) => `pid ${o.pid} (${o.command})`).join('; ')}; the next apply waits for it (stop it with ${[...new Set(summary.orphans.map((o) => `kill -INT -- -${o.pgid}`))].join(', ')})`);
  }
  if (summary.runMessage !== null && summary.runStatus !== 'succeeded') lines.push(`  ${summary.runStatus}: ${summary.runMessage.split('\n')[0]}`);
  lines.push(`  steps: ${steps.done}/${steps.total} done${countsText(steps)}`);
  if (summary.currentStep !== null) {
    const step = summary.currentStep;
    const label = step.status === 'running' ? 'current' : 'last';
    lines.push(`  ${label} step: ${step.id} (hop ${step.hop}, ${step.kind}) ${step.status}`);
  }
  if (summary.failedStep !== null) {
    const failed = summary.failedStep;
    lines.push(`  failed step: ${failed.id} (hop ${failed.hop}, ${failed.kind})`);
    if (failed.failedHosts.length > 0) lines.push(`    failed hosts: ${failed.failedHosts.join(', ')}`);
    if (failed.message !== null) lines.push(`    ${failed.message.split('\n')[0]}`);
    if (failed.logPath !== null) lines.push(`    log: ${failed.logPath}`);
  }
  if (summary.interruption !== null) {
    const where = summary.interruption.step === undefined ? '' : ` during ${summary.interruption.step}`;
    lines.push(summary.interruption.atBoundary
      ? `  stopped by ${summary.interruption.signal} at ${summary.interruption.at}, at a boundary (no host was left in flight)`
      : `  interrupted by ${summary.interruption.signal} at ${summary.interruption.at}${where}`);
  }
  for (const check of summary.skippedChecks) lines.push(`  skipped check ${check.id}: ${check.reason}`);
  if (summary.lastSnapshot !== null) {
    const snap = summary.lastSnapshot;
    lines.push(`  etcd snapshot before ${snap.stepId}: ${snap.path} on ${snap.host} (${snap.sizeBytes} bytes, revision ${snap.revision}, sha256 ${snap.sha256}, ${snap.at})`);
  }
  if (summary.cordonedByKspray.length > 0) {
    lines.push(`  cordoned by kspray: ${summary.cordonedByKspray.join(', ')} (kspray recover --node NAME uncordons)`);
  }
  lines.push(summary.resumeAt === null ? '  every step succeeded' : `  next apply resumes at ${summary.resumeAt}`);
  return `${lines.join('\n')}\n`;
}

/** `kspray status` exits 1 after a run that failed, was interrupted or refused: a pipeline step that checks it sees the trouble. */
export function statusExitCode(summary: Pick<StatusSummary, 'runStatus'>): 0 | 1 {
  return summary.runStatus === 'failed' || summary.runStatus === 'interrupted' || summary.runStatus === 'refused' ? 1 : 0;
}

function countsText(steps: StatusSummary['steps']): string {
  const parts = (['failed', 'interrupted', 'running', 'pending'] as const)
    .filter((key) => steps[key] > 0)
    .map((key) => `${steps[key]} ${key}`);
  return parts.length === 0 ? '' : `, ${parts.join(', ')}`;
}
