/** kubeadm upgrade apply --dry-run, as the hop's tag runs it, on the first control-plane host. */
import { defineCheck } from '../check-module.js';
import type { HostFactsResult } from '../host-facts.js';
import { fromHostResult } from '../host-outcome.js';
import { checkKubeadmDryRun, kubeadmDryRunArgv, KUBEADM_CHECK, parseKubeadmResult, type KubeadmRawResult } from '../kubeadm.js';

export const kubeadmDryRunCheck = defineCheck<HostFactsResult>({
  id: KUBEADM_CHECK,
  needs: 'hosts',
  docs: {
    title: 'kubeadm dry run', severity: 'block', hops: 'next',
    description: 'kubeadm upgrade apply --dry-run, as the hop\'s tag runs it, on the first control-plane host',
    blocksWhen: '`kubeadm upgrade apply … --dry-run` on the first control-plane host fails (kubeadm\'s own message)',
  },
  gather: (ctx) => ctx.hosts!.gather({
    name: 'kubeadm', playbook: 'preflight-kubeadm.yml', hosts: `${ctx.first.groups.controlPlane}[0]`,
    vars: { kspray_kubeadm_argv: kubeadmDryRunArgv(ctx.catalog.requireTag(ctx.first.tag), ctx.first.toVersion) },
  }),
  evaluate: (ctx, result) => fromHostResult(KUBEADM_CHECK, result, ctx.contexts[0]!, (byHost) => checkKubeadmDryRun(parseKubeadmResult(Object.values(byHost)[0] as KubeadmRawResult), ctx.contexts[0])),
});
