import { describe, expect, it } from 'vitest';
import { cluster as clusterSchema, type ClusterInput } from '../model/schema.js';
import { UsageError } from '../util/errors.js';
import { checkSettingsRead, unreadOnTags } from './check.js';
import { loadVariableFacts, tagReads } from './facts.js';
import { mapHostVars, mapTypedVars } from './render.js';
import { assertAllRead, needsFacts, unreadSettings } from './unread.js';

const base: ClusterInput = {
  name: 't1',
  kubernetes: { version: '1.16.3' },
  nodes: [
    { name: 'm1', ip: '10.0.0.1', iface: 'eno49', roles: ['control-plane', 'etcd'] },
    { name: 'w1', ip: '10.0.0.9', roles: ['worker'] },
  ],
};
const parse = (input: Partial<ClusterInput>) => clusterSchema.parse({ ...base, ...input });
const rbd = { rbdProvisioner: { monitors: ['1.2.3.4:6789'], pool: 'kubes', adminSecret: { fromEnv: 'A' }, userSecret: { fromEnv: 'B' } } };
const verified = { tableVerified: true };

describe('typed settings the table gives no name for the tag', () => {
  it('refuses the rbd provisioner on v2.28.0 and names it, the tag and what replaces it', () => {
    const cluster = parse({ addons: rbd });

    const unread = unreadOnTags(cluster, ['v2.27.1', 'v2.28.0'], verified);

    expect(unread.filter((u) => u.tag === 'v2.27.1')).toEqual([]);
    expect(unread.map((u) => u.name)).toEqual(expect.arrayContaining(['rbd_provisioner_enabled', 'rbd_provisioner_secret', 'rbd_provisioner_monitors']));
    expect(unread[0]).toMatchObject({ tag: 'v2.28.0', kind: 'typed', setting: 'addons.rbdProvisioner.enabled' });
    expect(unread[0]?.instead).toContain('ceph-csi');
    expect(() => assertAllRead('t1', unread)).toThrow(UsageError);
    expect(() => assertAllRead('t1', unread)).toThrow(/Kubespray v2\.28\.0 does not read 7 settings of cluster t1:\n {2}addons\.rbdProvisioner \(rbd_provisioner_enabled, .*\): Kubespray v2\.28\.0 reads none of them — Kubespray v2\.28\.0 dropped the rbd provisioner/);
  });

  it('accepts them with --allow-unread naming the variable or a cluster-file path above it', () => {
    const unread = unreadOnTags(parse({ addons: { ...rbd, dashboard: true } }), ['v2.31.0'], verified);

    expect(() => assertAllRead('t1', unread, ['addons.rbdProvisioner', 'dashboard_enabled'])).not.toThrow();
    expect(() => assertAllRead('t1', unread, ['addons.rbdProvisioner'])).toThrow(/addons\.dashboard \(dashboard_enabled\)/);
    expect(() => assertAllRead('t1', unread, ['addons.rbd'])).toThrow(UsageError);
  });

  it('refuses kube-vip before v2.19.0 and containerd on v2.10, saying under which condition', () => {
    const vip = parse({ apiServer: { loadBalancer: { external: { address: '10.0.0.100', port: 6443 }, kubeVip: { address: '10.0.0.100', interface: 'eth0', mode: 'arp' } } } });
    expect(unreadOnTags(vip, ['v2.18.2'], verified).map((u) => u.name)).toContain('kube_vip_enabled');
    expect(unreadOnTags(vip, ['v2.19.0'], verified)).toEqual([]);

    const containerd = parse({ containerManager: 'containerd', registries: { insecure: ['reg:5000'] } });
    const unread = unreadOnTags(containerd, ['v2.10.4'], verified);
    expect(unread.map((u) => u.setting)).toEqual(['containerManager', 'registries.insecure']);
    expect(unread[1]?.why).toContain('with containerd');
  });

  it('needs no facts for typed settings on a verified tag, and loads none', () => {
    const cluster = parse({ addons: rbd });
    expect(needsFacts(cluster, true)).toBe(false);
    expect(needsFacts(cluster, false)).toBe(true);
    expect(needsFacts(parse({ extraVars: { foo: 1 } }), true)).toBe(true);
    expect(() => unreadOnTags(cluster, ['v2.28.0'], { tableVerified: true, facts: () => { throw new Error('loaded'); } })).not.toThrow();
  });
});

