/** Every file and image each hop downloads is on the mirrors the cluster declares (offline.*). */
import { cacheDir } from '../../util/paths.js';
import { defineCheck } from '../check-module.js';
import { checkMirror, MIRROR_CHECK, MIRROR_DOCS } from '../mirror.js';
import { declaredMirrors, gatherMirror, type MirrorGathered } from '../mirror-gather.js';

export const mirrorCheck = defineCheck<MirrorGathered>({
  id: MIRROR_CHECK,
  needs: 'model',
  docs: MIRROR_DOCS,
  gather: async (ctx) => {
    if (ctx.skipMirror !== undefined && declaredMirrors(ctx.cluster).length > 0) {
      return { outcome: { check: MIRROR_CHECK, status: 'skipped', findings: [], reason: ctx.skipMirror } };
    }
    return gatherMirror({
      hops: ctx.hops, contexts: ctx.contexts, cluster: ctx.cluster, clusterFile: ctx.clusterFile, catalog: ctx.catalog, cacheDir: cacheDir(),
      verifyChecksums: ctx.verifyChecksums, limits: ctx.mirrorLimits, signal: ctx.signal, log: ctx.log,
    });
  },
  evaluate: (_ctx, gathered) => ('outcome' in gathered ? gathered.outcome : checkMirror(gathered.evaluation)),
});
