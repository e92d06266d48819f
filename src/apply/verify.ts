/**
 * The verify step with a cluster API: every node the hop upgraded reports
 * the hop's version, is Ready, and is schedulable again. Pure.
 */
import type { ClusterFacts } from '../kube/types.js';
import { compareVersions, normalizeVersion } from '../catalog/versions.js';
import type { PlanHop } from '../plan/types.js';
import type { StepOutcome } from './run-step.js';

export function verifyFromFacts(hop: PlanHop, facts: ClusterFacts): StepOutcome {
  const expected = normalizeVersion(hop.toVersion) ?? hop.toVersion;
  const hosts = [...new Set(hop.steps.filter((s) => s.kind !== 'verify' && s.kind !== 'facts').flatMap((s) => s.hosts))];
  const problems: string[] = [];
  const failedHosts: string[] = [];
  for (const host of hosts) {
    const node = facts.nodes.find((candidate) => candidate.name === host);
    const issue = !node
      ? 'not in the cluster'
      : normalizeVersion(node.kubeletVersion.replace(/[-+].*$/, '')) !== expected
        ? `reports ${node.kubeletVersion}`
        : !node.ready
          ? 'is NotReady'
          : node.unschedulable
            ? 'is still cordoned'
            : undefined;
    if (issue) {
      problems.push(`${host} ${issue}`);
      failedHosts.push(host);
    }
  }
  if (problems.length > 0) return { kind: 'failed', hosts: {}, failedHosts, message: `not every node is at ${expected}: ${problems.join('; ')}`, durationMs: 0 };
  return { kind: 'succeeded', hosts: {}, failedHosts: [], message: `all ${hosts.length} nodes report ${expected}, Ready and schedulable (read from the cluster)`, durationMs: 0 };
}

/** Whether every control-plane host of the hop already runs the hop's version (for --workers-only without a journal). */
export function controlPlaneAtTarget(hop: PlanHop, facts: ClusterFacts): boolean {
  const controlPlane = hop.steps.find((s) => s.kind === 'control-plane');
  if (!controlPlane) return false;
  return controlPlane.hosts.every((host) => {
    const node = facts.nodes.find((candidate) => candidate.name === host);
    const version = node ? normalizeVersion(node.kubeletVersion.replace(/[-+].*$/, '')) : undefined;
    return version !== undefined && compareVersions(version, hop.toVersion) >= 0;
  });
}
