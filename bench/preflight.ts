/**
 * API preflight benchmark: `npx tsx bench/preflight.ts`.
 *
 * A generated cluster of 5,000 nodes, 100,000 pods (2,000 Deployments), 2,000
 * PodDisruptionBudgets (every tenth with no disruption allowed) and 500
 * Ingresses on extensions/v1beta1, served by the in-process fake API server.
 * Times gathering (real @kubernetes/client-node kubeconfig + paged HTTP) and
 * the four checks, and prints peak RSS. Target: gather + checks < 3 s.
 *
 * The server runs in this process, so the wall time also pays for the
 * server's JSON encoding: a real API server does that work elsewhere.
 * client-node's import is timed apart: it is a one-off start-up cost, and
 * much slower under tsx's loader than under plain node (~0.7 s).
 */
import { loadCatalog } from '../src/catalog/load.js';
import { gatherClusterFacts } from '../src/kube/facts.js';
import { loadRemovedApis, loadVersionSkew } from '../src/kube/k8s-data.js';
import { type KubesprayDnsFacts, checkDns, kubesprayDnsFacts } from '../src/preflight/dns.js';
import { checkNodes } from '../src/preflight/nodes.js';
import { checkPdbs, drainFallbackOffered } from '../src/preflight/pdb.js';
import { checkRemovedApis, scanTargets } from '../src/preflight/removed-apis.js';
import { type KubeObject, startKubeApiServer } from '../test/fixtures/kube-api-server.js';
import { hopsFrom } from '../test/fixtures/kube/hops.js';

const NODES = 5_000;
const DEPLOYMENTS = 2_000;
const PODS_PER_DEPLOYMENT = 50; // 100,000 pods
const INGRESSES = 500;
const NAMESPACES = 100;
const VERSION = 'v1.16.3';

function generate(): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let i = 0; i < NODES; i++) {
    const name = i < 3 ? `master-${i}` : `node-${String(i).padStart(4, '0')}`;
    objects.push({
      apiVersion: 'v1', kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}`, ...(i < 3 ? { 'node-role.kubernetes.io/master': '' } : {}) } },
      spec: { podCIDR: `10.${64 + (i >> 8)}.${i & 255}.0/24` },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'DiskPressure', status: 'False' }, { type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        nodeInfo: { kubeletVersion: VERSION, kubeProxyVersion: VERSION, containerRuntimeVersion: 'containerd://1.4.3', osImage: 'Ubuntu 20.04' },
        addresses: [{ type: 'InternalIP', address: `192.168.${i >> 8}.${i & 255}` }],
      },
    });
  }
  let podIndex = 0;
  for (let d = 0; d < DEPLOYMENTS; d++) {
    const namespace = `team-${d % NAMESPACES}`;
    const name = `app-${d}`;
    const rs = `${name}-5d8f7c9b4`;
    const labels = { app: name, tier: d % 2 ? 'web' : 'worker' };
    objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, labels }, spec: { replicas: PODS_PER_DEPLOYMENT, selector: { matchLabels: labels } } });
    objects.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rs, namespace, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${d}`, controller: true }] }, spec: { replicas: PODS_PER_DEPLOYMENT } });
    for (let p = 0; p < PODS_PER_DEPLOYMENT; p++) {
      const node = objects[3 + (podIndex++ % (NODES - 3))]?.metadata.name as string;
      objects.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${rs}-${p.toString(36).padStart(5, 'x')}`, namespace, labels: { ...labels, 'pod-template-hash': '5d8f7c9b4' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${d}`, controller: true, blockOwnerDeletion: true }] },
        spec: { nodeName: node, containers: [{ name: 'app', image: `registry.example.com/${name}:1.0.${d}`, ports: [{ containerPort: 8080, protocol: 'TCP' }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
        status: {
          phase: 'Running', podIP: `10.64.${podIndex >> 8 & 255}.${podIndex & 255}`, startTime: '2020-01-01T00:00:00Z',
          conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }, { type: 'PodScheduled', status: 'True' }],
        },
      });
    }
    const blocked = d % 10 === 0;
    objects.push({
      apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name, namespace },
      spec: { selector: { matchLabels: { app: name } }, ...(blocked ? { minAvailable: PODS_PER_DEPLOYMENT } : { maxUnavailable: '10%' }) },
      status: { currentHealthy: PODS_PER_DEPLOYMENT, desiredHealthy: blocked ? PODS_PER_DEPLOYMENT : 45, expectedPods: PODS_PER_DEPLOYMENT, disruptionsAllowed: blocked ? 0 : 5 },
    });
  }
  for (let i = 0; i < INGRESSES; i++) {
    objects.push({ apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: `ing-${i}`, namespace: `team-${i % NAMESPACES}` }, spec: { rules: [{ host: `app-${i}.example.com` }] } });
  }
  objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, spec: { clusterIP: '10.233.0.3' } });
  return objects;
}

