import { describe, expect, it } from 'vitest';
import type { ClusterFacts, NodeFact } from '../kube/types.js';
import type { PlanHop, PlanStep } from '../plan/types.js';
import { controlPlaneAtTarget, verifyFromFacts } from './verify.js';

const step = (kind: PlanStep['kind'], hosts: string[]): PlanStep => ({ id: `hop1:${kind}`, kind, hop: 1, kubesprayTag: 'v2.13.4', title: kind, limit: null, hosts, argv: null, inventory: 'i', cwd: '/', serial: null });
const hop = { index: 1, toVersion: 'v1.17.12', steps: [step('facts', ['m1', 'w1']), step('control-plane', ['m1']), step('canary', ['w1']), step('verify', ['m1', 'w1'])] } as unknown as PlanHop;
const node = (name: string, kubeletVersion: string, extra: Partial<NodeFact> = {}): NodeFact => ({ name, ready: true, unschedulable: false, kubeletVersion, roles: [], labels: {}, zone: undefined, ...extra });
const facts = (nodes: NodeFact[]): ClusterFacts => ({ serverVersion: 'v1.17.12', nodes, pods: [], pdbs: [], services: [], served: [], gaps: [] });

describe('verify from the cluster', () => {
  it('passes when every upgraded node reports the hop version, Ready and schedulable', () => {
    expect(verifyFromFacts(hop, facts([node('m1', 'v1.17.12'), node('w1', 'v1.17.12')])).kind).toBe('succeeded');
  });

  it('names nodes at another version, NotReady, cordoned or missing', () => {
    const outcome = verifyFromFacts(hop, facts([node('m1', 'v1.16.3'), node('x', 'v1.17.12')]));
    expect(outcome).toMatchObject({ kind: 'failed', failedHosts: ['m1', 'w1'] });
    expect(outcome.message).toBe('not every node is at v1.17.12: m1 reports v1.16.3; w1 not in the cluster');
    expect(verifyFromFacts(hop, facts([node('m1', 'v1.17.12', { unschedulable: true }), node('w1', 'v1.17.12', { ready: false })])).message).toBe('not every node is at v1.17.12: m1 is still cordoned; w1 is NotReady');
  });

  it('tells whether the control plane already runs the hop version', () => {
    expect(controlPlaneAtTarget(hop, facts([node('m1', 'v1.17.12')]))).toBe(true);
    expect(controlPlaneAtTarget(hop, facts([node('m1', 'v1.16.3')]))).toBe(false);
  });
});
