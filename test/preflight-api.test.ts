/**
 * The API-side preflights end to end: real @kubernetes/client-node (kubeconfig
 * loading, auth) against the in-process fake API server, facts gathered over
 * HTTP, then the pure checks.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/catalog/load.js';
import { connectKube } from '../src/kube/client.js';
import { gatherClusterFacts } from '../src/kube/facts.js';
import { loadRemovedApis, loadVersionSkew } from '../src/kube/k8s-data.js';
import { resolveKubeconfig } from '../src/kube/kubeconfig.js';
import type { ClusterFacts } from '../src/kube/types.js';
import { type KubesprayDnsFacts, checkDns, kubesprayDnsFacts } from '../src/preflight/dns.js';
import { checkNodes } from '../src/preflight/nodes.js';
import { checkPdbs, drainFallbackOffered, formatPdbTable } from '../src/preflight/pdb.js';
import { checkRemovedApis, scanTargets } from '../src/preflight/removed-apis.js';
import { type KubeApiServer, type KubeObject, kubeconfigText, startKubeApiServer } from './fixtures/kube-api-server.js';
import { hopsFrom } from './fixtures/kube/hops.js';
import { fakePki } from './fixtures/kube/pki.js';
import { K1_FILE, k1Objects, k1WithDisruptionsAllowed } from './fixtures/kube/k1.js';

const removedApis = loadRemovedApis();
const catalog = loadCatalog();
const hops16to18 = hopsFrom('v1.16.3', 18, 'v2.12.10');
const hops16to22 = hopsFrom('v1.16.3', 22, 'v2.12.10');

async function gather(server: KubeApiServer, options: Parameters<typeof gatherClusterFacts>[1] = {}): Promise<ClusterFacts> {
  const result = await gatherClusterFacts({ kubeconfigPaths: [server.kubeconfigPath] }, options);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('k1 through the API', () => {
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

  it('gathers k1 as it is: 8 Ready v1.16.3 nodes, pods resolved to their Deployments, policy/v1beta1 budgets, coredns', async () => {
    const facts = await gather(server);

    expect(facts.serverVersion).toBe('v1.16.3');
    expect(facts.gaps).toEqual([]);
    expect(facts.nodes.map((n) => [n.name, n.ready, n.kubeletVersion, n.roles.join(',')])).toContainEqual(['k1-master01', true, 'v1.16.3', 'master']);
    expect(facts.nodes.find((n) => n.name === 'k1-node01')?.roles).toEqual(['ingress']);
    expect(facts.pods.find((p) => p.namespace === 'istio-system' && p.nodeName === 'k1-node02' && p.owner?.name === 'istio-pilot')?.owner?.kind).toBe('Deployment');
    expect(new Set(facts.pdbs.map((p) => p.apiVersion))).toEqual(new Set(['policy/v1beta1']));
    expect(facts.services.map((s) => [s.name, s.clusterIP])).toEqual([['coredns', '10.233.0.3']]);
  });

  it('blocks on all seven budgets of the field notes and shows the kubectl-like table', async () => {
    const facts = await gather(server);
    const hop = hops16to18[0];

    const outcome = checkPdbs(facts, { drainNodes: facts.nodes.map((n) => n.name), hop, drainFallbackAvailable: drainFallbackOffered(catalog.upgradeDefaults(hop?.toTag ?? '')) });

    expect(outcome.status).toBe('fail');
    expect(outcome.findings.map((f) => f.where)).toEqual([
      'istio-system/istio-egressgateway', 'istio-system/istio-galley', 'istio-system/istio-ingressgateway',
      'istio-system/istio-pilot', 'istio-system/istio-policy', 'istio-system/istio-telemetry', 'logging/elasticsearch',
    ]);
    expect(outcome.findings.every((f) => f.severity === 'block' && f.hop === 1)).toBe(true);
    expect(outcome.findings.find((f) => f.where === 'istio-system/istio-pilot')?.what).toContain('Deployment istio-system/istio-pilot');
    expect(outcome.findings.find((f) => f.where === 'logging/elasticsearch')?.what).toContain('StatefulSet logging/elasticsearch');
    expect(outcome.findings[0]?.fix).toContain('v2.13.4 has no drain_fallback_enabled');
    expect(formatPdbTable(facts.pdbs).split('\n').slice(0, 2)).toEqual([
      'NAMESPACE      NAME                   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS',
      'istio-system   istio-egressgateway    1               N/A               0',
    ]);
  });

  it('passes once the workloads are scaled up and elasticsearch is healthy again', async () => {
    server.setObjects(k1WithDisruptionsAllowed());
    const facts = await gather(server);

    const outcome = checkPdbs(facts, { drainNodes: facts.nodes.map((n) => n.name), drainFallbackAvailable: false });

    expect(outcome).toMatchObject({ status: 'pass', findings: [] });
    expect(outcome.table?.rows.every((row) => row[4] === '1')).toBe(true);
  });

  it('reports the extensions/v1beta1 Ingress at the 1.22 hop, with networking.k8s.io/v1 from 1.19', async () => {
    const facts = await gather(server, { selectServedKinds: (served) => scanTargets(served, hops16to22, removedApis) });

    const outcome = checkRemovedApis(facts, { hops: hops16to22, removedApis });

    expect(facts.servedObjects?.map((o) => `${o.apiVersion} ${o.namespace}/${o.name}`).sort()).toEqual([
      'extensions/v1beta1 shop/storefront', 'networking.k8s.io/v1beta1 shop/storefront',
    ]);
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toHaveLength(1);
    expect(outcome.findings[0]).toMatchObject({ severity: 'block', hop: 6, where: 'shop/storefront' });
    expect(hops16to22[5]?.toVersion).toMatch(/^v1\.22\./);
    expect(outcome.findings[0]?.fix).toContain('networking.k8s.io/v1, served from 1.19 (hop 3)');
  });

  it('passes the node check for the first hop and blocks the DNS clash on v2.13/v2.14 hops', async () => {
    const facts = await gather(server);
    const kubespray = kubesprayDnsFacts(catalog.dns('v2.13.4')) as KubesprayDnsFacts;

    const nodes = checkNodes(facts, { hop: hops16to18[0] as (typeof hops16to18)[number], skew: loadVersionSkew() });
    const dns = checkDns(facts, { hops: hops16to18, serviceAddresses: '10.233.0.0/18', kubespray });

    expect(nodes).toMatchObject({ status: 'pass', findings: [] });
    expect(dns.status).toBe('fail');
    expect(dns.findings.map((f) => f.hop)).toEqual([1, 2]);
  });

  it('pages through lists with limit/continue', async () => {
    const facts = await gather(server, { pageSize: 7 });

    expect(facts.pods).toHaveLength(k1Objects().filter((o) => o.kind === 'Pod').length);
    expect(server.requests.filter((r) => r.startsWith('GET /api/v1/pods?') && r.includes('continue=')).length).toBeGreaterThanOrEqual(5);
  });

  it('cordons and uncordons a node through the facade, and serves client-node\'s own typed API', async () => {
    const connected = await connectKube({ kubeconfigPaths: [server.kubeconfigPath] });
    if (!connected.ok) throw new Error(connected.error.message);
    const client = connected.value;
    try {
      expect((await client.setUnschedulable('k1-node03', true)).ok).toBe(true);
      const cordoned = (await gather(server)).nodes.find((n) => n.name === 'k1-node03');
      expect((await client.setUnschedulable('k1-node03', false)).ok).toBe(true);
      const uncordoned = (await gather(server)).nodes.find((n) => n.name === 'k1-node03');
      const strategic = await client.patch('/api/v1/nodes/k1-node04', { spec: { unschedulable: true } }, 'application/strategic-merge-patch+json');
      const onNode = await client.getJson('/api/v1/namespaces/istio-system/pods', { fieldSelector: 'spec.nodeName=k1-node02', labelSelector: 'istio in (pilot,galley)' });

      expect(cordoned?.unschedulable).toBe(true);
      expect(uncordoned?.unschedulable).toBe(false);
      expect(strategic.ok && (strategic.value as { spec: { unschedulable?: boolean } }).spec.unschedulable).toBe(true);
      expect(onNode.ok && (onNode.value as { items: Array<{ spec: { nodeName: string } }> }).items.map((p) => p.spec.nodeName)).toEqual(['k1-node02', 'k1-node02']);
    } finally {
      client.close();
    }

    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.patchNode({ name: 'k1-node05', body: [{ op: 'add', path: '/spec/unschedulable', value: true }] });
    const nodes = await core.listNode();
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const pdbs = await objects.list('policy/v1beta1', 'PodDisruptionBudget');
    const ingresses = await objects.list('extensions/v1beta1', 'Ingress', 'shop');

    expect(nodes.items.find((n) => n.metadata?.name === 'k1-node05')?.spec?.unschedulable).toBe(true);
    expect(nodes.items).toHaveLength(8);
    expect(pdbs.items).toHaveLength(8);
    expect(ingresses.items.map((i) => i.metadata?.name)).toEqual(['storefront']);
  });
});

describe('PodDisruptionBudget API by cluster version', () => {
  const nodeAt = (version: string): KubeObject => ({
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'm1', labels: { 'node-role.kubernetes.io/master': '' } },
    status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: version } },
  });
  const budget = (apiVersion: string): KubeObject => ({
    apiVersion, kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'shop' },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
  });

  it('falls back to policy/v1beta1 on a 1.20 cluster, which does not serve policy/v1', async () => {
    const server = await startKubeApiServer([nodeAt('v1.20.7'), budget('policy/v1beta1')]);
    try {
      const facts = await gather(server);

      expect(facts.serverVersion).toBe('v1.20.7');
      expect(facts.pdbs.map((p) => [p.name, p.apiVersion])).toEqual([['web', 'policy/v1beta1']]);
      expect(server.requests.some((r) => r.startsWith('GET /apis/policy/v1/'))).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('still finds the budgets when discovery itself fails', async () => {
    const server = await startKubeApiServer({ objects: [nodeAt('v1.20.7'), budget('policy/v1beta1')], faults: { '/apis$': 503 } });
    try {
      const facts = await gather(server);

      expect(facts.gaps.map((g) => [g.what, g.groupVersion])).toEqual([['discovery', undefined]]);
      expect(facts.pdbs.map((p) => [p.name, p.apiVersion])).toEqual([['web', 'policy/v1beta1']]);
    } finally {
      await server.stop();
    }
  });

  it('uses policy/v1 on a 1.22 cluster serving both, and counts every budget once', async () => {
    const server = await startKubeApiServer([nodeAt('v1.22.8'), budget('policy/v1')]);
    try {
      const facts = await gather(server);

      expect(facts.pdbs.map((p) => [p.name, p.apiVersion])).toEqual([['web', 'policy/v1']]);
      expect(server.requests.some((r) => r.startsWith('GET /apis/policy/v1beta1/poddisruptionbudgets'))).toBe(false);
    } finally {
      await server.stop();
    }
  });
});

describe('partial facts', () => {
  it('turns a list the server refuses into a gap, and the PDB check that needs it into a block (a drain would go unchecked)', async () => {
    const server = await startKubeApiServer({ files: [K1_FILE], faults: { '/api/v1/pods': 403, '/apis/networking.k8s.io/v1beta1': 503 } });
    try {
      const facts = await gather(server);

      expect(facts.nodes).toHaveLength(8);
      expect(facts.gaps.map((g) => [g.what, g.groupVersion])).toEqual([['discovery', 'networking.k8s.io/v1beta1'], ['pods', undefined]]);
      expect(facts.gaps[1]?.reason).toContain('403 Forbidden');
      expect(facts.served.map((s) => s.groupVersion)).toContain('extensions/v1beta1');
      const pdb = checkPdbs(facts, { drainNodes: ['k1-node01'], drainFallbackAvailable: false });
      expect(pdb.status).toBe('fail');
      expect(pdb.findings[0]).toMatchObject({ severity: 'block', what: expect.stringContaining('403 Forbidden') });
    } finally {
      await server.stop();
    }
  });
});

describe('reaching the cluster', () => {
  it('gives a clear result, not a stack trace, when nothing listens at the server', async () => {
    const server = await startKubeApiServer([]);
    const dir = await mkdtemp(join(tmpdir(), 'kspray-kubeconfig-'));
    const kubeconfig = join(dir, 'admin.conf');
    await copyFile(server.kubeconfigPath, kubeconfig);
    await server.stop();
    try {
      const result = await gatherClusterFacts({ kubeconfigPaths: [kubeconfig], timeoutMs: 2000 });

      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.kind).toBe('unreachable');
      expect(result.error.message).toBe(`cluster not reachable at ${server.url}: connection refused (ECONNREFUSED)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives up after the timeout when the server accepts but never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const dir = await mkdtemp(join(tmpdir(), 'kspray-kubeconfig-'));
    try {
      await writeFile(join(dir, 'admin.conf'), kubeconfigText({ server: url, ca: (await fakePki()).ca.cert, user: { token: 'any' } }));

      const result = await connectKube({ kubeconfigPaths: [join(dir, 'admin.conf')], timeoutMs: 300 });

      expect(result).toMatchObject({ ok: false, error: { kind: 'timeout', message: `cluster not reachable at ${url}: no answer to /version within 300 ms` } });
    } finally {
      silent.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says so when the credentials are refused or the context does not exist', async () => {
    const server = await startKubeApiServer({ objects: [], token: 'the-right-one' });
    try {
      const wrong = await server.writeKubeconfig('wrong-token');

      const refused = await connectKube({ kubeconfigPaths: [wrong] });
      const noContext = await connectKube({ kubeconfigPaths: [server.kubeconfigPath], context: 'prod' });

      expect(refused).toMatchObject({ ok: false, error: { kind: 'unauthorized', status: 401 } });
      expect(noContext).toMatchObject({ ok: false, error: { kind: 'kubeconfig', message: 'context "prod" is not in the kubeconfig (contexts: fake)' } });
    } finally {
      await server.stop();
    }
  });

  it('finds the admin.conf Kubespray copies to inventories/<name>/artifacts beside the cluster file', async () => {
    const server = await startKubeApiServer({ files: [K1_FILE] });
    const dir = await mkdtemp(join(tmpdir(), 'kspray-artifacts-'));
    try {
      await mkdir(join(dir, 'inventories', 'k1', 'artifacts'), { recursive: true });
      await copyFile(server.kubeconfigPath, join(dir, 'inventories', 'k1', 'artifacts', 'admin.conf'));
      const resolved = resolveKubeconfig({ clusterFile: join(dir, 'k1.yaml'), clusterName: 'k1' });
      if (!resolved.ok) throw new Error(resolved.error.message);

      const connected = await connectKube(resolved.value);

      expect(resolved.value.source).toBe('artifacts');
      expect(connected.ok && connected.value.serverVersion).toBe('v1.16.3');
      if (connected.ok) connected.value.close();
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
