/**
 * k1 and the variants the real-tag checks render: k1 as the field notes
 * describe it, k1 on containerd, k1 behind an external load balancer; and a
 * cluster less the settings a tag does not read (what an operator left with
 * kspray's refusal would remove: the rbd provisioner from v2.28.0, …).
 */
import type { Cluster } from '../../src/model/schema.js';
import { unreadOnTags } from '../../src/vars/check.js';
import { k1ClusterFile } from './cli.js';
import { clusterFromFile } from './cluster.js';

export type K1Variant = 'k1' | 'k1+containerd' | 'k1+external-lb';
export const K1_VARIANTS: readonly K1Variant[] = ['k1', 'k1+containerd', 'k1+external-lb'];

/** The load balancer of the external-LB variant: an address that is no node's. */
export const K1_LB = { address: '192.168.30.10', port: 6443, domainName: 'k1-api.example.com' };

export async function k1Variant(variant: K1Variant): Promise<Cluster> {
  const cluster = structuredClone(await clusterFromFile(k1ClusterFile));
  if (variant === 'k1+containerd') cluster.containerManager = 'containerd';
  if (variant === 'k1+external-lb') cluster.apiServer = { loadBalancer: { external: { ...K1_LB } } };
  return cluster;
}

/** The cluster less every typed setting the tag reads under no name; returns what was dropped. */
export function withoutUnread(cluster: Cluster, tag: string): { cluster: Cluster; dropped: string[] } {
  const copy = structuredClone(cluster);
  const dropped: string[] = [];
  for (const unread of unreadOnTags(copy, [tag], { tableVerified: true })) {
    if (unread.kind !== 'typed') continue;
    // A field of a model object (addons.rbdProvisioner.*) takes the whole object with it.
    const path = /^addons\.[^.]+\./.test(unread.setting) ? unread.setting.split('.').slice(0, 2) : unread.setting.split('.');
    let parent = copy as unknown as Record<string, unknown>;
    for (const key of path.slice(0, -1)) parent = (parent[key] ?? {}) as Record<string, unknown>;
    if (path.at(-1)! in parent) {
      delete parent[path.at(-1)!];
      dropped.push(path.join('.'));
    }
  }
  return { cluster: copy, dropped: [...new Set(dropped)] };
}
