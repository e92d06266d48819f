/**
 * `kspray import --group-vars DIR`: what the operator's group_vars change
 * for each host against the tag's sample, both read by the real
 * ansible-inventory over the same inventory (src/ansible/group-vars.ts). The
 * inventory itself is read without any group_vars beside it, so only what
 * differs reaches the cluster file; what was carried, what was dropped as
 * equal to the sample, and what the operator removed are printed.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { hostVarsWith } from '../ansible/group-vars.js';
import { inventoryList, type InventoryList } from '../ansible/inventory.js';
import { sampleGroupVarsDir } from '../kubespray/sample-group-vars.js';
import { diffGroupVars, type GroupVarsDiff } from '../model/group-vars-diff.js';
import { fieldsByName } from '../vars/select.js';
import { readImportInventory } from './import-inputs.js';
import { printStderr } from './output.js';

export async function readGroupVarsImport(
  inventoryPath: string,
  groupVarsDir: string,
  options: { sample?: string | undefined; tag?: string | undefined; kubespray?: string | undefined },
): Promise<{ inventory: InventoryList; diff: GroupVarsDiff }> {
  // Checked as any inventory is, first: a missing, binary or unparsable file is a clear error
  // before a sample is fetched or the file is copied beside one.
  await readImportInventory(inventoryPath);
  const sample = await sampleGroupVarsDir({ dir: options.sample, tag: options.tag, repo: options.kubespray, besides: groupVarsDir });
  let diff: GroupVarsDiff;
  try {
    diff = diffGroupVars(await hostVarsWith(inventoryPath, groupVarsDir), await hostVarsWith(inventoryPath, sample.dir));
  } finally {
    await sample.cleanup();
  }
  // Read again from a copy without the group_vars beside it: those arrive through the diff only.
  const alone = await mkdtemp(join(tmpdir(), 'kspray-import-'));
  let inventory: InventoryList;
  try {
    const copy = join(alone, basename(inventoryPath));
    await copyFile(inventoryPath, copy);
    inventory = await inventoryList(copy, { exportVars: true });
  } finally {
    await rm(alone, { recursive: true, force: true });
  }
  const typed = fieldsByName('cluster');
  for (const name of Object.keys(diff.cluster)) printStderr(`carried: ${name} → ${typed.get(name) ?? `extraVars.${name}`}`);
  const perHost = new Map<string, string[]>();
  for (const [host, vars] of Object.entries(diff.hosts)) for (const name of Object.keys(vars)) perHost.set(name, [...(perHost.get(name) ?? []), host]);
  for (const [name, hosts] of perHost) printStderr(`carried: ${name} → nodes[].vars of ${hosts.join(', ')}`);
  printStderr(`dropped as equal to the sample (${sample.from}): ${diff.dropped.length} variable(s)${diff.dropped.length > 0 ? `: ${diff.dropped.join(', ')}` : ''}`);
  if (diff.removed.length > 0) {
    printStderr(`warning: the sample sets ${diff.removed.join(', ')}, which ${groupVarsDir} does not: kspray copies the sample into every hop, so the sample's value applies again; set it in the cluster file if it must differ`);
  }
  return { inventory, diff };
}
