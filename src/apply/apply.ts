/**
 * apply(plan): the steps the selection names, in order, each recorded in the
 * journal before and after it runs, under a per-cluster lock. A failed step
 * stops everything (exit 1, naming hosts and log); Ctrl-C or SIGTERM is
 * forwarded to ansible-playbook and recorded (exit 3); a re-run resumes at the
 * first unfinished step. Worker waves that share one ansible-playbook run
 * (plan/wave-run.ts) are still steps one by one: the run starts with the first
 * of them, takes the waves that fit the window, and each wave's step ends
 * when its serial batch does (shared-run.ts).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import {
  adoptPlan, failStep, recordCleanup, finishRun, finishStep, interruptRun, loadJournal, planIdOf, recordCordon, recordHostResults, recordSkippedCheck,
  recordUncordon, registerSteps, saveJournal, startRun, startStep, type Journal,
} from '../journal/journal.js';
import { acquireLock } from '../journal/lock.js';
import type { PlanDocument, PlanHop, PlanStep } from '../plan/types.js';
import { InterruptedError, WorkFailedError } from '../util/errors.js';
import { planIdentity } from './plan-identity.js';
import { runStepList } from './progress.js';
import { runPlaybookStep, verifyFromResults, type RunStepContext, type StepOutcome } from './run-step.js';
import { startSharedRun, type SharedRun } from './shared-run.js';
import { sharedRunFrom } from '../plan/wave-run.js';
import { allSteps, selectSteps, type SelectOptions } from './select-steps.js';

export interface ApplyOptions {
  /** The directory of the cluster file: `.kspray/` lives there. */
  baseDir: string;
  plan: PlanDocument;
  select: SelectOptions;
  breakLock?: boolean;
  /** Discard an unfinished recorded plan and run this one instead. */
  replan?: boolean;
  command: string;
  skippedChecks?: Array<{ id: string; reason: string }>;
}

export interface ApplyDeps {
  /** Checks out the hop's tag and writes its inventory, extra-vars and ansible.cfg; returns ansible-playbook's env. */
  prepareHop(hop: PlanHop): Promise<{ env: Record<string, string> }>;
  /** Asked once per hop before its first step; false stops the run cleanly. */
  confirmHop(hop: PlanHop, steps: readonly PlanStep[]): Promise<boolean>;
  /** Reads node versions back from the cluster; undefined when no cluster API is configured. */
  verifyHop?: ((hop: PlanHop) => Promise<StepOutcome | undefined>) | undefined;
  /**
   * Called after a step's playbook succeeded, before it is recorded as done
   * (the canary soak): a problem fails the step, so a re-run repeats it.
   */
  afterStep?: ((step: PlanStep, note: (text: string) => void) => Promise<{ ok: true } | { ok: false; reason: string }>) | undefined;
  /** Called before each step: 'stop' ends the run at this step boundary (a maintenance window closing). */
  beforeStep?: ((step: PlanStep, journal: Journal) => Promise<{ go: true } | { go: false; reason: string }>) | undefined;
  /** How many of these waves, run back to back from now, end in time (a shared run takes only those); default all. */
  fitSteps?: ((steps: readonly PlanStep[], journal: Journal) => Promise<number>) | undefined;
  /** The plays of a tag's upgrade playbook that cordon their batch's nodes (Catalog.cordoningPlays): an interrupted step's record. */
  cordoningPlays?: ((tag: string) => readonly string[]) | undefined;
  log(text: string): void;
  now(): Date;
}

export type ApplyResult =
  | { status: 'succeeded' | 'nothing-to-do' | 'declined'; runId: string | undefined; journal: Journal | undefined; ran: string[]; skipped: string[] }
  | { status: 'stopped'; reason: string; runId: string; journal: Journal; ran: string[]; skipped: string[] };

