import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { refreshGroupVars } from './group-vars.js';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function checkoutWithSample(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'kspray-gv-'));
  temps.push(root);
  const sample = join(root, 'kubespray', 'inventory', 'sample', 'group_vars');
  await mkdir(join(sample, 'all'), { recursive: true });
  await mkdir(join(sample, 'k8s_cluster'), { recursive: true });
  await writeFile(join(sample, 'all', 'all.yml'), 'bin_dir: /usr/local/bin\n');
  await writeFile(join(sample, 'etcd.yml'), 'etcd_data_dir: /var/lib/etcd\n');
  await writeFile(join(root, 'kubespray', 'shared.yml'), 'kube_network_plugin: calico\n');
  await symlink('../../../../shared.yml', join(sample, 'k8s_cluster', 'k8s-cluster.yml'));
  return root;
}

describe('refreshGroupVars', () => {
  it('replaces group_vars with the sample tree, symlinks copied as files', async () => {
    const root = await checkoutWithSample();
    const inventoryDir = join(root, 'work', 'inventory', 'k1');
    await mkdir(join(inventoryDir, 'group_vars', 'old_group'), { recursive: true });
    await writeFile(join(inventoryDir, 'group_vars', 'old_group', 'stale.yml'), 'stale: true\n');

    const target = await refreshGroupVars({ kubesprayDir: join(root, 'kubespray'), inventoryDir });

    expect(target).toBe(join(inventoryDir, 'group_vars'));
    expect((await readdir(target, { recursive: true })).sort()).toEqual(['all', 'all/all.yml', 'etcd.yml', 'k8s_cluster', 'k8s_cluster/k8s-cluster.yml']);
    expect((await lstat(join(target, 'k8s_cluster', 'k8s-cluster.yml'))).isSymbolicLink()).toBe(false);
    expect(await readFile(join(target, 'k8s_cluster', 'k8s-cluster.yml'), 'utf8')).toBe('kube_network_plugin: calico\n');
    expect(await readdir(inventoryDir)).toEqual(['group_vars']);
  });

  it('clears staging trees of dead runs but not of live ones', async () => {
    const root = await checkoutWithSample();
    const inventoryDir = join(root, 'inv');
    const dead = join(inventoryDir, '.group_vars.99999999.abcd1234.new');
    const live = join(inventoryDir, `.group_vars.${process.pid}.abcd1234.old`);
    await mkdir(dead, { recursive: true });
    await mkdir(live, { recursive: true });

    await refreshGroupVars({ kubesprayDir: join(root, 'kubespray'), inventoryDir });

    expect((await readdir(inventoryDir)).sort()).toEqual([`.group_vars.${process.pid}.abcd1234.old`, 'group_vars']);
  });

  it('refuses a checkout without inventory/sample/group_vars and leaves group_vars alone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kspray-gv-'));
    temps.push(root);
    await mkdir(join(root, 'inv', 'group_vars'), { recursive: true });
    await writeFile(join(root, 'inv', 'group_vars', 'all.yml'), 'x: 1\n');

    await expect(refreshGroupVars({ kubesprayDir: join(root, 'kubespray'), inventoryDir: join(root, 'inv') })).rejects.toThrow(/has no inventory\/sample\/group_vars/);
    expect(await readdir(join(root, 'inv', 'group_vars'))).toEqual(['all.yml']);
  });
});
