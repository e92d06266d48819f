/**
 * Runs consecutive worker waves in one ansible-playbook run (plan/wave-run.ts)
 * and hands each wave's step its own outcome: a wave is over when the worker
 * play's next batch starts (wave-tracker.ts); the run's last wave ends with
 * the run, so a failure in the playbook's later plays is not lost. Each wave
 * sees only its own hosts' progress. A run whose batches turn out not to be
 * the planned waves is stopped at once.
 */
import { runPlaybook, type PlaybookRun } from '../ansible/playbook.js';
import { initialProgress, reduceProgress, type ProgressState } from '../ansible/host-progress.js';
import type { HostResultInput } from '../journal/journal.js';
import type { PlanStep } from '../plan/types.js';
import { waveRunArgv } from '../plan/wave-run.js';
import { stepOutcome, type RunStepContext, type StepOutcome } from './run-step.js';
import { eventForHosts, initialWaveTracker, trackWaves } from './wave-tracker.js';

export interface SharedRun {
  /** The steps this run covers, in wave order. */
  stepIds: readonly string[];
  argv: readonly string[];
  logFile: string;
  /** The wave's outcome, once its part of the run is over; `onProgress` gets its hosts' progress meanwhile. */
  outcomeOf(stepId: string, onProgress: (state: ProgressState) => void): Promise<StepOutcome>;
}

interface Wave {
  step: PlanStep;
  hosts: ReadonlySet<string>;
  progress: ProgressState;
  listener: ((state: ProgressState) => void) | undefined;
  startedAt: number | undefined;
  settle: (outcome: StepOutcome) => void;
  fail: (error: unknown) => void;
  outcome: Promise<StepOutcome>;
  settled: boolean;
}

/** Starts the run for `steps` (consecutive waves of one shared run); the context's log and events files are the run's. */
export function startSharedRun(steps: readonly PlanStep[], ctx: Omit<RunStepContext, 'onProgress'>): SharedRun {
  const first = steps[0];
  if (!first?.argv || !first.sharedRun) throw new Error('startSharedRun: the steps are not waves of a shared run');
  const argv = waveRunArgv(first.argv, steps.map((step) => step.hosts));
  const waves = steps.map(newWave);
  waves[0]!.startedAt = performance.now();
  let tracker = initialWaveTracker(first.sharedRun.play, steps.map((step) => step.hosts));
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  const settleOver = (over: number): void => {
    // The run's last wave ends with the run (its later plays still run on it).
    for (let i = 0; i < Math.min(over, waves.length - 1); i++) {
      const wave = waves[i]!;
      if (wave.settled) continue;
      const now = performance.now();
      wave.settle({ kind: 'succeeded', hosts: resultsFromProgress(wave, now), failedHosts: [], message: undefined, durationMs: now - (wave.startedAt ?? now) });
      waves[i + 1]!.startedAt ??= now;
    }
  };

  void runPlaybook({
    argv, cwd: first.cwd, env: ctx.env, logFile: ctx.logFile, eventsFile: ctx.eventsFile, signal: stop.signal,
    onEvent: (event) => {
      for (const wave of waves) {
        const own = eventForHosts(event, wave.hosts);
        if (own === undefined) continue;
        wave.progress = reduceProgress(wave.progress, own);
        wave.listener?.(wave.progress);
      }
      if (tracker.misplaced !== undefined) return; // stopping: events still in flight prove nothing more
      tracker = trackWaves(tracker, event);
      if (tracker.misplaced !== undefined) stop.abort(new Error(tracker.misplaced));
      else settleOver(tracker.over);
    },
  }).then(
    (run) => settleRest(waves, run, stop.signal.aborted && !ctx.signal.aborted ? tracker.misplaced : undefined),
    (error: unknown) => waves.find((wave) => !wave.settled)?.fail(error),
  ).finally(() => ctx.signal.removeEventListener('abort', onAbort));

  return {
    stepIds: steps.map((step) => step.id),
    argv,
    logFile: ctx.logFile,
    outcomeOf: (stepId, onProgress) => {
      const wave = waves.find((candidate) => candidate.step.id === stepId);
      if (!wave) throw new Error(`${stepId} is not a wave of this run`);
      if (!wave.settled) wave.listener = onProgress;
      onProgress(wave.progress);
      return wave.outcome;
    },
  };
}

function newWave(step: PlanStep): Wave {
  let settle!: (outcome: StepOutcome) => void;
  let fail!: (error: unknown) => void;
  const outcome = new Promise<StepOutcome>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // Handled here too: a run that throws between two waves rejects a wave whose step is not awaiting it yet.
  outcome.catch(() => undefined);
  const wave: Wave = {
    step, hosts: new Set(step.hosts), progress: initialProgress(step.hosts), listener: undefined, startedAt: undefined, outcome, settled: false,
    // Once over, the wave's step is done: later plays on its hosts no longer feed its progress view.
    settle: (value) => {
      wave.settled = true;
      wave.listener = undefined;
      settle(value);
    },
    fail: (error) => {
      wave.settled = true;
      wave.listener = undefined;
      fail(error);
    },
  };
  return wave;
}

/** The run is over: the waves not settled yet get its outcome (on failure the first of them; later ones never started their batch). */
function settleRest(waves: readonly Wave[], run: PlaybookRun, misplaced: string | undefined): void {
  const rest = waves.filter((wave) => !wave.settled);
  const now = performance.now();
  const duration = (wave: Wave): number => now - (wave.startedAt ?? now);
  if (misplaced !== undefined) {
    rest[0]?.settle({ kind: 'failed', hosts: {}, failedHosts: [], message: `stopped: ${misplaced}`, durationMs: duration(rest[0]) });
    return;
  }
  for (const wave of run.outcome.kind === 'ok' ? rest : rest.slice(0, 1)) {
    wave.settle(stepOutcome(run.outcome, wave.step, duration(wave), wave.progress, wave.hosts));
  }
}

/** A wave that ended mid-run has no recap yet: its hosts' counts so far. */
function resultsFromProgress(wave: Wave, now: number): Record<string, HostResultInput> {
  const durationMs = now - (wave.startedAt ?? now);
  return Object.fromEntries(Object.entries(wave.progress.hosts).filter(([, host]) => host.status !== 'pending').map(([name, host]) => [name, {
    ok: host.ok, changed: host.changed, failed: host.failed, unreachable: host.unreachable, skipped: host.skipped, durationMs,
  }]));
}
