/**
 * A real plan document for unit tests of what consumes one (the journal,
 * status, reports): k1-shaped, planned by the real planner over the bundled
 * catalog, so its shape is always the schema's.
 */
import * as z from 'zod/mini';
import { bundledCatalog } from '../../src/catalog/snapshot.js';
import { cluster as clusterSchema, type Cluster } from '../../src/model/schema.js';
import { planUpgrade, type PlanInput } from '../../src/plan/plan.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { parseVersionSpec } from '../../src/plan/version-pair.js';

export function smallCluster(extra: Record<string, unknown> = {}): Cluster {
  return z.parse(clusterSchema, {
    name: 'k1',
    kubernetes: { version: 'v1.16.3' },
    kubespray: { tag: 'v2.12.10' },
    nodes: [
      { name: 'k1-master01', ip: '192.168.30.13', roles: ['control-plane', 'etcd'] },
      { name: 'k1-node01', ip: '192.168.30.12', roles: ['worker'] },
      { name: 'k1-node02', ip: '192.168.30.17', roles: ['worker'] },
    ],
    ...extra,
  });
}

export function testPlan(options: { to?: string; cluster?: Cluster; input?: Partial<PlanInput> } = {}): PlanDocument {
  return planUpgrade({
    cluster: options.cluster ?? smallCluster(), clusterFile: 'cluster.yaml', catalog: bundledCatalog(), to: parseVersionSpec(options.to ?? '1.17'),
    stateDir: '/srv/k1/.kspray', cacheDir: '/var/cache/kspray', ksprayVersion: 'test', ...options.input,
  });
}
