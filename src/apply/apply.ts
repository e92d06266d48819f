/**
 * apply(plan): the steps the selection names, in order, under a per-cluster
 * lock, by the engine (engine.ts), which records each step in the journal
 * before and after it runs and tells what happens as typed events (views
 * subscribe at the CLI: the terminal, a line per change, --events FILE).
 * Before each hop: its preflight gate, then the operator's confirmation
 * (which shows the gate's verdict), then its workspace. A failed step stops
 * everything and says where (exit 1: hosts, play, task, message, log, the
 * command that resumes); a health gate that does not pass stops the run
 * before the next wave drains (exit 1); a first Ctrl-C or SIGTERM stops at
 * the next boundary (no further node drained, exit 3), a second at once; a
 * re-run resumes at the first unfinished step. After each hop it finishes,
 * the journal and the cluster file say where kspray left the cluster.
 *
 * Every outcome is a result, not an exception, so that the command can say
 * it on stderr and in its one --json document alike. A refusal or a "no"
 * before anything ran records no run.
 */
import { randomBytes } from 'node:crypto';
import { adoptPlan, journalClaim, loadJournal, registerSteps, type Journal } from '../journal/journal.js';
import { acquireLock } from '../journal/lock.js';
import { planDifferences } from '../plan/identity.js';
import type { PlanDocument, PlanGate, PlanHop, PlanStep } from '../plan/types.js';
import { ExitCode, KsprayError } from '../util/errors.js';
import { FileError } from '../util/fs-errors.js';
import { runEngine } from './engine.js';
import type { EngineEventInput } from './events.js';
import { nowhere, type ApplyFailure } from './failure.js';
import type { GateCheckResult } from '../gates/run-gate.js';
import type { StepOutcome } from './run-step.js';
import { allSteps, selectSteps, type SelectOptions } from './select-steps.js';

export type { ApplyFailure } from './failure.js';

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
  /** --skip-gate NAME --reason TEXT: health gates waived for the run (recorded). */
  skippedGates?: Array<{ name: string; reason: string }>;
  /** --no-cluster-api --reason TEXT: recorded on the run. */
  noClusterApi?: string | undefined;
  /** The command that resumes this apply, shown when it stops before the end. Default: `command`. */
  resumeCommand?: string | undefined;
  /** Step kinds waived knowingly, with why (--no-etcd-snapshot): recorded done with the reason, not run. */
  waived?: Partial<Record<PlanStep['kind'], string>> | undefined;
}

/** The verdict of a hop's preflight gate. */
export type GateVerdict =
  | { ok: true; summary: string; findings?: HopFinding[] }
  | { ok: false; message: string; hint: string; findings?: HopFinding[] };

export interface HopFinding {
  check: string;
  severity: 'block' | 'warn' | 'info';
  what: string;
  where: string;
  fix: string;
}

