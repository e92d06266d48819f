/**
 * Packing workers into waves: the wave state and first fit. Works on indexes
 * and typed arrays only; names and messages live in waves.ts, the node order
 * and the search in waves-order.ts, the canary in waves-canary.ts.
 */
import type { NodeLoads } from './waves-budget.js';

/** What the packer needs to know, all by worker index. */
export interface PackInput {
  /** Zone id per worker, -1 when the worker has no zone (then unconstrained). */
  zone: Int32Array;
  oneNodePerZone: boolean;
  /** Most workers per wave (Infinity: no cap). */
  cap: number;
  /** Covered pods per worker and PDB (see NodeLoads). */
  loads: NodeLoads;
  allowed: Int32Array;
}

/** Waves that only grow, with per-wave PDB usage: a fit test costs O(PDBs of the node). */
export class WaveSet {
  readonly members: number[][] = [];
  private readonly used: Array<Map<number, number>> = [];
  private readonly zones: Array<Set<number>> = [];

  constructor(private readonly input: PackInput) {}

  get count(): number {
    return this.members.length;
  }

  open(): number {
    this.members.push([]);
    this.used.push(new Map());
    this.zones.push(new Set());
    return this.members.length - 1;
  }

  hasZone(w: number, z: number): boolean {
    return this.zones[w]!.has(z);
  }

  usage(w: number, p: number): number {
    return this.used[w]!.get(p) ?? 0;
  }

  fits(w: number, n: number): boolean {
    const { input } = this;
    if (this.members[w]!.length >= input.cap) return false;
    const z = input.zone[n]!;
    if (input.oneNodePerZone && z >= 0 && this.zones[w]!.has(z)) return false;
    const { start, pdb, count } = input.loads;
    const used = this.used[w]!;
    for (let k = start[n]!; k < start[n + 1]!; k++) {
      const p = pdb[k]!;
      if ((used.get(p) ?? 0) + count[k]! > input.allowed[p]!) return false;
    }
    return true;
  }

  add(w: number, n: number): void {
    this.members[w]!.push(n);
    const z = this.input.zone[n]!;
    if (z >= 0) this.zones[w]!.add(z);
    const { start, pdb, count } = this.input.loads;
    const used = this.used[w]!;
    for (let k = start[n]!; k < start[n + 1]!; k++) used.set(pdb[k]!, (used.get(pdb[k]!) ?? 0) + count[k]!);
  }

  /** Drop empty waves, keeping the order of the others. */
  compact(): number[][] {
    return this.members.filter((m) => m.length > 0);
  }
}

/**
 * Places nodes, each in the first wave it fits. Waves only fill up here, so
 * "the first wave with room" for the cap, for a zone and for a PDB can only move
 * forward: those pointers let a node skip the waves it cannot possibly join,
 * which keeps 15,000 nodes × 100+ waves fast.
 */
export class FirstFitPlacer {
  readonly set: WaveSet;
  private capFrom = 0;
  private readonly zoneFrom = new Map<number, number>();
  private readonly pdbFrom: Int32Array;

  constructor(private readonly input: PackInput) {
    this.set = new WaveSet(input);
    this.pdbFrom = new Int32Array(input.allowed.length);
  }

  /** Put node n in the first wave it fits (a new one if none); returns the wave. */
  place(n: number): number {
    const { input, set, pdbFrom, zoneFrom } = this;
    const { start, pdb } = input.loads;
    const z = input.zone[n]!;
    let w = this.capFrom;
    if (input.oneNodePerZone && z >= 0) w = Math.max(w, zoneFrom.get(z) ?? 0);
    for (let k = start[n]!; k < start[n + 1]!; k++) w = Math.max(w, pdbFrom[pdb[k]!]!);
    while (w < set.count && !set.fits(w, n)) w++;
    if (w === set.count) set.open();
    set.add(w, n);

    while (this.capFrom < set.count && set.members[this.capFrom]!.length >= input.cap) this.capFrom++;
    if (input.oneNodePerZone && z >= 0) {
      let f = zoneFrom.get(z) ?? 0;
      while (f < set.count && set.hasZone(f, z)) f++;
      zoneFrom.set(z, f);
    }
    for (let k = start[n]!; k < start[n + 1]!; k++) {
      const p = pdb[k]!;
      let f = pdbFrom[p]!;
      while (f < set.count && set.usage(f, p) >= input.allowed[p]!) f++;
      pdbFrom[p] = f;
    }
    return w;
  }
}

/** First fit in the given order. */
export function firstFit(input: PackInput, order: readonly number[]): WaveSet {
  const placer = new FirstFitPlacer(input);
  for (const n of order) placer.place(n);
  return placer.set;
}
