/** Variables the cluster sets that a hop's tag no longer reads. */
import { defineCheck } from '../check-module.js';
import { assumedFromTag } from '../hop-tags.js';
import { checkVarsDrift, loadKnownVars, VARS_DRIFT_CHECK } from '../vars-drift.js';

export const varsDriftCheck = defineCheck({
  id: VARS_DRIFT_CHECK,
  needs: 'model',
  docs: {
    title: 'Variables gone in a tag', severity: 'warn', hops: 'each',
    description: 'variables the cluster sets that the hop\'s FROM tag defines and its TO tag no longer does',
    blocksWhen: 'never: warns about variables set in the cluster file that the hop\'s tag no longer reads (e.g. `ipip_mode` → `calico_ipip_mode`)',
  },
  evaluate: (ctx) => checkVarsDrift({ cluster: ctx.cluster, hops: ctx.contexts, known: loadKnownVars(), assumeFromTag: (hop) => assumedFromTag(ctx.catalog, hop) }),
});
