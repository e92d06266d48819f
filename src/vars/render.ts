/**
 * The typed settings of a cluster as the Kubespray variables one tag reads,
 * derived from the table: the extra-vars (cluster scope) and each node's
 * inventory host variables, in table order (rendered files are byte-stable).
 * A setting the tag reads under no name is left out here; unread.ts reports it.
 */
import type { Cluster, ClusterNode, SecretRef } from '../model/schema.js';
import { clusterSettings, hostSettings, renderValue } from './select.js';
import { SETTINGS } from './table.js';
import type { Rendered, VarValue } from './types.js';

export type { VarValue };

export interface MappedVar {
  name: string;
  /** The plain value, or a secret reference resolved only when rendering. */
  value: Rendered;
  /** The cluster-file path that set it (for errors and the vars-drift preflight). */
  source: string;
}

/** The cluster-scope settings as extra-vars for `tag` (kubeVersion in the tag's form). */
export function mapTypedVars(cluster: Cluster, tag: string, kubeVersion: string): MappedVar[] {
  const context = { tag, kubeVersion, cluster };
  return clusterSettings(cluster, tag)
    .filter((set) => set.range !== undefined)
    .map((set) => ({ name: set.range!.name, value: renderValue(set, context), source: set.setting.field }));
}

/** A node's typed host variables for `tag`, then its own `vars` (written as they are). */
export function mapHostVars(cluster: Cluster, node: ClusterNode, tag: string): Array<{ name: string; value: unknown }> {
  const context = { tag, kubeVersion: cluster.kubernetes.version, cluster };
  const typed = hostSettings(cluster, node, tag)
    // An empty labels map is no labels: nothing to write.
    .filter((set) => set.range !== undefined && !set.setting.inert && !isEmptyMapping(set.value))
    .map((set) => ({ name: set.range!.name, value: renderValue(set, context) as unknown }));
  // ansible_host defaults to the node's name (Ansible would connect to the name anyway; the line says so).
  if (!typed.some((entry) => entry.name === ANSIBLE_HOST)) typed.unshift({ name: ANSIBLE_HOST, value: node.name });
  return [...typed, ...Object.entries(node.vars ?? {}).map(([name, value]) => ({ name, value }))];
}

/** Ansible's own connection variable, as the table names it. */
const ANSIBLE_HOST = SETTINGS.find((setting) => setting.field === 'nodes[].ansibleHost')!.names[0]!.name;

function isEmptyMapping(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

export function isSecretValue(value: Rendered): value is { secret: SecretRef } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'secret' in value;
}
