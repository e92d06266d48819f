/**
 * apply(plan): the steps the selection names, in order, each recorded in the
 * journal before and after it runs, under a per-cluster lock. Before each
 * hop: its preflight gate, then the operator's confirmation (which shows the
 * gate's verdict), then its workspace. A failed step stops everything and
 * says where (exit 1, naming hosts and log); Ctrl-C or SIGTERM is forwarded
 * to ansible-playbook and recorded (exit 3); a re-run resumes at the first
 * unfinished step. After each hop it finishes, the journal and the cluster
 * file say where kspray left the cluster. Worker waves that share one
 * ansible-playbook run (plan/wave-run.ts) are still steps one by one: the
 * run starts with the first of them, takes the waves that fit the window,
 * and each wave's step ends when its serial batch does (shared-run.ts).
 *
 * Every outcome is a result, not an exception, so that the command can say
 * it on stderr and in its one --json document alike. A refusal or a "no"
 * before anything ran records no run.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import {
  adoptPlan, failStep, recordCleanup, finishRun, finishStep, interruptRun, journalClaim, loadJournal, recordCordon, recordHopFinished, recordHostResults, recordSkippedCheck,
  recordUncordon, registerSteps, saveJournal, startRun, startStep, type Journal,
} from '../journal/journal.js';
import { acquireLock } from '../journal/lock.js';
import { planDifferences } from '../plan/identity.js';
import type { PlanDocument, PlanHop, PlanStep } from '../plan/types.js';
import { ExitCode, KsprayError } from '../util/errors.js';
import { FileError } from '../util/fs-errors.js';
import { runStepList } from './progress.js';
import { runPlaybookStep, verifyFromResults, type RunStepContext, type StepOutcome } from './run-step.js';
import { startSharedRun, type SharedRun } from './shared-run.js';
import { sharedRunFrom } from '../plan/wave-run.js';
import { allSteps, selectSteps, type SelectOptions } from './select-steps.js';

export interface ApplyOptions {
  /** The directory of the cluster file: `.kspray/` lives there. */
  baseDir: string;
  /** kspray's own plan of the request (never one read from a file). */
  plan: PlanDocument;
  select: SelectOptions;
  breakLock?: boolean;
  /** Discard an unfinished recorded plan and run this one instead. */
  replan?: boolean;
  command: string;
  skippedChecks?: Array<{ id: string; reason: string }>;
  /** --no-cluster-api --reason TEXT: recorded on the run. */
  noClusterApi?: string | undefined;
}

/** The verdict of a hop's preflight gate. */
export type GateVerdict = { ok: true; summary: string } | { ok: false; message: string; hint: string };

export interface ApplyDeps {
  /** The hop's preflight, before its confirmation and before anything runs. */
  gateHop?: ((hop: PlanHop, steps: readonly PlanStep[]) => Promise<GateVerdict>) | undefined;
  /** Asked once per hop before its first step, with the gate's verdict; false stops the run cleanly. */
  confirmHop(hop: PlanHop, steps: readonly PlanStep[], gate: string | undefined): Promise<boolean>;
  /** Checks out the hop's tag and writes its inventory, extra-vars and ansible.cfg; returns ansible-playbook's env. */
  prepareHop(hop: PlanHop): Promise<{ env: Record<string, string> }>;
  /** A hop finished: record where kspray left the cluster outside the journal too (the cluster file). */
  hopFinished?: ((hop: PlanHop) => Promise<void>) | undefined;
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
  /**
   * The cluster-wide lock (the Lease), taken once the local lock is held and
   * released after it; throws (exit 3, naming the holder) when another run holds it.
   */
  holdClusterLock?: ((runId: string) => Promise<{ release(): Promise<void> }>) | undefined;
  /** Called after every journal save with the text written: the cluster's copy mirrors it. */
  journalSaved?: ((text: string, runId: string | undefined) => void) | undefined;
  /** Aborted by the CLI on Ctrl-C, SIGTERM or SIGHUP: ansible-playbook is stopped and the journal records where. */
  signal?: AbortSignal | undefined;
  log(text: string): void;
  now(): Date;
}

