/** Which tag a hop comes from when the cluster file does not say. Pure. */
import type { Catalog } from '../catalog/catalog.js';
import type { HopContext } from './types.js';

/** The tag a hop most likely comes from when the cluster file does not say: the latest patch of the line before. */
export function assumedFromTag(catalog: Catalog, hop: HopContext): string | undefined {
  const previous = catalog.lines().find((line) => catalog.nextLine(line) === hop.line);
  return previous === undefined ? undefined : catalog.latestPatch(previous);
}
