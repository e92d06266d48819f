/**
 * Which steps of a plan this apply runs: resume at the first unfinished step,
 * honour --hop, --masters-only and --workers-only. Pure: the journal's step
 * states in, a selection (or a refusal that says why) out.
 */
import type { PlanDocument, PlanStep } from '../plan/types.js';
import { CONTROL_PLANE_SIDE_KINDS as CONTROL_PLANE_SIDE } from '../plan/step-kinds.js';
import { UsageError } from '../util/errors.js';

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'interrupted';

export interface SelectOptions {
  hop?: number | undefined;
  mastersOnly?: boolean;
  workersOnly?: boolean;
  /** What the live cluster says, for --workers-only when the journal does not know (the control plane was upgraded by hand, or elsewhere). */
  controlPlaneUpgraded?: ((hop: number) => boolean) | undefined;
}

export interface Selection {
  steps: PlanStep[];
  /** The hop the selection starts in. */
  hop: number | undefined;
  /** Steps the journal says are done and this run skips. */
  alreadyDone: string[];
}

export function allSteps(plan: PlanDocument): PlanStep[] {
  return plan.hops.flatMap((hop) => hop.steps);
}

export function selectSteps(plan: PlanDocument, stateOf: (stepId: string) => StepState | undefined, options: SelectOptions = {}): Selection {
  if (options.mastersOnly && options.workersOnly) throw new UsageError('--masters-only and --workers-only exclude each other', 'run them one after the other');
  const steps = allSteps(plan);
  const done = (step: PlanStep): boolean => stateOf(step.id) === 'succeeded';
  const firstOpen = steps.find((step) => !done(step));
  const hop = options.hop ?? firstOpen?.hop;
  if (options.hop !== undefined) {
    if (!plan.hops.some((h) => h.index === options.hop)) throw new UsageError(`the plan has no hop ${options.hop} (it has ${plan.hops.length})`, 'pass --hop 1 … ' + plan.hops.length);
    const unfinishedBefore = steps.find((step) => step.hop < options.hop! && !done(step));
    if (unfinishedBefore) throw new UsageError(`hop ${options.hop} cannot start: ${unfinishedBefore.id} of an earlier hop is not done`, 'finish the earlier hop first (kspray apply without --hop resumes it)');
  }
  if (hop === undefined) return { steps: [], hop: undefined, alreadyDone: steps.map((s) => s.id) };
  const inScope = steps.filter((step) => (options.hop !== undefined || options.mastersOnly || options.workersOnly ? step.hop === hop : step.hop >= hop));
  let selected = inScope;
  if (options.mastersOnly) selected = inScope.filter((step) => CONTROL_PLANE_SIDE.has(step.kind));
  if (options.workersOnly) {
    const controlPlane = inScope.find((step) => step.kind === 'control-plane');
    if (controlPlane && !done(controlPlane) && !options.controlPlaneUpgraded?.(hop)) {
      throw new UsageError(
        `--workers-only refused: the control plane of hop ${hop} is not upgraded yet (${controlPlane.id} is ${stateOf(controlPlane.id) ?? 'pending'})`,
        `workers may lag the control plane by a minor, never lead it: run \`kspray apply --masters-only\` first (the live node versions count too, when the cluster is reachable)`,
      );
    }
    selected = inScope.filter((step) => !CONTROL_PLANE_SIDE.has(step.kind));
  }
  return { steps: selected.filter((step) => !done(step)), hop, alreadyDone: selected.filter(done).map((s) => s.id) };
}
