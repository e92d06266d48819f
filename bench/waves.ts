/**
 * Wave planner benchmark: `npx tsx bench/waves.ts`.
 *
 * Generated clusters of 100, 1,000 and 15,000 workers (10 pods a node, one PDB
 * per 50 pods, mixed budgets). For each: waves achieved vs the lower bound,
 * serial=1 (one wave per worker), Kubespray's default serial batches and how
 * many of them would break a PDB, planning wall time and peak RSS.
 * Targets: achieved/lowerBound ≤ 1.25; 15,000 workers planned in < 2 s.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dataDir } from '../src/util/paths.js';
import { buildDisruptionFacts } from '../src/plan/waves-budget.js';
import { planWaves, type WaveOptions, type WavePdb, type WavePod, type WaveWorker } from '../src/plan/waves.js';
import { validateWaves } from '../src/plan/waves-validate.js';
import { prng } from '../test/helpers/prng.js';

export interface GeneratedCluster {
  workers: WaveWorker[];
  pods: WavePod[];
  pdbs: WavePdb[];
}

const REPLICAS: Array<[number, number]> = [
  [1, 0.15], [2, 0.2], [3, 0.2], [5, 0.15], [10, 0.15], [20, 0.1], [50, 0.05],
];

function pickReplicas(rand: () => number): number {
  let x = rand();
  for (const [r, w] of REPLICAS) {
    if (x < w) return r;
    x -= w;
  }
  return 1;
}

/**
 * Apps (Deployments) of 1–50 replicas spread over random nodes (one replica a
 * node where possible), 10 pods per node, 3 zones. PDBs (one per 50 pods) go to multi-replica apps with a mix of
 * minAvailable / maxUnavailable, integer / percent; a few apps have one pod down,
 * and a few single-replica apps get `minAvailable: 1` (the istio case: blocked).
 * `stress`: every app has 10 replicas and a PDB allowing 1 or 2: all 10 pods of
 * every node are covered by tight budgets (a hard case, far from the target's).
 */
export function generateCluster(workerCount: number, seed = 1, stress = false): GeneratedCluster {
  const rand = prng(seed);
  const workers: WaveWorker[] = Array.from({ length: workerCount }, (_, i) => ({
    name: `node-${String(i).padStart(5, '0')}`,
    zone: `zone-${'abc'[i % 3]}`,
  }));
  const slots: number[] = [];
  for (let n = 0; n < workerCount; n++) for (let k = 0; k < 10; k++) slots.push(n);
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  const namespaces = Math.max(3, Math.floor(workerCount / 10));
  const pods: WavePod[] = [];
  const apps: Array<{ ns: string; name: string; replicas: number }> = [];
  while (pods.length < slots.length) {
    const replicas = Math.min(stress ? 10 : pickReplicas(rand), slots.length - pods.length);
    const app = { ns: `ns-${Math.floor(rand() * namespaces)}`, name: `app-${apps.length}`, replicas };
    apps.push(app);
    const broken = rand() < 0.0005; // one pod of this app is not ready
    const used = new Set<number>();
    for (let r = 0; r < replicas; r++) {
      // Spread replicas over distinct nodes, as the scheduler's spreading does:
      // swap in the next free slot on a node this app does not use yet.
      const at = pods.length;
      let j = at;
      while (j < slots.length - 1 && used.has(slots[j]!)) j++;
      [slots[at], slots[j]] = [slots[j]!, slots[at]!];
      used.add(slots[at]!);
      pods.push({
        namespace: app.ns,
        name: `${app.name}-${r}`,
        nodeName: workers[slots[at]!]!.name,
        labels: { app: app.name, tier: r % 2 === 0 ? 'a' : 'b' },
        healthy: !(broken && r === 0),
      });
    }
  }
  if (stress) {
    const pdbs = apps.map((app): WavePdb => ({
      namespace: app.ns, name: `${app.name}-pdb`, selector: { matchLabels: { app: app.name } }, maxUnavailable: rand() < 0.5 ? 1 : 2,
    }));
    return { workers, pods, pdbs };
  }
  const pdbCount = Math.floor(pods.length / 50);
  const multi = apps.filter((a) => a.replicas >= 2);
  const single = apps.filter((a) => a.replicas === 1);
  const pdbs: WavePdb[] = [];
  const taken = new Set<string>();
  const blockedWanted = Math.min(3, single.length);
  for (let i = 0; i < blockedWanted; i++) {
    const app = single[i]!;
    pdbs.push({ namespace: app.ns, name: `${app.name}-pdb`, selector: { matchLabels: { app: app.name } }, minAvailable: 1 });
  }
  while (pdbs.length < pdbCount && taken.size < multi.length) {
    const app = multi[Math.floor(rand() * multi.length)]!;
    if (taken.has(app.name)) continue;
    taken.add(app.name);
    const r = app.replicas;
    const kind = Math.floor(rand() * 6);
    const budget: Pick<WavePdb, 'minAvailable' | 'maxUnavailable'> =
      kind === 0 ? { minAvailable: r - 1 }
      : kind === 1 ? { minAvailable: Math.max(1, Math.floor(r / 2)) }
      : kind === 2 ? { minAvailable: r >= 5 && rand() < 0.5 ? '75%' : '50%' } // 75% of 2–4 pods allows nothing
      : kind === 3 ? { maxUnavailable: 1 }
      : kind === 4 ? { maxUnavailable: 2 }
      : { maxUnavailable: rand() < 0.5 ? '25%' : '10%' };
    const selector: WavePdb['selector'] =
      rand() < 0.8
        ? { matchLabels: { app: app.name } }
        : { matchExpressions: [{ key: 'app', operator: 'In', values: [app.name] }, { key: 'tier', operator: 'Exists' }] };
    pdbs.push({ namespace: app.ns, name: `${app.name}-pdb`, selector, ...budget });
  }
  return { workers, pods, pdbs };
}

