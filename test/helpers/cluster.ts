import { loadClusterFile } from '../../src/model/load.js';
import type { Cluster } from '../../src/model/schema.js';

/** A cluster file that must be valid (test setup). */
export async function clusterFromFile(path: string): Promise<Cluster> {
  const loaded = await loadClusterFile(path);
  if (!loaded.ok) throw new Error(`${path}: ${loaded.problems.map((p) => p.message).join('; ')}`);
  return loaded.cluster;
}
