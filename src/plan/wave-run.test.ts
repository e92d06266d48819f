import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/load.js';
import { ownVarsJson } from '../ansible/playbook-argv.js';
import { inNodeOrder, serialListVars, sharedRunFrom, waveRunArgv, workerOrder, workerUpgradePlay } from './wave-run.js';
import type { PlanStep } from './types.js';

const WORKER_PLAY = 'Finally handle worker upgrades, based on given batch size';

describe('workerUpgradePlay', () => {
  it('finds the batched worker play (node group, control plane left out) in every bundled tag', () => {
    const catalog = loadCatalog();
    for (const { tag } of catalog.tags()) {
      expect(workerUpgradePlay(catalog.upgradePlays(tag), catalog.groupNames(tag)), tag).toBe(WORKER_PLAY);
    }
  });

  it('is not the control-plane play (serial 1) nor the calico play (control plane included)', () => {
    const groups = { node: 'kube_node', controlPlane: 'kube_control_plane' };
    expect(workerUpgradePlay([
      { name: 'cp', hosts: 'kube_control_plane', serial: 1 },
      { name: 'calico', hosts: 'kube_control_plane:calico_rr:kube_node', serial: "{{ serial | default('20%') }}" },
    ], groups)).toBeUndefined();
  });
});

describe('waveRunArgv', () => {
  const argv = ['ansible-playbook', '-i', 'inv', '-e', 'kube_version=v1.17.12', '-e', ownVarsJson(serialListVars([1, 2, 2])), 'upgrade-cluster.yml', '--limit', 'a,b,c,d,e'];

  it('narrows a shared run to the waves left: their hosts, their sizes', () => {
    expect(waveRunArgv(argv, [['b', 'c'], ['d', 'e']])).toEqual(['ansible-playbook', '-i', 'inv', '-e', 'kube_version=v1.17.12', '-e', '{"serial":[2,2]}', 'upgrade-cluster.yml', '--limit', 'b,c,d,e']);
  });

  it('refuses an argv that is not a shared run', () => {
    expect(() => waveRunArgv(['ansible-playbook', 'x.yml'], [['a']])).toThrow(/not the argv of a shared wave run/);
  });
});

describe('sharedRunFrom, workerOrder, inNodeOrder', () => {
  const step = (id: string, kind: PlanStep['kind'], hosts: string[], run?: string): PlanStep => ({
    id, kind, hop: 1, kubesprayTag: 't', title: id, limit: null, hosts, argv: null, inventory: 'i', cwd: '.', serial: null,
    ...(run ? { sharedRun: { id: run, play: WORKER_PLAY } } : {}),
  });
  const steps = [step('cp', 'control-plane', ['m1']), step('c', 'canary', ['w3'], 'r'), step('w1', 'workers', ['w1', 'w4'], 'r'), step('w2', 'workers', ['w2'], 'r'), step('v', 'verify', [])];

  it('groups the consecutive steps of one run', () => {
    expect(sharedRunFrom(steps, 1).map((s) => s.id)).toEqual(['c', 'w1', 'w2']);
    expect(sharedRunFrom(steps, 2).map((s) => s.id)).toEqual(['w1', 'w2']);
    expect(sharedRunFrom(steps, 0)).toEqual([]);
  });

  it('lists the workers canary first, in wave order, and reorders only them among the nodes', () => {
    expect(workerOrder({ steps })).toEqual(['w3', 'w1', 'w4', 'w2']);
    const nodes = ['m1', 'w1', 'w2', 'e1', 'w3', 'w4'].map((name) => ({ name }));
    expect(inNodeOrder(nodes, workerOrder({ steps })).map((n) => n.name)).toEqual(['m1', 'w3', 'w1', 'e1', 'w4', 'w2']);
  });
});
