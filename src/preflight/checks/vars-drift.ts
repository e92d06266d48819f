/** Settings of the cluster file a hop's tag does not read, and typed settings written under a new name. */
import { unreadOnTags } from '../../vars/check.js';
import { defineCheck } from '../check-module.js';
import { assumedFromTag } from '../hop-tags.js';
import { checkVarsDrift, VARS_DRIFT_CHECK } from '../vars-drift.js';

export const varsDriftCheck = defineCheck({
  id: VARS_DRIFT_CHECK,
  needs: 'model',
  docs: {
    title: 'Settings a tag does not read', severity: 'warn', hops: 'each',
    description: 'settings of the cluster file the hop\'s tag does not read (render, plan and apply refuse them unless --allow-unread), and typed settings written under a new name',
    // Kubespray's variable names are the variable table's to say (src/vars): the example is said in words.
    blocksWhen: 'never: shows, for every hop, the settings its tag does not read (which `render`, `plan` and `apply` refuse unless `--allow-unread` names them), and the typed settings written under a new name there (Calico\'s IP-in-IP mode from v2.13.0)',
  },
  evaluate: (ctx) => checkVarsDrift({
    cluster: ctx.cluster, hops: ctx.contexts, allowUnread: ctx.allowUnread, assumeFromTag: (hop) => assumedFromTag(ctx.catalog, hop),
    unreadOn: (tag) => unreadOnTags(ctx.cluster, [tag], { tableVerified: ctx.catalog.source.kind === 'bundled' }),
  }),
});
