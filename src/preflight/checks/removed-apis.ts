/**
 * Objects in the cluster (or, with --manifests DIR, in manifest files) on an
 * apiVersion a hop's target no longer serves. Without the cluster it still
 * reads the manifests.
 */
import { loadRemovedApis } from '../../kube/k8s-data.js';
import { apiUnavailableReason, defineCheck } from '../check-module.js';
import { checkRemovedApis } from '../removed-apis.js';
import type { CheckOutcome } from '../types.js';

export const REMOVED_APIS_CHECK = 'removed-apis';

export const removedApisCheck = defineCheck({
  id: REMOVED_APIS_CHECK,
  needs: 'cluster-api',
  whenUnavailable: 'evaluate',
  docs: {
    title: 'Removed APIs', severity: 'block', hops: 'each',
    description: 'objects and manifests (--manifests) on APIs a hop stops serving',
    blocksWhen: 'objects in the cluster (or, with `--manifests DIR`, in manifest files) use an apiVersion the hop\'s target no longer serves; says from which hop the replacement is served',
  },
  evaluate: (ctx): CheckOutcome => {
    const { api, manifests } = ctx;
    const live = api?.ok ? api : undefined;
    const reason = apiUnavailableReason(api);
    if (!live && !manifests) return { check: REMOVED_APIS_CHECK, status: 'skipped', findings: [], reason };
    const facts = live ? live.facts : { served: [], gaps: [{ what: 'discovery' as const, reason }] };
    const outcome = checkRemovedApis({ ...facts, ...(manifests ? { manifests: manifests.docs } : {}) }, { hops: ctx.contexts, removedApis: loadRemovedApis() });
    if (!manifests || manifests.skipped.length === 0) return outcome;
    const note = `not parsed: ${manifests.skipped.map((s) => `${s.file} (${s.reason})`).join(', ')}`;
    return { ...outcome, reason: outcome.reason ? `${outcome.reason}; ${note}` : note };
  },
});
