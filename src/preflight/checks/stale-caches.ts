/** kubectl's HTTP cache and old docker login data on the control-plane hosts (apply removes them). */
import { CACHES_CHECK, checkStaleCaches, DEFAULT_CACHE_PATHS, parseCacheResult } from '../caches.js';
import { defineCheck } from '../check-module.js';
import type { HostFactsResult } from '../host-facts.js';
import { fromHostResult } from '../host-outcome.js';

export const staleCachesCheck = defineCheck<HostFactsResult>({
  id: CACHES_CHECK,
  needs: 'hosts',
  docs: {
    title: 'Stale caches', severity: 'block', hops: 'next',
    description: 'kubectl\'s HTTP cache and old docker login data on the control-plane hosts (a warning: apply removes them; an unreachable host blocks)',
    blocksWhen: 'never: warns about `/root/.kube/http-cache` and `/root/.docker/config` on the masters; apply removes them before each control-plane step and records the paths in its journal',
  },
  gather: (ctx) => ctx.hosts!.gather({
    name: 'caches', playbook: 'preflight-caches.yml', hosts: ctx.first.groups.controlPlane,
    vars: { kspray_cache_paths: ctx.cluster.preflight?.cachePaths ?? [...DEFAULT_CACHE_PATHS] },
  }),
  evaluate: (ctx, result) => fromHostResult(CACHES_CHECK, result, ctx.contexts[0]!, (byHost) => checkStaleCaches(Object.values(byHost).map(parseCacheResult), ctx.contexts[0])),
});
