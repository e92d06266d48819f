/** The DNS Service where kubeadm's upgrade clashes with it (Kubespray v2.11 – v2.18). */
import { defineCheck, liveFacts } from '../check-module.js';
import { checkDns, kubesprayDnsFacts } from '../dns.js';

export const dnsCheck = defineCheck({
  id: 'dns',
  needs: 'cluster-api',
  docs: {
    title: 'Cluster DNS address', severity: 'block', hops: 'each',
    description: 'the DNS Service against Kubespray\'s and kubeadm\'s addresses, on the tags where they clash',
    blocksWhen: 'the DNS Service sits where kubeadm\'s upgrade clashes with it (Kubespray v2.11–v2.18)',
  },
  evaluate: (ctx) => {
    const tag = ctx.contexts[0]!.toTag;
    const kubespray = kubesprayDnsFacts(ctx.catalog.dns(tag));
    if (!kubespray) return { check: 'dns', status: 'skipped', findings: [], reason: `the catalog has no DNS facts for Kubespray ${tag}` };
    return checkDns(liveFacts(ctx), { hops: ctx.contexts, serviceAddresses: ctx.cluster.network.serviceAddresses, kubespray });
  },
});
