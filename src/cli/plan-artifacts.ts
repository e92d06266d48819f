/**
 * `kspray plan --artifacts` (and `--preflight`): the plan's hops with what
 * they download counted. --artifacts templates the hops the cache does not
 * hold; after a preflight only what the cache holds is counted (the mirror
 * check filled it when the cluster declares mirrors).
 */
import type { PlanDocument } from '../plan/types.js';
import type { CheckOutcome } from '../preflight/types.js';
import { cacheDir } from '../util/paths.js';
import { printStderr } from './output.js';
import type { PlanContext } from './plan-input.js';

export async function countArtifacts(context: PlanContext, plan: PlanDocument, options: { template: boolean; mirror: CheckOutcome | undefined }): Promise<PlanDocument> {
  const { collectArtifacts } = await import('../artifacts/collect.js');
  const { withArtifactCounts } = await import('../artifacts/plan-counts.js');
  const collected = await collectArtifacts({
    hops: plan.hops, cluster: context.loaded.cluster, clusterBaseDir: context.loaded.baseDir, catalog: context.catalog, cacheDir: cacheDir(),
    cachedOnly: !options.template, log: printStderr,
  });
  return withArtifactCounts(plan, collected, options.mirror);
}
