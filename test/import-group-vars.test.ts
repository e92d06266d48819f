/**
 * `kspray import --group-vars`: an operator's group_vars, made from a real
 * tag's sample (the bundle) with an external load balancer, changed calico
 * settings and group-scoped values, become a cluster file whose render for
 * the same tag gives every host the same effective values — read by the real
 * ansible-inventory, as apply lays the hop out (the tag's sample group_vars
 * beside kspray's inventory, kspray's extra-vars over them).
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inventoryList } from '../src/ansible/inventory.js';
import { runCli } from './helpers/cli.js';
import { realTree, requireBundle } from './helpers/real-kubespray.js';

const TAG = 'v2.24.3';
const INVENTORY = `[kube_control_plane]
cp1 ansible_host=10.1.0.1 ip=10.1.0.1
cp2 ansible_host=10.1.0.2 ip=10.1.0.2
cp3 ansible_host=10.1.0.3 ip=10.1.0.3

[etcd:children]
kube_control_plane

[kube_node]
w1 ansible_host=10.1.0.11 ip=10.1.0.11
w2 ansible_host=10.1.0.12 ip=10.1.0.12

[k8s_cluster:children]
kube_control_plane
kube_node
`;
/** What the operator changed, each in the group and file they keep it in. */
const CHANGES: Record<string, string> = {
  // kube_log_level in all is beaten by the sample's k8s_cluster value (2): no effective change.
  'all/zz-operator.yml': 'loadbalancer_apiserver:\n  address: 10.1.0.100\n  port: 8443\napiserver_loadbalancer_domain_name: api.mycluster.example\nkube_log_level: 3\n',
  'k8s_cluster/zz-operator.yml': 'calico_ipip_mode: Always\ncalico_vxlan_mode: Never\ncalico_pool_blocksize: 24\ncalico_cni_name: k8s-pod-network\nkube_proxy_strict_arp: true\n',
  'etcd.yml': '---\netcd_memory_limit: 4096M\n',
};

let dir: string;
let sample: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kspray-import-gv-'));
  sample = join(await realTree(TAG), 'inventory', 'sample', 'group_vars');
  // The operator's Kubespray checkout: the sample, and their inventory beside it.
  await cp(sample, join(dir, 'inventory', 'sample', 'group_vars'), { recursive: true });
  await cp(sample, join(dir, 'inventory', 'mycluster', 'group_vars'), { recursive: true });
  for (const [file, text] of Object.entries(CHANGES)) {
    const path = join(dir, 'inventory', 'mycluster', 'group_vars', file);
    await writeFile(path, file === 'etcd.yml' ? `${await readFile(path, 'utf8')}\n${text.replace('---\n', '')}` : text);
  }
  await writeFile(join(dir, 'inventory', 'mycluster', 'inventory.ini'), INVENTORY);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kspray import --group-vars', () => {
  it('carries what differs from the sample into typed fields, extraVars and node vars; the render gives every host the same values', async () => {
    const inventory = join(dir, 'inventory', 'mycluster', 'inventory.ini');
    const groupVars = join(dir, 'inventory', 'mycluster', 'group_vars');
    const imported = await runCli(['import', '--inventory', inventory, '--group-vars', groupVars, '--kube-version', '1.28.6'], { cwd: dir });
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('carried: loadbalancer_apiserver → apiServer.loadBalancer.external');
    expect(imported.stderr).toContain('carried: calico_ipip_mode → network.calico.ipipMode');
    expect(imported.stderr).toContain('carried: calico_pool_blocksize → extraVars.calico_pool_blocksize');
    expect(imported.stderr).toContain('carried: etcd_memory_limit → nodes[].vars of cp1, cp2, cp3');
    expect(imported.stderr).toMatch(/dropped as equal to the sample \(.*inventory\/sample\/group_vars\): \d+ variable\(s\): .*calico_cni_name/);
    expect(imported.stderr).toMatch(/dropped as .*kube_log_level/);
    const model = parse(imported.stdout) as Record<string, any>; // the imported cluster file, as YAML
    expect(model.apiServer).toEqual({ loadBalancer: { external: { address: '10.1.0.100', port: 8443, domainName: 'api.mycluster.example' } } });
    expect(model.network.calico).toEqual({ ipipMode: 'Always', vxlanMode: 'Never' });
    expect(model.extraVars).toEqual({ calico_pool_blocksize: 24, kube_proxy_strict_arp: true });
    expect(model.nodes.filter((n: { vars?: object }) => n.vars).map((n: { name: string }) => n.name)).toEqual(['cp1', 'cp2', 'cp3']);

    const clusterFile = join(dir, 'cluster.yaml');
    await writeFile(clusterFile, imported.stdout);
    const out = join(dir, 'rendered');
    const rendered = await runCli(['render', '-c', clusterFile, '--tag', TAG, '--out', out], { cwd: dir });
    expect(rendered.exitCode, rendered.stderr).toBe(0);

    // As apply lays out a hop: the tag's sample group_vars beside kspray's inventory, the extra-vars over everything.
    const renderedInventory = join(out, 'inventories', 'mycluster', 'inventory.ini');
    await cp(sample, join(out, 'inventories', 'mycluster', 'group_vars'), { recursive: true });
    const extraVars = parse(await readFile(join(out, 'extra-vars', 'mycluster.yml'), 'utf8'), { version: '1.1' }) as Record<string, unknown>;
    const before = await inventoryList(inventory);
    const after = await inventoryList(renderedInventory);
    const operatorVars = new Set(Object.values(CHANGES).flatMap((text) => Object.keys(parse(text) as object)));
    for (const host of ['cp1', 'cp2', 'cp3', 'w1', 'w2']) {
      for (const name of operatorVars) {
        const effective = name in extraVars ? extraVars[name] : after.hostvars[host]?.[name];
        expect(effective, `${host} ${name}`).toEqual(before.hostvars[host]?.[name]);
      }
    }
    expect(after.hostvars.w1?.etcd_memory_limit).toBeUndefined();
    expect(before.hostvars.w1?.etcd_memory_limit).toBeUndefined();
  });

  it('reads the sample of a tag out of a Kubespray repository (the bundle) with --tag and --kubespray', async () => {
    const inventory = join(dir, 'inventory', 'mycluster', 'inventory.ini');
    const groupVars = join(dir, 'inventory', 'mycluster', 'group_vars');
    const imported = await runCli(
      ['import', '--inventory', inventory, '--group-vars', groupVars, '--kube-version', '1.28.6', '--tag', TAG, '--kubespray', requireBundle()],
      { cwd: dir, env: { KSPRAY_CACHE_DIR: join(dir, 'cache') } },
    );
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.stderr).toContain(`dropped as equal to the sample (${requireBundle()} at ${TAG})`);
    expect((parse(imported.stdout) as { network: { calico: unknown } }).network.calico).toEqual({ ipipMode: 'Always', vxlanMode: 'Never' });
  });

  it('says where to find the sample when it cannot (exit 2, nothing on stdout)', async () => {
    const lone = join(dir, 'lone');
    await mkdir(join(lone, 'group_vars', 'all'), { recursive: true });
    await writeFile(join(lone, 'group_vars', 'all', 'all.yml'), 'kube_log_level: 3\n');
    await writeFile(join(lone, 'inventory.ini'), INVENTORY);
    const result = await runCli(['import', '--inventory', join(lone, 'inventory.ini'), '--group-vars', join(lone, 'group_vars'), '--kube-version', '1.28.6'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no sample group_vars to compare');
    expect(result.stderr).toContain('--sample DIR');
  });
});
