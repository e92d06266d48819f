/** PodDisruptionBudgets that allow no disruption on the nodes the plan drains: the drain would hang. */
import { defineCheck, liveFacts } from '../check-module.js';
import { checkPdbs, drainFallbackOffered } from '../pdb.js';

export const pdbCheck = defineCheck({
  id: 'pdb',
  needs: 'cluster-api',
  docs: {
    title: 'PodDisruptionBudgets', severity: 'block', hops: 'next',
    description: 'budgets that allow no disruption and would hang the drain',
    blocksWhen: 'a PodDisruptionBudget with zero allowed disruptions covers pods on nodes the plan drains (the table shows NAMESPACE, NAME, MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS and the owning workload), or the pods or budgets cannot be listed',
  },
  evaluate: (ctx) => {
    const facts = liveFacts(ctx);
    return checkPdbs(facts, {
      drainNodes: facts.nodes.map((n) => n.name), hop: ctx.contexts[0]!,
      drainFallbackAvailable: drainFallbackOffered(ctx.catalog.upgradeDefaults(ctx.first.tag)),
    });
  },
});