describe('extra and node variables against the tag\'s facts', () => {
  const facts = loadVariableFacts();

  it('refuses an extraVars key the tag neither defines nor references, and keeps one it reads', () => {
    const cluster = parse({ extraVars: { kubelet_max_pods: 200, no_such_kubespray_var: 1 } });

    expect(unreadSettings(cluster, 'v2.20.0', facts.of('v2.20.0'))).toEqual([
      expect.objectContaining({ setting: 'extraVars.no_such_kubespray_var', kind: 'extra', why: expect.stringContaining('neither define nor reference') }),
    ]);
  });

  it('quotes the tag\'s own message for a variable it fails on (ipip_mode from v2.19.0)', () => {
    const unread = unreadSettings(parse({ nodes: [{ ...base.nodes[0]!, vars: { ipip_mode: 'Never' } }, base.nodes[1]!] }), 'v2.19.0', facts.of('v2.19.0'));

    expect(unread).toEqual([expect.objectContaining({ setting: 'nodes[0].vars.ipip_mode (m1)', kind: 'host' })]);
    expect(unread[0]?.why).toMatch(/fails on ipip_mode: ".*calico_ipip_mode/);
    expect(unread[0]?.instead).toBe('set network.calico.ipipMode instead: kspray writes it under the name each tag reads');
  });

  it('names a known rename for an untyped variable', () => {
    const unread = unreadSettings(parse({ extraVars: { enable_ssl: true } }), 'v2.19.0', facts.of('v2.19.0'));
    expect(unread[0]?.instead).toBe('rename it to kube_ovn_enable_ssl (Kubespray v2.19.0 renamed it)');
  });

  it('reads a host variable only where the plays do not bind it themselves (iface is cilium\'s own loop variable)', () => {
    const reads = facts.of('v2.20.0');
    expect(reads.readsExtraVar('iface')).toBe(true);
    expect(reads.readsHostVar('iface')).toBe(false);
    expect(reads.readsHostVar('node_labels')).toBe(true);
    expect(unreadSettings(parse({ nodes: [{ ...base.nodes[0]!, vars: { iface: 'x' } }, base.nodes[1]!] }), 'v2.20.0', reads).map((u) => u.setting)).toEqual(['nodes[0].vars.iface (m1)']);
  });

  it('checks the table\'s own names against the facts of a tag it is not verified for', () => {
    // A refreshed tag that dropped a variable the table still writes: the facts say so.
    const dropped = tagReads('v2.99.0', { defaults: [], roleVars: [], sample: [], referenced: ['kube_version', 'kube_network_plugin', 'ip'], bound: [], rejected: {} });
    const unread = unreadSettings(parse({ dns: { nodelocaldns: false } }), 'v2.99.0', dropped);
    expect(unread.map((u) => u.name)).toEqual(['enable_nodelocaldns']);
    expect(unread[0]?.why).toBe('Kubespray v2.99.0 does not read enable_nodelocaldns (its files neither define nor reference it)');
  });

  it('says plainly when it has no facts for a tag', () => {
    expect(() => checkSettingsRead(parse({ extraVars: { a: 1 } }), ['v2.99.0'], { tableVerified: true })).toThrow(/no variable facts for Kubespray v2\.99\.0/);
  });
});

describe('rendering through the table', () => {
  it('does not write iface, which no tag reads', () => {
    const cluster = parse({});
    expect(mapHostVars(cluster, cluster.nodes[0]!, 'v2.20.0').map((v) => v.name)).toEqual(['ansible_host', 'ip']);
  });

  it('writes containerd\'s insecure registries in each tag\'s shape', () => {
    const cluster = parse({ containerManager: 'containerd', registries: { insecure: ['reg:5000'] } });
    const written = (tag: string) => mapTypedVars(cluster, tag, 'v1.20.0').find((v) => v.source === 'registries.insecure');

    expect(written('v2.15.1')).toMatchObject({ name: 'containerd_config', value: { registries: { 'docker.io': 'https://registry-1.docker.io', 'reg:5000': 'http://reg:5000' }, max_container_log_line_size: -1 } });
    expect(written('v2.16.0')).toEqual({ name: 'containerd_registries', value: { 'docker.io': 'https://registry-1.docker.io', 'reg:5000': 'http://reg:5000' }, source: 'registries.insecure' });
    expect(written('v2.18.0')).toEqual({ name: 'containerd_insecure_registries', value: ['reg:5000'], source: 'registries.insecure' });
    expect(written('v2.18.1')).toEqual({ name: 'containerd_insecure_registries', value: { 'reg:5000': 'http://reg:5000' }, source: 'registries.insecure' });
    expect(written('v2.23.0')?.name).toBe('containerd_registries_mirrors');
  });

  it('follows Kubespray\'s default container manager when the cluster file names none (containerd from v2.18.0)', () => {
    const cluster = parse({ registries: { insecure: ['reg:5000'] } });
    expect(mapTypedVars(cluster, 'v2.17.1', 'v1.20.0').map((v) => v.name)).toContain('docker_insecure_registries');
    expect(mapTypedVars(cluster, 'v2.18.0', 'v1.20.0').map((v) => v.name)).toContain('containerd_insecure_registries');
  });

  it('writes kubeadm-managed etcd as etcd_kubeadm_enabled before v2.19.0, etcd_deployment_type after', () => {
    const cluster = parse({ etcd: { deploymentType: 'kubeadm' } });
    expect(mapTypedVars(cluster, 'v2.18.2', 'v1.20.0').filter((v) => v.source === 'etcd.deploymentType')).toEqual([{ name: 'etcd_kubeadm_enabled', value: true, source: 'etcd.deploymentType' }]);
    expect(mapTypedVars(cluster, 'v2.19.0', 'v1.21.0').filter((v) => v.source === 'etcd.deploymentType')).toEqual([{ name: 'etcd_deployment_type', value: 'kubeadm', source: 'etcd.deploymentType' }]);
  });
});