export async function applyPlan(options: ApplyOptions, deps: ApplyDeps): Promise<ApplyResult> {
  const cluster = options.plan.cluster.name;
  const runId = `${deps.now().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
  const lock = await acquireLock(options.baseDir, cluster, { runId, command: options.command, ...(options.breakLock ? { breakLock: true } : {}) });
  if (lock.tookOverStale) deps.log(`took over a stale lock (${lock.tookOverStale.reason}${lock.tookOverStale.holder ? `, pid ${lock.tookOverStale.holder.pid} since ${lock.tookOverStale.holder.startedAt}` : ''})`);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) deps.log(`${signal} received: stopping ansible-playbook, the journal records where`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await applyLocked(options, deps, runId, controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await lock.release();
  }
}

async function applyLocked(options: ApplyOptions, deps: ApplyDeps, runId: string, signal: AbortSignal): Promise<ApplyResult> {
  const { baseDir } = options;
  const cluster = options.plan.cluster.name;
  let journal = choosePlan(await loadJournal(baseDir, cluster), options, deps);
  const plan = journal.plan as PlanDocument;
  journal = registerSteps(journal, allSteps(plan).map((step) => ({ id: step.id, hop: step.hop, kind: step.kind })));
  const selection = selectSteps(plan, (id) => journal.steps[id]?.status, options.select);
  if (selection.steps.length === 0) {
    await saveJournal(baseDir, journal);
    return { status: 'nothing-to-do', runId: undefined, journal, ran: [], skipped: selection.alreadyDone };
  }
  if (selection.alreadyDone.length > 0) deps.log(`resuming: ${selection.alreadyDone.length} step(s) already done, next is ${selection.steps[0]!.id}`);
  journal = startRun(journal, { runId, at: deps.now(), pid: process.pid, host: hostname(), flags: { skippedChecks: options.skippedChecks ?? [] } });
  for (const check of options.skippedChecks ?? []) journal = recordSkippedCheck(journal, check);
  await saveJournal(baseDir, journal);

  const ran: string[] = [];
  const save = async (next: Journal): Promise<void> => {
    journal = next;
    await saveJournal(baseDir, journal);
  };
  const runDir = join(baseDir, '.kspray', 'runs', runId);
  for (const hop of plan.hops) {
    const steps = selection.steps.filter((step) => step.hop === hop.index);
    if (steps.length === 0) continue;
    if (!(await deps.confirmHop(hop, steps))) {
      await save(finishRun(journal, { at: deps.now(), status: 'interrupted' }));
      return { status: 'declined', runId, journal, ran, skipped: selection.alreadyDone };
    }
    let stopped: string | undefined;
    try {
      // Inside the try: a hop that cannot be prepared (a moved tag, the wrong Ansible) ends the run as failed.
      const { env } = await deps.prepareHop(hop);
      let shared: SharedRun | undefined;
      await runStepList(steps, async (step, handle) => {
        if (signal.aborted) throw new InterruptedError(`interrupted before ${step.id}`, 'run the same apply again to resume at this step');
        // A wave of a run already under way was admitted with it.
        const inShared = shared?.stepIds.includes(step.id) ?? false;
        const verdict = inShared ? { go: true as const } : ((await deps.beforeStep?.(step, journal)) ?? { go: true as const });
        if (!verdict.go) {
          stopped = verdict.reason;
          throw new StopAtBoundary(verdict.reason);
        }
        const file = step.id.replace(/[^\w.-]+/g, '-');
        const files = { logFile: join(runDir, `${file}.log`), eventsFile: join(runDir, `${file}.events.jsonl`) };
        const logFile = inShared ? shared!.logFile : files.logFile;
        await save(startStep(journal, step.id, { at: deps.now(), hop: step.hop, kind: step.kind, logPath: relative(baseDir, logFile) }));
        if (step.sharedRun && !inShared) shared = await startWaves(sharedRunFrom(steps, steps.indexOf(step)), { env, ...files, signal }, handle.note);
        let outcome = step.kind === 'verify'
          ? ((await deps.verifyHop?.(hop)) ?? verifyFromResults(hop, (id) => journal.steps[id]?.hosts))
          : step.sharedRun
            ? await shared!.outcomeOf(step.id, handle.progress)
            : await runPlaybookStep(step, { env, ...files, signal, onProgress: handle.progress });
        if (Object.keys(outcome.hosts).length > 0) journal = recordHostResults(journal, step.id, outcome.hosts);
        if (outcome.kind === 'succeeded' && deps.afterStep) {
          const after = await deps.afterStep(step, handle.note);
          if (!after.ok) outcome = { ...outcome, kind: 'failed', message: after.reason, failedHosts: step.hosts };
        }
        for (const cleanup of outcome.cleanups ?? []) journal = recordCleanup(journal, { ...cleanup, at: deps.now(), stepId: step.id });
        if (outcome.kind === 'succeeded') {
          journal = recordCordonState(journal, step, outcome);
          await save(finishStep(journal, step.id, { at: deps.now(), ...(outcome.message ? { message: outcome.message } : {}) }));
          ran.push(step.id);
          if (outcome.message) handle.note(outcome.message);
          return;
        }
        if (outcome.kind === 'interrupted') {
          journal = recordInterruptedCordons(journal, step, outcome, deps.cordoningPlays?.(step.kubesprayTag) ?? []);
          // The step stays 'running' here: interruptRun below marks it interrupted, with the signal.
          throw new InterruptedError(`interrupted during ${step.id}`, 'run the same apply again to resume at this step');
        }
        journal = recordCordonState(journal, step, outcome);
        await save(failStep(journal, step.id, { at: deps.now(), message: outcome.message ?? 'failed', failedHosts: outcome.failedHosts }));
        throw new WorkFailedError(
          `${step.id} failed${outcome.failedHosts.length > 0 ? ` on ${outcome.failedHosts.join(', ')}` : ''}: ${outcome.message ?? ''}`.trimEnd(),
          `full output: ${relative(process.cwd(), logFile)}; fix the cause, then run the same apply again: it resumes at ${step.id}`,
        );
      });
    } catch (error) {
      if (error instanceof StopAtBoundary || stopped !== undefined) {
        await save(finishRun(journal, { at: deps.now(), status: 'stopped-window' }));
        return { status: 'stopped', reason: stopped ?? String(error), runId, journal, ran, skipped: selection.alreadyDone };
      }
      if (signal.aborted || error instanceof InterruptedError) {
        journal = interruptRun(journal, { at: deps.now(), signal: String(signal.reason ?? 'SIGINT') });
        await save(journal);
        throw error instanceof InterruptedError ? error : new InterruptedError('interrupted', 'run the same apply again to resume');
      }
      await save(finishRun(journal, { at: deps.now(), status: 'failed' }));
      throw error;
    }
  }
  await save(finishRun(journal, { at: deps.now(), status: 'succeeded' }));
  return { status: 'succeeded', runId, journal, ran, skipped: selection.alreadyDone };

  /** One ansible-playbook run for the waves from here on that fit the window (at least this one: beforeStep admitted it). */
  async function startWaves(group: PlanStep[], ctx: Omit<RunStepContext, 'onProgress'>, note: (text: string) => void): Promise<SharedRun> {
    // A soak watches the canary before any wave drains: the canary then runs alone.
    const canary = group.findIndex((step) => step.kind === 'canary');
    if (deps.afterStep && canary >= 0) group = group.slice(0, canary + 1);
    const fits = Math.max(1, Math.min(group.length, (await deps.fitSteps?.(group, journal)) ?? group.length));
    const waves = group.slice(0, fits);
    const covered = waves.length === 1 ? 'this batch' : `${waves[0]!.id} … ${waves.at(-1)!.id}, a serial batch each`;
    note(`one ansible-playbook run for ${covered}${fits < group.length ? ` (${group.length - fits} more would not end before the window closes)` : ''}`);
    return startSharedRun(waves, ctx);
  }
}

/** Resume the recorded plan unless it is finished, or the operator asked for a new one. */
function choosePlan(existing: Journal | undefined, options: ApplyOptions, deps: ApplyDeps): Journal {
  const cluster = options.plan.cluster.name;
  if (!existing) return adoptPlan(undefined, cluster, options.plan);
  const recorded = existing.plan as PlanDocument;
  const same = planIdOf(planIdentity(recorded)) === planIdOf(planIdentity(options.plan));
  if (same) return existing;
  const unfinished = allSteps(recorded).some((step) => existing.steps[step.id]?.status !== 'succeeded');
  const started = Object.values(existing.steps).some((step) => step.status !== 'pending');
  if (unfinished && started && !options.replan) {
    deps.log(`resuming the unfinished plan recorded for ${cluster} (${recorded.from.version} → ${recorded.to.version}); pass --replan to discard it`);
    return existing;
  }
  return adoptPlan(existing, cluster, options.plan);
}

class StopAtBoundary extends Error {}

/** Steps that run Kubespray's node upgrade, whose pre-upgrade role cordons (and drains) each node. */
const CORDONING_KINDS: ReadonlySet<string> = new Set(['control-plane', 'canary', 'workers']);

/**
 * A step cut short in a play that cordons (Catalog.cordoningPlays) may have
 * left the hosts of that batch cordoned, and a drain stuck on a budget is the
 * usual reason to press Ctrl-C: they are kspray's to uncordon.
 */
function recordInterruptedCordons(journal: Journal, step: PlanStep, outcome: StepOutcome, cordoningPlays: readonly string[]): Journal {
  const cut = outcome.interruptedIn;
  if (!CORDONING_KINDS.has(step.kind) || cut?.play === undefined || !cordoningPlays.includes(cut.play)) return journal;
  return cut.hosts.filter((host) => step.hosts.includes(host)).reduce(recordCordon, journal);
}

/**
 * What `kspray recover` may uncordon. Kubespray cordons each node it upgrades
 * and uncordons it when the node's upgrade finishes: a failed step leaves its
 * failed hosts cordoned (by kspray's run, so recover may undo it); a succeeded
 * step leaves every host it ran on uncordoned (a host that failed in an
 * earlier attempt is no longer ours to uncordon).
 */
function recordCordonState(journal: Journal, step: PlanStep, outcome: StepOutcome): Journal {
  if (!CORDONING_KINDS.has(step.kind)) return journal;
  if (outcome.kind === 'failed') return outcome.failedHosts.reduce(recordCordon, journal);
  if (outcome.kind !== 'succeeded') return journal;
  const ran = Object.keys(outcome.hosts);
  return (ran.length > 0 ? ran : step.hosts).reduce(recordUncordon, journal);
}