/** Kubespray's default worker batch (`serial`), read from the newest tag's upgrade plays. */
export function kubesprayDefaultSerial(): string {
  const catalog = JSON.parse(readFileSync(join(dataDir, 'kubespray', 'catalog.json'), 'utf8')) as {
    tags: Array<{ tag: string; upgrade_plays?: Array<{ hosts: string; serial?: string | number }> }>;
  };
  const last = catalog.tags[catalog.tags.length - 1]!;
  const play = last.upgrade_plays?.find((p) => /kube[-_]node/.test(p.hosts) && p.serial !== undefined && !/kube[-_]control[-_]plane$/.test(p.hosts));
  const m = /default\('([^']+)'\)/.exec(String(play?.serial ?? ''));
  if (m === null) throw new Error(`no default worker serial in ${last.tag}'s upgrade plays`);
  return m[1]!;
}

/** Ansible's serial: a percentage of the play's hosts, rounded down, at least 1. */
function ansibleBatchSize(serial: string, hosts: number): number {
  const pct = /^(\d+)%$/.exec(serial);
  return pct === null ? Number(serial) : Math.max(1, Math.floor((Number(pct[1]) / 100) * hosts));
}

/** Kubespray's batches (inventory order), and how many would drain past a PDB budget. */
function kubesprayBatches(cluster: GeneratedCluster, serial: string): { count: number; breaking: number } {
  const facts = buildDisruptionFacts(cluster.workers, cluster.pods, cluster.pdbs);
  const size = ansibleBatchSize(serial, cluster.workers.length);
  let count = 0;
  let breaking = 0;
  for (let start = 0; start < cluster.workers.length; start += size) {
    count++;
    const used = new Map<number, number>();
    for (let n = start; n < Math.min(start + size, cluster.workers.length); n++) {
      const { start, pdb, count } = facts.loads;
      for (let k = start[n]!; k < start[n + 1]!; k++) used.set(pdb[k]!, (used.get(pdb[k]!) ?? 0) + count[k]!);
    }
    if ([...used].some(([p, c]) => c > facts.allowed[p]!)) breaking++;
  }
  return { count, breaking };
}

interface Row {
  workers: string;
  cap: string;
  achieved: number;
  lowerBound: number;
  blockedNodes: number;
  ratio: string;
  ratioDrainable: string;
  serial1: number;
  kubespray: string;
  ms: number;
  cpuMs: number;
  rssMiB: number;
  valid: string;
}

export function runWavesBench(sizes = [100, 1_000, 15_000], stressSize = 1_000, log: (line: string) => void = console.log): Row[] {
  const serial = kubesprayDefaultSerial();
  const rows: Row[] = [];
  const runs = [
    ...sizes.map((size) => ({ size, stress: false })),
    ...(stressSize > 0 ? [{ size: stressSize, stress: true }] : []),
  ];
  for (const { size, stress } of runs) {
    const cluster = generateCluster(size, 42 + size, stress);
    const ks = kubesprayBatches(cluster, serial);
    for (const options of (stress ? [{}] : [{ maxUnavailable: serial }, {}]) as WaveOptions[]) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const plan = planWaves(cluster.workers, cluster.pods, cluster.pdbs, options);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const rssMiB = process.resourceUsage().maxRSS / 1024;
      const blockedNodes = new Set(plan.blocked.flatMap((b) => b.nodes)).size;
      const violations = validateWaves(cluster.workers, cluster.pods, cluster.pdbs, plan.waves, options);
      rows.push({
        workers: stress ? `${size} stress` : String(size),
        cap: options.maxUnavailable === undefined ? 'none' : String(options.maxUnavailable),
        achieved: plan.achieved,
        lowerBound: plan.lowerBound,
        blockedNodes,
        ratio: (plan.achieved / plan.lowerBound).toFixed(3),
        ratioDrainable: ((plan.achieved - blockedNodes) / Math.max(1, plan.lowerBound - blockedNodes)).toFixed(3),
        serial1: size,
        kubespray: `${ks.count} (${ks.breaking} break a PDB)`,
        ms: Math.round(ms),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        rssMiB: Math.round(rssMiB),
        valid: violations.length === 0 ? 'yes' : `NO (${violations.length})`,
      });
    }
  }
  const header = ['workers', 'cap', 'waves', 'lower bound', 'ratio', 'ratio w/o blocked', 'blocked nodes', 'serial=1', `kubespray ${serial}`, 'plan ms', 'cpu ms', 'peak RSS MiB', 'valid'];
  const table = rows.map((r) => [
    r.workers, r.cap, String(r.achieved), String(r.lowerBound), r.ratio, r.ratioDrainable, String(r.blockedNodes),
    String(r.serial1), r.kubespray, String(r.ms), String(r.cpuMs), String(r.rssMiB), r.valid,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  log(line(header));
  for (const row of table) log(line(row));
  log('targets: ratio ≤ 1.25, 15,000 workers planned in < 2,000 ms wall. plan ms is wall time of one cold planWaves call;');
  log('cpu ms its CPU time (all threads, GC included); peak RSS is the whole process so far (generated clusters included).');
  log('ratio w/o blocked = (waves − blocked nodes) / (lower bound − blocked nodes).');
  log('"stress": 10-replica apps, each with a PDB allowing 1 or 2, on every pod (no target; the lower bound is weak there).');
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runWavesBench();
}
