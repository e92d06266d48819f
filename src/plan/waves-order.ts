/**
 * The main (post-canary) packing: first fit with the hardest nodes first, and
 * DSatur when first fit misses the lower bound; the fewer waves wins.
 *
 * Tried and dropped (no gain measured on the bench clusters nor on dense ones
 * where every pod is PDB-covered, at several times the cost): iterated greedy
 * (re-running first fit wave by wave in new orders) and a repair pass that
 * empties the smallest wave through moves and one-for-one swaps.
 */
import { dsatur } from './waves-dsatur.js';
import { firstFit, type PackInput } from './waves-pack.js';

/**
 * Hardest first. A PDB's demand is the waves it needs by itself (Σ its counts /
 * allowed); a node inherits the demand of the most demanding PDB it touches, so
 * the nodes of the PDB that sets the lower bound spread over the first waves
 * before anything else competes for them. Ties: the node's summed share of
 * each PDB's allowance, weighted by that PDB's demand.
 */
export function hardestFirst(input: PackInput, nodes: readonly number[]): number[] {
  const { start, pdb, count } = input.loads;
  const load = new Float64Array(input.allowed.length);
  for (const n of nodes) {
    for (let k = start[n]!; k < start[n + 1]!; k++) load[pdb[k]!]! += count[k]! / input.allowed[pdb[k]!]!;
  }
  const primary = new Float64Array(input.zone.length);
  const secondary = new Float64Array(input.zone.length);
  for (const n of nodes) {
    let top = 0;
    let sum = 0;
    for (let k = start[n]!; k < start[n + 1]!; k++) {
      const p = pdb[k]!;
      top = Math.max(top, load[p]!);
      sum += (count[k]! / input.allowed[p]!) * load[p]!;
    }
    primary[n] = top;
    secondary[n] = sum;
  }
  return [...nodes].sort((a, b) => primary[b]! - primary[a]! || secondary[b]! - secondary[a]! || a - b);
}

/**
 * Pack `nodes` into waves. `target` is a lower bound for these nodes alone:
 * reaching it ends the search early.
 */
export function packMain(input: PackInput, nodes: readonly number[], target = 1): number[][] {
  if (nodes.length === 0) return [];
  const order = hardestFirst(input, nodes);
  const best = firstFit(input, order).compact();
  if (best.length <= target) return best;
  const rank = new Int32Array(input.zone.length);
  order.forEach((n, i) => (rank[n] = i));
  const other = dsatur(input, nodes, rank).compact();
  return other.length < best.length ? other : best;
}
