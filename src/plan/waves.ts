/**
 * The worker wave planner (pure). Kubespray drains workers 20% at a time, blind
 * to PodDisruptionBudgets: a drain then hangs on a PDB with no disruption left,
 * or one batch takes too much of a service down. serial=1 is safe but slow.
 * planWaves splits workers into ordered waves such that draining a whole wave
 * never takes any PDB below its budget, with as few waves as it can find.
 *
 * Model (kept plain data so an adapter from Kubernetes objects is trivial):
 *  - a PDB selects pods of its namespace by label selector ({} selects all, null none);
 *  - its allowed disruptions are computed once from the current state (we do not
 *    count on unhealthy pods recovering during the upgrade); percentages scale the
 *    number of pods it selects (Kubernetes scales the controllers' replicas: the
 *    same number once a rollout is complete);
 *  - every pod of a drained node, healthy or not, counts as unavailable until its
 *    wave is done (conservative: pods are not assumed rescheduled within a wave);
 *  - a wave is valid iff for every PDB its covered pods on the wave's nodes ≤ allowed;
 *  - a node that alone exceeds a PDB's allowance can never drain cleanly: it is
 *    "blocked", reported, and goes last in a single-node wave.
 */
import { UsageError } from '../util/errors.js';
import { parseCountOrPercent, resolveCountOrPercent } from './count-or-percent.js';
import { buildDisruptionFacts } from './waves-budget.js';
import { waveLowerBound } from './waves-bound.js';
import { findBlocked } from './waves-blocked.js';
import { pickCanary } from './waves-canary.js';
import type { PackInput } from './waves-pack.js';
import { packMain } from './waves-order.js';

export interface WaveWorker {
  name: string;
  zone?: string;
}
export interface WavePod {
  namespace: string;
  name: string;
  nodeName: string;
  labels: Record<string, string>;
  healthy: boolean;
}
export interface WavePdb {
  namespace: string;
  name: string;
  selector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
  } | null;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}
export interface WaveOptions {
  /** Nodes in the canary wave; default 1, 0 for none. */
  canary?: number;
  /** Most workers drained at once: N, or 'P%' of the workers (rounded down, at least 1). Unset: no cap. */
  maxUnavailable?: number | string;
  /** Never two nodes of the same zone in one wave (nodes without a zone are free). */
  oneNodePerZone?: boolean;
  /** Explicit canary nodes, in order of preference; overrides `canary`. */
  canaryNodes?: string[];
}
export interface WavePlan {
  /** waves[0] is the canary wave (when there is one). */
  waves: string[][];
  lowerBound: number;
  achieved: number;
  /** PDBs no order can satisfy; their nodes go last, one per wave. */
  blocked: Array<{ pdb: string; reason: string; nodes: string[] }>;
  notes: string[];
}

/** Resolve maxUnavailable to a node count: N, or P% of the workers with Ansible's rounding (count-or-percent.ts), at least 1. */
export function resolveWaveCap(maxUnavailable: number | string | undefined, workerCount: number): number {
  if (maxUnavailable === undefined) return Number.POSITIVE_INFINITY;
  const spec = parseCountOrPercent(maxUnavailable);
  if (spec) return resolveCountOrPercent(spec, workerCount);
  throw new UsageError(
    `invalid maxUnavailable ${JSON.stringify(maxUnavailable)}`,
    'use a whole number of nodes ≥ 1 (e.g. 5) or a whole percentage of the workers (e.g. "20%")',
  );
}

const MAX_LISTED = 5;

