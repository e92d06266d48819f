/**
 * `kspray preflight` and `kspray plan --kubeconfig` end to end: the built CLI
 * as a real process against the in-process fake API server serving k1 (the
 * field notes' budgets, its CoreDNS at 10.233.0.3, a storefront Ingress on
 * extensions/v1beta1). Host checks are left out (--skip-hosts): they run
 * Ansible on the hosts and are covered by preflight-hosts.test.ts.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PlanDocument } from '../src/plan/types.js';
import type { PreflightReport } from '../src/preflight/run-preflights.js';
import { type KubeApiServer, type KubeObject, startKubeApiServer } from './fixtures/kube-api-server.js';
import { K1_FILE, k1Objects, k1WithDisruptionsAllowed } from './fixtures/kube/k1.js';
import { k1ClusterFile, k1SecretEnv, runCli, withTempDir } from './helpers/cli.js';

const FIELD_NOTES_BUDGETS = [
  'istio-system/istio-egressgateway', 'istio-system/istio-galley', 'istio-system/istio-ingressgateway',
  'istio-system/istio-pilot', 'istio-system/istio-policy', 'istio-system/istio-telemetry', 'logging/elasticsearch',
];

let server: KubeApiServer;

beforeAll(async () => {
  server = await startKubeApiServer({ files: [K1_FILE] });
});
afterAll(async () => {
  await server.stop();
});
afterEach(() => {
  server.setObjects(k1Objects());
});

const preflight = (args: readonly string[], cwd?: string) =>
  runCli(['preflight', ...args, '--kubeconfig', server.kubeconfigPath, '--skip-hosts'], { env: k1SecretEnv, ...(cwd ? { cwd } : {}) });

function report(stdout: string): PreflightReport {
  return JSON.parse(stdout) as PreflightReport;
}

/** k1 as its operator would have it once fixed: budgets with room, and DNS where kubeadm wants it. */
function k1Fixed(): KubeObject[] {
  const objects = k1WithDisruptionsAllowed();
  const dns = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'coredns') as { spec: { clusterIP: string } } | undefined;
  if (!dns) throw new Error('k1 fixture: no coredns Service');
  dns.spec.clusterIP = '10.233.0.10';
  return objects;
}

/** k1's cluster file with per-line venvs, so the local Ansible does not decide the verdict. */
async function k1WithVenv(dir: string): Promise<string> {
  const file = join(dir, 'inventories', 'k1', 'cluster.yaml');
  await mkdir(join(dir, 'inventories', 'k1'), { recursive: true });
  await writeFile(file, (await readFile(k1ClusterFile, 'utf8')).replace('ansible: system', 'ansible: venv'));
  return file;
}

