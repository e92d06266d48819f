/**
 * The run report: what an apply did, per hop and step, as a versioned JSON
 * document for unattended pipelines. Built from the journal alone (pure), so
 * a report can be made at any time, also after a crash. The zod schema is
 * the contract; `runReportJsonSchema()` publishes it for other tools.
 */
import { z } from 'zod';
import { orderedStepIds, type Journal, type StepRecord } from '../journal/journal.js';
import { RunStatusSchema, StepStatusSchema, HostStatusSchema, SnapshotRecordSchema } from '../journal/journal-schema.js';
import { redactDeep } from '../journal/redact-deep.js';

export const RUN_REPORT_VERSION = 2 as const;

const time = z.string().nullable();
const count = z.number().int().nonnegative();

export const HopStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed', 'interrupted', 'partial']);

export const ReportHostSchema = z.strictObject({
  name: z.string(),
  status: HostStatusSchema,
  ok: count, changed: count, failed: count, unreachable: count, skipped: count,
  durationMs: z.number().nonnegative().nullable(),
});

export const ReportStepSchema = z.strictObject({
  id: z.string(),
  hop: z.number().int().nonnegative(),
  kind: z.string(),
  status: StepStatusSchema,
  /** The run that last ran this step; earlier than the report's run when a resumed run skipped it. */
  runId: z.string().nullable(),
  fromEarlierRun: z.boolean(),
  startedAt: time,
  endedAt: time,
  durationMs: z.number().nonnegative().nullable(),
  attempts: count,
  logPath: z.string().nullable(),
  message: z.string().nullable(),
  failedHosts: z.array(z.string()),
  hosts: z.array(ReportHostSchema),
});
export type ReportStep = z.infer<typeof ReportStepSchema>;

export const ReportHopSchema = z.strictObject({
  hop: z.number().int().nonnegative(),
  status: HopStatusSchema,
  durationMs: z.number().nonnegative(),
  steps: z.array(ReportStepSchema),
});
export type ReportHop = z.infer<typeof ReportHopSchema>;

export const RunReportSchema = z.strictObject({
  reportVersion: z.literal(RUN_REPORT_VERSION),
  cluster: z.string(),
  planId: z.string(),
  runId: z.string().nullable(),
  status: RunStatusSchema.nullable(),
  startedAt: time,
  endedAt: time,
  durationMs: z.number().nonnegative().nullable(),
  skippedChecks: z.array(z.strictObject({ id: z.string(), reason: z.string() })),
  /** --skip-gate NAME --reason TEXT: the health gates waived for the run. */
  skippedGates: z.array(z.strictObject({ name: z.string(), reason: z.string() })),
  /** The health gates the run checked (upgrade.gates), in order: after which step, before which, and their verdict. */
  gates: z.array(z.strictObject({
    name: z.string(), after: z.string(), before: z.string().nullable(), status: z.enum(['passed', 'failed', 'skipped', 'interrupted']),
    attempts: count, durationMs: z.number().nonnegative(), at: z.string(), output: z.string().nullable(), reason: z.string().nullable(),
  })),
  /** --no-cluster-api --reason TEXT: the run went without the Kubernetes API (no PDB check, no live verify), and why; null when it used the API. */
  noClusterApi: z.string().nullable(),
  /** --no-etcd-snapshot --reason TEXT: no etcd snapshot before the control plane, and why; null otherwise. */
  noEtcdSnapshot: z.string().nullable(),
  /** The etcd snapshots apply took (this run's and earlier ones'), oldest first. */
  snapshots: z.array(SnapshotRecordSchema),
  /** Why the run ended as it did (a refusal, a failure), when it said. */
  message: z.string().nullable(),
  /** Where kspray left the cluster: the last hop it finished. */
  clusterState: z.strictObject({ version: z.string(), tag: z.string() }).nullable(),
  interruption: z.strictObject({ at: z.string(), signal: z.string(), step: z.string().nullable() }).nullable(),
  totals: z.strictObject({
    steps: count, succeeded: count, failed: count, interrupted: count, running: count, pending: count,
    failedHosts: z.array(z.string()),
  }),
  hops: z.array(ReportHopSchema),
  cordonedByKspray: z.array(z.string()),
  cleanups: z.array(z.strictObject({ host: z.string(), paths: z.array(z.string()), at: z.string(), stepId: z.string().nullable() })),
}).describe('kspray run report');
export type RunReport = z.infer<typeof RunReportSchema>;

/** The report's JSON Schema (draft 2020-12), from the zod schema it is checked with. */
export function runReportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(RunReportSchema) as Record<string, unknown>;
}

