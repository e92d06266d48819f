/**
 * `kspray status`: what the journal says, as a plain object (--json) and as
 * text. Pure: the CLI loads the journal (and, if it likes, inspects the lock).
 */
import type { Interruption, Journal, RunStatus, SkippedCheck, StepStatus } from './journal-schema.js';
import { firstUnfinishedStep, orderedStepIds } from './journal.js';
import type { LockState } from './lock.js';

export interface StepRef {
  id: string;
  hop: number;
  kind: string;
  status: StepStatus;
  startedAt: string | null;
  endedAt: string | null;
  logPath: string | null;
}

export interface StatusSummary {
  statusVersion: 1;
  cluster: string;
  planId: string;
  runId: string | null;
  runStatus: RunStatus | null;
  startedAt: string | null;
  endedAt: string | null;
  /**
   * The journal says running but no live process holds the lock: the run died
   * without recording it (the next apply marks it interrupted). Null when
   * the caller did not say what the lock holds.
   */
  runDiedUnrecorded: boolean | null;
  /** The step running now, else the one that ran last. */
  currentStep: StepRef | null;
  currentHop: number | null;
  steps: { done: number; total: number; failed: number; interrupted: number; pending: number; running: number };
  failedStep: (StepRef & { failedHosts: string[]; message: string | null }) | null;
  interruption: Interruption | null;
  /** Where the next apply of this plan starts; null when every step succeeded. */
  resumeAt: string | null;
  cordonedByKspray: string[];
  skippedChecks: SkippedCheck[];
}

export function summarizeStatus(journal: Journal, stepOrder?: readonly string[], options: { lock?: LockState } = {}): StatusSummary {
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
    planId: journal.planId,
    runId: journal.runId ?? null,
    runStatus: run?.status ?? null,
    startedAt: run?.startedAt ?? null,
    endedAt: run?.endedAt ?? null,
    runDiedUnrecorded: diedUnrecorded(run?.status, options.lock),
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
    interruption: journal.interruption ?? null,
    resumeAt: firstUnfinishedStep(journal, order) ?? null,
    cordonedByKspray: [...journal.cordonedByKspray],
    skippedChecks: run?.flags.skippedChecks.map((check) => ({ ...check })) ?? [],
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
  if (summary.runDiedUnrecorded === true) {
    lines.push('  the journal says running, but no kspray process holds the lock: that run died; the next apply resumes it');
  }
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
    lines.push(`  interrupted by ${summary.interruption.signal} at ${summary.interruption.at}${where}`);
  }
  for (const check of summary.skippedChecks) lines.push(`  skipped check ${check.id}: ${check.reason}`);
  if (summary.cordonedByKspray.length > 0) {
    lines.push(`  cordoned by kspray: ${summary.cordonedByKspray.join(', ')} (kspray recover --node NAME uncordons)`);
  }
  lines.push(summary.resumeAt === null ? '  every step succeeded' : `  next apply resumes at ${summary.resumeAt}`);
  return `${lines.join('\n')}\n`;
}

function countsText(steps: StatusSummary['steps']): string {
  const parts = (['failed', 'interrupted', 'running', 'pending'] as const)
    .filter((key) => steps[key] > 0)
    .map((key) => `${steps[key]} ${key}`);
  return parts.length === 0 ? '' : `, ${parts.join(', ')}`;
}
