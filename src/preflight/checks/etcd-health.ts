/** Every etcd member healthy, an odd member count, no alarm: etcdctl through Ansible on the first etcd host. */
import { etcdVars } from '../../plan/steps.js';
import { defineCheck } from '../check-module.js';
import { checkEtcdHealth, ETCD_CHECK, parseEtcdResult, type EtcdRawResult } from '../etcd.js';
import type { HostFactsResult } from '../host-facts.js';
import { fromHostResult } from '../host-outcome.js';

export const etcdHealthCheck = defineCheck<HostFactsResult>({
  id: ETCD_CHECK,
  needs: 'hosts',
  docs: {
    title: 'etcd quorum', severity: 'block', hops: 'next',
    description: 'every etcd member healthy, an odd member count, no alarm (etcdctl on the first etcd host)',
    blocksWhen: 'a member is unhealthy, the member count is even, or an alarm is raised (`etcdctl` through Ansible on the first etcd host)',
  },
  gather: (ctx) => ctx.hosts!.gather({
    name: 'etcd', playbook: 'preflight-etcd.yml', hosts: `${ctx.first.groups.etcd}[0]`,
    vars: etcdVars(ctx.cluster),
  }),
  evaluate: (ctx, result) => fromHostResult(ETCD_CHECK, result, ctx.contexts[0]!, (byHost) => checkEtcdHealth(parseEtcdResult(Object.values(byHost)[0] as EtcdRawResult), ctx.contexts[0])),
});
