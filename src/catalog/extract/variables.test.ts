import { describe, expect, it } from 'vitest';
import type { TagFiles } from './tag-files.js';
import { extractVariables, kindOf } from './variables.js';

function files(tree: Record<string, string>): TagFiles {
  const paths = Object.keys(tree).sort();
  return {
    tag: 'v9.9.9', paths: () => paths, has: (p) => p in tree, isSymlink: () => false,
    readLink: async () => undefined, read: async (p) => tree[p], grep: async () => [],
  };
}

describe('extractVariables', () => {
  it('sorts names into defaults, role vars, sample, referenced, bound and rejected', async () => {
    const tree = {
      'roles/network_plugin/calico/defaults/main.yml': 'calico_ipip_mode: Never\nnat_outgoing: true\n# commented_knob: 1\n',
      'roles/container-engine/containerd/vars/debian.yml': 'containerd_package: containerd.io\n',
      'roles/kubespray_defaults/defaults/main/download.yml': 'kube_version: v1.31.0\nkubeadm_version: "{{ kube_version }}"\n',
      'roles/network_plugin/calico/tasks/check.yml': `- name: Stop if legacy encapsulation variables are detected (ipip_mode)
  assert:
    that:
      - ipip_mode is not defined
    msg: "'ipip_mode' is deprecated, use 'calico_ipip_mode'"
- name: peers
  command: "echo {{ item.router_id }}"
  with_items: "{{ peers | default([]) }}"
  when: peer_with_router | bool
- name: reset
  include_tasks: reset_iface.yml
  vars:
    iface: "{{ item }}"
  loop: "{{ interfaces }}"
  register: reset_out
- set_fact:
    computed_fact: "{{ calico_ip_auto_method | default('first-found') }}"
`,
      'roles/network_plugin/calico/templates/calico-node.yml.j2': '{% if calico_ip_auto_method is defined %}{{ calico_ip_auto_method }}{% endif %}',
      'roles/network_plugin/cilium/tasks/reset_iface.yml': '- command: "ip link del {{ iface }}"\n',
      'inventory/sample/group_vars/all/all.yml': '---\nbin_dir: /usr/local/bin\n## External LB example config\n# loadbalancer_apiserver:\n',
      'playbooks/facts.yml': '- hosts: k8s_cluster\n  roles:\n    - { role: kubespray_defaults, my_role_param: 1 }\n',
      'docs/ignored.yml': 'not_a_variable: 1\n',
    };

    const v = await extractVariables(files(tree));

    expect(v.defaults).toEqual(['calico_ipip_mode', 'kube_version', 'kubeadm_version', 'nat_outgoing']);
    expect(v.roleVars).toEqual(['containerd_package']);
    expect(v.sample).toEqual(['bin_dir']);
    expect(v.referenced).toEqual(expect.arrayContaining(['peers', 'peer_with_router', 'calico_ip_auto_method', 'iface', 'interfaces', 'kube_version']));
    expect(v.referenced).not.toContain('router_id');
    expect(v.bound).toEqual(expect.arrayContaining(['iface', 'reset_out', 'computed_fact', 'my_role_param']));
    expect(v.rejected).toEqual({ ipip_mode: "'ipip_mode' is deprecated, use 'calico_ipip_mode'" });
  });

  it('reads roles, the sample group_vars and the playbooks, nothing else', () => {
    expect(kindOf('roles/a/defaults/main.yml')).toBe('defaults');
    expect(kindOf('roles/a/defaults/main/x.yaml')).toBe('defaults');
    expect(kindOf('roles/a/b/vars/main.yml')).toBe('roleVars');
    expect(kindOf('roles/a/templates/x.conf')).toBe('template');
    expect(kindOf('roles/a/files/script.sh')).toBeUndefined();
    expect(kindOf('inventory/sample/group_vars/all/all.yml')).toBe('sample');
    expect(kindOf('cluster.yml')).toBe('playbook');
    expect(kindOf('contrib/terraform/x.yml')).toBeUndefined();
  });
});
