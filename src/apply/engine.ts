/**
 * The step loop of an apply run: hop after hop, step after step, it records
 * each step in the journal (run-record.ts), runs it (a playbook, a wave of a
 * shared run, verify), and returns the run's outcome as a result; what
 * happens on the way it emits as typed events (events-schema.ts) for the
 * views to show. It knows no terminal, no signal and no listr: the CLI hands
 * it two AbortSignals (stop at the next boundary; stop at once) and an
 * emitter.
 *
 * Boundaries. A stop request ends the run before the next step, and the
 * step that runs ends at its next play start that would drain nodes (the
 * callback's stop file, run-control.ts): the hosts in flight finish their
 * batch, no further node is drained. Between two waves of one
 * ansible-playbook run the next batch waits for the engine (shared-run.ts),
 * so the stop request and the health gates are checked there as between
 * two steps. Health gates bound to a worker step are checked before the step
 * after it starts, in whichever run: a resumed run checks them again first.
 */
import { join, relative } from 'node:path';
import { createRunControl, type RunControl } from '../ansible/run-control.js';
import { isNodeUpgrade, isWorkerStep } from '../plan/step-kinds.js';
import { sharedRunFrom } from '../plan/wave-run.js';
import type { PlanHop, PlanStep } from '../plan/types.js';
import type { Journal } from '../journal/journal.js';
import { redact } from '../util/redact.js';
import { ExitCode, KsprayError } from '../util/errors.js';
import type { ApplyDeps, ApplyOptions, ApplyResult } from './apply.js';
import type { EngineEventInput } from './events.js';
import { gateFailure, interruptedFailure, nowhere, stepFailure, type ApplyFailure } from './failure.js';
import { gatesBefore } from './gate-step.js';
import { createRunRecorder, hopDone } from './run-record.js';
import { runPlaybookStep, verifyFromResults, type StepOutcome } from './run-step.js';
import type { Selection } from './select-steps.js';
import { startSharedRun, type SharedRun } from './shared-run.js';
import { stepReporter } from './step-events.js';

export interface EngineInput {
  options: ApplyOptions;
  deps: ApplyDeps;
  runId: string;
  /** The journal under the lock, the plan's steps registered. */
  journal: Journal;
  selection: Selection;
}

/** Ends the loop with a result (thrown inside, caught at the top: one place builds results). */
class End {
  constructor(readonly result: { status: 'failed' | 'interrupted' | 'refused' | 'declined'; failure: ApplyFailure } | { status: 'stopped'; reason: string }) {}
}

