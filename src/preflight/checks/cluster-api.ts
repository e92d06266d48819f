/**
 * No API, no drain: without the API nothing checks the budgets a drain would
 * hang on, nor the nodes, nor the DNS Service, so an unreachable cluster
 * blocks, naming the cause. `apply --no-cluster-api --reason TEXT` waives it
 * knowingly (the check then says skipped, with the waiver).
 */
import { defineCheck } from '../check-module.js';
import type { CheckOutcome } from '../types.js';

export const CLUSTER_API_CHECK = 'cluster-api';

export const clusterApiCheck = defineCheck({
  id: CLUSTER_API_CHECK,
  needs: 'cluster-api',
  whenUnavailable: 'evaluate',
  docs: {
    title: 'Cluster API', severity: 'block', hops: 'next',
    description: 'the Kubernetes API answers through the kubeconfig (no API: no PDB check, no drain; waive with apply --no-cluster-api --reason)',
    blocksWhen: 'the Kubernetes API cannot be read (the cause is named)',
  },
  evaluate: (ctx): CheckOutcome => {
    const api = ctx.api;
    if (api === undefined) return { check: CLUSTER_API_CHECK, status: 'skipped', findings: [], reason: 'not asked' };
    if (api.ok) return { check: CLUSTER_API_CHECK, status: 'pass', findings: [], reason: `answered at ${api.server} (Kubernetes ${api.facts.serverVersion})` };
    if (api.waived) return { check: CLUSTER_API_CHECK, status: 'skipped', findings: [], reason: api.reason };
    return {
      check: CLUSTER_API_CHECK,
      status: 'fail',
      reason: api.reason,
      findings: [{
        check: CLUSTER_API_CHECK, severity: 'block', hop: ctx.first.index,
        what: `the cluster API cannot be read: ${api.reason}`,
        where: 'kubeconfig',
        why: 'without the API kspray cannot check the PodDisruptionBudgets a drain would hang on, the nodes, the DNS Service or removed APIs: an upgrade would drain blind',
        fix: `${api.hint ? `${api.hint}; ` : ''}or, knowing the risk, run apply with --no-cluster-api --reason TEXT (recorded in the journal and the reports)`,
      }],
    };
  },
});
