/**
 * One hop's files and steps for a real tag, as apply would prepare them: the
 * inventory in the tag's dialect with the tag's sample group_vars beside it,
 * the extra-vars (secrets as dummies), and the steps' argv from the planner's
 * own buildHopSteps, run with the tag's tree as cwd.
 */
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadBundledDocument, catalogFromDocument } from '../../src/catalog/load.js';
import type { Cluster } from '../../src/model/schema.js';
import { buildHopSteps } from '../../src/plan/steps.js';
import type { PlanStep } from '../../src/plan/types.js';
import { workerUpgradePlay } from '../../src/plan/wave-run.js';
import { renderExtraVars } from '../../src/render/extra-vars.js';
import { renderInventory } from '../../src/render/inventory.js';
import { renderTarget } from '../../src/render/target.js';
import { mapHostVars } from '../../src/vars/render.js';

export interface RealHop {
  inventory: string;
  extraVarsFiles: string[];
  /** Every variable written (extra-vars and host variables), and where from. */
  written: Array<{ name: string; scope: 'extra' | 'host' }>;
  steps: PlanStep[];
}

const catalog = catalogFromDocument(loadBundledDocument());

export async function prepareRealHop(cluster: Cluster, tag: string, tree: string, dir: string): Promise<RealHop> {
  const record = catalog.requireTag(tag);
  const target = renderTarget(record);
  const inventoryDir = join(dir, 'inventory', cluster.name);
  await mkdir(inventoryDir, { recursive: true });
  const inventory = join(inventoryDir, 'inventory.ini');
  await writeFile(inventory, renderInventory(cluster, target));
  await cp(join(tree, 'inventory', 'sample', 'group_vars'), join(inventoryDir, 'group_vars'), { recursive: true });
  const kubeVersion = catalog.formatKubeVersion(tag, catalog.defaultVersion(tag));
  const extra = renderExtraVars(cluster, target, () => 'kspray-dummy-secret', { kubeVersion, artifactsDir: join(dir, 'artifacts') });
  const extraVarsFiles = [join(dir, 'extra-vars.yml')];
  await writeFile(extraVarsFiles[0]!, extra.vars);
  if (extra.secrets !== undefined) {
    extraVarsFiles.push(join(dir, 'extra-vars.secrets.yml'));
    await writeFile(extraVarsFiles[1]!, extra.secrets);
  }
  const hostNames = new Set(cluster.nodes.flatMap((node) => mapHostVars(cluster, node, tag).map((entry) => entry.name)));
  const groups = catalog.groupNames(tag);
  const steps = buildHopSteps({
    cluster, hop: 1, tag, groups, kubeVersion,
    upgradePlaybook: catalog.upgradePlaybook(tag), factsPlaybook: catalog.factsPlaybook(tag) ?? null,
    executable: 'ansible-playbook', forks: 5, inventory, extraVarsFiles, kubesprayDir: tree, canary: 1, workDir: dir,
    workerPlay: workerUpgradePlay(catalog.upgradePlays(tag), groups),
  });
  return {
    inventory, extraVarsFiles, steps,
    written: [
      ...[extra.vars, extra.secrets ?? ''].flatMap((text) => Object.keys((parse(text) ?? {}) as object)).map((name) => ({ name, scope: 'extra' as const })),
      ...[...hostNames].map((name) => ({ name, scope: 'host' as const })),
    ],
  };
}
