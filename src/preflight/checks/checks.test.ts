/**
 * The list of checks drives the preflight: every listed check yields an
 * outcome under its own id, --skip-check accepts exactly the listed ids, the
 * help and the README table are the list's, and a check added to a list
 * (one module, as checks/ holds them) is gathered, evaluated and reported
 * with no other change.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../catalog/load.js';
import { parseWaivers } from '../../cli/waivers.js';
import type { ClusterFacts } from '../../kube/types.js';
import { cluster as clusterSchema } from '../../model/schema.js';
import { planUpgrade } from '../../plan/plan.js';
import { defineCheck, type CheckContext, type HostSource } from '../check-module.js';
import { replaceChecksTable } from '../readme-table.js';
import { CHECK_IDS, checksHelp } from '../registry.js';
import { CheckOutcomeSchema } from '../report-schema.js';
import { hopContextOf } from '../run-host-checks.js';
import { runPreflights } from '../run-preflights.js';
import { PREFLIGHT_CHECKS } from './index.js';

const catalog = loadCatalog();
const cluster = clusterSchema.parse({
  name: 'small', kubernetes: { version: 'v1.16.3' }, kubespray: { tag: 'v2.12.10' },
  nodes: [{ name: 'm1', ip: '10.0.0.1', roles: ['control-plane', 'etcd'] }, { name: 'w1', ip: '10.0.0.2', roles: ['worker'] }],
});
const plan = planUpgrade({ cluster, clusterFile: 'small.yaml', catalog, to: { minor: '1.17', full: undefined }, stateDir: '/tmp/small/.kspray', cacheDir: '/tmp/small/cache', ksprayVersion: 'test' });
const node = (name: string) => ({ name, ready: true, unschedulable: false, kubeletVersion: 'v1.16.3', roles: name === 'm1' ? ['master'] : [], labels: {}, zone: undefined });
const facts: ClusterFacts = { serverVersion: 'v1.16.3', nodes: [node('m1'), node('w1')], pods: [], pdbs: [], services: [], served: [], gaps: [] };
/** Every host that kspray's playbooks ask is unreachable: each host check must still say so, under its own id. */
const unreachableHosts: HostSource = {
  gather: async () => ({ kind: 'unreachable', unreachable: ['m1'], byHost: {}, message: 'm1 unreachable', argv: [], exitCode: 4 }),
};

function context(api: CheckContext['api']): CheckContext {
  const hops = plan.hops;
  return {
    plan, hops, contexts: hops.map(hopContextOf), first: hops[0]!, cluster, clusterFile: 'small.yaml', catalog, kube: {}, manifests: undefined,
    forceAnsible: false, allowUnread: undefined, localAnsible: { version: '2.9.27', executable: 'ansible-playbook' }, api, hosts: unreachableHosts, log: () => undefined,
    verifyChecksums: false, skipMirror: undefined, mirrorLimits: undefined, signal: undefined,
  };
}

describe('the list of preflight checks', () => {
  it('has twelve checks, each a module with an id, what it needs, and its docs', () => {
    expect(CHECK_IDS).toEqual(['ansible', 'vars-drift', 'mirror', 'cluster-api', 'nodes', 'api-endpoints', 'pdb', 'dns', 'removed-apis', 'etcd-health', 'stale-caches', 'kubeadm-dry-run']);
    for (const check of PREFLIGHT_CHECKS) {
      expect(check.docs.blocksWhen.length, check.id).toBeGreaterThan(10);
      expect(['model', 'cluster-api', 'hosts']).toContain(check.needs);
    }
  });

  it.each(PREFLIGHT_CHECKS.map((check) => [check.id, check] as const))('%s yields a valid outcome under its own id, with the cluster read and without it', async (id, check) => {
    for (const api of [{ ok: true as const, facts, server: 'https://127.0.0.1:6443' }, { ok: false as const, reason: 'connection refused', waived: false }]) {
      const ctx = context(api);
      if (check.needs === 'cluster-api' && !api.ok && check.whenUnavailable !== 'evaluate') continue; // the runner skips it (below)
      const outcome = check.evaluate(ctx, (check.gather ? await check.gather(ctx) : undefined) as never);
      expect(outcome.check).toBe(id);
      expect(CheckOutcomeSchema.safeParse(outcome).success, JSON.stringify(outcome)).toBe(true);
    }
  });

  it('is what --skip-check accepts, what the help lists and what the README table says', () => {
    const skipped = CHECK_IDS.filter((id) => id !== 'cluster-api');
    expect(parseWaivers(skipped.flatMap((id) => ['--skip-check', id, '--reason', 'why']), CHECK_IDS).skippedChecks).toHaveLength(skipped.length);
    expect(() => parseWaivers(['--skip-check', 'pdbs', '--reason', 'typo'], CHECK_IDS)).toThrow(/no such check/);
    for (const id of CHECK_IDS) expect(checksHelp()).toContain(`  ${id} `);
    const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
    // `npm run docs` writes the table when this fails.
    expect(replaceChecksTable(readme)).toBe(readme);
  });

  it('runs a check added to the list: its own gathering, its verdict, in the report in list order, the rest skipped as their sources are', async () => {
    const asked: string[] = [];
    const lbCheck = defineCheck<string>({
      id: 'lb-example', needs: 'cluster-api', whenUnavailable: 'evaluate',
      docs: { title: 'API through the load balancer', severity: 'block', hops: 'next', description: 'an example', blocksWhen: 'an example' },
      gather: async (ctx) => {
        asked.push(ctx.first.tag);
        return 'answered';
      },
      evaluate: (ctx, gathered) => ({ check: 'lb-example', status: 'pass', findings: [], reason: `${gathered} (${ctx.api?.ok ? 'with' : 'without'} the cluster's facts)` }),
    });
    const report = await runPreflights({
      plan, cluster, clusterFile: 'small.yaml', catalog, stateDir: '/tmp/small/.kspray', skipApi: 'waived: --no-cluster-api (test)', skipHosts: 'not run (test)',
      detectLocalAnsible: async () => ({ version: '2.9.27', executable: 'ansible-playbook' }),
    }, [...PREFLIGHT_CHECKS, lbCheck]);
    expect(report.outcomes.map((o) => o.check)).toEqual([...CHECK_IDS, 'lb-example']);
    expect(report.outcomes.at(-1)).toEqual({ check: 'lb-example', status: 'pass', findings: [], reason: 'answered (without the cluster\'s facts)' });
    expect(asked).toEqual([plan.hops[0]!.tag]);
    expect(report.outcomes.find((o) => o.check === 'pdb')).toMatchObject({ status: 'skipped', reason: 'waived: --no-cluster-api (test)' });
    expect(report.outcomes.find((o) => o.check === 'etcd-health')).toMatchObject({ status: 'skipped', reason: 'not run (test)' });
  });
});
