/**
 * `apply --dry-run`: the steps apply would run now, as the CLI contract
 * specifies them (kind, hop, kubesprayTag, limit, hosts, argv, inventory).
 * It is the same selection apply makes; only nothing runs.
 */
import { formatArgv } from '../process/exec-error.js';
import type { PlanDocument, PlanStep } from '../plan/types.js';
import type { Selection } from './select-steps.js';
import { planId } from '../plan/identity.js';
import { continuesRun, gateLines, stepTarget } from '../report/plan-text.js';

export interface DryRunDocument {
  dryRun: true;
  planVersion: number;
  /** The plan's identity, as the journal records it (plan/identity.ts). */
  planId: string;
  cluster: string;
  from: string;
  to: string;
  workerStrategy: PlanDocument['workerStrategy'];
  /** The health gates, each after the worker steps it follows (checked before the step after each starts). */
  gates: PlanDocument['gates'];
  alreadyDone: string[];
  steps: Array<Pick<PlanStep, 'id' | 'kind' | 'hop' | 'kubesprayTag' | 'limit' | 'hosts' | 'argv' | 'inventory' | 'cwd' | 'title' | 'sharedRun'>>;
}

export function dryRunDocument(plan: PlanDocument, selection: Selection): DryRunDocument {
  return {
    dryRun: true,
    planVersion: plan.planVersion,
    planId: planId(plan),
    cluster: plan.cluster.name,
    from: plan.from.version,
    to: plan.to.version,
    workerStrategy: plan.workerStrategy,
    gates: plan.gates,
    alreadyDone: selection.alreadyDone,
    steps: selection.steps.map((step) => ({
      id: step.id, kind: step.kind, hop: step.hop, kubesprayTag: step.kubesprayTag, limit: step.limit,
      hosts: step.hosts, argv: step.argv, inventory: step.inventory, cwd: step.cwd, title: step.title,
      ...(step.sharedRun ? { sharedRun: step.sharedRun } : {}),
    })),
  };
}

export function formatDryRun(document: DryRunDocument): string {
  const lines = [`Dry run for ${document.cluster} (${document.from} → ${document.to}): ${document.steps.length} step(s) would run; nothing is executed.`];
  if (document.alreadyDone.length > 0) lines.push(`Already done: ${document.alreadyDone.join(', ')}`);
  lines.push(`Workers: ${document.workerStrategy.note}.`);
  document.steps.forEach((step, index) => {
    const target = stepTarget(step);
    lines.push('', `${step.id}  ${step.title}${target ? `  [${target.label} ${target.value}]` : ''}`);
    if (continuesRun(document.steps, index)) lines.push('  (the same ansible-playbook run: its next serial batch)');
    else lines.push(step.argv ? `  cd ${step.cwd} && ${formatArgv(step.argv)}` : '  (kspray checks node versions itself)');
    lines.push(...gateLines(document.gates, step.id, '  '));
  });
  return lines.join('\n');
}