const ms = (start: bigint): number => Number((process.hrtime.bigint() - start) / 1_000_000n);

async function main(): Promise<void> {
  let start = process.hrtime.bigint();
  const objects = generate();
  const server = await startKubeApiServer({ objects, gitVersion: VERSION, serve: { 'networking.k8s.io/v1beta1': ['Ingress'] } });
  const setupMs = ms(start);

  start = process.hrtime.bigint();
  await import('@kubernetes/client-node');
  const importMs = ms(start);

  const hops = hopsFrom(VERSION, 22, 'v2.12.10');
  const removedApis = loadRemovedApis();
  const catalog = loadCatalog();
  try {
    const cpuBefore = process.cpuUsage();
    start = process.hrtime.bigint();
    const gathered = await gatherClusterFacts({ kubeconfigPaths: [server.kubeconfigPath], timeoutMs: 30_000 }, { selectServedKinds: (served) => scanTargets(served, hops, removedApis) });
    const gatherMs = ms(start);
    if (!gathered.ok) throw new Error(gathered.error.message);
    const facts = gathered.value;

    start = process.hrtime.bigint();
    const first = hops[0];
    if (!first) throw new Error('no hops');
    const outcomes = [
      checkPdbs(facts, { drainNodes: facts.nodes.map((n) => n.name), hop: first, drainFallbackAvailable: drainFallbackOffered(catalog.upgradeDefaults(first.toTag)) }),
      checkNodes(facts, { hop: first, skew: loadVersionSkew() }),
      checkDns(facts, { hops, serviceAddresses: undefined, kubespray: kubesprayDnsFacts(catalog.dns(first.toTag)) as KubesprayDnsFacts }),
      checkRemovedApis(facts, { hops, removedApis }),
    ];
    const checksMs = ms(start);
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);

    const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const total = gatherMs + checksMs;
    console.log('API preflight benchmark (fake API server in-process)');
    console.log(`  cluster        ${facts.nodes.length} nodes, ${facts.pods.length} pods, ${facts.pdbs.length} PDBs, ${facts.servedObjects?.length ?? 0} served objects on removed APIs`);
    console.log(`  requests       ${server.requests.length} (pods paged ${server.requests.filter((r) => r.startsWith('GET /api/v1/pods?')).length}×)`);
    console.log(`  setup          ${setupMs} ms (generate + load the fake server; not counted)`);
    console.log(`  client-node    ${importMs} ms import (one-off; not counted)`);
    console.log(`  gather         ${gatherMs} ms`);
    console.log(`  checks         ${checksMs} ms (${outcomes.map((o) => `${o.check}: ${o.status}, ${o.findings.length} findings`).join('; ')})`);
    console.log(`  total          ${total} ms wall, ${cpuMs} ms CPU in this process, server included (target < 3000 ms wall: ${total < 3000 ? 'met' : 'MISSED'})`);
    console.log(`  peak RSS       ${rssMb} MB (includes the fake server's 100k objects)`);
  } finally {
    await server.stop();
  }
}

await main();
