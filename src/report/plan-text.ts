/**
 * The plan as an operator reads it at a terminal: the hops, then every step
 * with its exact command. The same data as `--json`, nothing more.
 */
import { formatArgv } from '../process/exec-error.js';
import type { PlanDocument, PlanHop, PlanStep } from '../plan/types.js';
import { formatTable } from './table.js';
import type { Finding } from '../preflight/types.js';
import { describeGate, gatesAfter } from '../plan/gates.js';
import { RUN_VARS } from '../vars/table.js';

export function ansibleCell(hop: PlanHop): string {
  const pins = hop.ansible.pins.join(', ') || `core ${hop.ansible.impliedCore ?? '?'}`;
  if (!hop.ansible.local) return pins;
  return `${pins} (local ${hop.ansible.local.version}: ${hop.ansible.local.satisfies ? 'ok' : 'outside the range'})`;
}

export function hopRows(plan: PlanDocument): string[][] {
  return plan.hops.map((hop) => [
    String(hop.index), hop.line, hop.tag + (hop.tagSource === 'catalog' ? '' : ` (${hop.tagSource})`), hop.sha.slice(0, 8),
    `${hop.fromVersion} → ${hop.toVersion}`, hop.dialect, ansibleCell(hop),
  ]);
}

export const HOP_HEADER = ['HOP', 'LINE', 'TAG', 'SHA', 'KUBERNETES', 'GROUPS', 'ANSIBLE'];

/** `done`: steps a resumed plan already ran (the journal's record), shown as such. */
export function formatPlanText(plan: PlanDocument, done?: (stepId: string) => boolean): string {
  const out: string[] = [
    `Upgrade plan for ${plan.cluster.name}: ${plan.from.version} → ${plan.to.version} in ${plan.hops.length} hop${plan.hops.length === 1 ? '' : 's'}` +
      ` (from Kubespray ${plan.from.tag ?? 'unknown'}; catalog: ${plan.catalog.source})`,
    '',
    formatTable(HOP_HEADER, hopRows(plan)),
    '',
    `Workers: ${plan.workerStrategy.note}.`,
  ];
  for (const warning of plan.warnings) out.push(`warning: ${warning}`);
  for (const hop of plan.hops) {
    out.push('', `Hop ${hop.index}: Kubespray ${hop.tag} (${hop.sha.slice(0, 12)}), Kubernetes ${hop.fromVersion} → ${hop.toVersion}, ${RUN_VARS.kubeVersion}=${hop.kubeVersion}`);
    for (const change of hop.changes) out.push(`  note: ${change}`);
    if (hop.artifacts) out.push(`  downloads: ${downloadsLine(hop.artifacts)}`);
    if (hop.ansible.venv) out.push(...hop.ansible.venv.commands.map((argv) => `  venv: ${formatArgv(argv)}`));
    for (const finding of hop.findings) out.push(`  ${formatFindingLine(finding)}`);
    out.push(`  in ${hop.workspace.kubesprayDir}:`);
    hop.steps.forEach((step, index) => {
      const target = stepTarget(step);
      out.push(`  ${index + 1}. ${step.title}${target ? ` [${target.label} ${abbreviate(target.value)}]` : ''}${done?.(step.id) ? '  (done)' : ''}`);
      if (continuesRun(hop.steps, index)) out.push(`     (the same ansible-playbook run: its next serial batch)`);
      else if (step.argv) out.push(`     ${formatArgv(step.argv)}${step.sharedRun ? '   # one run for this batch and the next' : ''}`);
      out.push(...gateLines(plan.gates, step.id, '     '));
    });
  }
  return out.join('\n');
}

/** The health gates after a step, one line each: they must pass before the next step starts. */
export function gateLines(gates: PlanDocument['gates'], stepId: string, indent: string): string[] {
  return gatesAfter(gates, stepId).map((gate) => `${indent}then health gate ${gate.name}: ${describeGate(gate)} (within ${Math.round(gate.timeoutMs / 1000)} s, every ${Math.round(gate.intervalMs / 100) / 10} s)`);
}

/** `10 files, 19 images; the mirrors have 9/10 files, 19/19 images`. */
export function downloadsLine(artifacts: NonNullable<PlanHop['artifacts']>): string {
  const counts = `${artifacts.files} file${artifacts.files === 1 ? '' : 's'}, ${artifacts.images} image${artifacts.images === 1 ? '' : 's'}`;
  if (!artifacts.mirror) return counts;
  const all = artifacts.mirror.files === artifacts.files && artifacts.mirror.images === artifacts.images;
  return `${counts}; the mirrors have ${all ? 'all of them' : `${artifacts.mirror.files}/${artifacts.files} files, ${artifacts.mirror.images}/${artifacts.images} images (the mirror findings name what is missing)`}`;
}

export function formatFindingLine(finding: Finding): string {
  return `${finding.severity.toUpperCase()} ${finding.check}: ${finding.what} (${finding.where}) — ${finding.fix}`;
}

function abbreviate(limit: string): string {
  const hosts = limit.split(',');
  return hosts.length > 6 ? `${hosts.slice(0, 5).join(',')},… ${hosts.length} hosts` : limit;
}

/** What a step's line names: its --limit, or for a wave of a shared run its own hosts (the run's limit covers every wave). */
export function stepTarget(step: Pick<PlanStep, 'sharedRun' | 'hosts' | 'limit'>): { label: string; value: string } | undefined {
  if (step.sharedRun) return { label: 'hosts', value: step.hosts.join(',') };
  return step.limit ? { label: '--limit', value: step.limit } : undefined;
}

/** A wave whose ansible-playbook run the step before it started (plan/wave-run.ts): its command is shown once. */
export function continuesRun(steps: ReadonlyArray<Pick<PlanStep, 'sharedRun'>>, index: number): boolean {
  const run = steps[index]?.sharedRun?.id;
  return run !== undefined && steps[index - 1]?.sharedRun?.id === run;
}
