/**
 * The preflight orchestration with its host side: a plan for a small cluster
 * whose hosts run on ansible_connection=local, the real ansible-playbook
 * running kspray's playbooks against an inventory rendered in the first hop's
 * dialect (v2.13: kube-master), a real 3-member etcd cluster, real cache
 * files, and a tiny fake kubeadm first on PATH. No Kubernetes API: those
 * checks say why they were skipped.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/catalog/load.js';
import { cluster as clusterSchema, type Cluster } from '../src/model/schema.js';
import { planUpgrade } from '../src/plan/plan.js';
import type { PlanDocument } from '../src/plan/types.js';
import { runPreflights, type RunPreflightsOptions } from '../src/preflight/run-preflights.js';
import { startEtcdCluster, type EtcdCluster } from './fixtures/etcd-cluster.js';

const LOCAL = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };
const catalog = loadCatalog();

let tmp: string;
let etcd: EtcdCluster | undefined;
let cluster: Cluster;
let plan: PlanDocument;
let fakeBin: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kspray-preflight-run-'));
  etcd = await startEtcdCluster({ members: 3, dir: join(tmp, 'etcd') });
  fakeBin = join(tmp, 'bin');
  await mkdir(fakeBin, { recursive: true });
  // Logs its argv, one per line, and accepts the upgrade.
  await writeFile(join(fakeBin, 'kubeadm'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${join(tmp, 'kubeadm-argv.log')}'\nexit 0\n`);
  await chmod(join(fakeBin, 'kubeadm'), 0o755);
  cluster = clusterSchema.parse({
    name: 'small',
    kubernetes: { version: 'v1.16.3' },
    kubespray: { tag: 'v2.12.10', ansible: 'venv' },
    nodes: [
      { name: 'm1', ip: '10.0.0.1', roles: ['control-plane', 'etcd'], vars: LOCAL },
      { name: 'w1', ip: '10.0.0.2', roles: ['worker'], vars: LOCAL },
    ],
    preflight: { cachePaths: [join(tmp, 'root', '.kube', 'http-cache'), join(tmp, 'root', '.docker', 'config')] },
    // Passed through to kspray's playbooks: plain-HTTP loopback etcd instead of Kubespray's TLS endpoint.
    extraVars: { kspray_etcd_tls: false, kspray_etcd_endpoints: etcd.endpoints.join(','), kspray_etcd_command_timeout: '2s' },
  });
  plan = planUpgrade({ cluster, clusterFile: 'small.yaml', catalog, to: { minor: '1.18', full: undefined }, stateDir: join(tmp, '.kspray'), cacheDir: join(tmp, 'cache'), ksprayVersion: 'test' });
});

afterAll(async () => {
  await etcd?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function run(extra: Partial<RunPreflightsOptions> = {}) {
  return runPreflights({
    plan, cluster, clusterFile: join(tmp, 'small.yaml'), catalog, stateDir: join(tmp, '.kspray'),
    kube: { kubeconfig: join(tmp, 'no-such-admin.conf') },
    // No sudo here, and root already.
    hosts: {
      become: false,
      env: { PATH: `${fakeBin}:${process.env.PATH}`, ANSIBLE_LOCAL_TEMP: join(tmp, 'ansible-local'), ANSIBLE_REMOTE_TEMP: join(tmp, 'ansible-remote') },
    },
    ...extra,
  });
}

describe('runPreflights with the hosts', () => {
  it('asks the hosts once, in the first hop\'s dialect, and gates the first hop with what it finds', async () => {
    await mkdir(join(tmp, 'root', '.kube', 'http-cache'), { recursive: true });

    const report = await run();

    const status = Object.fromEntries(report.outcomes.map((o) => [o.check, o.status]));
    expect(plan.hops.map((h) => [h.index, h.tag, h.dialect])).toEqual([[1, 'v2.13.4', 'dash'], [2, 'v2.14.2', 'dash']]);
    expect(status).toEqual({
      ansible: 'pass', 'vars-drift': 'pass', mirror: 'skipped', 'cluster-api': 'fail', nodes: 'skipped', 'api-endpoints': 'skipped', pdb: 'skipped', dns: 'skipped', 'removed-apis': 'skipped',
      'etcd-health': 'pass', 'stale-caches': 'pass', 'kubeadm-dry-run': 'pass',
    });
    expect(report.outcomes.find((o) => o.check === 'nodes')?.reason).toBe(`no cluster reachable: kubeconfig ${join(tmp, 'no-such-admin.conf')} (from --kubeconfig) does not exist`);
    expect(report.findings.filter((f) => f.check === 'stale-caches').map((f) => [f.severity, f.hop, f.where])).toEqual([['warn', 1, 'm1']]);
    expect((await readFile(join(tmp, 'kubeadm-argv.log'), 'utf8')).split('\n').slice(0, 4)).toEqual(['upgrade', 'apply', '-y', 'v1.17.12']);
    // No API, no drain: the only block is the unreachable cluster, naming the cause.
    expect(report.findings.filter((f) => f.severity === 'block').map((f) => [f.check, f.what])).toEqual([
      ['cluster-api', `the cluster API cannot be read: kubeconfig ${join(tmp, 'no-such-admin.conf')} (from --kubeconfig) does not exist`],
    ]);
    expect(report.blocking).toBe(true);
    await rm(join(tmp, 'root'), { recursive: true, force: true });
  });

  it('blocks the hop when an etcd member is down', async () => {
    await etcd!.stopMember('etcd3');
    try {
      const report = await run({ hop: 2 });

      const blocks = report.findings.filter((f) => f.severity === 'block');
      expect(blocks.map((f) => [f.check, f.hop])).toEqual([['cluster-api', 2], ['etcd-health', 2]]);
      expect(blocks[1]?.what).toContain('1 of 3 etcd members unhealthy: etcd3');
      expect(report.blocking).toBe(true);
    } finally {
      await etcd!.startMember('etcd3');
    }
  });

  it('leaves the hosts alone with skipHosts, saying so', async () => {
    const report = await run({ skipHosts: 'not run (--skip-hosts)' });

    expect(report.outcomes.filter((o) => o.status === 'skipped' && o.reason === 'not run (--skip-hosts)').map((o) => o.check)).toEqual(['etcd-health', 'stale-caches', 'kubeadm-dry-run']);
  });
});
