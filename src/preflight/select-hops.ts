/** The hops a command asks for: all of a plan's, or hop N with --hop N (preflight, artifacts). Pure. */
import { UsageError } from '../util/errors.js';

/** All the hops, or hop N (as `kspray plan` numbers them); a number the plan does not have is bad input. */
export function selectHops<H extends { index: number }>(hops: readonly H[], hop: number | undefined): H[] {
  if (hop === undefined) return [...hops];
  const chosen = hops.find((h) => h.index === hop);
  if (!chosen) throw new UsageError(`--hop ${hop}: the plan has ${hops.length} hop(s)`, `pass --hop 1 … ${hops.length}, as \`kspray plan\` numbers them`);
  return [chosen];
}
