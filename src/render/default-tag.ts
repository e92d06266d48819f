import type { Catalog } from '../catalog/catalog.js';
import type { Cluster } from '../model/schema.js';
import { minorOf } from '../catalog/versions.js';
import { UsageError } from '../util/errors.js';

/**
 * The Kubespray tag a cluster runs on now: the one the cluster file names,
 * else the latest patch of the line whose default is the cluster's minor,
 * else the newest tag that supports the cluster's version.
 */
export function currentTag(catalog: Catalog, cluster: Cluster): string {
  if (cluster.kubespray.tag) return catalog.requireTag(cluster.kubespray.tag).tag;
  const version = cluster.kubernetes.version;
  const line = catalog.lineForDefaultMinor(minorOf(version) ?? version);
  const latest = line === undefined ? undefined : catalog.latestPatch(line);
  if (latest !== undefined && catalog.supports(latest, version)) return latest;
  const supporting = catalog.tags().filter((record) => catalog.supports(record.tag, version));
  const newest = supporting.at(-1);
  if (!newest) {
    throw new UsageError(
      `no Kubespray tag in the catalog supports Kubernetes ${version}`,
      `set kubespray.tag in the cluster file, or run \`kspray catalog refresh --repo <kubespray>\` if the catalog is older than the cluster`,
    );
  }
  return newest.tag;
}
