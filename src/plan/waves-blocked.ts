/**
 * Blocked nodes: a node that holds more covered pods of a PDB than the PDB
 * allows can never be drained cleanly, whatever the order (the drain waits on
 * the PDB until it times out). They are reported per PDB with the way out.
 */
import type { DisruptionFacts } from './waves-budget.js';
import type { WavePlan, WaveWorker } from './waves.js';

export function findBlocked(
  facts: DisruptionFacts,
  workers: readonly WaveWorker[],
): { isBlocked: Uint8Array; blocked: WavePlan['blocked'] } {
  const { loads, allowed } = facts;
  const isBlocked = new Uint8Array(workers.length);
  const byPdb = new Map<number, { nodes: number[]; most: number }>();
  for (let n = 0; n < workers.length; n++) {
    for (let k = loads.start[n]!; k < loads.start[n + 1]!; k++) {
      const p = loads.pdb[k]!;
      const c = loads.count[k]!;
      if (c <= allowed[p]!) continue;
      isBlocked[n] = 1;
      const entry = byPdb.get(p);
      if (entry === undefined) byPdb.set(p, { nodes: [n], most: c });
      else {
        entry.nodes.push(n);
        entry.most = Math.max(entry.most, c);
      }
    }
  }
  const blocked = [...byPdb.entries()]
    .sort(([a], [b]) => a - b)
    .map(([p, { nodes, most }]) => {
      const b = facts.budgets[p]!;
      const problem = b.problem === undefined ? '' : ` (${b.problem})`;
      return {
        pdb: b.key,
        reason:
          `${b.rule}${problem}: ${b.healthy}/${b.expected} pods healthy, ${b.allowed} disruption(s) allowed; ` +
          blockedWhy(b.allowed, most, b.healthy < b.expected),
        nodes: nodes.map((n) => workers[n]!.name),
      };
    });
  return { isBlocked, blocked };
}

/** Why a PDB blocks its nodes, and the way out, in one clause. */
function blockedWhy(allowed: number, most: number, someUnhealthy: boolean): string {
  const wait = 'draining blocks on this PDB until the drain times out';
  if (allowed > 0) return `a node holds ${most} of its pods, more than may go at once: ${wait}; spread the pods or relax the PDB`;
  const fix = someUnhealthy ? 'make its pods healthy first, or relax the PDB' : 'scale the workload up, or relax the PDB for the upgrade';
  return `any node holding one of its pods: ${wait}; ${fix}`;
}