export interface ApplyDeps {
  /** The hop's preflight, before its confirmation and before anything runs. */
  gateHop?: ((hop: PlanHop, steps: readonly PlanStep[]) => Promise<GateVerdict>) | undefined;
  /** Asked once per hop before its first step, with the gate's verdict; false stops the run cleanly. `signal` aborts on a stop request. */
  confirmHop(hop: PlanHop, steps: readonly PlanStep[], gate: string | undefined, signal?: AbortSignal): Promise<boolean>;
  /** Checks out the hop's tag and writes its inventory, extra-vars and ansible.cfg; returns ansible-playbook's env. */
  prepareHop(hop: PlanHop): Promise<{ env: Record<string, string> }>;
  /** A hop finished: record where kspray left the cluster outside the journal too (the cluster file). */
  hopFinished?: ((hop: PlanHop, note: (text: string) => void) => Promise<void>) | undefined;
  /** Reads node versions back from the cluster; undefined when no cluster API is configured. */
  verifyHop?: ((hop: PlanHop, note: (text: string) => void) => Promise<StepOutcome | undefined>) | undefined;
  /**
   * Called after a step's playbook succeeded, before it is recorded as done
   * (the canary soak): a problem fails the step, so a re-run repeats it.
   */
  afterStep?: ((step: PlanStep, note: (text: string) => void, signal: AbortSignal) => Promise<{ ok: true } | { ok: false; reason: string } | { ok: 'interrupted' }>) | undefined;
  /** Called before each step: 'stop' ends the run at this step boundary (a maintenance window closing). */
  beforeStep?: ((step: PlanStep, journal: Journal) => Promise<{ go: true } | { go: false; reason: string }>) | undefined;
  /** How many of these waves, run back to back from now, end in time (a shared run takes only those); default all. */
  fitSteps?: ((steps: readonly PlanStep[], journal: Journal) => Promise<number>) | undefined;
  /** A step's expected duration (the estimate of what remains, in the run's events); default 0. */
  estimateStep?: ((step: PlanStep, journal: Journal) => number) | undefined;
  /** The plays of a tag's upgrade playbook that cordon their batch's nodes (Catalog.cordoningPlays): where a graceful stop takes effect, and an interrupted step's record. */
  cordoningPlays?: ((tag: string) => readonly string[]) | undefined;
  /**
   * The cluster-wide lock (the Lease), taken once the local lock is held and
   * released after it; throws (exit 3, naming the holder) when another run holds it.
   */
  holdClusterLock?: ((runId: string) => Promise<{ release(): Promise<void> }>) | undefined;
  /** Called after every journal save with the text written: the cluster's copy mirrors it. */
  journalSaved?: ((text: string, runId: string | undefined) => void) | undefined;
  /** One check of a health gate (upgrade.gates); the engine asks again every interval until the gate's timeout. */
  checkGate?: ((gate: PlanGate, context: { after: PlanStep; attemptTimeoutMs: number; signal: AbortSignal }) => Promise<GateCheckResult>) | undefined;
  /** Aborted by the CLI on a second Ctrl-C, SIGTERM or SIGHUP: ansible-playbook is stopped at once and the journal records where. */
  signal?: AbortSignal | undefined;
  /** Aborted by the CLI on the first one: the run stops at the next safe boundary (no further node is drained). */
  stop?: AbortSignal | undefined;
  /** Where the engine's events go (the CLI's bus, which the views subscribe to). */
  emit?: ((event: EngineEventInput) => void) | undefined;
  now(): Date;
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
  const note = (text: string): void => deps.emit?.({ type: 'note', stepId: null, text });
  const lock = await acquireLock(options.baseDir, cluster, {
    runId, command: options.command, ...(options.breakLock ? { breakLock: true } : {}),
    onRecordError: (error) => note(`warning: the lock could not record an ansible-playbook process group (${error.message}): if kspray is killed now, the next run cannot see it`),
  });
  const took = lock.tookOverStale;
  if (took) note(`took over the lock of ${took.holder ? `run ${took.holder.runId} (pid ${took.holder.pid} since ${took.holder.startedAt})` : 'an unreadable lock file'}: ${took.why ?? (took.reason === 'other-host' ? 'another host\'s, broken as asked (--break-lock)' : 'broken as asked (--break-lock)')}`);
  let clusterLock: { release(): Promise<void> } | undefined;
  try {
    clusterLock = await deps.holdClusterLock?.(runId);
    // Read again under the lock: another run may have moved on since the plan was made.
    const chosen = choosePlan(await loadJournal(options.baseDir, cluster), options, deps);
    const journal = registerSteps(chosen, allSteps(options.plan).map((step) => ({ id: step.id, hop: step.hop, kind: step.kind })));
    const selection = selectSteps(options.plan, (id) => journal.steps[id]?.status, options.select);
    return await runEngine({ options, deps, runId, journal, selection });
  } catch (error) {
    // A file kspray must write (the journal, a log, the workspace) could not be: the run stops with the path and the fix.
    if (!(error instanceof FileError)) throw error;
    return {
      status: 'failed', runId, journal: undefined, ran: [], skipped: [],
      failure: { ...nowhere(undefined), exitCode: ExitCode.failed, message: error.message, hint: `${error.hint ?? ''}; the journal keeps its last good state, and the next run resumes from it` },
    };
  } finally {
    await clusterLock?.release();
    await lock.release();
  }
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
  if (inside) deps.emit?.({ type: 'note', stepId: null, text: `discarding the unfinished plan recorded for ${cluster} (--replan): ${differences.join('; ')}` });
  return adoptPlan(existing, cluster, options.plan);
}
