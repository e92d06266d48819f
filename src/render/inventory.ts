/**
 * inventory.ini in the dialect of one Kubespray tag. Pure and byte-stable:
 * the same model and target always give the same bytes.
 */
import type { Cluster, ClusterNode } from '../model/schema.js';
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
    ...cluster.nodes.map(hostLine),
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
  if (target.declaresClusterGroup) {
    lines.push(`[${groups.cluster}:children]`, groups.controlPlane, groups.node);
    if (target.hasCalicoRr) lines.push(groups.calicoRr);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function hostLine(node: ClusterNode): string {
  const vars: string[] = [iniHostVar('ansible_host', node.ansibleHost ?? node.name), iniHostVar('ip', node.ip)];
  if (node.accessIp !== undefined) vars.push(iniHostVar('access_ip', node.accessIp));
  if (node.iface !== undefined) vars.push(iniHostVar('iface', node.iface));
  if (node.labels && Object.keys(node.labels).length > 0) vars.push(iniHostVar('node_labels', node.labels));
  for (const [key, value] of Object.entries(node.vars ?? {})) vars.push(iniHostVar(key, value));
  return [node.name, ...vars].join(' ');
}

function namesWith(cluster: Cluster, role: ClusterNode['roles'][number]): string[] {
  return cluster.nodes.filter((node) => node.roles.includes(role)).map((node) => node.name);
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name) => b.includes(name));
}
