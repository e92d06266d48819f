/**
 * The canary wave: the first nodes upgraded, checked before the rest. Either
 * the operator's explicit nodes (in order, skipping those a PDB blocks or that
 * cannot drain together), or the lowest-risk drainable nodes: those touching
 * the fewest PDB-covered pods. Low risk is the point of a canary, even where a
 * riskier canary would let the plan end one wave sooner.
 */
import { WaveSet, type PackInput } from './waves-pack.js';

export interface CanaryContext {
  input: PackInput;
  /** Covered pods per worker. */
  nodeCovered: Int32Array;
  drainable: readonly number[];
  isBlocked: Uint8Array;
  zoneCount: number;
}

/**
 * Pick the canary wave. `request`: how many nodes, or the explicit node indexes.
 * Returns the wave and its size limit (what the lower bound may assume).
 */
export function pickCanary(
  ctx: CanaryContext,
  request: number | readonly number[],
  nameOf: (n: number) => string,
  notes: string[],
): { wave: number[]; limit: number } {
  if (typeof request !== 'number') {
    const wave = fill(ctx.input, request.filter((n) => ctx.isBlocked[n] === 0), request.length);
    const left = request.filter((n) => !wave.includes(n)).map(nameOf);
    if (left.length > 0) {
      notes.push(`canary node(s) ${left.join(', ')} moved out of the canary wave: blocked by a PDB, or not drainable together with the others`);
    }
    if (wave.length > 0 || ctx.drainable.length === 0) return { wave, limit: request.length };
    notes.push('no requested canary node can be drained: the canary is chosen automatically');
    return { wave: fill(ctx.input, byRisk(ctx), 1), limit: 1 };
  }
  if (request === 0 || ctx.drainable.length === 0) return { wave: [], limit: request };
  return { wave: fill(ctx.input, byRisk(ctx), request), limit: request };
}

/**
 * Lowest risk first: fewest covered pods, then fewest PDBs. With one node per
 * zone, ties go to the largest zone: it sets the wave count, and the canary
 * wave can carry one of its nodes for free.
 */
function byRisk(ctx: CanaryContext): number[] {
  const { zone, oneNodePerZone, loads } = ctx.input;
  const zoneSize = new Int32Array(ctx.zoneCount);
  if (oneNodePerZone) for (const n of ctx.drainable) if (zone[n]! >= 0) zoneSize[zone[n]!]!++;
  const sizeOf = (n: number): number => (zone[n]! >= 0 ? zoneSize[zone[n]!]! : 0);
  const pdbsOf = (n: number): number => loads.start[n + 1]! - loads.start[n]!;
  return [...ctx.drainable].sort(
    (a, b) => ctx.nodeCovered[a]! - ctx.nodeCovered[b]! || pdbsOf(a) - pdbsOf(b) || sizeOf(b) - sizeOf(a) || a - b,
  );
}

/** Walk the candidates in order, keeping each that still fits, up to `size` nodes. */
function fill(input: PackInput, candidates: readonly number[], size: number): number[] {
  if (size <= 0) return [];
  const set = new WaveSet(input);
  const w = set.open();
  for (const n of candidates) {
    if (set.members[w]!.length >= size) break;
    if (set.fits(w, n)) set.add(w, n);
  }
  return set.members[w]!;
}
