/**
 * apply's side of a maintenance window: at each step boundary, start the
 * step only if its estimated duration ends before the window closes; a run
 * of waves takes only the waves that fit. Pure but for the clock passed in.
 */
import type { Journal } from '../journal/journal.js';
import type { PlanStep } from '../plan/types.js';
import { estimateInputOf, estimateStepMs, formatDuration } from './estimate.js';
import { runDeadline, type WindowLimits } from './window-calendar.js';

export type StartVerdict = { go: true } | { go: false; reason: string };

/** Start the step only if it should end before the window closes. */
export function shouldStart(step: Pick<PlanStep, 'id'>, now: Date, closes: Date | undefined, estimateMs: number): StartVerdict {
  if (closes === undefined) return { go: false, reason: `${step.id} not started: outside the maintenance window` };
  const ends = now.getTime() + estimateMs;
  if (ends <= closes.getTime()) return { go: true };
  return {
    go: false,
    reason: `${step.id} not started: it takes about ${formatDuration(estimateMs)} and the window closes at ${closes.toISOString()} (${formatDuration(Math.max(0, closes.getTime() - now.getTime()))} left)`,
  };
}

/**
 * apply's `beforeStep` for a maintenance window: asks the clock at each step
 * boundary, estimates the step from the journal's earlier durations, and
 * stops the run when the step would not end in time.
 */
export function windowGate(limits: WindowLimits, now: () => Date): (step: PlanStep, journal: Journal) => Promise<StartVerdict> {
  return async (step: PlanStep, journal: Journal): Promise<StartVerdict> => {
    const at = now();
    const deadline = runDeadline(limits, at);
    if (deadline.closes === undefined) return { go: false, reason: `${step.id} not started: ${deadline.reason}` };
    return shouldStart(step, at, deadline.closes, estimateStepMs(step, estimateInputOf(journal)));
  };
}

/**
 * apply's `fitSteps` for a maintenance window: how many of these steps (the
 * waves of a shared run), run back to back from now, end before it closes.
 */
export function windowFit(limits: WindowLimits, now: () => Date): (steps: readonly PlanStep[], journal: Journal) => Promise<number> {
  return async (steps: readonly PlanStep[], journal: Journal): Promise<number> => {
    const at = now();
    const deadline = runDeadline(limits, at);
    if (deadline.closes === undefined) return 0;
    const input = estimateInputOf(journal);
    let ends = at.getTime();
    let count = 0;
    for (const step of steps) {
      ends += estimateStepMs(step, input);
      if (ends > deadline.closes.getTime()) break;
      count++;
    }
    return count;
  };
}
