/**
 * Kubespray's two inventory group dialects. v2.16.0 renamed the groups
 * (kube-master → kube_control_plane, ...); which dialect a tag speaks is read
 * from its record (`groups.dialect`), the names of each dialect live here.
 */
export type GroupDialect = 'dash' | 'underscore';

export interface GroupNames {
  controlPlane: string;
  node: string;
  cluster: string;
  calicoRr: string;
  etcd: string;
}

const NAMES: Record<GroupDialect, GroupNames> = {
  dash: { controlPlane: 'kube-master', node: 'kube-node', cluster: 'k8s-cluster', calicoRr: 'calico-rr', etcd: 'etcd' },
  underscore: { controlPlane: 'kube_control_plane', node: 'kube_node', cluster: 'k8s_cluster', calicoRr: 'calico_rr', etcd: 'etcd' },
};

export function groupNamesOf(dialect: GroupDialect): GroupNames {
  return { ...NAMES[dialect] };
}

/**
 * The dialect a set of group names speaks, or undefined when none of the
 * renamed groups appears (etcd and bastion are the same in both).
 */
export function dialectOfGroups(groups: Iterable<string>): GroupDialect | undefined {
  const names = new Set(groups);
  const speaks = (dialect: GroupDialect): boolean => {
    const { controlPlane, node, cluster, calicoRr } = NAMES[dialect];
    return [controlPlane, node, cluster, calicoRr].some((name) => names.has(name));
  };
  if (speaks('underscore')) return 'underscore';
  if (speaks('dash')) return 'dash';
  return undefined;
}
