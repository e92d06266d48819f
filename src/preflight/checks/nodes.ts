/** Every node Ready, kubelets within the skew the hop allows, the control plane at one version. */
import { loadVersionSkew } from '../../kube/k8s-data.js';
import { defineCheck, liveFacts } from '../check-module.js';
import { checkNodes } from '../nodes.js';

export const nodesCheck = defineCheck({
  id: 'nodes',
  needs: 'cluster-api',
  docs: {
    title: 'Nodes', severity: 'block', hops: 'next',
    description: 'every node Ready, kubelets within the version skew, the control plane at one version',
    blocksWhen: 'a node is NotReady, a kubelet is outside the skew the hop allows or already ahead of it, or the control planes disagree',
  },
  evaluate: (ctx) => checkNodes(liveFacts(ctx), { hop: ctx.contexts[0]!, skew: loadVersionSkew() }),
});
