/**
 * What every host of an inventory gets from a group_vars tree, as Ansible
 * reads it: the real ansible-inventory over a copy of the inventory file
 * with the tree beside it as its group_vars (YAML 1.1, `all.yml` and
 * `all/*.yml` merged in Ansible's order, group precedence — a value in
 * group_vars/all is beaten by the same name in group_vars/k8s_cluster).
 * Nothing is re-implemented here.
 */
import { copyFile, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../util/errors.js';
import { inventoryList } from './inventory.js';

export type HostVars = Record<string, Record<string, unknown>>;

export async function hostVarsWith(inventoryPath: string, groupVarsDir: string): Promise<HostVars> {
  const isDir = await stat(groupVarsDir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new UsageError(`${groupVarsDir} is not a group_vars directory`, 'pass the group_vars directory of the inventory (inventory/<cluster>/group_vars)');
  const probe = await mkdtemp(join(tmpdir(), 'kspray-group-vars-'));
  try {
    const copy = join(probe, basename(inventoryPath));
    await copyFile(inventoryPath, copy);
    await symlink(resolve(groupVarsDir), join(probe, 'group_vars'), 'dir');
    return (await inventoryList(copy)).hostvars;
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}
