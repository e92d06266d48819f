/**
 * The journal of one apply run, as the engine writes it: each transition is
 * saved before the run goes on (journal/journal.ts has the pure transitions),
 * so a crash loses at most the step that was running. The run itself is
 * recorded only when its first hop is about to be prepared: a refusal or a
 * "no" before that leaves no run behind.
 */
import { hostname } from 'node:os';
import {
  failStep, finishRun, finishStep, interruptRun, recordCleanup, recordCordon, recordSnapshot, recordGate, recordHopFinished, recordHostResults, recordSkippedCheck,
  recordSkippedGate, recordUncordon, saveJournal, startRun, startStep, type GateRecord, type Journal, type RunStatus,
} from '../journal/journal.js';
import { isNodeUpgrade } from '../plan/step-kinds.js';
import type { PlanHop, PlanStep } from '../plan/types.js';
import type { StepOutcome } from './run-step.js';

export interface RunRecorderInput {
  baseDir: string;
  journal: Journal;
  runId: string;
  now: () => Date;
  skippedChecks: ReadonlyArray<{ id: string; reason: string }>;
  skippedGates: ReadonlyArray<{ name: string; reason: string }>;
  noClusterApi: string | undefined;
  /** --no-etcd-snapshot's reason: recorded on the run. */
  noEtcdSnapshot?: string | undefined;
  /** After every save, with the text written (the cluster's copy mirrors it). */
  saved?: ((text: string, runId: string | undefined) => void) | undefined;
}

export interface RunRecorder {
  readonly journal: Journal;
  /** Whether this run was recorded (its first hop got as far as being prepared). */
  readonly started: boolean;
  ensureRun(): Promise<void>;
  startStep(step: PlanStep, logPath?: string): Promise<void>;
  /** A step waived knowingly (--no-etcd-snapshot): recorded done, with why, without running. */
  waive(step: PlanStep, reason: string): Promise<void>;
  /** A step's outcome: host results, cleanups, what it cordoned or uncordoned, its end; a succeeded verify finishes its hop. */
  recordOutcome(step: PlanStep, hop: PlanHop, outcome: StepOutcome, cordoningPlays: readonly string[]): Promise<void>;
  gate(record: Omit<GateRecord, 'at' | 'runId'>): Promise<void>;
  interrupt(signal: string, atBoundary: boolean): Promise<void>;
  finish(status: Exclude<RunStatus, 'running' | 'interrupted'>, message?: string): Promise<void>;
}

export function createRunRecorder(input: RunRecorderInput): RunRecorder {
  let journal = input.journal;
  let started = false;
  const save = async (next: Journal): Promise<void> => {
    journal = next;
    const { text } = await saveJournal(input.baseDir, journal, input.now());
    input.saved?.(text, journal.runId);
  };
  return {
    get journal() {
      return journal;
    },
    get started() {
      return started;
    },
    async ensureRun() {
      if (started) return;
      started = true;
      let next = startRun(journal, {
        runId: input.runId, at: input.now(), pid: process.pid, host: hostname(),
        flags: {
          skippedChecks: [...input.skippedChecks], ...(input.noClusterApi ? { noClusterApi: input.noClusterApi } : {}),
          ...(input.noEtcdSnapshot ? { noEtcdSnapshot: input.noEtcdSnapshot } : {}),
        },
      });
      for (const check of input.skippedChecks) next = recordSkippedCheck(next, check);
      for (const gate of input.skippedGates) next = recordSkippedGate(next, gate);
      await save(next);
    },
    async startStep(step, logPath) {
      await save(startStep(journal, step.id, { at: input.now(), hop: step.hop, kind: step.kind, ...(logPath === undefined ? {} : { logPath }) }));
    },
    async waive(step, reason) {
      const started = startStep(journal, step.id, { at: input.now(), hop: step.hop, kind: step.kind });
      await save(finishStep(started, step.id, { at: input.now(), message: `not run, waived: ${reason}` }));
    },
    async recordOutcome(step, hop, outcome, cordoningPlays) {
      let next = journal;
      if (Object.keys(outcome.hosts).length > 0) next = recordHostResults(next, step.id, outcome.hosts);
      for (const cleanup of outcome.cleanups ?? []) next = recordCleanup(next, { ...cleanup, at: input.now(), stepId: step.id });
      if (outcome.snapshot) next = recordSnapshot(next, { ...outcome.snapshot, at: input.now(), stepId: step.id, hop: step.hop });
      const measured = step.sharedRun ? { durationMs: Math.round(outcome.durationMs) } : {};
      if (outcome.kind === 'succeeded') {
        next = recordCordonState(next, step, outcome);
        next = finishStep(next, step.id, { at: input.now(), ...measured, ...(outcome.message ? { message: outcome.message } : {}) });
        if (hopDone(next, hop)) next = recordHopFinished(next, { version: hop.toVersion, tag: hop.tag, at: input.now() });
      } else if (outcome.kind === 'failed') {
        next = recordCordonState(next, step, outcome);
        next = failStep(next, step.id, { at: input.now(), ...measured, message: outcome.message ?? 'failed', failedHosts: outcome.failedHosts });
      } else {
        // The step stays 'running' here: interrupt() marks it interrupted, with the signal.
        next = recordInterruptedCordons(next, step, outcome, cordoningPlays);
      }
      await save(next);
    },
    async gate(record) {
      await save(recordGate(journal, { ...record, at: input.now() }));
    },
    async interrupt(signal, atBoundary) {
      if (started) await save(interruptRun(journal, { at: input.now(), signal, atBoundary }));
    },
    async finish(status, message) {
      if (started) await save(finishRun(journal, { at: input.now(), status, ...(message === undefined ? {} : { message }) }));
    },
  };
}

/**
 * A hop is done when its verify step passed: verify reads every node of the
 * hop (from the cluster, else from the playbook results), so it also covers
 * the steps a --workers-only run skipped because the live control plane was
 * already upgraded.
 */
export function hopDone(journal: Journal, hop: PlanHop): boolean {
  return hop.steps.some((step) => step.kind === 'verify' && journal.steps[step.id]?.status === 'succeeded');
}

/**
 * A step cut short in a play that cordons (Catalog.cordoningPlays) may have
 * left the hosts of that batch cordoned, and a drain stuck on a budget is the
 * usual reason to press Ctrl-C: they are kspray's to uncordon. A step stopped
 * at a batch boundary had no host in flight.
 */
function recordInterruptedCordons(journal: Journal, step: PlanStep, outcome: StepOutcome, cordoningPlays: readonly string[]): Journal {
  const cut = outcome.interruptedIn;
  if (!isNodeUpgrade(step.kind) || cut?.play === undefined || !cordoningPlays.includes(cut.play)) return journal;
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
  if (!isNodeUpgrade(step.kind)) return journal;
  if (outcome.kind === 'failed') return outcome.failedHosts.reduce(recordCordon, journal);
  if (outcome.kind !== 'succeeded') return journal;
  const ran = Object.keys(outcome.hosts);
  return (ran.length > 0 ? ran : step.hosts).reduce(recordUncordon, journal);
}
