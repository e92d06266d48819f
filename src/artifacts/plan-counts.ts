/**
 * A plan's hops with what they download counted (PlanHop.artifacts): how
 * many files and images each needs and, when the mirror check ran, how many
 * of them the mirrors have (what its blocking findings do not name). Pure.
 */
import type { PlanDocument } from '../plan/types.js';
import type { CheckOutcome } from '../preflight/types.js';
import type { CollectedHop } from './collect.js';

export function withArtifactCounts(plan: PlanDocument, collected: readonly CollectedHop[], mirror: CheckOutcome | undefined): PlanDocument {
  const byIndex = new Map(collected.map((entry) => [entry.hop.index, entry.artifacts]));
  const asked = mirror !== undefined && mirror.status !== 'skipped';
  const lacking = new Set(
    (mirror?.findings ?? []).filter((f) => f.severity === 'block').flatMap((f) => [f.details?.url, f.details?.ref]).filter((key): key is string => typeof key === 'string'),
  );
  return {
    ...plan,
    hops: plan.hops.map((hop) => {
      const artifacts = byIndex.get(hop.index);
      if (!artifacts) return hop;
      return {
        ...hop,
        artifacts: {
          files: artifacts.files.length,
          images: artifacts.images.length,
          mirror: asked
            ? { files: artifacts.files.filter((file) => !lacking.has(file.url)).length, images: artifacts.images.filter((image) => !lacking.has(image.ref)).length }
            : null,
        },
      };
    }),
  };
}
