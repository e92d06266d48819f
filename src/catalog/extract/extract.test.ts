import { describe, expect, it } from 'vitest';
import { impliedCore, inlineChecksOf, pinsOf } from './ansible.js';
import { groupsOfPattern } from './playbooks.js';
import { readSampleInventory } from './sample-inventory.js';
import { resolveRelative } from './tag-files.js';
import { topLevelBlock, topLevelValue } from './yaml-text.js';

describe('readSampleInventory', () => {
  it('reads Kubespray v2.16-style INI: bare and commented host lines, a commented section, children', () => {
    const ini = `# ## Configure 'ip' variable to bind kubernetes services on a
# ## different ip than the default iface
[all]
# node1 ansible_host=95.54.0.12  # ip=10.3.0.1 etcd_member_name=etcd1
node2 ansible_host=95.54.0.13 ip=10.3.0.2 etcd_member_name=etcd2

# ## configure a bastion host if your nodes are not directly reachable
# [bastion]
# bastion ansible_host=x.x.x.x ansible_user=some_user

[kube_control_plane]
node2

[etcd]
node2

[kube_node]
# node3

[calico_rr]

[k8s_cluster:children]
kube_control_plane
kube_node   ; trailing comment
calico_rr
`;
    expect(readSampleInventory(ini)).toEqual({
      sections: ['all', 'kube_control_plane', 'etcd', 'kube_node', 'calico_rr', 'k8s_cluster:children'],
      commented_sections: ['bastion'],
      children: { k8s_cluster: ['kube_control_plane', 'kube_node', 'calico_rr'] },
      etcd: { form: 'group' },
      dialect: 'underscore',
    });
  });

  it('sees etcd defined as children (v2.27+) and the dash dialect', () => {
    expect(readSampleInventory('[kube-master]\n[etcd:children]\nkube-master\n[kube-node]\n').etcd).toEqual({ form: 'children', children: ['kube-master'] });
    expect(readSampleInventory('[kube-master]\n[etcd:children]\nkube-master\n').dialect).toBe('dash');
  });
});

describe('YAML helpers', () => {
  const text = `---
# defaults
kube_version: v1.17.5
kube_version_min_required: v1.16.0

kubelet_checksums:
  arm64:
    v1.17.5: abc
  amd64:
    # newest first
    v1.17.5: def
    v1.16.9: 0
minimal_ansible_version: 2.10
`;

  it('cuts one top-level variable out of a file', () => {
    expect(topLevelBlock(text, 'kube_version')).toBe('kube_version: v1.17.5');
    expect(topLevelValue(text, 'kubelet_checksums')).toEqual({ arm64: { 'v1.17.5': 'abc' }, amd64: { 'v1.17.5': 'def', 'v1.16.9': 0 } });
    expect(topLevelValue(text, 'absent')).toBeUndefined();
    expect(topLevelValue(text, 'kube_version_min')).toBeUndefined();
  });

  it('keeps versions as written when asked for strings (2.10 is not 2.1)', () => {
    expect(topLevelValue(text, 'minimal_ansible_version')).toBe(2.1);
    expect(topLevelValue(text, 'minimal_ansible_version', { strings: true })).toBe('2.10');
  });
});

describe('Ansible facts', () => {
  it.each([
    [['ansible>=2.7.8'], null],
    [['ansible==2.7.8'], '2.7'],
    [['ansible==2.9.6'], '2.9'],
    [['ansible==3.4.0', 'ansible-base==2.10.11'], '2.10'],
    [['ansible==5.7.1', 'ansible-core==2.12.5'], '2.12'],
    [['ansible==7.6.0'], '2.14'],
    [['ansible==11.13.0'], '2.18'],
  ])('%j implies ansible-core %s', (pins, core) => {
    expect(impliedCore(pins)).toBe(core);
  });

  it('keeps only the Ansible pins of a requirements file', () => {
    expect(pinsOf('ansible==5.7.1\nansible-core==2.12.5 # core\njinja2==2.11.3\nnetaddr==0.7.19\n# ansible==1.0\n')).toEqual(['ansible==5.7.1', 'ansible-core==2.12.5']);
  });

  it('finds literal version checks, not checks against variables', () => {
    const playbook = `that:\n  - ansible_version.string is version("2.7.8", ">=")\n  - ansible_version.string is version(minimal_ansible_version, ">=")\nwhen: ansible_version.string is version('2.10.0', '>=')`;
    expect(inlineChecksOf('x.yml', playbook)).toEqual([
      { file: 'x.yml', version: '2.7.8', op: '>=' },
      { file: 'x.yml', version: '2.10.0', op: '>=' },
    ]);
  });
});

describe('paths and patterns', () => {
  it.each([
    ['kube_node:calico_rr:!kube_control_plane', ['kube_node', 'calico_rr', 'kube_control_plane']],
    ['bastion[0]', ['bastion']],
    ['all:localhost', []],
    ['etcd:kube_control_plane:_kubespray_needs_etcd', ['etcd', 'kube_control_plane', '_kubespray_needs_etcd']],
  ])('groups of %s', (pattern, groups) => {
    expect(groupsOfPattern(pattern)).toEqual(groups);
  });

  it('resolves import_playbook targets against the importing file', () => {
    expect(resolveRelative('upgrade-cluster.yml', 'playbooks/upgrade_cluster.yml')).toBe('playbooks/upgrade_cluster.yml');
    expect(resolveRelative('playbooks/upgrade_cluster.yml', 'boilerplate.yml')).toBe('playbooks/boilerplate.yml');
    expect(resolveRelative('playbooks/facts.yml', '../facts.yml')).toBe('facts.yml');
  });
});
