/**
 * Runs consecutive worker waves in one ansible-playbook run (plan/wave-run.ts)
 * and hands each wave's step its own outcome: a wave is over when the worker
 * play's next batch comes up (wave-tracker.ts); the run's last wave ends with
 * the run, so a failure in the playbook's later plays is not lost. Each wave
 * sees only its own hosts' progress. A run whose batches turn out not to be
 * the planned waves is stopped at once.
 *
 * Every batch of the worker play after the first waits at its start until
 * the engine lets it go (`release`, run-control.ts): between two waves of one
 * run the engine records the wave that ended, checks the stop request and the
 * health gates, and only then lets the next wave drain; or it ends the run
 * right there (`stop`), before any task of the next batch. A wave's duration
 * is its batch's, from Ansible's own event times.
 */
import { runPlaybook, type PlaybookRun } from '../ansible/playbook.js';
import type { AnsibleEvent } from '../ansible/events.js';
import { initialProgress, reduceProgress, type ProgressState } from '../ansible/host-progress.js';
import { createRunControl, type RunControl } from '../ansible/run-control.js';
import type { HostResultInput } from '../journal/journal.js';
import type { PlanStep } from '../plan/types.js';
import { waveRunArgv } from '../plan/wave-run.js';
import { stepOutcome, type RunStepContext, type StepOutcome } from './run-step.js';
import { eventForHosts, initialWaveTracker, trackWaves } from './wave-tracker.js';

export interface WaveWatch {
  progress(state: ProgressState): void;
  event?: ((event: AnsibleEvent) => void) | undefined;
}

export interface SharedRun {
  /** The steps this run covers, in wave order. */
  stepIds: readonly string[];
  argv: readonly string[];
  logFile: string;
  /** The wave's outcome, once its part of the run is over; `watch` gets its hosts' progress (and the run's events) meanwhile. */
  outcomeOf(stepId: string, watch: WaveWatch): Promise<StepOutcome>;
  /** Lets the wave's batch begin (the run's first wave begins on its own). */
  release(stepId: string): Promise<void>;
  /** Ends the run at its next batch boundary (no task of a further batch runs) and waits for it to end. */
  stop(): Promise<void>;
  /** Settles when ansible-playbook is gone. */
  ended: Promise<void>;
}

export interface SharedRunContext extends Omit<RunStepContext, 'onProgress' | 'onEvent' | 'control'> {
  /** Where the run's stop and hold files go. */
  controlDir: string;
  /** The plays at whose start a stop takes effect (those that drain); default every play start. */
  stopPlays?: readonly string[] | undefined;
}

interface Wave {
  step: PlanStep;
  /** 1-based: the wave's serial batch in this run. */
  batch: number;
  hosts: ReadonlySet<string>;
  progress: ProgressState;
  watch: WaveWatch | undefined;
  /** Ansible's time of the batch's start and end (ISO), and the controller's as a fallback. */
  startedTs: string | undefined;
  startedAt: number | undefined;
  settle: (outcome: StepOutcome) => void;
  fail: (error: unknown) => void;
  outcome: Promise<StepOutcome>;
  settled: boolean;
}

