import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/load.js';
import { cluster as clusterSchema, type ClusterInput } from '../model/schema.js';
import { renderInventory } from './inventory.js';
import { renderExtraVars } from './extra-vars.js';
import { renderTarget } from './target.js';
import { clearSecrets, redact } from '../util/redact.js';

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

  it('declares the cluster group on every tag: v2.27.0 – v2.28.1 gather facts for k8s_cluster without the boilerplate that creates it', () => {
    for (const tag of ['v2.26.1', 'v2.27.0', 'v2.28.1', 'v2.31.0']) {
      expect(renderInventory(clusterSchema.parse(base), target(tag)), tag).toContain('[k8s_cluster:children]\nkube_control_plane\nkube_node\n');
    }
  });

  it('has no calico-rr section before v2.11.0, as the v2.10 sample', () => {
    const text = renderInventory(clusterSchema.parse(base), target('v2.10.4'));
    expect(text).not.toContain('calico');
    expect(text).toContain('[k8s-cluster:children]\nkube-master\nkube-node\n');
  });
});

describe('renderExtraVars', () => {
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

  it('writes a list or map under a secret-looking name to the secrets file, as validate says, and masks its strings', () => {
    clearSecrets();
    const withCredentials = clusterSchema.parse({ ...base, extraVars: { registry_token: ['tok-AAAA-1234'], docker_registry_credentials: { user: 'ops', password: 'pw-XYZ-987' }, kube_token_auth: true } });
    const out = renderExtraVars(withCredentials, renderTarget(loadCatalog().requireTag('v2.16.0')), () => 'unused');
    expect(out.vars).not.toMatch(/tok-AAAA-1234|pw-XYZ-987|registry_token|docker_registry_credentials/);
    expect(out.vars).toContain('kube_token_auth: true');
    expect(out.secrets).toContain('registry_token:\n  - tok-AAAA-1234\n');
    expect(out.secrets).toContain('docker_registry_credentials:\n  user: ops\n  password: pw-XYZ-987\n');
    expect(redact('token tok-AAAA-1234, password pw-XYZ-987')).toBe('token ***, password ***');
    clearSecrets();
  });
});