export async function runEngine(input: EngineInput): Promise<ApplyResult> {
  const { options, deps, runId, selection } = input;
  const { plan } = options;
  const emit = (event: EngineEventInput): void => deps.emit?.(event);
  const note = (text: string, stepId?: string): void => emit({ type: 'note', text: redact(text), stepId: stepId ?? null });
  const immediate = deps.signal ?? new AbortController().signal;
  const stop = deps.stop ?? new AbortController().signal;
  const resume = options.resumeCommand ?? options.command;
  const startedAt = deps.now().getTime();
  const record = createRunRecorder({
    baseDir: options.baseDir, journal: input.journal, runId, now: deps.now,
    skippedChecks: options.skippedChecks ?? [], skippedGates: options.skippedGates ?? [], noClusterApi: options.noClusterApi, saved: deps.journalSaved,
    noEtcdSnapshot: options.waived?.['etcd-snapshot'],
  });
  const ran: string[] = [];
  const result = (rest: Pick<ApplyResult, 'status'> & Partial<{ reason: string; failure: ApplyFailure }>): ApplyResult => {
    const out = { runId: record.started ? runId : undefined, journal: record.journal, ran, skipped: selection.alreadyDone, ...rest } as ApplyResult;
    const failure = 'failure' in out ? out.failure : undefined;
    emit({
      type: 'run', phase: 'end', runId, status: out.status, exitCode: failure?.exitCode ?? ExitCode.ok,
      message: failure ? redact(failure.message) : 'reason' in out ? out.reason : null, durationMs: Math.max(0, deps.now().getTime() - startedAt),
    });
    return out;
  };

  emit({
    type: 'run', phase: 'start', runId, cluster: plan.cluster.name, from: plan.from.version, to: plan.to.version, planId: input.journal.planId,
    steps: selection.steps.map((step) => ({ id: step.id, hop: step.hop, kind: step.kind, title: step.title, hosts: step.hosts.length, estimateMs: estimate(step) })),
    alreadyDone: selection.alreadyDone,
  });
  if (selection.steps.length === 0) return result({ status: 'nothing-to-do' });
  if (selection.alreadyDone.length > 0) note(`resuming: ${selection.alreadyDone.length} step(s) already done, next is ${selection.steps[0]!.id}`);

  // The run that is going on, if any: a stop request is passed to it at once.
  let active: { requestStop(): Promise<void> } | undefined;
  const onStop = (): void => {
    emit({ type: 'stop', mode: 'graceful', signal: String(stop.reason ?? 'SIGINT') });
    void active?.requestStop();
  };
  const onImmediate = (): void => emit({ type: 'stop', mode: 'immediate', signal: String(immediate.reason ?? 'SIGINT') });
  stop.addEventListener('abort', onStop, { once: true });
  immediate.addEventListener('abort', onImmediate, { once: true });
  if (stop.aborted) emit({ type: 'stop', mode: 'graceful', signal: String(stop.reason ?? 'SIGINT') });
  const signalName = (): string => String((immediate.aborted ? immediate.reason : stop.reason) ?? 'SIGINT');

  try {
    for (const hop of plan.hops) {
      const steps = selection.steps.filter((step) => step.hop === hop.index);
      if (steps.length > 0) await runHop(hop, steps);
    }
    await record.finish('succeeded');
    return result({ status: 'succeeded' });
  } catch (error) {
    if (!(error instanceof End)) {
      // Best effort: when the journal itself cannot be written, its last good state stands (a running step the next run marks interrupted).
      await record.finish('failed', error instanceof Error ? error.message : String(error)).catch(() => undefined);
      throw error;
    }
    const end = error.result;
    if (end.status === 'stopped') {
      await record.finish('stopped-window');
      return result(end);
    }
    if (end.status === 'interrupted') await record.interrupt(signalName(), end.failure.atBoundary);
    else await record.finish(end.status, end.failure.message);
    return result(end);
  } finally {
    stop.removeEventListener('abort', onStop);
    immediate.removeEventListener('abort', onImmediate);
  }

  function estimate(step: PlanStep): number {
    return Math.max(0, Math.round(deps.estimateStep?.(step, record.journal) ?? 0));
  }

  function interrupted(step: PlanStep | undefined, hop: PlanHop, extra: { logFile?: string; atBoundary?: boolean; notStarted?: boolean } = {}): End {
    const atBoundary = extra.atBoundary ?? !immediate.aborted;
    return new End({ status: 'interrupted', failure: interruptedFailure(step, hop, { ...extra, atBoundary, resume }) });
  }

  async function runHop(hop: PlanHop, steps: PlanStep[]): Promise<void> {
    if (immediate.aborted || stop.aborted) throw interrupted(steps[0], hop, { notStarted: true });
    const gate = await deps.gateHop?.(hop, steps);
    for (const finding of gate?.findings ?? []) emit({ type: 'finding', hop: hop.index, ...finding });
    if (gate && !gate.ok) throw new End({ status: 'refused', failure: { ...nowhere(hop), exitCode: ExitCode.failed, message: gate.message, hint: gate.hint } });
    const yes = await deps.confirmHop(hop, steps, gate?.summary, stop).catch((error: unknown) => {
      if (stop.aborted) return false;
      throw error;
    });
    if (stop.aborted || immediate.aborted) throw interrupted(steps[0], hop, { notStarted: true });
    if (!yes) {
      throw new End({ status: 'declined', failure: {
        ...nowhere(hop), exitCode: ExitCode.ok, message: `hop ${hop.index} declined at the prompt: nothing of it was run`, hint: `run the same apply again to start hop ${hop.index}`,
      } });
    }
    let env: Record<string, string>;
    try {
      await record.ensureRun();
      ({ env } = await deps.prepareHop(hop));
    } catch (error) {
      if (!(error instanceof KsprayError)) throw error;
      throw new End({ status: 'failed', failure: {
        ...nowhere(hop), exitCode: error.exitCode, message: `hop ${hop.index} could not be prepared: ${error.message}`, hint: error.hint ?? 'fix the cause and run the same apply again',
      } });
    }
    emit({ type: 'hop', phase: 'start', hop: hop.index, tag: hop.tag, fromVersion: hop.fromVersion, toVersion: hop.toVersion });
    let shared: SharedRun | undefined;
    let hopStatus: 'succeeded' | 'failed' | 'interrupted' | 'stopped' = 'succeeded';
    try {
      for (const step of steps) {
        const inShared = shared?.stepIds.includes(step.id) ?? false;
        if (immediate.aborted) throw interrupted(step, hop, { notStarted: true, atBoundary: false });
        if (stop.aborted) {
          if (inShared) await shared!.stop();
          throw interrupted(step, hop, { notStarted: true, atBoundary: true });
        }
        await checkGatesBefore(hop, step, inShared ? shared : undefined);
        const waiver = options.waived?.[step.kind];
        if (waiver !== undefined) {
          // Waived knowingly (--no-etcd-snapshot): recorded done, with why, not run.
          emit({ type: 'step', phase: 'start', stepId: step.id, hop: step.hop, kind: step.kind, title: step.title, hosts: step.hosts, estimateMs: 0, drains: [] });
          await record.waive(step, waiver);
          emit({ type: 'step', phase: 'end', stepId: step.id, title: step.title, status: 'succeeded', durationMs: 0, message: redact(`not run, waived: ${waiver}`), failedHosts: [], atBoundary: false });
          ran.push(step.id);
          continue;
        }
        // A wave of a run already under way was admitted with it.
        const verdict = inShared ? { go: true as const } : ((await deps.beforeStep?.(step, record.journal)) ?? { go: true as const });
        if (!verdict.go) throw new End({ status: 'stopped', reason: verdict.reason });
        shared = await runStep(hop, step, env, inShared ? shared : undefined);
      }
    } catch (error) {
      if (error instanceof End) hopStatus = error.result.status === 'stopped' ? 'stopped' : error.result.status === 'interrupted' ? 'interrupted' : 'failed';
      throw error;
    } finally {
      emit({ type: 'hop', phase: 'end', hop: hop.index, tag: hop.tag, fromVersion: hop.fromVersion, toVersion: hop.toVersion, status: hopStatus });
    }
    if (hopDone(record.journal, hop)) await deps.hopFinished?.(hop, note);
  }

  /** Runs one step and records it; returns the shared run the next waves belong to, if any. */
  async function runStep(hop: PlanHop, step: PlanStep, env: Record<string, string>, running: SharedRun | undefined): Promise<SharedRun | undefined> {
    const runDir = join(options.baseDir, '.kspray', 'runs', runId);
    const file = step.id.replace(/[^\w.-]+/g, '-');
    const files = { logFile: join(runDir, `${file}.log`), eventsFile: join(runDir, `${file}.events.jsonl`), controlDir: join(runDir, `${file}.control`) };
    const logFile = running ? running.logFile : files.logFile;
    const stopPlays = deps.cordoningPlays?.(step.kubesprayTag);
    await record.startStep(step, relative(options.baseDir, logFile));
    emit({ type: 'step', phase: 'start', stepId: step.id, hop: step.hop, kind: step.kind, title: step.title, hosts: step.hosts, estimateMs: estimate(step), drains: isNodeUpgrade(step.kind) ? [...(stopPlays ?? [])] : [] });
    const reporter = stepReporter(step, emit);
    const watch = { progress: reporter.progress, event: reporter.event };
    let shared = running;
    let wave = 1;
    if (step.sharedRun && !running) {
      shared = await startWaves(sharedRunFrom(selection.steps, selection.steps.indexOf(step)), { env, ...files, signal: immediate, stopPlays }, step.id);
    }
    if (shared && step.sharedRun) {
      wave = shared.stepIds.indexOf(step.id) + 1;
      if (running) await shared.release(step.id);
    }
    if (isWorkerStep(step)) emit({ type: 'wave', phase: 'start', stepId: step.id, wave, hosts: step.hosts });

    let outcome: StepOutcome;
    if (step.kind === 'verify') {
      outcome = (await deps.verifyHop?.(hop, (text) => note(text, step.id))) ?? verifyFromResults(hop, (id) => record.journal.steps[id]?.hosts);
    } else if (shared && step.sharedRun) {
      outcome = await shared.outcomeOf(step.id, watch);
    } else {
      const control: RunControl = await createRunControl(files.controlDir, { stopPlays });
      active = control;
      if (stop.aborted) await control.requestStop();
      try {
        outcome = await runPlaybookStep(step, { env, ...files, signal: immediate, control, onProgress: watch.progress, onEvent: watch.event });
      } finally {
        active = undefined;
      }
    }
    reporter.results(outcome);
    if (outcome.kind === 'succeeded' && deps.afterStep) {
      const after = await deps.afterStep(step, (text) => note(text, step.id), stop);
      if (after.ok === 'interrupted') outcome = { ...outcome, kind: 'interrupted', atBoundary: true, interruptedIn: { play: undefined, hosts: [] }, message: 'stopped as asked during the soak' };
      else if (!after.ok) outcome = { ...outcome, kind: 'failed', message: after.reason, failedHosts: step.hosts, failedTasks: [] };
    }
    await record.recordOutcome(step, hop, outcome, stopPlays ?? []);
    if (outcome.kind === 'succeeded' && outcome.message) note(outcome.message, step.id);
    const status = outcome.kind;
    emit({
      type: 'step', phase: 'end', stepId: step.id, title: step.title, status, durationMs: Math.max(0, Math.round(outcome.durationMs)), message: outcome.message === undefined ? null : redact(outcome.message),
      failedHosts: outcome.failedHosts, atBoundary: Boolean(outcome.atBoundary),
    });
    if (isWorkerStep(step)) emit({ type: 'wave', phase: 'end', stepId: step.id, wave, hosts: step.hosts, status, durationMs: Math.max(0, Math.round(outcome.durationMs)) });
    if (outcome.kind === 'succeeded') {
      ran.push(step.id);
      // The run's last wave ended with the run.
      return shared && shared.stepIds.at(-1) !== step.id ? shared : undefined;
    }
    if (outcome.kind === 'interrupted') {
      if (shared) await shared.ended;
      throw interrupted(step, hop, { logFile, atBoundary: Boolean(outcome.atBoundary) });
    }
    throw new End({ status: 'failed', failure: stepFailure(step, outcome, logFile, resume) });
  }

  /** One ansible-playbook run for the waves from here on that fit the window (at least this one: beforeStep admitted it). */
  async function startWaves(group: PlanStep[], ctx: Parameters<typeof startSharedRun>[1], stepId: string): Promise<SharedRun> {
    // A soak watches the canary before any wave drains: the canary then runs alone.
    const canary = group.findIndex((step) => step.kind === 'canary');
    if (deps.afterStep && canary >= 0) group = group.slice(0, canary + 1);
    const fits = Math.max(1, Math.min(group.length, (await deps.fitSteps?.(group, record.journal)) ?? group.length));
    const waves = group.slice(0, fits);
    const covered = waves.length === 1 ? 'this batch' : `${waves[0]!.id} … ${waves.at(-1)!.id}, a serial batch each`;
    note(`one ansible-playbook run for ${covered}${fits < group.length ? ` (${group.length - fits} more would not end before the window closes)` : ''}`, stepId);
    const run = await startSharedRun(waves, ctx);
    const handle = { requestStop: () => run.stop() };
    active = handle;
    if (stop.aborted) void run.stop();
    void run.ended.finally(() => {
      if (active === handle) active = undefined;
    });
    return run;
  }

  /** The health gates before `step` (gate-step.ts); a gate that does not pass ends a shared run before its next batch. */
  async function checkGatesBefore(hop: PlanHop, step: PlanStep, shared: SharedRun | undefined): Promise<void> {
    const verdict = await gatesBefore({
      hop, step, gates: plan.gates, journal: record.journal, skipped: options.skippedGates ?? [], check: deps.checkGate,
      now: () => deps.now().getTime(), stop, immediate, emit, record: (entry) => record.gate(entry),
    });
    if (verdict.ok) return;
    if (shared) await shared.stop();
    if (verdict.status === 'interrupted') throw interrupted(step, hop, { notStarted: true, atBoundary: !immediate.aborted });
    throw new End({ status: 'failed', failure: gateFailure({ name: verdict.gate.name, after: verdict.after, before: step, reason: verdict.reason, output: verdict.output }, resume) });
  }
}