/** Starts the run for `steps` (consecutive waves of one shared run); the context's log and events files are the run's. */
export async function startSharedRun(steps: readonly PlanStep[], ctx: SharedRunContext): Promise<SharedRun> {
  const first = steps[0];
  if (!first?.argv || !first.sharedRun) throw new Error('startSharedRun: the steps are not waves of a shared run');
  const argv = waveRunArgv(first.argv, steps.map((step) => step.hosts));
  const control: RunControl = await createRunControl(ctx.controlDir, { holdPlay: steps.length > 1 ? first.sharedRun.play : undefined, stopPlays: ctx.stopPlays });
  const waves = steps.map((step, index) => newWave(step, index + 1));
  waves[0]!.startedAt = performance.now();
  let tracker = initialWaveTracker(first.sharedRun.play, steps.map((step) => step.hosts));
  let lastTs: string | undefined;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  const settleOver = (over: number, boundaryTs: string | undefined): void => {
    // The run's last wave ends with the run (its later plays still run on it).
    for (let i = 0; i < Math.min(over, waves.length - 1); i++) {
      const wave = waves[i]!;
      if (wave.settled) continue;
      const durationMs = waveDuration(wave, boundaryTs);
      wave.settle({ kind: 'succeeded', hosts: resultsFromProgress(wave, durationMs), failedHosts: [], message: undefined, durationMs });
    }
  };

  const running = runPlaybook({
    argv, cwd: first.cwd, env: { ...ctx.env, ...control.env }, logFile: ctx.logFile, eventsFile: ctx.eventsFile, signal: stop.signal,
    onEvent: (event) => {
      if (event.ts) lastTs = event.ts;
      if (waves[0]!.startedTs === undefined && event.ts) waves[0]!.startedTs = event.ts;
      if (event.type === 'play_start' && event.name === first.sharedRun!.play && event.batch !== undefined) {
        const wave = waves[event.batch - 1];
        if (wave && wave.batch > 1) {
          wave.startedTs = event.ts || undefined;
          wave.startedAt = performance.now();
        }
      }
      for (const wave of waves) {
        const own = eventForHosts(event, wave.hosts);
        if (own === undefined) continue;
        wave.progress = reduceProgress(wave.progress, own);
        wave.watch?.progress(wave.progress);
      }
      // Run-wide announcements (plays, tasks) go to the wave being watched.
      waves.find((wave) => wave.watch !== undefined)?.watch?.event?.(event);
      if (tracker.misplaced !== undefined) return; // stopping: events still in flight prove nothing more
      tracker = trackWaves(tracker, event);
      if (tracker.misplaced !== undefined) stop.abort(new Error(tracker.misplaced));
      else settleOver(tracker.over, event.ts || undefined);
    },
  }).then(
    (run) => settleRest(waves, run, stop.signal.aborted && !ctx.signal.aborted ? tracker.misplaced : undefined, lastTs),
    (error: unknown) => waves.find((wave) => !wave.settled)?.fail(error),
  ).finally(() => ctx.signal.removeEventListener('abort', onAbort));

  const waveOf = (stepId: string): Wave => {
    const wave = waves.find((candidate) => candidate.step.id === stepId);
    if (!wave) throw new Error(`${stepId} is not a wave of this run`);
    return wave;
  };
  return {
    stepIds: steps.map((step) => step.id),
    argv,
    logFile: ctx.logFile,
    outcomeOf: (stepId, watch) => {
      const wave = waveOf(stepId);
      if (!wave.settled) wave.watch = watch;
      watch.progress(wave.progress);
      return wave.outcome;
    },
    release: async (stepId) => {
      const wave = waveOf(stepId);
      if (wave.batch > 1) await control.release(wave.batch);
    },
    stop: async () => {
      await control.requestStop();
      await running;
    },
    ended: running,
  };
}

function newWave(step: PlanStep, batch: number): Wave {
  let settle!: (outcome: StepOutcome) => void;
  let fail!: (error: unknown) => void;
  const outcome = new Promise<StepOutcome>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // Handled here too: a run that throws between two waves rejects a wave whose step is not awaiting it yet.
  outcome.catch(() => undefined);
  const wave: Wave = {
    step, batch, hosts: new Set(step.hosts), progress: initialProgress(step.hosts), watch: undefined,
    startedTs: undefined, startedAt: undefined, outcome, settled: false,
    // Once over, the wave's step is done: later plays on its hosts no longer feed its progress view.
    settle: (value) => {
      wave.settled = true;
      wave.watch = undefined;
      settle(value);
    },
    fail: (error) => {
      wave.settled = true;
      wave.watch = undefined;
      fail(error);
    },
  };
  return wave;
}

/** From the batch's first Ansible event to the boundary that ended it; the controller's clock when Ansible gave no times. */
function waveDuration(wave: Wave, endTs: string | undefined): number {
  const from = wave.startedTs === undefined ? Number.NaN : Date.parse(wave.startedTs);
  const to = endTs === undefined ? Number.NaN : Date.parse(endTs);
  if (Number.isFinite(from) && Number.isFinite(to)) return Math.max(0, to - from);
  return wave.startedAt === undefined ? 0 : performance.now() - wave.startedAt;
}

/** The run is over: the waves not settled yet get its outcome (on failure the first of them; later ones never started their batch). */
function settleRest(waves: readonly Wave[], run: PlaybookRun, misplaced: string | undefined, lastTs: string | undefined): void {
  const rest = waves.filter((wave) => !wave.settled);
  if (misplaced !== undefined) {
    rest[0]?.settle({ kind: 'failed', hosts: {}, failedHosts: [], message: `stopped: ${misplaced}`, durationMs: waveDuration(rest[0], lastTs) });
    return;
  }
  if (run.outcome.kind === 'stopped') {
    // Stopped at a boundary as asked: the waves left never began their batch.
    for (const wave of rest) wave.settle(stepOutcome(run.outcome, wave.step, 0, wave.progress, wave.hosts));
    return;
  }
  for (const wave of run.outcome.kind === 'ok' ? rest : rest.slice(0, 1)) {
    wave.settle(stepOutcome(run.outcome, wave.step, waveDuration(wave, lastTs), wave.progress, wave.hosts));
  }
}

/** A wave that ended mid-run has no recap yet: its hosts' counts so far. */
function resultsFromProgress(wave: Wave, durationMs: number): Record<string, HostResultInput> {
  return Object.fromEntries(Object.entries(wave.progress.hosts).filter(([, host]) => host.status !== 'pending').map(([name, host]) => [name, {
    ok: host.ok, changed: host.changed, failed: host.failed, unreachable: host.unreachable, skipped: host.skipped, durationMs,
  }]));
}
