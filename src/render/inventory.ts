/**
 * inventory.ini in the dialect of one Kubespray tag. Pure and byte-stable:
 * the same model and target always give the same bytes.
 */
import type { Cluster, ClusterNode } from '../model/schema.js';
import { mapHostVars } from '../vars/render.js';
import { iniHostVar } from './ini-values.js';
import type { RenderTarget } from './target.js';

export function renderInventory(cluster: Cluster, target: RenderTarget): string {
  const { groups } = target;
  const controlPlanes = namesWith(cluster, 'control-plane');
  const etcd = namesWith(cluster, 'etcd');
  const workers = namesWith(cluster, 'worker');
  const lines: string[] = [
    `# Rendered by kspray for Kubespray ${target.tag} (${target.dialect} group names) from cluster ${cluster.name}.`,
    '# Do not edit: change the cluster file and run `kspray render`.',
    '[all]',
    ...cluster.nodes.map((node) => hostLine(cluster, node, target.tag)),
    '',
    `[${groups.controlPlane}]`,
    ...controlPlanes,
    '',
  ];
  // `[etcd:children]` only says "etcd = the control plane"; external or
  // partial etcd needs the explicit host group, whatever the sample shows.
  if (target.etcdForm === 'children' && sameMembers(etcd, controlPlanes)) {
    lines.push(`[${groups.etcd}:children]`, groups.controlPlane, '');
  } else {
    lines.push(`[${groups.etcd}]`, ...etcd, '');
  }
  lines.push(`[${groups.node}]`, ...workers, '');
  if (target.hasCalicoRr) lines.push(`[${groups.calicoRr}]`, '');
  // Declared on every tag, although samples from v2.27.0 leave it out: v2.27.0 – v2.28.1's
  // facts.yml gathers for k8s_cluster without importing the boilerplate that creates it,
  // and would cache only the control plane's facts (later tags accept the group as it is).
  lines.push(`[${groups.cluster}:children]`, groups.controlPlane, groups.node);
  if (target.hasCalicoRr) lines.push(groups.calicoRr);
  lines.push('');
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The node's host variables as the table renders them for the tag (iface is read by no tag: not written). */
function hostLine(cluster: Cluster, node: ClusterNode, tag: string): string {
  const vars = mapHostVars(cluster, node, tag).map(({ name, value }) => iniHostVar(name, value));
  return [node.name, ...vars].join(' ');
}

function namesWith(cluster: Cluster, role: ClusterNode['roles'][number]): string[] {
  return cluster.nodes.filter((node) => node.roles.includes(role)).map((node) => node.name);
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name) => b.includes(name));
}
