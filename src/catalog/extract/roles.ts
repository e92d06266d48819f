/**
 * Small facts read from role files: the upgrade roles' drain/cordon defaults,
 * how the control-plane role runs kubeadm, and which groups the sample
 * inventory has group_vars for.
 */
import { type TagFiles, firstExisting } from './tag-files.js';
import { isMapping, parseYaml } from './yaml-text.js';

const UPGRADE_ROLES = ['pre-upgrade', 'post-upgrade', 'system-upgrade'];

type Scalar = string | number | boolean | null;

/** Scalar defaults of roles/upgrade/{pre-upgrade,post-upgrade,system-upgrade} (drain_*, upgrade_node_*). */
export async function extractUpgradeDefaults(files: TagFiles): Promise<Record<string, Record<string, Scalar>>> {
  const out: Record<string, Record<string, Scalar>> = {};
  for (const role of UPGRADE_ROLES) {
    const file = firstExisting(files, [`roles/upgrade/${role}/defaults/main.yml`, `roles/upgrade/${role}/defaults/main.yaml`]);
    const document = file ? parseYaml((await files.read(file)) ?? '') : undefined;
    if (!isMapping(document)) continue;
    const scalars = Object.fromEntries(Object.entries(document).filter((entry): entry is [string, Scalar] => isScalar(entry[1])));
    if (Object.keys(scalars).length > 0) out[role] = scalars;
  }
  return out;
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/**
 * Where the control-plane role runs `kubeadm upgrade`, the version argument it
 * passes (`{{ kube_version }}`, or `v{{ kube_version }}` once kube_version is
 * bare), and whether the other control planes use `upgrade node` (v2.27.1+).
 * The finer flags of the bundled record need reading task logic; they are
 * carried over for an unchanged tag only.
 */
export async function extractKubeadmUpgrade(files: TagFiles): Promise<Record<string, unknown> | null> {
  const roleDirs = ['roles/kubernetes/control-plane', 'roles/kubernetes/master'];
  const file = firstExisting(files, roleDirs.map((dir) => `${dir}/tasks/kubeadm-upgrade.yml`));
  if (!file) return null;
  const text = (await files.read(file)) ?? '';
  const roleDir = file.slice(0, file.indexOf('/tasks/'));
  const apply = /upgrade\s+apply\s+(?:-\S+\s+)*(v?)\{\{\s*kube_version\s*\}\}/.exec(text);
  const templates = files.paths()
    .filter((path) => path.startsWith(`${roleDir}/templates/`) && /\/kubeadm-config\.[^/]+\.ya?ml\.j2$/.test(path))
    .map((path) => path.split('/').pop() ?? path)
    .sort();
  return {
    file,
    ...(apply ? { apply_version_arg: `${apply[1]}{{ kube_version }}` } : {}),
    other_control_planes_use: /upgrade\s+node\b/.test(text) ? 'kubeadm upgrade node' : 'kubeadm upgrade apply',
    ...(templates.length > 0 ? { kubeadm_config_templates: templates } : {}),
  };
}

/** Groups with a file or directory under inventory/sample/group_vars. */
export function sampleGroupVarsGroups(files: TagFiles): string[] {
  const prefix = 'inventory/sample/group_vars/';
  const groups = new Set<string>();
  for (const path of files.paths()) {
    if (!path.startsWith(prefix)) continue;
    const first = path.slice(prefix.length).split('/')[0] ?? '';
    const group = first.replace(/\.ya?ml$/, '');
    if (group) groups.add(group);
  }
  return [...groups].sort();
}
