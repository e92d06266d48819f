/**
 * An independent checker for wave plans. It shares no code with the planner
 * (no selector, budget or packing helper) so that a bug in one is caught by the
 * other: it recomputes everything from the raw objects, plainly.
 *
 * Rules checked:
 *  - every worker is in exactly one wave; no unknown names; no empty wave;
 *  - no wave larger than the cap (maxUnavailable N, or P% of the workers with Ansible's rounding, ≥ 1);
 *  - the first wave no larger than the canary (canaryNodes' length, else canary, default 1);
 *  - with oneNodePerZone, no two nodes of one zone in a wave (zoneless nodes are free);
 *  - for every PDB and wave: covered pods on the wave's nodes ≤ allowed disruptions.
 *    A single-node wave whose node alone exceeds a budget is unavoidable (no plan
 *    can drain that node cleanly): it is not a violation, but such waves must
 *    come after every other wave.
 */
import type { WaveOptions, WavePdb, WavePod, WaveWorker } from './waves.js';
import { parseCountOrPercent, resolveCountOrPercent } from './count-or-percent.js';

export function validateWaves(
  workers: WaveWorker[],
  pods: WavePod[],
  pdbs: WavePdb[],
  waves: string[][],
  options: WaveOptions = {},
): string[] {
  const problems: string[] = [];
  const zoneOf = new Map<string, string | undefined>();
  for (const w of workers) zoneOf.set(w.name, w.zone);

  // Where each node is drained.
  const waveOf = new Map<string, number>();
  waves.forEach((wave, i) => {
    if (wave.length === 0) problems.push(`wave ${i + 1} is empty`);
    for (const name of wave) {
      if (!zoneOf.has(name)) problems.push(`wave ${i + 1}: ${name} is not a worker`);
      else if (waveOf.has(name)) problems.push(`${name} is in wave ${waveOf.get(name)! + 1} and again in wave ${i + 1}`);
      else waveOf.set(name, i);
    }
  });
  for (const w of workers) if (!waveOf.has(w.name)) problems.push(`${w.name} is in no wave`);

  // Size cap.
  const cap = capOf(options.maxUnavailable, workers.length);
  if (cap === 'invalid') problems.push(`maxUnavailable ${String(options.maxUnavailable)} is not a valid cap`);
  waves.forEach((wave, i) => {
    if (typeof cap === 'number' && wave.length > cap) problems.push(`wave ${i + 1} has ${wave.length} nodes, more than the cap of ${cap}`);
  });

  // Canary size.
  const canary = options.canaryNodes !== undefined && options.canaryNodes.length > 0 ? options.canaryNodes.length : (options.canary ?? 1);
  if (canary > 0 && waves.length > 0 && waves[0]!.length > canary) {
    problems.push(`the canary wave has ${waves[0]!.length} nodes, more than ${canary}`);
  }

  // Zones.
  if (options.oneNodePerZone === true) {
    waves.forEach((wave, i) => {
      const seen = new Set<string>();
      for (const name of wave) {
        const z = zoneOf.get(name);
        if (z === undefined || z === '') continue;
        if (seen.has(z)) problems.push(`wave ${i + 1} has two nodes in zone ${z}`);
        seen.add(z);
      }
    });
  }

  // PDB budgets, wave by wave.
  const unavoidable = new Set<number>();
  const inNamespace = podsByNamespace(pods);
  for (const pdb of pdbs) {
    const selected = (inNamespace.get(pdb.namespace) ?? []).filter((pod) => selects(pdb.selector, pod.labels));
    const allowed = allowedDisruptions(pdb, selected);
    const perWave = new Map<number, number>();
    for (const pod of selected) {
      const i = waveOf.get(pod.nodeName);
      if (i !== undefined) perWave.set(i, (perWave.get(i) ?? 0) + 1);
    }
    for (const [i, count] of perWave) {
      if (count <= allowed) continue;
      if (waves[i]!.length === 1) unavoidable.add(i);
      else problems.push(`wave ${i + 1} drains ${count} pods of PDB ${pdb.namespace}/${pdb.name}, which allows ${allowed}`);
    }
  }
  if (unavoidable.size > 0) {
    const firstUnavoidable = Math.min(...unavoidable);
    for (let i = firstUnavoidable + 1; i < waves.length; i++) {
      if (!unavoidable.has(i)) problems.push(`wave ${i + 1} comes after wave ${firstUnavoidable + 1}, which cannot drain cleanly (blocked nodes go last)`);
    }
  }
  return problems;
}

