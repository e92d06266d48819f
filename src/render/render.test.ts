import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/load.js';
import { cluster as clusterSchema, type ClusterInput } from '../model/schema.js';
import { dataDir } from '../util/paths.js';
import { renderInventory } from './inventory.js';
import { renderExtraVars } from './extra-vars.js';
import { renderTarget } from './target.js';
import { mapTypedVars } from './var-map.js';

const base: ClusterInput = {
  name: 't1',
  kubernetes: { version: '1.16.3' },
  nodes: [
    { name: 'm1', ip: '10.0.0.1', roles: ['control-plane'] },
    { name: 'e1', ip: '10.0.0.5', roles: ['etcd'] },
    { name: 'w1', ip: '10.0.0.9', roles: ['worker'], vars: { node_taints: ['a=b:NoSchedule'], kubelet_max_pods: 200, flag: true, port: '8080' } },
  ],
};

describe('renderInventory', () => {
  const target = (tag: string) => renderTarget(loadCatalog().requireTag(tag));

  it('writes an explicit [etcd] group for external etcd, even where the sample uses [etcd:children]', () => {
    const text = renderInventory(clusterSchema.parse(base), target('v2.27.0'));
    expect(text).toContain('[etcd]\ne1\n');
    expect(text).not.toContain('[etcd:children]');
  });

  it('writes per-node variables so that Python literal_eval reads them back with their types', () => {
    const text = renderInventory(clusterSchema.parse(base), target('v2.16.0'));
    expect(text).toContain(`w1 ansible_host=w1 ip=10.0.0.9 node_taints="['a=b:NoSchedule']" kubelet_max_pods=200 flag=True port="'8080'"`);
  });

  it('has no calico-rr section before v2.11.0, as the v2.10 sample', () => {
    const text = renderInventory(clusterSchema.parse(base), target('v2.10.4'));
    expect(text).not.toContain('calico');
    expect(text).toContain('[k8s-cluster:children]\nkube-master\nkube-node\n');
  });
});

describe('mapTypedVars against the variables each tag really defines', () => {
  // Variables Kubespray reads but never defines as a default: absence from known-vars proves nothing (field notes).
  const neverDefaulted = new Set(['peers', 'calico_ip_auto_method', 'peer_with_router']);
  const knownVars = JSON.parse(readFileSync(join(dataDir, 'kubespray', 'known-vars.json'), 'utf8')) as { by_tag: Record<string, string[]> };
  const k1 = clusterSchema.parse({
    ...base,
    network: { plugin: 'calico', calico: { ipipMode: 'Never', peerWithRouter: true, natOutgoing: true, globalAsNum: '65000', peers: [{ routerId: '192.168.30.1', as: '65000' }], ipAutodetectionMethod: 'can-reach=8.8.8.8' } },
    kubeProxy: { mode: 'ipvs' }, dns: { nodelocaldns: false }, containerManager: 'docker',
    addons: { helm: true, dashboard: true, metricsServer: true, localVolumeProvisioner: true },
    registries: { insecure: ['tacorepo:5000'] },
    access: { kubeconfigLocalhost: true, kubectlLocalhost: true },
  });

  it.each(Object.keys(knownVars.by_tag).filter((tag) => semver.gte(tag, '2.11.0') && semver.lte(tag, '2.26.0')))('every name rendered for %s is a variable of that tag', (tag) => {
    const names = mapTypedVars(k1, tag, 'v1.16.3').map((entry) => entry.name);
    const unknown = names.filter((name) => !neverDefaulted.has(name) && !knownVars.by_tag[tag]!.includes(name));
    expect(unknown).toEqual([]);
  });

  it('follows containerd registry variables across their renames', () => {
    const containerd = clusterSchema.parse({ ...base, containerManager: 'containerd', registries: { insecure: ['reg:5000'] } });
    for (const [tag, name] of [['v2.18.0', 'containerd_insecure_registries'], ['v2.22.2', 'containerd_insecure_registries'], ['v2.23.0', 'containerd_registries_mirrors']] as const) {
      const names = mapTypedVars(containerd, tag, 'v1.22.0').map((entry) => entry.name);
      expect(names).toContain(name);
      expect(knownVars.by_tag[tag]).toContain(name);
    }
  });

  it('never resolves a secret except through the resolver it is given', () => {
    const withRbd = clusterSchema.parse({ ...base, addons: { rbdProvisioner: { monitors: ['1.2.3.4:6789'], pool: 'p', adminSecret: { fromEnv: 'A' }, userSecret: { fromFile: 'x' } } } });
    const asked: string[] = [];
    const out = renderExtraVars(withRbd, renderTarget(loadCatalog().requireTag('v2.13.2')), (ref) => {
      asked.push(JSON.stringify(ref));
      return `resolved-${asked.length}`;
    });
    expect(asked).toEqual(['{"fromEnv":"A"}', '{"fromFile":"x"}']);
    expect(out.vars).not.toContain('resolved-');
    expect(out.secrets).toContain('rbd_provisioner_secret: resolved-1');
  });
});