export function planWaves(
  workers: WaveWorker[],
  pods: WavePod[],
  pdbs: WavePdb[],
  options: WaveOptions = {},
): WavePlan {
  const notes: string[] = [];
  const index = new Map<string, number>();
  for (const [i, w] of workers.entries()) {
    if (index.has(w.name)) throw new UsageError(`worker ${w.name} is listed twice`);
    index.set(w.name, i);
  }
  const canary = options.canary ?? 1;
  if (!Number.isInteger(canary) || canary < 0) {
    throw new UsageError(`invalid canary ${canary}`, 'use a whole number of nodes ≥ 0 (default 1)');
  }
  const cap = resolveWaveCap(options.maxUnavailable, workers.length);
  if (!Number.isFinite(cap)) notes.push('no maxUnavailable cap: wave size is limited by PDBs and zones only');

  const facts = buildDisruptionFacts(workers, pods, pdbs);
  const zoneIds = new Map<string, number>();
  const zone = Int32Array.from(workers, (w) => {
    if (w.zone === undefined || w.zone === '') return -1;
    if (!zoneIds.has(w.zone)) zoneIds.set(w.zone, zoneIds.size);
    return zoneIds.get(w.zone)!;
  });
  const oneNodePerZone = options.oneNodePerZone === true;
  if (oneNodePerZone) {
    const unzoned = workers.filter((w) => w.zone === undefined || w.zone === '').length;
    if (unzoned > 0) notes.push(`oneNodePerZone: ${unzoned} worker(s) have no zone and are not constrained by it`);
  }
  const { loads, allowed } = facts;
  const input: PackInput = { zone, oneNodePerZone, cap, loads, allowed };

  const { isBlocked, blocked } = findBlocked(facts, workers);
  for (const b of facts.budgets) {
    if (b.problem !== undefined && !blocked.some((x) => x.pdb === b.key)) notes.push(`PDB ${b.key}: ${b.problem}`);
  }
  if (facts.multiCovered.length > 0) {
    const shown = facts.multiCovered.slice(0, MAX_LISTED).map((m) => `${m.pod} on ${m.nodeName} (${m.pdbs.join(', ')})`);
    notes.push(
      `${facts.multiCovered.length} pod(s) on workers are selected by more than one PDB; the eviction API ` +
        `refuses to evict such pods, so their drains fail: ${shown.join('; ')}${facts.multiCovered.length > MAX_LISTED ? '; …' : ''}`,
    );
  }

  const drainable: number[] = [];
  for (let n = 0; n < workers.length; n++) if (isBlocked[n] === 0) drainable.push(n);

  const explicit = (options.canaryNodes ?? []).map((name) => {
    const n = index.get(name);
    if (n === undefined) throw new UsageError(`canary node ${name} is not a worker`);
    return n;
  });
  const twice = options.canaryNodes?.find((name, i, all) => all.indexOf(name) !== i);
  if (twice !== undefined) throw new UsageError(`canary node ${twice} is listed twice`);
  if (explicit.length > 0 && options.canary !== undefined && options.canary !== explicit.length) {
    notes.push(`canaryNodes given: the canary wave has up to ${explicit.length} node(s), not ${options.canary}`);
  }
  const { wave: canaryWave, limit: canaryLimit } = pickCanary(
    { input, nodeCovered: facts.nodeCovered, drainable, isBlocked, zoneCount: zoneIds.size },
    explicit.length > 0 ? explicit : canary,
    (n) => workers[n]!.name,
    notes,
  );
  if (canaryLimit > 0 && drainable.length === 0 && workers.length > 0) {
    notes.push('every worker is blocked by a PDB: there is no safe canary');
  }

  const inCanary = new Set(canaryWave);
  const rest = drainable.filter((n) => !inCanary.has(n));
  // A bound for the rest alone: the packer stops searching once it reaches it.
  const target = waveLowerBound({ ...input, drainable: rest, blockedCount: 0, canary: 0 });
  const main = packMain(input, rest, target);
  const byIndex = (a: number, b: number): number => a - b;
  const waves = [canaryWave, ...main, ...drainable.length === workers.length ? [] : blockedTail(isBlocked)]
    .filter((w) => w.length > 0)
    .map((w) => [...w].sort(byIndex).map((n) => workers[n]!.name));

  const lowerBound = waveLowerBound({
    ...input,
    drainable,
    blockedCount: workers.length - drainable.length,
    canary: canaryWave.length > 0 ? canaryLimit : 0,
  });
  return { waves, lowerBound, achieved: waves.length, blocked, notes };
}

function blockedTail(isBlocked: Uint8Array): number[][] {
  const tail: number[][] = [];
  isBlocked.forEach((b, n) => {
    if (b === 1) tail.push([n]);
  });
  return tail;
}
