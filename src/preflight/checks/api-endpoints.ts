/**
 * The API through the external load balancer the cluster file names (its
 * certificate naming the balancer) and through each control plane, before
 * the control-plane step; probed with the kubeconfig's credentials
 * (kube/endpoints.ts). The judgment is api-endpoints.ts's.
 */
import { resolveKubeconfig } from '../../kube/kubeconfig.js';
import type { EndpointProbe } from '../../kube/endpoints.js';
import { API_ENDPOINTS_CHECK, apiEndpointsOf, checkApiEndpoints } from '../api-endpoints.js';
import { defineCheck } from '../check-module.js';

type Probed = { ok: true; probes: EndpointProbe[]; notes: string[] } | { ok: false; reason: string };

export const apiEndpointsCheck = defineCheck<Probed>({
  id: API_ENDPOINTS_CHECK,
  needs: 'cluster-api',
  docs: {
    title: 'API through its load balancer', severity: 'block', hops: 'next',
    description: 'the API answers through the external load balancer (its certificate naming it) and through each control plane, before the control-plane step',
    blocksWhen: 'the cluster file names an external load balancer (`apiServer.loadBalancer.external`) and the API does not answer through it, or its certificate does not name the balancer\'s address, or a control plane behind it does not answer (probed with the kubeconfig\'s credentials); without a balancer it says there is nothing more to probe, and that the per-node local proxy cannot be reached from the controller',
  },
  gather: async (ctx) => {
    const resolved = resolveKubeconfig(ctx.kube);
    if (!resolved.ok) return { ok: false, reason: resolved.error.message };
    const { endpoints, notes } = apiEndpointsOf(ctx.cluster);
    if (endpoints.length === 0) return { ok: true, probes: [], notes };
    ctx.log(`preflight: asking the API through ${endpoints.map((e) => e.name).join(', ')}`);
    const { probeEndpoints } = await import('../../kube/endpoints.js');
    const result = await probeEndpoints(resolved.value, endpoints);
    return result.ok ? { ok: true, probes: result.probes, notes } : { ok: false, reason: result.error.message };
  },
  evaluate: (_ctx, probed) => (probed.ok
    ? checkApiEndpoints(probed.probes, probed.notes)
    : { check: API_ENDPOINTS_CHECK, status: 'skipped', findings: [], reason: probed.reason }),
});