/** The PDBs that draining exactly these nodes at once would break, one line each. */
export function pdbBreaches(pods: WavePod[], pdbs: WavePdb[], nodes: string[]): string[] {
  const drained = new Set(nodes);
  const breaches: string[] = [];
  for (const pdb of pdbs) {
    const selected = pods.filter((pod) => pod.namespace === pdb.namespace && selects(pdb.selector, pod.labels));
    const allowed = allowedDisruptions(pdb, selected);
    const count = selected.filter((pod) => drained.has(pod.nodeName)).length;
    if (count > allowed) breaches.push(`${pdb.namespace}/${pdb.name}: ${count} pods drained, ${allowed} allowed`);
  }
  return breaches;
}

function podsByNamespace(pods: WavePod[]): Map<string, WavePod[]> {
  const byNs = new Map<string, WavePod[]>();
  for (const pod of pods) {
    if (!byNs.has(pod.namespace)) byNs.set(pod.namespace, []);
    byNs.get(pod.namespace)!.push(pod);
  }
  return byNs;
}

function capOf(value: number | string | undefined, workerCount: number): number | undefined | 'invalid' {
  if (value === undefined) return undefined;
  const spec = parseCountOrPercent(value);
  return spec ? resolveCountOrPercent(spec, workerCount) : 'invalid';
}

/** policy/v1: null selects nothing, {} everything; an invalid expression selects nothing. */
function selects(selector: WavePdb['selector'], labels: Record<string, string>): boolean {
  if (selector === null) return false;
  for (const [name, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!has(labels, name) || labels[name] !== value) return false;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const values = expr.values ?? [];
    const present = has(labels, expr.key);
    if (expr.operator === 'In') {
      if (values.length === 0 || !present || !values.includes(labels[expr.key]!)) return false;
    } else if (expr.operator === 'NotIn') {
      if (values.length === 0 || (present && values.includes(labels[expr.key]!))) return false;
    } else if (expr.operator === 'Exists') {
      if (values.length > 0 || !present) return false;
    } else if (expr.operator === 'DoesNotExist') {
      if (values.length > 0 || present) return false;
    } else {
      return false;
    }
  }
  return true;
}

function has(labels: Record<string, string>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, k);
}

/**
 * Allowed disruptions from the selected pods: expected = how many are selected,
 * desired healthy = minAvailable (a percent of expected, rounded up) or expected
 * minus maxUnavailable (a percent rounded up), the stricter when both are set;
 * allowed = healthy − desired, at least 0. A value that is neither a whole
 * number nor "N%" allows nothing, and so does a PDB with neither field.
 */
function allowedDisruptions(pdb: WavePdb, selected: WavePod[]): number {
  if (pdb.minAvailable === undefined && pdb.maxUnavailable === undefined) return 0;
  const expected = selected.length;
  const healthy = selected.filter((p) => p.healthy).length;
  const candidates: number[] = [healthy];
  if (pdb.minAvailable !== undefined) {
    const min = absolute(pdb.minAvailable, expected);
    candidates.push(min === undefined ? 0 : healthy - min);
  }
  if (pdb.maxUnavailable !== undefined) {
    const max = absolute(pdb.maxUnavailable, expected);
    candidates.push(max === undefined ? 0 : healthy - Math.max(0, expected - max));
  }
  return Math.max(0, Math.min(...candidates));
}

function absolute(value: number | string, expected: number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = /^([0-9]+)%$/.exec(value);
  if (!match) return undefined;
  return Math.ceil((parseInt(match[1]!, 10) * expected) / 100);
}
