/**
 * PodDisruptionBudgets that would hang the upgrade. Kubespray drains every
 * node it upgrades; kubectl drain evicts through the Eviction API, which
 * refuses while a budget allows no disruption, so the drain waits until
 * drain_timeout and the play fails (field notes: single-replica istio
 * components with minAvailable 1, an elasticsearch budget already used up).
 * A budget only blocks when it covers a pod on a node the plan drains.
 */
import { isEmptySelector, matchesSelector } from '../kube/selectors.js';
import type { ClusterFacts, OwnerFact, PdbFact, PodFact } from '../kube/types.js';
import { KUBESPRAY_VARS } from '../vars/table.js';
import type { CheckOutcome, Finding, HopContext, OutcomeTable } from './types.js';

const CHECK = 'pdb';

export interface PdbCheckContext {
  /** Nodes the plan drains (for a whole-cluster upgrade: every node). */
  drainNodes: readonly string[];
  /** The hop the findings gate: the next one to run. */
  hop?: HopContext;
  /** Whether the hop's Kubespray tag has drain_fallback_enabled (see drainFallbackOffered). */
  drainFallbackAvailable: boolean;
}

/**
 * Whether a tag offers the drain fallback, from its catalog record's
 * upgrade_defaults (role defaults of roles/upgrade/*): the variable exists.
 */
export function drainFallbackOffered(upgradeDefaults: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined): boolean {
  return Object.values(upgradeDefaults ?? {}).some((defaults) => Object.prototype.hasOwnProperty.call(defaults, KUBESPRAY_VARS.drainFallbackEnabled));
}

export const PDB_COLUMNS = ['NAMESPACE', 'NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS'];

/** The rows of `kubectl get pdb -A`, sorted by namespace and name. */
export function pdbTable(pdbs: readonly PdbFact[]): OutcomeTable {
  const rows = [...pdbs]
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
    .map((p) => [p.namespace, p.name, String(p.minAvailable ?? 'N/A'), String(p.maxUnavailable ?? 'N/A'), String(p.status.disruptionsAllowed)]);
  return { title: 'PodDisruptionBudgets', columns: [...PDB_COLUMNS], rows };
}

/** A kubectl-like text table: columns padded to their widest cell plus three spaces. */
export function formatTable(table: Pick<OutcomeTable, 'columns' | 'rows'>): string {
  const widths = table.columns.map((column, i) => Math.max(column.length, ...table.rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3))).join('').trimEnd();
  return [line(table.columns), ...table.rows.map(line)].join('\n');
}

export function formatPdbTable(pdbs: readonly PdbFact[]): string {
  return formatTable(pdbTable(pdbs));
}

/** Pods a drain evicts: not DaemonSet pods (--ignore-daemonsets), not static pods, not finished ones. */
function evictable(pod: PodFact): boolean {
  if (pod.owner?.kind === 'DaemonSet' || pod.owner?.kind === 'Node') return false;
  return pod.phase !== 'Succeeded' && pod.phase !== 'Failed';
}

/** Whether the budget selects the pod. policy/v1: an empty selector selects the namespace; v1beta1: nothing. */
export function pdbSelects(pdb: PdbFact, pod: PodFact): boolean {
  if (pod.namespace !== pdb.namespace || pdb.selector === null) return false;
  if (isEmptySelector(pdb.selector)) return pdb.apiVersion === 'policy/v1';
  return matchesSelector(pod.labels, pdb.selector);
}

export function checkPdbs(facts: Pick<ClusterFacts, 'pdbs' | 'pods' | 'gaps'>, ctx: PdbCheckContext): CheckOutcome {
  const missing = facts.gaps.filter((g) => g.what === 'pdbs' || g.what === 'pods');
  if (missing.length > 0) {
    // The API answers but will not list pods or budgets (403, say): a drain would go unchecked, so it blocks.
    const reason = missing.map((g) => `${g.what}: ${g.reason}`).join('; ');
    return {
      check: CHECK, status: 'fail', reason,
      findings: [{
        check: CHECK, severity: 'block', ...(ctx.hop ? { hop: ctx.hop.index } : {}),
        what: `the PodDisruptionBudgets that drains would hit cannot be checked: ${reason}`, where: 'cluster API',
        why: 'without the pods and the budgets, kspray cannot tell whether a drain hangs on a budget that allows no disruption',
        fix: 'use a kubeconfig that may list pods and poddisruptionbudgets cluster-wide (Kubespray\'s admin.conf), or, knowing the risk, skip the check with --skip-check pdb --reason TEXT',
      }],
    };
  }
  const drained = new Set(ctx.drainNodes);
  const podsByNamespace = new Map<string, PodFact[]>();
  for (const pod of facts.pods) {
    if (pod.nodeName === undefined || !drained.has(pod.nodeName) || !evictable(pod)) continue;
    const list = podsByNamespace.get(pod.namespace) ?? [];
    list.push(pod);
    podsByNamespace.set(pod.namespace, list);
  }
  const findings: Finding[] = [];
  for (const pdb of facts.pdbs) {
    if (pdb.status.disruptionsAllowed > 0) continue;
    const covered = (podsByNamespace.get(pdb.namespace) ?? []).filter((pod) => pdbSelects(pdb, pod));
    if (covered.length === 0) continue;
    findings.push(blockingFinding(pdb, covered, ctx));
  }
  findings.sort((a, b) => a.where.localeCompare(b.where));
  return { check: CHECK, status: findings.length > 0 ? 'fail' : 'pass', findings, table: pdbTable(facts.pdbs) };
}