describe('kspray preflight', () => {
  it('blocks on the field notes\' budgets (exit 1) and names all seven in one JSON document', async () => {
    const result = await preflight(['1.16→1.18', '-c', k1ClusterFile, '--json']);

    expect(result.exitCode).toBe(1);
    const doc = report(result.stdout);
    expect(doc).toMatchObject({ preflightVersion: 1, cluster: { name: 'k1' }, blocking: true });
    expect(doc.hops.map((h) => [h.index, h.tag, h.toVersion])).toEqual([[1, 'v2.13.4', 'v1.17.12'], [2, 'v2.14.2', 'v1.18.10']]);
    const pdb = doc.findings.filter((f) => f.check === 'pdb');
    expect(pdb.map((f) => f.where)).toEqual(FIELD_NOTES_BUDGETS);
    expect(pdb.every((f) => f.severity === 'block' && f.hop === 1)).toBe(true);
    expect(doc.outcomes.find((o) => o.check === 'pdb')?.table?.columns).toEqual(['NAMESPACE', 'NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS']);
    expect(doc.outcomes.filter((o) => o.status === 'skipped').map((o) => [o.check, o.reason])).toEqual([
      ['mirror', 'the cluster declares no mirror (offline.registry, offline.imageRepos, offline.files)'],
      ['etcd-health', 'not run (--skip-hosts)'], ['stale-caches', 'not run (--skip-hosts)'], ['kubeadm-dry-run', 'not run (--skip-hosts)'],
    ]);
    expect(result.stdout).not.toContain(k1SecretEnv.K1_RBD_ADMIN_SECRET);
  });

  it('shows the PDB table operators know and every finding with where, why, fix and hop', async () => {
    const result = await preflight(['1.16→1.18', '-c', k1ClusterFile]);

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('NAMESPACE      NAME                   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS\n' +
      'istio-system   istio-egressgateway    1               N/A               0');
    expect(result.stdout).toMatch(/BLOCK pdb \(hop 1\): PodDisruptionBudget logging\/elasticsearch allows 0 disruptions[^\n]*\n {4}where: logging\/elasticsearch\n {4}why: {3}.+\n {4}fix: {3}bring the unhealthy pods back/);
    expect(result.stdout).toContain('Result: BLOCKED by 9 findings (pdb, dns)');
  });

  it('passes the PDB check once the budgets allow disruptions, and exits 0 when nothing blocks', async () => {
    await withTempDir(async (dir) => {
      server.setObjects(k1Fixed());
      const clusterFile = await k1WithVenv(dir);

      const result = await preflight(['1.16→1.18', '-c', clusterFile, '--json'], dir);

      const doc = report(result.stdout);
      expect(doc.outcomes.find((o) => o.check === 'pdb')).toMatchObject({ status: 'pass', findings: [] });
      expect(doc.findings.filter((f) => f.severity === 'block')).toEqual([]);
      expect(doc.blocking).toBe(false);
      expect(result.exitCode).toBe(0);
    });
  });

  it('checks one hop with --hop, and blocks when no cluster is reachable, naming why (no API, no drain)', async () => {
    const result = await runCli(['preflight', '1.16→1.18', '-c', k1ClusterFile, '--hop', '2', '--kubeconfig', '/nonexistent/admin.conf', '--skip-hosts', '--json']);

    const doc = report(result.stdout);
    expect(doc.hops.map((h) => h.index)).toEqual([2]);
    expect(doc.outcomes.find((o) => o.check === 'pdb')).toMatchObject({
      status: 'skipped', reason: 'no cluster reachable: kubeconfig /nonexistent/admin.conf (from --kubeconfig) does not exist',
    });
    expect(doc.findings.every((f) => f.hop === 2)).toBe(true);
    // The local Ansible 2.14 is in v2.14.2's range, not its pin (a warning); the unreachable API blocks.
    expect(doc.findings.map((f) => [f.check, f.severity])).toEqual([['cluster-api', 'block'], ['ansible', 'warn']]);
    expect(doc.findings[0]?.what).toBe('the cluster API cannot be read: kubeconfig /nonexistent/admin.conf (from --kubeconfig) does not exist');
    expect(result.exitCode).toBe(1);
  });

  it('reads --manifests without a cluster: an Ingress on extensions/v1beta1 blocks the 1.22 hop', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'ingress.yaml'), 'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: storefront\n  namespace: shop\nspec: {}\n');

      const result = await runCli(['preflight', '1.16→1.22', '-c', k1ClusterFile, '--manifests', dir, '--kubeconfig', join(dir, 'none.conf'), '--skip-hosts', '--json']);

      const doc = report(result.stdout);
      const found = doc.findings.filter((f) => f.check === 'removed-apis');
      expect(found.map((f) => [f.severity, f.hop, f.where])).toEqual([['block', 6, `${join(dir, 'ingress.yaml')}:1`]]);
      expect(result.exitCode).toBe(1);
    });
  });

  it('exits 2 on bad input', async () => {
    const [badHop, noTarget, unknown] = await Promise.all([
      preflight(['1.16→1.18', '-c', k1ClusterFile, '--hop', '3']),
      withTempDir(async (dir) => preflight(['-c', await k1WithVenv(dir)], dir)),
      preflight(['1.16→1.99', '-c', k1ClusterFile]),
    ]);

    expect([badHop.exitCode, noTarget.exitCode, unknown.exitCode]).toEqual([2, 2, 2]);
    expect(badHop.stderr).toContain('--hop 3: the plan has 2 hop(s)');
    expect(noTarget.stderr).toContain('no target version, and no unfinished plan recorded to resume');
    expect(badHop.stdout).toBe('');
  });
});

describe('kspray plan with a kubeconfig', () => {
  it('reports the extensions/v1beta1 Ingress at the 1.22 hop, with networking.k8s.io/v1 from 1.19', async () => {
    const before = server.requests.length;
    const result = await runCli(['plan', '1.16→1.22', '-c', k1ClusterFile, '--kubeconfig', server.kubeconfigPath, '--json']);

    expect(result.exitCode).toBe(0);
    const plan = JSON.parse(result.stdout) as PlanDocument;
    const hop = plan.hops.find((h) => h.toVersion.startsWith('v1.22.'));
    const ingress = hop?.findings.filter((f) => f.check === 'removed-apis');
    expect(hop?.index).toBe(6);
    expect(ingress).toHaveLength(1);
    expect(ingress?.[0]).toMatchObject({ severity: 'block', hop: 6, where: 'shop/storefront' });
    expect(ingress?.[0]?.fix).toContain('networking.k8s.io/v1, served from 1.19 (hop 3)');
    expect(plan.hops[0]?.findings.filter((f) => f.check === 'pdb')).toHaveLength(7);
    expect(plan.hops.slice(1).flatMap((h) => h.findings).some((f) => f.check === 'pdb')).toBe(false);
    expect(result.stderr).toContain('preflight: skipped etcd-health, stale-caches, kubeadm-dry-run: not run (host checks run with kspray plan --preflight)');
    // One read of the cluster made the waves and fed the checks: every list asked for once.
    const asked = server.requests.slice(before).map((request) => request.replace(/\?.*$/, ''));
    expect(plan.workerStrategy.kind).toBe('waves');
    for (const path of ['GET /api/v1/nodes', 'GET /api/v1/pods', 'GET /apis/policy/v1beta1/poddisruptionbudgets', 'GET /apis/extensions/v1beta1/ingresses']) {
      expect(asked.filter((request) => request === path), path).toHaveLength(1);
    }
    expect(result.stderr).toContain(`preflight: checking the cluster as read through ${server.kubeconfigPath}`);
  });

  it('prints the findings under their hop in the text plan', async () => {
    const result = await runCli(['plan', '1.16→1.22', '-c', k1ClusterFile, '--kubeconfig', server.kubeconfigPath]);

    const hop6 = result.stdout.slice(result.stdout.indexOf('Hop 6:'));
    expect(hop6).toContain('BLOCK removed-apis: 1 Ingress object(s) served only as extensions/v1beta1, networking.k8s.io/v1beta1, which 1.22 stops serving');
  });
});
