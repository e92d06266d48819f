import { describe, expect, it } from 'vitest';
import { nodeFact, pdbFact, podFact, resolveOwners, servedGroupVersion } from './parse.js';

describe('API JSON → facts', () => {
  it('reads a node: roles from labels, readiness, cordon, zone with the beta fallback', () => {
    const fact = nodeFact({
      metadata: { name: 'm1', labels: { 'node-role.kubernetes.io/master': '', 'node-role.kubernetes.io/control-plane': '', 'failure-domain.beta.kubernetes.io/zone': 'a' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'False' }], nodeInfo: { kubeletVersion: 'v1.16.3' } },
    });

    expect(fact).toMatchObject({ name: 'm1', ready: false, unschedulable: true, kubeletVersion: 'v1.16.3', roles: ['control-plane', 'master'], zone: 'a' });
  });

  it('reads a pod and resolves its ReplicaSet to the owning Deployment', () => {
    const pod = podFact({
      metadata: { name: 'web-abc-1', namespace: 'shop', labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc', controller: true }] },
      spec: { nodeName: 'w1' },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const pods = pod ? [pod] : [];

    resolveOwners(pods, new Map([['shop/web-abc', { kind: 'Deployment', name: 'web' }]]));

    expect(pods[0]).toMatchObject({ nodeName: 'w1', ready: true, phase: 'Running', owner: { kind: 'Deployment', name: 'web' } });
  });

  it('reads a PDB: int-or-string budgets, missing status as zeros', () => {
    const pdb = pdbFact({ metadata: { name: 'p', namespace: 'n' }, spec: { maxUnavailable: '25%', minAvailable: '2', selector: { matchLabels: { a: 'b' } } } }, 'policy/v1');

    expect(pdb).toMatchObject({ maxUnavailable: '25%', minAvailable: 2, status: { disruptionsAllowed: 0, expectedPods: 0 } });
  });

  it('leaves subresources out of discovery', () => {
    const served = servedGroupVersion('v1', { resources: [{ name: 'pods', kind: 'Pod', namespaced: true, verbs: ['list'] }, { name: 'pods/log', kind: 'Pod', namespaced: true }] });

    expect(served).toEqual({ group: '', version: 'v1', groupVersion: 'v1', resources: [{ name: 'pods', kind: 'Pod', namespaced: true, verbs: ['list'] }] });
  });
});
