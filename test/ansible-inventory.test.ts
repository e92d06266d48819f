import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMembers, groupsOfHost, inventoryList, inventoryListArgv, parseInventoryList } from '../src/ansible/inventory.js';

const HOSTS = `k1-master01 ansible_host=k1-master01 ip=192.168.30.13
k1-master02 ansible_host=k1-master02 ip=192.168.30.14
k1-master03 ansible_host=k1-master03 ip=192.168.30.15
k1-node01 ansible_host=k1-node01 ip=192.168.30.12 node_labels="{'ingress': 'true'}"
k1-node02 ansible_host=k1-node02 ip=192.168.30.17
`;

// Kubespray before v2.16.0: dashes; etcd as its own group.
const DASH = `[all]
${HOSTS}
[kube-master]
k1-master01
k1-master02
k1-master03

[etcd]
k1-master01
k1-master02
k1-master03

[kube-node]
k1-node01
k1-node02

[k8s-cluster:children]
kube-master
kube-node

[k8s-cluster:vars]
kube_proxy_mode=ipvs

[calico-rr]
`;

// Kubespray from v2.27: underscores, etcd as children of the control plane.
const UNDERSCORE = `${HOSTS}
[kube_control_plane]
k1-master01
k1-master02
k1-master03

[etcd:children]
kube_control_plane

[kube_node]
k1-node01
k1-node02

[k8s_cluster:children]
kube_control_plane
kube_node
`;

const MASTERS = ['k1-master01', 'k1-master02', 'k1-master03'];
const NODES = ['k1-node01', 'k1-node02'];

describe('inventoryList (real ansible-inventory)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kspray-inventory-'));
    await writeFile(join(dir, 'dash.ini'), DASH);
    await writeFile(join(dir, 'underscore.ini'), UNDERSCORE);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the dash dialect: groups with dashes, children, host and group variables', async () => {
    const list = await inventoryList(join(dir, 'dash.ini'), { cwd: dir });

    expect(groupMembers(list, 'kube-master')).toEqual(MASTERS);
    expect(groupMembers(list, 'etcd')).toEqual(MASTERS);
    expect(groupMembers(list, 'k8s-cluster')).toEqual([...MASTERS, ...NODES]);
    expect(list.groups['calico-rr']).toEqual({ hosts: [], children: [], vars: {} }); // empty, known from all's children
    expect(list.hostvars['k1-node02']).toMatchObject({ ansible_host: 'k1-node02', ip: '192.168.30.17', kube_proxy_mode: 'ipvs' });
    expect(groupsOfHost(list, 'k1-master02')).toEqual(['etcd', 'kube-master']);
  });

  it('reads the underscore dialect, with etcd through children', async () => {
    const list = await inventoryList(join(dir, 'underscore.ini'), { cwd: dir });

    expect(list.groups.etcd?.hosts).toEqual([]);
    expect(groupMembers(list, 'etcd')).toEqual(MASTERS);
    expect(groupMembers(list, 'k8s_cluster')).toEqual([...MASTERS, ...NODES]);
    expect(groupMembers(list, 'all')).toEqual(expect.arrayContaining([...MASTERS, ...NODES]));
    expect(groupMembers(list, 'kube-master')).toEqual([]); // the old name matches nothing here
    expect(list.hostvars['k1-node01']?.node_labels).toEqual({ ingress: 'true' }); // Ansible evaluates INI literals
  });

  it('keeps group variables on their group with --export', async () => {
    const list = await inventoryList(join(dir, 'dash.ini'), { cwd: dir, exportVars: true });

    expect(list.groups['k8s-cluster']?.vars).toEqual({ kube_proxy_mode: 'ipvs' });
    expect(list.hostvars['k1-node01']?.kube_proxy_mode).toBeUndefined();
  });

  it('fails with the chokepoint error for a missing executable', async () => {
    await expect(inventoryList(join(dir, 'dash.ini'), { executable: '/nonexistent/ansible-inventory' }))
      .rejects.toMatchObject({ name: 'ExecError', notFound: true });
  });
});

describe('parseInventoryList', () => {
  it('is lenient with odd entries and handles cycles in groupMembers', () => {
    const list = parseInventoryList({
      _meta: { hostvars: { h1: { a: 1 }, bad: 'x' } },
      all: { children: ['a', 7] },
      a: { hosts: ['h1'], children: ['b'] },
      b: { hosts: ['h2'], children: ['a'] },
      weird: 'not a group',
    });

    expect(list.groups.weird).toEqual({ hosts: [], children: [], vars: {} });
    expect(list.groups.all?.children).toEqual(['a']);
    expect(groupMembers(list, 'all')).toEqual(['h1', 'h2']);
    expect(groupMembers(list, 'nope')).toEqual([]);
    expect(inventoryListArgv('inv.ini', { exportVars: true })).toEqual(['ansible-inventory', '-i', 'inv.ini', '--list', '--export']);
  });
});
