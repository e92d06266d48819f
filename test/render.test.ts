/**
 * kspray render against the real ansible-inventory: the groups, members and
 * host variables Ansible reads from what kspray writes, per Kubespray dialect.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupMembers, inventoryList } from '../src/ansible/inventory.js';
import { k1ClusterFile, k1SecretEnv, repoRoot, runCli, withTempDir } from './helpers/cli.js';

const masters = ['k1-master01', 'k1-master02', 'k1-master03'];
const workers = ['k1-node01', 'k1-node02', 'k1-node03', 'k1-node04', 'k1-node05'];
const expectedHosts: Record<string, { ip: string; iface: string }> = {
  'k1-master01': { ip: '192.168.30.13', iface: 'eno49' },
  'k1-master02': { ip: '192.168.30.14', iface: 'ens2f0' },
  'k1-master03': { ip: '192.168.30.15', iface: 'eno49' },
  'k1-node01': { ip: '192.168.30.12', iface: 'ens2f0' },
  'k1-node02': { ip: '192.168.30.17', iface: 'ens2f0' },
  'k1-node03': { ip: '192.168.30.18', iface: 'ens2f0' },
  'k1-node04': { ip: '192.168.30.21', iface: 'ens2f0' },
  'k1-node05': { ip: '192.168.30.20', iface: 'ens2f0' },
};

async function renderK1(dir: string, tag: string, extra: readonly string[] = []): Promise<{ inventory: string; extraVars: string; secrets: string }> {
  const result = await runCli(['render', '-c', k1ClusterFile, '--tag', tag, '--out', dir, ...extra], { env: k1SecretEnv });
  expect(result.exitCode, result.stderr).toBe(0);
  return {
    inventory: join(dir, 'inventories', 'k1', 'inventory.ini'),
    extraVars: join(dir, 'extra-vars', 'k1.yml'),
    secrets: join(dir, 'extra-vars', 'k1.secrets.yml'),
  };
}

describe('kspray render, read back by ansible-inventory', () => {
  it.each([
    { tag: 'v2.13.2', controlPlane: 'kube-master', node: 'kube-node', cluster: 'k8s-cluster', absent: ['kube_control_plane', 'kube_node', 'k8s_cluster'] },
    { tag: 'v2.24.0', controlPlane: 'kube_control_plane', node: 'kube_node', cluster: 'k8s_cluster', absent: ['kube-master', 'kube-node', 'k8s-cluster'] },
  ])('k1 for $tag speaks its dialect', async ({ tag, controlPlane, node, cluster, absent }) => {
    await withTempDir(async (dir) => {
      const paths = await renderK1(dir, tag);
      const list = await inventoryList(paths.inventory);

      expect(groupMembers(list, controlPlane)).toEqual(masters);
      expect(groupMembers(list, 'etcd')).toEqual(masters);
      expect(groupMembers(list, node)).toEqual(workers);
      expect(new Set(groupMembers(list, cluster))).toEqual(new Set([...masters, ...workers]));
      for (const group of absent) expect(list.groups[group]).toBeUndefined();
      for (const [host, want] of Object.entries(expectedHosts)) {
        expect(list.hostvars[host]).toMatchObject({ ansible_host: host, ip: want.ip });
        // No Kubespray tag reads a host variable iface: the model keeps it, the inventory does not.
        expect(list.hostvars[host]?.iface, `${host} ${want.iface}`).toBeUndefined();
      }
      expect(list.hostvars['k1-node01']?.node_labels).toEqual({ 'node-role.kubernetes.io/ingress': '' });
    });
  });

  it('writes [etcd:children] for v2.27.0, as that tag\'s sample does, and declares k8s_cluster (its facts play needs it)', async () => {
    await withTempDir(async (dir) => {
      const paths = await renderK1(dir, 'v2.27.0');
      const text = await readFile(paths.inventory, 'utf8');
      expect(text).toContain('[etcd:children]\nkube_control_plane\n');
      expect(text).toContain('[k8s_cluster:children]\nkube_control_plane\nkube_node\n');
      const list = await inventoryList(paths.inventory);
      expect(groupMembers(list, 'etcd')).toEqual(masters);
      expect(new Set(groupMembers(list, 'k8s_cluster'))).toEqual(new Set([...masters, ...workers]));
    });
  });

  it('refuses k1 for v2.28.0 while it sets the rbd provisioner, naming it and the tag; renders it without', async () => {
    await withTempDir(async (dir) => {
      const refused = await runCli(['render', '-c', k1ClusterFile, '--tag', 'v2.28.0', '--out', dir], { env: k1SecretEnv });
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain('Kubespray v2.28.0 does not read 7 settings of cluster k1');
      expect(refused.stderr).toContain('addons.rbdProvisioner (rbd_provisioner_enabled, ');
      expect(refused.stderr).toContain('dropped the rbd provisioner');
      expect(refused.stderr).toContain('--allow-unread addons.rbdProvisioner');
      expect(refused.stderr).not.toMatch(/\n\s+at /);
      await expect(stat(join(dir, 'inventories'))).rejects.toThrow();

      const withoutRbd = join(dir, 'k1-no-rbd.yaml');
      const k1 = await readFile(k1ClusterFile, 'utf8');
      await writeFile(withoutRbd, k1.replace(/\n {2}rbdProvisioner:\n(?: {4}.*\n)+/, '\n'));
      const rendered = await runCli(['render', '-c', withoutRbd, '--tag', 'v2.28.0', '--out', dir], { env: k1SecretEnv });
      expect(rendered.exitCode, rendered.stderr).toBe(0);
      expect(await readFile(join(dir, 'extra-vars', 'k1.yml'), 'utf8')).not.toContain('rbd_provisioner');
    });
  });

  it('writes kube_version and the ipip variable in each tag\'s form', async () => {
    await withTempDir(async (dir) => {
      const forms: Record<string, { kube: string; ipip: string }> = {
        'v2.12.10': { kube: 'kube_version: v1.16.3', ipip: 'ipip_mode: Never' },
        'v2.13.2': { kube: 'kube_version: v1.16.3', ipip: 'calico_ipip_mode: Never' },
        'v2.28.0': { kube: 'kube_version: 1.16.3', ipip: 'calico_ipip_mode: Never' },
      };
      for (const [tag, want] of Object.entries(forms)) {
        const paths = await renderK1(join(dir, tag), tag, ['--allow-unread', 'addons.rbdProvisioner']);
        const text = await readFile(paths.extraVars, 'utf8');
        expect(text).toContain(`\n${want.kube}\n`);
        expect(text).toContain(`\n${want.ipip}\n`);
      }
    });
  });

  it('is byte-stable: the same input gives the same bytes', async () => {
    await withTempDir(async (dir) => {
      const first = await renderK1(join(dir, 'a'), 'v2.16.0');
      const second = await renderK1(join(dir, 'b'), 'v2.16.0');
      for (const key of ['inventory', 'extraVars', 'secrets'] as const) {
        expect(await readFile(second[key], 'utf8')).toBe(await readFile(first[key], 'utf8'));
      }
    });
  });

  it('keeps secrets out of every output and in a 0600 file of their own', async () => {
    await withTempDir(async (dir) => {
      const secrets = Object.values(k1SecretEnv);
      const runs = [
        await runCli(['validate', '-c', k1ClusterFile], { env: k1SecretEnv }),
        await runCli(['render', '-c', k1ClusterFile, '--out', dir], { env: k1SecretEnv }),
        await runCli(['render', '-c', k1ClusterFile, '--out', join(dir, 'x'), '--tag', 'v2.99.0'], { env: k1SecretEnv }),
        await runCli(['schema'], { env: k1SecretEnv }),
      ];
      for (const result of runs) for (const secret of secrets) expect(result.stdout + result.stderr).not.toContain(secret);

      const secretsFile = join(dir, 'extra-vars', 'k1.secrets.yml');
      expect((await stat(secretsFile)).mode & 0o777).toBe(0o600);
      const secretText = await readFile(secretsFile, 'utf8');
      expect(secretText).toContain(`rbd_provisioner_secret: ${k1SecretEnv.K1_RBD_ADMIN_SECRET}`);
      expect(secretText).toContain(`rbd_provisioner_user_secret: ${k1SecretEnv.K1_RBD_USER_SECRET}`);
      const plainText = await readFile(join(dir, 'extra-vars', 'k1.yml'), 'utf8');
      for (const secret of secrets) expect(plainText).not.toContain(secret);
    });
  });

  it('matches the k1 files checked in (they must not drift from what render produces)', async () => {
    await withTempDir(async (dir) => {
      const result = await runCli(['render', '-c', k1ClusterFile, '--out', dir], { env: k1SecretEnv });
      expect(result.exitCode, result.stderr).toBe(0);
      for (const file of ['inventories/k1/inventory.ini', 'extra-vars/k1.yml']) {
        expect(await readFile(join(dir, file), 'utf8'), `${file} drifted: run kspray render -c inventories/k1/cluster.yaml`).toBe(await readFile(join(repoRoot, file), 'utf8'));
      }
    });
  });
});
