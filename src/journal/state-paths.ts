/**
 * Where the journal and the lock of a cluster live: `<baseDir>/.kspray/state/`,
 * baseDir being the directory that holds the cluster file. Apart from the
 * journal's reader so that a command finding no journal loads no schema. Pure.
 */
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';

/** `<baseDir>/.kspray/state`: the journal and the lock of every cluster. */
export function stateDir(baseDir: string): string {
  return join(baseDir, '.kspray', 'state');
}

/** Refuses names that would leave the state directory; the cluster schema is stricter still. */
export function checkClusterName(cluster: string): string {
  if (cluster.length === 0 || cluster.startsWith('.') || /[/\\\0]/.test(cluster)) {
    throw new UsageError(`invalid cluster name for the state directory: ${JSON.stringify(cluster)}`);
  }
  return cluster;
}

export function journalPath(baseDir: string, cluster: string): string {
  return join(stateDir(baseDir), `${checkClusterName(cluster)}.json`);
}

