import { describe, expect, it } from 'vitest';
import { smallCluster, testPlan } from '../../test/helpers/plan-doc.js';
import { bundledCatalog } from '../catalog/snapshot.js';
import { catalogFromDocument, loadBundledDocument } from '../catalog/load.js';
import { modelDifferences, planDifferences, planId, planIdentity, samePlan } from './identity.js';

describe('plan identity', () => {
  it('is the same for the same request and inputs, wherever the state and cache directories are', () => {
    const here = testPlan();
    const there = testPlan({ input: { stateDir: '/builds/ops/clusters/k1/.kspray', cacheDir: '/home/runner/.cache/kspray' } });
    expect(there.hops[0]!.steps[0]!.argv).not.toEqual(here.hops[0]!.steps[0]!.argv);
    expect(samePlan(here, there)).toBe(true);
    expect(planId(here)).toBe(planId(there));
  });

  it('covers the health gates: a plan whose gates were edited is another plan; one without gates keeps its identity', () => {
    const plain = testPlan();
    const gated = testPlan({ cluster: smallCluster({ upgrade: { gates: [{ name: 'ceph', command: ['ceph-health-ok'] }] } }) });
    expect(gated.gates.map((gate) => [gate.name, gate.after])).toEqual([['ceph', gated.hops.flatMap((hop) => hop.steps).filter((step) => step.kind === 'canary' || step.kind === 'workers').map((step) => step.id)]]);
    const edited = structuredClone(gated);
    edited.gates[0]!.command = ['sh', '-c', 'exit 0'];
    expect(samePlan(gated, edited)).toBe(false);
    expect(planDifferences(edited, gated)).toEqual(['the health gates differ (planned: ceph; today: ceph)']);
    expect(planDifferences(plain, gated)[0]).toMatch(/^cluster file: upgrade set to /);
    // What identified a plan before gates existed identifies a plan without gates: the same planId in journals and reports.
    expect(Object.keys(planIdentity(plain) as Record<string, unknown>)).not.toContain('gates');
    expect(Object.keys(planIdentity(gated) as Record<string, unknown>)).toContain('gates');
  });

  it('leaves out observations that do not change what runs: the local Ansible, findings, the downloads counted, warnings, the file path typed', () => {
    const plan = testPlan();
    const observed = testPlan({ input: { localAnsible: { version: '2.9.27' }, clusterFile: './inventories/k1/cluster.yaml', findings: [{ check: 'pdb', severity: 'block', what: 'x', where: 'y', why: 'z', fix: 'w' }] } });
    expect(samePlan(plan, observed)).toBe(true);
    const counted = { ...plan, hops: plan.hops.map((hop) => ({ ...hop, artifacts: { files: 10, images: 19, mirror: { files: 9, images: 19 } } })) };
    expect(samePlan(plan, counted)).toBe(true);
  });

  it('names an edited argv, an added node, a changed setting, a lock file, another catalog, another request', () => {
    const plan = testPlan();
    const edited = structuredClone(plan);
    edited.hops[0]!.steps.find((step) => step.kind === 'control-plane')!.argv = ['sh', '-c', 'touch /tmp/pwned'];
    expect(planDifferences(edited, plan)).toEqual([expect.stringMatching(/^step hop1:control-plane differs from kspray's plan \(argv\)$/)]);

    const added = smallCluster({ nodes: [...smallCluster().nodes, { name: 'k1-node03', ip: '192.168.30.18', roles: ['worker'] }] });
    expect(planDifferences(plan, testPlan({ cluster: added }))).toContain('cluster file: node k1-node03 added');

    const ipvs = smallCluster({ kubeProxy: { mode: 'iptables' } });
    const withIpvs = testPlan({ cluster: smallCluster({ kubeProxy: { mode: 'ipvs' } }) });
    expect(planDifferences(withIpvs, testPlan({ cluster: ipvs }))).toContain('cluster file: kubeProxy.mode changed from "ipvs" to "iptables"');

    const lock = { lockVersion: 1 as const, lines: { '2.13': { tag: 'v2.13.2', sha: bundledCatalog().requireTag('v2.13.2').sha } } };
    const locked = testPlan({ input: { lock } });
    expect(planDifferences(plan, locked)).toEqual(expect.arrayContaining(['kspray.lock.yaml was added since']));

    const document = structuredClone(loadBundledDocument());
    document.tags = document.tags.map((record) => (record.tag === 'v2.13.4' ? { ...record, sha: 'f'.repeat(40) } : record));
    const moved = testPlan({ input: { catalog: catalogFromDocument(document) } });
    expect(planDifferences(plan, moved)[0]).toMatch(/^it was made with another Kubespray catalog/);

    expect(planDifferences(plan, testPlan({ input: { canary: 0 } }))).toContain('request canary: 1 in the plan, 0 now');
    expect(planDifferences(plan, plan)).toEqual([]);
  });

  it('names changed worker waves as what the live cluster changed', () => {
    const waves = (lists: string[][]) => ({ waves: lists, note: 'waves', source: 'live' as const, server: 'https://x', facts: null });
    const a = testPlan({ input: { workerWaves: waves([['k1-node01'], ['k1-node02']]) } });
    const b = testPlan({ input: { workerWaves: waves([['k1-node02'], ['k1-node01']]) } });
    expect(planDifferences(a, b)).toEqual([expect.stringMatching(/^the worker waves differ \(planned 2 batches: \[k1-node01\] \[k1-node02\]; today 2 batches: \[k1-node02\] \[k1-node01\]\)/)]);
  });
});

describe('modelDifferences', () => {
  it('names nodes by name and every other setting by its path', () => {
    const before = { name: 'k1', nodes: [{ name: 'a', ip: '10.0.0.1' }, { name: 'b', ip: '10.0.0.2' }], network: { plugin: 'calico' } };
    const after = { name: 'k1', nodes: [{ name: 'a', ip: '10.0.0.9' }, { name: 'c', ip: '10.0.0.3' }], network: { plugin: 'calico', podsSubnet: '10.1.0.0/16' } };
    expect(modelDifferences(before, after)).toEqual([
      'node c added', 'node b removed', 'nodes[a].ip changed from "10.0.0.1" to "10.0.0.9"', 'network.podsSubnet set to "10.1.0.0/16"',
    ]);
  });
});
