/**
 * The run journal: pure transitions over an immutable state. Every function
 * returns a new Journal and leaves its input alone; the caller saves each
 * result (journal-store.ts) before going on, so a crash loses at most the
 * step that was running. Time is always passed in: these functions never read
 * the clock, the pid or the host name.
 */
import type { JournalClaim } from '../plan/cluster-state.js';
import { planId } from '../plan/identity.js';
import type { PlanDocument } from '../plan/types.js';
import {
  JOURNAL_VERSION,
  type GateRecord,
  type HostResult,
  type HostStatus,
  type Journal,
  type RunFlags,
  type RunRecord,
  type RunStatus,
  type SnapshotRecord,
  type StepRecord,
} from './journal-schema.js';

export * from './journal-schema.js';
export { journalPath, loadJournal, saveJournal } from './journal-store.js';

export type Instant = string | Date;

function iso(at: Instant): string {
  return typeof at === 'string' ? new Date(at).toISOString() : at.toISOString();
}

function elapsedMs(from: string | undefined, to: string): number | undefined {
  if (from === undefined) return undefined;
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

/** A fresh journal for a plan, before any run. */
export function createJournal(cluster: string, plan: PlanDocument): Journal {
  return {
    journalVersion: JOURNAL_VERSION, cluster, plan, planId: planId(plan),
    runs: [], stepOrder: [], steps: {}, cordonedByKspray: [], cleanups: [], snapshots: [],
  };
}

/**
 * The journal to run `plan` with: the existing one when it tracks the same
 * plan (resume), else a fresh one that keeps the run history, where kspray
 * left the cluster, and, above all, what kspray cordoned and cleaned
 * (recover still needs those).
 */
export function adoptPlan(existing: Journal | undefined, cluster: string, plan: PlanDocument): Journal {
  if (existing === undefined) return createJournal(cluster, plan);
  const id = planId(plan);
  if (existing.planId === id) return existing;
  const { interruption: _dropped, ...rest } = existing;
  return { ...rest, plan, planId: id, stepOrder: [], steps: {} };
}

/** A hop finished: kspray left the cluster at its version and tag (the cluster file is updated to say the same). */
export function recordHopFinished(journal: Journal, input: { version: string; tag: string; at: Instant }): Journal {
  return { ...journal, clusterState: { version: input.version, tag: input.tag, at: iso(input.at), ...(journal.runId ? { runId: journal.runId } : {}) } };
}

/**
 * What the journal says about where the cluster is (plan/cluster-state.ts):
 * the last hop kspray finished, and the hop of the recorded plan it is inside
 * (any step of it no longer pending, not every step succeeded).
 */
export function journalClaim(journal: Journal, path: string): JournalClaim {
  const inside = journal.plan.hops.find((hop) => partlyDone(journal, hop.steps));
  const finished = journal.clusterState;
  return {
    path,
    ...(unfinishedPlan(journal) ? { planStart: { version: journal.plan.from.version, tag: journal.plan.from.tag } } : {}),
    finished: finished ? { version: finished.version, tag: finished.tag, at: finished.at } : undefined,
    inHop: inside ? { index: inside.index, fromVersion: inside.fromVersion, fromTag: inside.fromTag, toVersion: inside.toVersion, tag: inside.tag } : undefined,
  };
}

/** The recorded plan when some step of it ran and some step of it did not succeed: the plan a run resumes. */
export function unfinishedPlan(journal: Journal): PlanDocument | undefined {
  return partlyDone(journal, journal.plan.hops.flatMap((hop) => hop.steps)) ? journal.plan : undefined;
}

/** Some of the steps no longer pending, not all of them succeeded. */
function partlyDone(journal: Journal, steps: ReadonlyArray<{ id: string }>): boolean {
  const states = steps.map((step) => journal.steps[step.id]?.status ?? 'pending');
  return states.some((state) => state !== 'pending') && states.some((state) => state !== 'succeeded');
}

export interface StepSpec {
  id: string;
  hop: number;
  kind: string;
}

/** Records the plan's steps, in order, as pending; steps already known keep their state. */
export function registerSteps(journal: Journal, specs: readonly StepSpec[]): Journal {
  const steps = { ...journal.steps };
  for (const spec of specs) {
    steps[spec.id] ??= { status: 'pending', hop: spec.hop, kind: spec.kind, attempts: 0, hosts: {}, failedHosts: [] };
  }
  return { ...journal, stepOrder: specs.map((spec) => spec.id), steps };
}

export interface StartRunInput {
  runId: string;
  at: Instant;
  pid: number;
  host: string;
  flags?: Partial<RunFlags>;
}

/**
 * Opens a run. A run the journal still shows as running died without saying
 * so (SIGKILL, power loss; the lock kept a second one out): it is marked
 * interrupted, and so are its running steps, so the resume point is right.
 */
export function startRun(journal: Journal, input: StartRunInput): Journal {
  if (journal.runs.some((run) => run.runId === input.runId)) throw new Error(`journal: run ${input.runId} already exists`);
  const at = iso(input.at);
  const runs = journal.runs.map((run): RunRecord => (run.status === 'running' ? { ...run, status: 'interrupted' } : run));
  const steps = mapSteps(journal, (step) => (step.status === 'running' ? { ...step, status: 'interrupted' } : step));
  const run: RunRecord = {
    runId: input.runId, startedAt: at, status: 'running', pid: input.pid, host: input.host,
    flags: { ...input.flags, skippedChecks: [...(input.flags?.skippedChecks ?? [])] },
  };
  const { interruption: _previous, ...rest } = journal;
  return { ...rest, runId: input.runId, runs: [...runs, run], steps };
}

export interface StartStepInput {
  at: Instant;
  hop: number;
  kind: string;
  logPath?: string;
}

/** A step begins (again): a new attempt with fresh host results. */
export function startStep(journal: Journal, stepId: string, input: StartStepInput): Journal {
  currentRun(journal);
  const previous = journal.steps[stepId];
  const step: StepRecord = {
    status: 'running', hop: input.hop, kind: input.kind, runId: journal.runId, startedAt: iso(input.at),
    attempts: (previous?.attempts ?? 0) + 1, hosts: {}, failedHosts: [],
    ...(input.logPath === undefined ? {} : { logPath: input.logPath }),
  };
  const stepOrder = journal.stepOrder.includes(stepId) ? journal.stepOrder : [...journal.stepOrder, stepId];
  return { ...journal, stepOrder, steps: { ...journal.steps, [stepId]: step } };
}

/** `durationMs`: how long the step's own work took, when its events tell (a wave of a shared run: its batch), rather than start to end. */
export function finishStep(journal: Journal, stepId: string, input: { at: Instant; message?: string; durationMs?: number }): Journal {
  return endStep(journal, stepId, 'succeeded', input.at, [], input.message, input.durationMs);
}

export function failStep(journal: Journal, stepId: string, input: { at: Instant; message: string; failedHosts?: readonly string[]; durationMs?: number }): Journal {
  return endStep(journal, stepId, 'failed', input.at, input.failedHosts ?? [], input.message, input.durationMs);
}

function endStep(journal: Journal, stepId: string, status: 'succeeded' | 'failed', at: Instant, failedHosts: readonly string[], message: string | undefined, measuredMs: number | undefined): Journal {
  const step = runningStep(journal, stepId);
  const endedAt = iso(at);
  const durationMs = measuredMs ?? elapsedMs(step.startedAt, endedAt);
  const ended: StepRecord = {
    ...step, status, endedAt,
    ...(durationMs === undefined ? {} : { durationMs }),
    failedHosts: union(step.failedHosts, failedHosts),
    ...(message === undefined ? {} : { message }),
  };
  return { ...journal, steps: { ...journal.steps, [stepId]: ended } };
}

/** The status one host's recap counts add up to. */
export function hostStatusOf(counts: Pick<HostResult, 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped'>): HostStatus {
  if (counts.unreachable > 0) return 'unreachable';
  if (counts.failed > 0) return 'failed';
  if (counts.changed > 0) return 'changed';
  if (counts.ok === 0 && counts.skipped > 0) return 'skipped';
  return 'ok';
}

export type HostResultInput = Omit<HostResult, 'status'> & { status?: HostStatus };

/** Merges per-host results (recap or events) into a step; failed and unreachable hosts join failedHosts. */
export function recordHostResults(journal: Journal, stepId: string, results: Readonly<Record<string, HostResultInput>>): Journal {
  const step = knownStep(journal, stepId);
  const hosts = { ...step.hosts };
  const failing: string[] = [];
  for (const [host, input] of Object.entries(results)) {
    // Only the known fields: a recap's counts may carry more, and the journal keeps its own shape.
    const result: HostResult = {
      ok: input.ok, changed: input.changed, failed: input.failed, unreachable: input.unreachable, skipped: input.skipped,
      ...(input.rescued === undefined ? {} : { rescued: input.rescued }),
      ...(input.ignored === undefined ? {} : { ignored: input.ignored }),
      status: input.status ?? hostStatusOf(input),
      ...(input.durationMs === undefined ? {} : { durationMs: input.durationMs }),
    };
    hosts[host] = result;
    if (result.status === 'failed' || result.status === 'unreachable') failing.push(host);
  }
  const updated: StepRecord = { ...step, hosts, failedHosts: union(step.failedHosts, failing) };
  return { ...journal, steps: { ...journal.steps, [stepId]: updated } };
}

/**
 * Ctrl-C or SIGTERM: the run and its running step are marked interrupted,
 * with when and why; `atBoundary` when it stopped gracefully, at a batch or
 * step boundary with no host in flight.
 */
export function interruptRun(journal: Journal, input: { at: Instant; signal: string; atBoundary?: boolean }): Journal {
  const run = currentRun(journal);
  const at = iso(input.at);
  const running = orderedStepIds(journal).find((id) => journal.steps[id]?.status === 'running');
  const steps = mapSteps(journal, (step) => {
    if (step.status !== 'running') return step;
    const durationMs = elapsedMs(step.startedAt, at);
    return { ...step, status: 'interrupted', endedAt: at, ...(durationMs === undefined ? {} : { durationMs }) };
  });
  return {
    ...replaceRun(journal, { ...run, status: 'interrupted', endedAt: at }),
    steps,
    interruption: { at, signal: input.signal, ...(running === undefined ? {} : { step: running }), ...(input.atBoundary ? { atBoundary: true } : {}) },
  };
}

/** A health gate's verdict, on the current run. */
export function recordGate(journal: Journal, record: Omit<GateRecord, 'at' | 'runId'> & { at: Instant }): Journal {
  const entry: GateRecord = { ...record, at: iso(record.at), ...(journal.runId === undefined ? {} : { runId: journal.runId }) };
  return { ...journal, gates: [...(journal.gates ?? []), entry] };
}

/** Records a skipped health gate (--skip-gate) on the current run. */
export function recordSkippedGate(journal: Journal, gate: { name: string; reason: string }): Journal {
  const run = currentRun(journal);
  const skippedGates = [...(run.flags.skippedGates ?? []).filter((known) => known.name !== gate.name), { ...gate }];
  return replaceRun(journal, { ...run, flags: { ...run.flags, skippedGates } });
}

/** Closes the current run with its outcome (and, for a refusal or a failure, why). */
export function finishRun(journal: Journal, input: { at: Instant; status: Exclude<RunStatus, 'running'>; message?: string }): Journal {
  const run = currentRun(journal);
  return replaceRun(journal, { ...run, status: input.status, endedAt: iso(input.at), ...(input.message === undefined ? {} : { message: input.message }) });
}

/** Records a skipped check (e.g. `--skip-check`) on the current run. */
export function recordSkippedCheck(journal: Journal, check: { id: string; reason: string }): Journal {
  const run = currentRun(journal);
  const skippedChecks = [...run.flags.skippedChecks.filter((known) => known.id !== check.id), { ...check }];
  return replaceRun(journal, { ...run, flags: { ...run.flags, skippedChecks } });
}

export function recordCordon(journal: Journal, node: string): Journal {
  if (journal.cordonedByKspray.includes(node)) return journal;
  return { ...journal, cordonedByKspray: [...journal.cordonedByKspray, node] };
}

export function recordUncordon(journal: Journal, node: string): Journal {
  return { ...journal, cordonedByKspray: journal.cordonedByKspray.filter((name) => name !== node) };
}

export function recordCleanup(journal: Journal, cleanup: { host: string; paths: readonly string[]; at: Instant; stepId?: string }): Journal {
  const entry = { host: cleanup.host, paths: [...cleanup.paths], at: iso(cleanup.at), ...(cleanup.stepId === undefined ? {} : { stepId: cleanup.stepId }) };
  return { ...journal, cleanups: [...journal.cleanups, entry] };
}

export function recordSnapshot(journal: Journal, snapshot: Omit<SnapshotRecord, 'at'> & { at: Instant }): Journal {
  return { ...journal, snapshots: [...journal.snapshots, { ...snapshot, at: iso(snapshot.at) }] };
}

/** Where a run resumes: the first step, in plan order, that has not succeeded; undefined when all have. */
export function firstUnfinishedStep(journal: Journal, stepIds: readonly string[]): string | undefined {
  return stepIds.find((id) => journal.steps[id]?.status !== 'succeeded');
}

export interface StepDurationSample {
  stepId: string;
  hop: number;
  kind: string;
  durationMs: number;
}

/**
 * How long each host took in each finished step, for estimating future
 * steps. A host's own duration when the events gave one, else its step's;
 * hosts that failed or were unreachable stopped early and would mislead.
 */
export function stepDurationsByHost(journal: Journal): Record<string, StepDurationSample[]> {
  const byHost: Record<string, StepDurationSample[]> = {};
  for (const stepId of orderedStepIds(journal)) {
    const step = journal.steps[stepId];
    if (step === undefined || step.status !== 'succeeded') continue;
    for (const [host, result] of Object.entries(step.hosts)) {
      if (result.status === 'failed' || result.status === 'unreachable') continue;
      const durationMs = result.durationMs ?? step.durationMs;
      if (durationMs === undefined) continue;
      (byHost[host] ??= []).push({ stepId, hop: step.hop, kind: step.kind, durationMs });
    }
  }
  return byHost;
}

/** Step ids in plan order: the recorded order, then any other step the journal holds. */
export function orderedStepIds(journal: Journal, stepOrder?: readonly string[]): string[] {
  const order = [...(stepOrder ?? journal.stepOrder)];
  for (const id of Object.keys(journal.steps)) if (!order.includes(id)) order.push(id);
  return order;
}

/** The run the journal's runId names. */
export function currentRun(journal: Journal): RunRecord {
  const run = journal.runs.find((candidate) => candidate.runId === journal.runId);
  if (run === undefined) throw new Error('journal: no run started (call startRun first)');
  return run;
}

function replaceRun(journal: Journal, run: RunRecord): Journal {
  return { ...journal, runs: journal.runs.map((candidate) => (candidate.runId === run.runId ? run : candidate)) };
}

function knownStep(journal: Journal, stepId: string): StepRecord {
  const step = journal.steps[stepId];
  if (step === undefined) throw new Error(`journal: step ${stepId} was never started`);
  return step;
}

function runningStep(journal: Journal, stepId: string): StepRecord {
  const step = knownStep(journal, stepId);
  if (step.status !== 'running') throw new Error(`journal: step ${stepId} is ${step.status}, not running`);
  return step;
}

function mapSteps(journal: Journal, map: (step: StepRecord) => StepRecord): Record<string, StepRecord> {
  return Object.fromEntries(Object.entries(journal.steps).map(([id, step]) => [id, map(step)]));
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}