/** The report of the journal's current (or last) run, steps in plan order; secrets masked. */
export function buildRunReport(journal: Journal, stepOrder?: readonly string[]): RunReport {
  const run = journal.runs.find((candidate) => candidate.runId === journal.runId);
  const steps = orderedStepIds(journal, stepOrder).flatMap((id) => {
    const step = journal.steps[id];
    return step === undefined ? [] : [reportStep(id, step, journal.runId)];
  });
  const hopNumbers = [...new Set(steps.map((step) => step.hop))].sort((a, b) => a - b);
  const hops = hopNumbers.map((hop): ReportHop => {
    const hopSteps = steps.filter((step) => step.hop === hop);
    return { hop, status: hopStatus(hopSteps), durationMs: sum(hopSteps.map((step) => step.durationMs ?? 0)), steps: hopSteps };
  });
  const countOf = (status: ReportStep['status']): number => steps.filter((step) => step.status === status).length;
  const started = run?.startedAt ?? null;
  const ended = run?.endedAt ?? null;
  const report: RunReport = {
    reportVersion: RUN_REPORT_VERSION,
    cluster: journal.cluster,
    planId: journal.planId,
    runId: journal.runId ?? null,
    status: run?.status ?? null,
    startedAt: started,
    endedAt: ended,
    durationMs: started !== null && ended !== null ? Math.max(0, Date.parse(ended) - Date.parse(started)) : null,
    skippedChecks: (run?.flags.skippedChecks ?? []).map((check) => ({ id: check.id, reason: check.reason })),
    skippedGates: (run?.flags.skippedGates ?? []).map((gate) => ({ name: gate.name, reason: gate.reason })),
    gates: (journal.gates ?? []).filter((gate) => gate.runId === journal.runId).map((gate) => ({
      name: gate.name, after: gate.after, before: gate.before ?? null, status: gate.status, attempts: gate.attempts, durationMs: gate.durationMs, at: gate.at,
      output: gate.output ?? null, reason: gate.reason ?? null,
    })),
    noClusterApi: run?.flags.noClusterApi ?? null,
    noEtcdSnapshot: run?.flags.noEtcdSnapshot ?? null,
    snapshots: journal.snapshots.map((snapshot) => ({ ...snapshot })),
    message: run?.message ?? null,
    clusterState: journal.clusterState ? { version: journal.clusterState.version, tag: journal.clusterState.tag } : null,
    interruption: journal.interruption === undefined
      ? null
      : { at: journal.interruption.at, signal: journal.interruption.signal, step: journal.interruption.step ?? null },
    totals: {
      steps: steps.length, succeeded: countOf('succeeded'), failed: countOf('failed'),
      interrupted: countOf('interrupted'), running: countOf('running'), pending: countOf('pending'),
      failedHosts: [...new Set(steps.filter((step) => step.status === 'failed').flatMap((step) => step.failedHosts))],
    },
    hops,
    cordonedByKspray: [...journal.cordonedByKspray],
    cleanups: journal.cleanups.map((cleanup) => ({ host: cleanup.host, paths: [...cleanup.paths], at: cleanup.at, stepId: cleanup.stepId ?? null })),
  };
  return RunReportSchema.parse(redactDeep(report));
}

function reportStep(id: string, step: StepRecord, currentRunId: string | undefined): ReportStep {
  return {
    id, hop: step.hop, kind: step.kind, status: step.status,
    runId: step.runId ?? null,
    fromEarlierRun: step.runId !== undefined && step.runId !== currentRunId,
    startedAt: step.startedAt ?? null,
    endedAt: step.endedAt ?? null,
    durationMs: step.durationMs ?? null,
    attempts: step.attempts,
    logPath: step.logPath ?? null,
    message: step.message ?? null,
    failedHosts: [...step.failedHosts],
    hosts: Object.entries(step.hosts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, result]) => ({
        name, status: result.status, ok: result.ok, changed: result.changed, failed: result.failed,
        unreachable: result.unreachable, skipped: result.skipped, durationMs: result.durationMs ?? null,
      })),
  };
}

function hopStatus(steps: readonly ReportStep[]): ReportHop['status'] {
  const has = (status: ReportStep['status']): boolean => steps.some((step) => step.status === status);
  if (has('failed')) return 'failed';
  if (has('interrupted')) return 'interrupted';
  if (has('running')) return 'running';
  if (steps.every((step) => step.status === 'succeeded')) return 'succeeded';
  if (steps.every((step) => step.status === 'pending')) return 'pending';
  return 'partial';
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
