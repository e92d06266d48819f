/**
 * A lower bound on the number of waves, never above the true optimum.
 *
 * The model every plan lives in: a blocked node (one that alone exceeds some
 * PDB's allowed disruptions) gets a single-node wave of its own; when canary ≥ 1
 * and some node is drainable, a canary wave of at most `canary` drainable nodes
 * comes first; every other wave holds drainable nodes and obeys the cap, the
 * zone rule and every PDB budget. So the optimum is B + (waves for the M
 * drainable nodes), and for those M nodes each of these holds for ANY plan:
 *
 *  - cap K: the canary wave holds at most c' = min(canary, K, M) nodes and every
 *    other wave at most K, so waves ≥ 1 + ⌈(M − c')/K⌉ (canary ≥ 1), ⌈M/K⌉ (none).
 *    With no cap this still says: more than `canary` nodes need a second wave.
 *  - oneNodePerZone: a wave holds at most one node of a zone, so waves ≥ the
 *    largest zone (zoned drainable nodes only).
 *  - PDB with allowed a ≥ 1 whose pods sit on drainable nodes with counts cᵢ
 *    (each cᵢ ≤ a, else the node would be blocked), S = Σcᵢ: a wave carries at
 *    most a of its pods, so waves ≥ ⌈S/a⌉. The canary wave carries at most
 *    min(a, sum of the `canary` largest cᵢ), so waves ≥ 1 + ⌈(S − that)/a⌉.
 *    For one pod per node on k nodes that is the familiar ⌈k/a⌉.
 *  - Same PDB: a wave holds at most j of the nodes with cᵢ > a/(j+1) (j+1 of
 *    them would carry more than a), so waves ≥ ⌈hⱼ/j⌉ for hⱼ such nodes; j = 1
 *    is the clique of nodes that pairwise cannot share a wave.
 *
 * The bound is the maximum of these (at least 1 when M > 0) plus B. Each term
 * counts waves of one feasible plan from a constraint that plan must meet, so
 * none can exceed the optimum.
 */
import type { PackInput } from './waves-pack.js';

export interface BoundInput extends PackInput {
  /** Indexes of the drainable (not blocked) workers. */
  drainable: readonly number[];
  blockedCount: number;
  /** Most nodes the canary wave may hold; 0: no canary wave. */
  canary: number;
}

export function waveLowerBound(input: BoundInput): number {
  const m = input.drainable.length;
  if (m === 0) return input.blockedCount;
  const c = input.canary;
  let bound = 1;

  const k = input.cap;
  if (c >= 1) {
    const inCanary = Math.min(c, k, m);
    bound = Math.max(bound, 1 + (Number.isFinite(k) ? Math.ceil((m - inCanary) / k) : m > inCanary ? 1 : 0));
  } else if (Number.isFinite(k)) {
    bound = Math.max(bound, Math.ceil(m / k));
  }

  if (input.oneNodePerZone) {
    const perZone = new Map<number, number>();
    for (const n of input.drainable) {
      const z = input.zone[n]!;
      if (z >= 0) perZone.set(z, (perZone.get(z) ?? 0) + 1);
    }
    for (const size of perZone.values()) bound = Math.max(bound, size);
  }

  // Transpose to per-PDB count lists (drainable nodes only).
  const counts: number[][] = Array.from({ length: input.allowed.length }, () => []);
  const { start, pdb, count } = input.loads;
  for (const n of input.drainable) {
    for (let k = start[n]!; k < start[n + 1]!; k++) counts[pdb[k]!]!.push(count[k]!);
  }
  counts.forEach((list, p) => {
    const a = input.allowed[p]!;
    if (list.length === 0 || a < 1) return;
    list.sort((x, y) => y - x);
    const sum = list.reduce((s, v) => s + v, 0);
    bound = Math.max(bound, Math.ceil(sum / a));
    if (c >= 1) {
      const top = list.slice(0, c).reduce((s, v) => s + v, 0);
      bound = Math.max(bound, 1 + Math.ceil(Math.max(0, sum - Math.min(a, top)) / a));
    }
    for (let j = 1; j <= 3; j++) {
      // cᵢ > a/(j+1)  ⇔  cᵢ·(j+1) > a, in integers.
      let h = 0;
      for (const v of list) if (v * (j + 1) > a) h++;
      bound = Math.max(bound, Math.ceil(h / j));
    }
  });

  return input.blockedCount + bound;
}
