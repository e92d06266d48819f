/**
 * The plan for a change ticket: hops, findings and every command, in
 * Markdown a reviewer can read and an auditor can diff.
 */
import { formatArgv } from '../process/exec-error.js';
import type { PlanDocument } from '../plan/types.js';
import { continuesRun, downloadsLine, gateLines, HOP_HEADER, hopRows, stepTarget } from './plan-text.js';
import { formatMarkdownTable } from './table.js';
import { RUN_VARS } from '../vars/table.js';

export function formatPlanMarkdown(plan: PlanDocument): string {
  const out: string[] = [
    `# Upgrade ${plan.cluster.name}: Kubernetes ${plan.from.version} → ${plan.to.version}`,
    '',
    `- Cluster file: \`${plan.cluster.file}\``,
    `- From Kubespray: ${plan.from.tag ?? 'unknown'}`,
    `- Hops: ${plan.hops.length} (one Kubespray line and at most one Kubernetes minor each)`,
    `- Workers: ${plan.workerStrategy.note}`,
    `- Plan version ${plan.planVersion}, ${plan.generatedBy}, catalog: ${plan.catalog.source}`,
    '',
    formatMarkdownTable(HOP_HEADER, hopRows(plan)),
  ];
  if (plan.warnings.length > 0) out.push('', '## Warnings', '', ...plan.warnings.map((w) => `- ${w}`));
  for (const hop of plan.hops) {
    out.push('', `## Hop ${hop.index}: Kubespray ${hop.tag} → Kubernetes ${hop.toVersion}`, '');
    out.push(`Commit \`${hop.sha}\`, group names: ${hop.dialect}, \`${RUN_VARS.kubeVersion}=${hop.kubeVersion}\`, Ansible: ${hop.ansible.pins.join(', ')}.`);
    for (const change of hop.changes) out.push('', `> ${change}`);
    if (hop.artifacts) out.push('', `Downloads: ${downloadsLine(hop.artifacts)}.`);
    if (hop.findings.length > 0) {
      out.push('', '### Preflight findings', '', formatMarkdownTable(['SEVERITY', 'CHECK', 'WHAT', 'WHERE', 'FIX'], hop.findings.map((f) => [f.severity, f.check, f.what, f.where, f.fix])));
    }
    out.push('', '### Steps', '');
    hop.steps.forEach((step, index) => {
      const target = stepTarget(step);
      out.push(`${index + 1}. ${step.title}${target ? ` (${target.label === '--limit' ? `\`--limit ${target.value}\`` : `hosts ${target.value}`})` : ''}`);
      if (continuesRun(hop.steps, index)) out.push('', '   The same ansible-playbook run: its next serial batch.', '');
      else if (step.argv) out.push('', '   ```sh', `   cd ${hop.workspace.kubesprayDir}`, `   ${formatArgv(step.argv)}`, '   ```', '');
      const gates = gateLines(plan.gates, step.id, '   - ');
      if (gates.length > 0) out.push(...gates, '');
    });
  }
  return `${out.join('\n').trimEnd()}\n`;
}
