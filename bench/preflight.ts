/**
 * API preflight benchmark: `npx tsx bench/preflight.ts`.
 *
 * A generated cluster of 5,000 nodes, 100,000 pods (2,000 Deployments), 2,000
 * PodDisruptionBudgets (every tenth with no disruption allowed) and 500
 * Ingresses on extensions/v1beta1 (bench/lib/preflight-cluster.ts), served by
 * the fake API server in a process of its own, as a real API server answers
 * from elsewhere (bench/lib/api-server-process.ts). Times gathering (real
 * @kubernetes/client-node kubeconfig + paged HTTP) and the four checks, and
 * prints peak RSS. Target: gather + checks < 3 s.
 *
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
import { hopsFrom } from '../test/fixtures/kube/hops.js';
import { startApiServerProcess } from './lib/api-server-process.js';
import { VERSION } from './lib/preflight-cluster.js';

const ms = (start: bigint): number => Number((process.hrtime.bigint() - start) / 1_000_000n);

async function main(): Promise<void> {
  let start = process.hrtime.bigint();
  const server = await startApiServerProcess();
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
    const requests = await server.stop();
    console.log('API preflight benchmark (fake API server in a process of its own)');
    console.log(`  cluster        ${facts.nodes.length} nodes, ${facts.pods.length} pods, ${facts.pdbs.length} PDBs, ${facts.servedObjects?.length ?? 0} served objects on removed APIs`);
    console.log(`  requests       ${requests.length} (pods paged ${requests.filter((r) => r.startsWith('GET /api/v1/pods?')).length}×)`);
    console.log(`  setup          ${setupMs} ms (start the fake server's process, generate and load the cluster; not counted)`);
    console.log(`  client-node    ${importMs} ms import (one-off; not counted)`);
    console.log(`  gather         ${gatherMs} ms`);
    console.log(`  checks         ${checksMs} ms (${outcomes.map((o) => `${o.check}: ${o.status}, ${o.findings.length} findings`).join('; ')})`);
    console.log(`  total          ${total} ms wall, ${cpuMs} ms CPU in this process (target < 3000 ms wall: ${total < 3000 ? 'met' : 'MISSED'})`);
    console.log(`  peak RSS       ${rssMb} MB (kspray's side only)`);
  } finally {
    await server.stop().catch(() => undefined);
  }
}

await main();
