/**
 * The preflight report for people: a summary line per check, each check's
 * table (the PDB listing with the columns of `kubectl get pdb -A`, the nodes,
 * the etcd members, …), then every finding with what / where / why / fix and
 * its hop. `--json` prints the report document itself; this is the same
 * data, nothing more. Pure: strings out, the CLI prints them (redacted).
 */
import type { PreflightReport } from '../preflight/run-preflights.js';
import type { CheckOutcome, Finding, Severity } from '../preflight/types.js';
import { formatTable } from './table.js';

function countsBySeverity(findings: readonly Finding[]): string {
  const order: Severity[] = ['block', 'warn', 'info'];
  const parts = order.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  return parts.length > 0 ? parts.map(([s, n]) => `${n} ${s}`).join(', ') : '-';
}

export function outcomeRows(outcomes: readonly CheckOutcome[]): string[][] {
  return outcomes.map((o) => [o.check, o.status, countsBySeverity(o.findings), o.reason ?? '']);
}

function hopsLine(report: PreflightReport): string {
  const first = report.hops[0];
  const last = report.hops.at(-1);
  if (!first || !last) return 'no hops';
  const span = first.index === last.index ? `hop ${first.index}` : `hops ${first.index}–${last.index}`;
  return `${span}, ${first.fromVersion} → ${last.toVersion}`;
}

/** One finding, in full (block, warn) or on one line (info). */
export function formatFinding(finding: Finding): string {
  const head = `${finding.severity.toUpperCase()} ${finding.check}${finding.hop === undefined ? '' : ` (hop ${finding.hop})`}: ${finding.what}`;
  if (finding.severity === 'info') return head;
  return [head, `    where: ${finding.where}`, `    why:   ${finding.why}`, `    fix:   ${finding.fix}`].join('\n');
}

export function formatFindings(findings: readonly Finding[]): string {
  return findings.map(formatFinding).join('\n');
}

/** The closing line: what blocks, and what apply will do about it. */
export function verdictLine(report: Pick<PreflightReport, 'findings' | 'blocking'>): string {
  if (!report.blocking) {
    const warns = report.findings.filter((f) => f.severity === 'warn').length;
    return `Result: nothing blocks${warns > 0 ? ` (${warns} warning${warns === 1 ? '' : 's'} to read)` : ''}.`;
  }
  const blocks = report.findings.filter((f) => f.severity === 'block');
  const byCheck = [...new Set(blocks.map((f) => f.check))];
  const hops = [...new Set(blocks.map((f) => f.hop).filter((h): h is number => h !== undefined))].sort((a, b) => a - b);
  return `Result: BLOCKED by ${blocks.length} finding${blocks.length === 1 ? '' : 's'} (${byCheck.join(', ')}) at hop${hops.length === 1 ? '' : 's'} ${hops.join(', ')}. ` +
    '`kspray apply` refuses such a hop until each is fixed, or its check is skipped with --skip-check ID --reason TEXT.';
}

export function formatPreflightText(report: PreflightReport): string {
  const out: string[] = [`Preflight for ${report.cluster.name} (${report.cluster.file}): ${hopsLine(report)}`];
  for (const hop of report.hops) {
    out.push(`  hop ${hop.index}: Kubespray ${hop.fromTag ?? '?'} → ${hop.tag} (line ${hop.line}), Kubernetes ${hop.fromVersion} → ${hop.toVersion}`);
  }
  out.push('', formatTable(['CHECK', 'STATUS', 'FINDINGS', 'NOTE'], outcomeRows(report.outcomes)));
  for (const outcome of report.outcomes) {
    if (!outcome.table || outcome.table.rows.length === 0) continue;
    out.push('', `${outcome.table.title} (${outcome.check}):`, formatTable(outcome.table.columns, outcome.table.rows));
  }
  if (report.findings.length > 0) out.push('', 'Findings:', formatFindings(report.findings));
  out.push('', verdictLine(report));
  return out.join('\n');
}

/** The short form apply prints before a hop: the checks, the findings that matter (block, warn), the verdict. */
export function formatPreflightBrief(report: PreflightReport): string {
  const out = [`Preflight, ${hopsLine(report)}:`, formatTable(['CHECK', 'STATUS', 'FINDINGS', 'NOTE'], outcomeRows(report.outcomes))];
  const notable = report.findings.filter((f) => f.severity !== 'info');
  if (notable.length > 0) out.push(formatFindings(notable));
  out.push(verdictLine(report));
  return out.join('\n');
}
