/**
 * Worker waves in one ansible-playbook run. Each wave is its own plan step
 * (journal, progress, resume), but consecutive waves share one run of the
 * upgrade playbook: `--limit` every wave's hosts and `-e {"serial":[sizes]}`,
 * with the inventory listing the workers in wave order, so Ansible's serial
 * batches are exactly the waves. The playbook's plays that are not batched
 * (facts, preinstall, downloads) then run once for all workers instead of
 * once per wave, which is most of a wave's fixed cost. any_errors_fatal in
 * Kubespray's plays stops the run in the batch that failed, before the next
 * wave is drained. Pure.
 */
import { ownVarsJson } from '../ansible/playbook-argv.js';
import type { GroupNames } from '../catalog/groups.js';
import type { UpgradePlay } from '../catalog/schema.js';
import { isWorkerStep } from './step-kinds.js';
import type { PlanHop, PlanStep } from './types.js';
import { RUN_VARS } from '../vars/table.js';

/** The variables that set serial to the wave sizes, in order. */
export function serialListVars(sizes: readonly number[]): Record<string, number[]> {
  return { [RUN_VARS.serial]: [...sizes] };
}

/**
 * The play whose serial batches upgrade the workers ("Finally handle worker
 * upgrades, based on given batch size" in every tag, `kube-node:!kube-master`
 * and later `kube_node:calico_rr:!kube_control_plane`): the last batched play
 * over the node group that leaves the control plane out. A wave is over when
 * this play is done with its batch.
 */
export function workerUpgradePlay(plays: readonly UpgradePlay[], groups: Pick<GroupNames, 'node' | 'controlPlane'>): string | undefined {
  const workerPlays = plays.filter((play) => {
    const patterns = play.hosts.split(':');
    return play.serial !== undefined && play.serial !== 1 && patterns.includes(groups.node) && patterns.includes(`!${groups.controlPlane}`);
  });
  return workerPlays.at(-1)?.name ?? undefined;
}

/** The argv of a shared run narrowed to some of its waves (a resume, or a window that fits only the first few). */
export function waveRunArgv(argv: readonly string[], waves: ReadonlyArray<readonly string[]>): string[] {
  const limit = argv.indexOf('--limit');
  const serial = argv.findIndex((arg, index) => index > 0 && argv[index - 1] === '-e' && arg.startsWith(`{"${RUN_VARS.serial}":`));
  if (limit < 0 || serial < 0) throw new Error('waveRunArgv: not the argv of a shared wave run (no --limit or serial list)');
  const next = [...argv];
  next[limit + 1] = waves.flat().join(',');
  next[serial] = ownVarsJson(serialListVars(waves.map((wave) => wave.length)));
  return next;
}

/** The consecutive steps of the same shared run, starting at `from` (an index into `steps`). */
export function sharedRunFrom(steps: readonly PlanStep[], from: number): PlanStep[] {
  const run = steps[from]?.sharedRun?.id;
  if (run === undefined) return [];
  const group: PlanStep[] = [];
  for (let i = from; i < steps.length && steps[i]!.sharedRun?.id === run; i++) group.push(steps[i]!);
  return group;
}

/** The hop's workers in the order of its canary and waves: the order the hop's inventory lists them in. */
export function workerOrder(hop: Pick<PlanHop, 'steps'>): string[] {
  return hop.steps.filter(isWorkerStep).flatMap((step) => step.hosts);
}

/** Nodes reordered so that the named ones come in that order, in the places the named ones held; the others stay put. */
export function inNodeOrder<T extends { name: string }>(nodes: readonly T[], order: readonly string[]): T[] {
  const rank = new Map(order.map((name, index) => [name, index]));
  const named = nodes.filter((node) => rank.has(node.name)).sort((a, b) => rank.get(a.name)! - rank.get(b.name)!);
  let next = 0;
  return nodes.map((node) => (rank.has(node.name) ? named[next++]! : node));
}
