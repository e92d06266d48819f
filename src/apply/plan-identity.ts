/**
 * What makes two plans "the same plan" for resuming: the hops and the exact
 * steps. Observations that may change between runs without changing what runs
 * (the local Ansible, findings, warnings, the kspray build) are left out.
 */
import type { PlanDocument } from '../plan/types.js';

export function planIdentity(plan: PlanDocument): unknown {
  return {
    planVersion: plan.planVersion,
    cluster: plan.cluster.name,
    hops: plan.hops.map((hop) => ({
      index: hop.index, tag: hop.tag, sha: hop.sha, fromVersion: hop.fromVersion, toVersion: hop.toVersion,
      steps: hop.steps.map((step) => ({ id: step.id, argv: step.argv, limit: step.limit })),
    })),
  };
}