function ownersOf(pods: readonly PodFact[]): OwnerFact[] {
  const seen = new Map<string, OwnerFact>();
  for (const pod of pods) if (pod.owner) seen.set(`${pod.owner.kind}/${pod.owner.name}`, pod.owner);
  return [...seen.values()];
}

function budgetText(pdb: PdbFact): string {
  if (pdb.minAvailable !== undefined) return `minAvailable ${pdb.minAvailable}`;
  if (pdb.maxUnavailable !== undefined) return `maxUnavailable ${pdb.maxUnavailable}`;
  return 'no minAvailable/maxUnavailable';
}

function blockingFinding(pdb: PdbFact, covered: readonly PodFact[], ctx: PdbCheckContext): Finding {
  const where = `${pdb.namespace}/${pdb.name}`;
  const owners = ownersOf(covered);
  const workloads = owners.length > 0 ? owners.map((o) => `${o.kind} ${pdb.namespace}/${o.name}`).join(', ') : 'pods without a controller';
  const nodes = [...new Set(covered.map((p) => p.nodeName as string))].sort();
  const { currentHealthy, expectedPods, desiredHealthy } = pdb.status;
  const fixes: string[] = [];
  if (currentHealthy < expectedPods) {
    fixes.push(`bring the unhealthy pods back (${currentHealthy} of ${expectedPods} healthy; the budget needs ${desiredHealthy} and one to spare)`);
  }
  for (const owner of owners.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
    const target = typeof pdb.minAvailable === 'number' ? ` --replicas=${Math.max(pdb.minAvailable + 1, expectedPods + 1)}` : '';
    fixes.push(`scale ${owner.kind} ${pdb.namespace}/${owner.name} up (kubectl -n ${pdb.namespace} scale ${owner.kind.toLowerCase()} ${owner.name}${target})`);
  }
  fixes.push(`relax the budget (kubectl -n ${pdb.namespace} edit pdb ${pdb.name}: ${budgetText(pdb)} leaves no disruption)`);
  const tag = ctx.hop?.toTag ?? "this hop's Kubespray tag";
  if (ctx.drainFallbackAvailable) {
    fixes.push(`or set ${KUBESPRAY_VARS.drainFallbackEnabled}: true for this hop (${tag} then retries a failed drain with --disable-eviction, deleting the pods despite the budget)`);
  } else {
    fixes.push(`(${tag} has no ${KUBESPRAY_VARS.drainFallbackEnabled} to force the drain)`);
  }
  return {
    check: CHECK,
    severity: 'block',
    what: `PodDisruptionBudget ${where} allows 0 disruptions and covers ${covered.length} pod(s) of ${workloads} on drained node(s) ${nodes.join(', ')}`,
    where,
    why: `Kubespray drains each node before upgrading it; the Eviction API refuses while ${where} allows no disruption (${budgetText(pdb)}, ${currentHealthy} of ${expectedPods} pods healthy), so the drain waits until ${KUBESPRAY_VARS.drainTimeout} and the upgrade fails`,
    fix: fixes.join('; '),
    ...(ctx.hop ? { hop: ctx.hop.index } : {}),
    details: {
      namespace: pdb.namespace,
      name: pdb.name,
      apiVersion: pdb.apiVersion,
      minAvailable: pdb.minAvailable ?? null,
      maxUnavailable: pdb.maxUnavailable ?? null,
      disruptionsAllowed: pdb.status.disruptionsAllowed,
      owners,
      pods: covered.map((p) => ({ name: p.name, node: p.nodeName })),
    },
  };
}