/** Where a run that did not succeed stopped, for stderr and --json alike. */
export interface ApplyFailure {
  exitCode: ExitCode;
  message: string;
  hint: string;
  stepId: string | null;
  hop: number | null;
  failedHosts: string[];
  logPath: string | null;
}

interface ResultBase {
  runId: string | undefined;
  journal: Journal | undefined;
  ran: string[];
  skipped: string[];
}

export type ApplyResult =
  | (ResultBase & { status: 'succeeded' | 'nothing-to-do' })
  | (ResultBase & { status: 'stopped'; reason: string })
  | (ResultBase & { status: 'declined' | 'refused' | 'failed' | 'interrupted'; failure: ApplyFailure });

export async function applyPlan(options: ApplyOptions, deps: ApplyDeps): Promise<ApplyResult> {
  const cluster = options.plan.cluster.name;
  const runId = `${deps.now().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
  const lock = await acquireLock(options.baseDir, cluster, {
    runId, command: options.command, ...(options.breakLock ? { breakLock: true } : {}),
    onRecordError: (error) => deps.log(`warning: the lock could not record an ansible-playbook process group (${error.message}): if kspray is killed now, the next run cannot see it`),
  });
  const took = lock.tookOverStale;
  if (took) deps.log(`took over the lock of ${took.holder ? `run ${took.holder.runId} (pid ${took.holder.pid} since ${took.holder.startedAt})` : 'an unreadable lock file'}: ${took.why ?? (took.reason === 'other-host' ? 'another host\'s, broken as asked (--break-lock)' : 'broken as asked (--break-lock)')}`);
  let clusterLock: { release(): Promise<void> } | undefined;
  try {
    clusterLock = await deps.holdClusterLock?.(runId);
    return await applyLocked(options, deps, runId, deps.signal ?? new AbortController().signal);
  } catch (error) {
    // A file kspray must write (the journal, a log, the workspace) could not be: the run stops with the path and the fix.
    if (!(error instanceof FileError)) throw error;
    return {
      status: 'failed', runId, journal: undefined, ran: [], skipped: [],
      failure: { exitCode: ExitCode.failed, message: error.message, hint: `${error.hint ?? ''}; the journal keeps its last good state, and the next run resumes from it`, stepId: null, hop: null, failedHosts: [], logPath: null },
    };
  } finally {
    await clusterLock?.release();
    await lock.release();
  }
}

/** Thrown inside a step to end the list; caught below and turned into a result. */
class StepStop extends Error {
  constructor(readonly result: { status: 'failed' | 'interrupted'; failure: ApplyFailure } | { status: 'stopped'; reason: string }) {
    super(result.status);
  }
}

async function applyLocked(options: ApplyOptions, deps: ApplyDeps, runId: string, signal: AbortSignal): Promise<ApplyResult> {
  const { baseDir, plan } = options;
  const cluster = plan.cluster.name;
  // Read again under the lock: another run may have moved on since the plan was made.
  const chosen = choosePlan(await loadJournal(baseDir, cluster), options, deps);
  let journal = registerSteps(chosen, allSteps(plan).map((step) => ({ id: step.id, hop: step.hop, kind: step.kind })));
  const selection = selectSteps(plan, (id) => journal.steps[id]?.status, options.select);
  const ran: string[] = [];
  const base = (): ResultBase => ({ runId: journal.runId === runId ? runId : undefined, journal, ran, skipped: selection.alreadyDone });
  if (selection.steps.length === 0) {
    return { ...base(), status: 'nothing-to-do' };
  }
  if (selection.alreadyDone.length > 0) deps.log(`resuming: ${selection.alreadyDone.length} step(s) already done, next is ${selection.steps[0]!.id}`);

  const save = async (next: Journal): Promise<void> => {
    journal = next;
    const { text } = await saveJournal(baseDir, journal, deps.now());
    deps.journalSaved?.(text, journal.runId);
  };
  let started = false;
  /** The run is recorded when its first step is about to start: a refusal or a "no" before that leaves no run behind. */
  const ensureRun = async (): Promise<void> => {
    if (started) return;
    started = true;
    journal = startRun(journal, {
      runId, at: deps.now(), pid: process.pid, host: hostname(),
      flags: { skippedChecks: options.skippedChecks ?? [], ...(options.noClusterApi ? { noClusterApi: options.noClusterApi } : {}) },
    });
    for (const check of options.skippedChecks ?? []) journal = recordSkippedCheck(journal, check);
    await save(journal);
  };
  /** A hop ended before its first step: a refusal, a "no", a hop that cannot be prepared. */
  const endBeforeHop = async (status: 'declined' | 'refused' | 'failed', failure: ApplyFailure): Promise<ApplyResult> => {
    if (started) await save(finishRun(journal, { at: deps.now(), status, message: failure.message }));
    return { ...base(), status, failure };
  };

  const runDir = join(baseDir, '.kspray', 'runs', runId);
  for (const hop of plan.hops) {
    const steps = selection.steps.filter((step) => step.hop === hop.index);
    if (steps.length === 0) continue;
    if (signal.aborted) return interrupted(undefined);
    const gate = await deps.gateHop?.(hop, steps);
    if (gate && !gate.ok) return endBeforeHop('refused', { ...noStep(hop), exitCode: ExitCode.failed, message: gate.message, hint: gate.hint });
    if (!(await deps.confirmHop(hop, steps, gate?.summary))) {
      return endBeforeHop('declined', { ...noStep(hop), exitCode: ExitCode.ok, message: `hop ${hop.index} declined at the prompt: nothing of it was run`, hint: `run the same apply again to start hop ${hop.index}` });
    }
    let env: Record<string, string>;
    try {
      await ensureRun();
      ({ env } = await deps.prepareHop(hop));
    } catch (error) {
      if (!(error instanceof KsprayError)) throw error;
      return endBeforeHop('failed', { ...noStep(hop), exitCode: error.exitCode, message: `hop ${hop.index} could not be prepared: ${error.message}`, hint: error.hint ?? 'fix the cause and run the same apply again' });
    }
    let shared: SharedRun | undefined;
    try {
      await runStepList(steps, async (step, handle) => {
        if (signal.aborted) throw new StepStop({ status: 'interrupted', failure: interruptedAt(step) });
        // A wave of a run already under way was admitted with it.
        const inShared = shared?.stepIds.includes(step.id) ?? false;
        const verdict = inShared ? { go: true as const } : ((await deps.beforeStep?.(step, journal)) ?? { go: true as const });
        if (!verdict.go) throw new StepStop({ status: 'stopped', reason: verdict.reason });
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
          journal = finishStep(journal, step.id, { at: deps.now(), ...(outcome.message ? { message: outcome.message } : {}) });
          if (hopDone(journal, hop)) journal = recordHopFinished(journal, { version: hop.toVersion, tag: hop.tag, at: deps.now() });
          await save(journal);
          ran.push(step.id);
          if (outcome.message) handle.note(outcome.message);
          return;
        }
        if (outcome.kind === 'interrupted') {
          journal = recordInterruptedCordons(journal, step, outcome, deps.cordoningPlays?.(step.kubesprayTag) ?? []);
          // The step stays 'running' here: interruptRun below marks it interrupted, with the signal.
          throw new StepStop({ status: 'interrupted', failure: interruptedAt(step, logFile) });
        }
        journal = recordCordonState(journal, step, outcome);
        await save(failStep(journal, step.id, { at: deps.now(), message: outcome.message ?? 'failed', failedHosts: outcome.failedHosts }));
        throw new StepStop({
          status: 'failed',
          failure: {
            exitCode: ExitCode.failed, stepId: step.id, hop: step.hop, failedHosts: outcome.failedHosts, logPath: relative(process.cwd(), logFile),
            message: `${step.id} failed${outcome.failedHosts.length > 0 ? ` on ${outcome.failedHosts.join(', ')}` : ''}: ${outcome.message ?? ''}`.trimEnd(),
            hint: `full output: ${relative(process.cwd(), logFile)}; fix the cause, then run the same apply again: it resumes at ${step.id}`,
          },
        });
      });
    } catch (error) {
      const stop = error instanceof StepStop ? error.result : signal.aborted ? { status: 'interrupted' as const, failure: interruptedAt(undefined) } : undefined;
      if (!stop) {
        // Best effort: when the journal itself cannot be written, its last good state stands (a running step the next run marks interrupted).
        await save(finishRun(journal, { at: deps.now(), status: 'failed', message: error instanceof Error ? error.message : String(error) })).catch(() => undefined);
        throw error;
      }
      if (stop.status === 'stopped') {
        await save(finishRun(journal, { at: deps.now(), status: 'stopped-window' }));
        return { ...base(), status: 'stopped', reason: stop.reason };
      }
      if (stop.status === 'interrupted') return interrupted(stop.failure.stepId ?? undefined, stop.failure);
      await save(finishRun(journal, { at: deps.now(), status: 'failed', message: stop.failure.message }));
      return { ...base(), status: 'failed', failure: stop.failure };
    }
    if (hopDone(journal, hop)) await deps.hopFinished?.(hop);
  }
  await save(finishRun(journal, { at: deps.now(), status: 'succeeded' }));
  return { ...base(), status: 'succeeded' };

  async function interrupted(stepId: string | undefined, failure?: ApplyFailure): Promise<ApplyResult> {
    if (started) await save(interruptRun(journal, { at: deps.now(), signal: String(signal.reason ?? 'SIGINT') }));
    return { ...base(), status: 'interrupted', failure: failure ?? { ...interruptedAt(undefined), stepId: stepId ?? null } };
  }

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

function noStep(hop: PlanHop): Pick<ApplyFailure, 'stepId' | 'hop' | 'failedHosts' | 'logPath'> {
  return { stepId: null, hop: hop.index, failedHosts: [], logPath: null };
}

function interruptedAt(step: PlanStep | undefined, logFile?: string): ApplyFailure {
  return {
    exitCode: ExitCode.interrupted, stepId: step?.id ?? null, hop: step?.hop ?? null, failedHosts: [], logPath: logFile ? relative(process.cwd(), logFile) : null,
    message: step ? `interrupted during ${step.id}` : 'interrupted',
    hint: step ? `run the same apply again to resume at ${step.id}` : 'run the same apply again to resume',
  };
}

/**
 * A hop is done when its verify step passed: verify reads every node of the
 * hop (from the cluster, else from the playbook results), so it also covers
 * the steps a --workers-only run skipped because the live control plane was
 * already upgraded.
 */
function hopDone(journal: Journal, hop: PlanHop): boolean {
  return hop.steps.some((step) => step.kind === 'verify' && journal.steps[step.id]?.status === 'succeeded');
}

/**
 * The journal to run `options.plan` with. The same plan as the recorded one
 * (its identity): resume it, recording today's plan (what runs is always
 * kspray's own). Another plan: adopt it, unless the recorded one stopped
 * inside a hop and --replan was not given (half a hop must be finished, or
 * discarded knowingly).
 */
function choosePlan(existing: Journal | undefined, options: ApplyOptions, deps: ApplyDeps): Journal {
  const cluster = options.plan.cluster.name;
  if (!existing) return adoptPlan(undefined, cluster, options.plan);
  const differences = planDifferences(existing.plan, options.plan);
  if (differences.length === 0) return { ...existing, plan: options.plan };
  const inside = journalClaim(existing, '').inHop;
  if (inside && !options.replan) {
    throw new KsprayError(
      `the journal is inside hop ${inside.index} of another plan (${existing.plan.from.version} → ${existing.plan.to.version}, at ${inside.fromVersion} → ${inside.toVersion}), which differs from this one: ${differences.join('; ')}`,
      { hint: 'finish it first (kspray apply -c FILE without a target resumes it), or pass --replan to discard it and run this plan', exitCode: ExitCode.usage },
    );
  }
  if (inside) deps.log(`discarding the unfinished plan recorded for ${cluster} (--replan): ${differences.join('; ')}`);
  return adoptPlan(existing, cluster, options.plan);
}

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
