/**
 * What kspray keeps in the cluster it upgrades (a Lease as its lock, a Secret
 * with its journal) has names, labels and annotations in common, and a shape
 * read back from the API that must be checked, not cast. Pure.
 *
 * Cluster names allow `_` (model/schema.ts) and Kubernetes object names do
 * not: `_` becomes `-`, and a short hash of the real name keeps `k_1` and
 * `k-1` apart. The exact name is also kept in an annotation.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type KubeResult, fail, ok } from './result.js';

/** Where kspray's objects live: the namespace every cluster has and only admins write. */
export const STATE_NAMESPACE = 'kube-system';

export const CLUSTER_LABEL = 'kspray.io/cluster';
export const CLUSTER_ANNOTATION = 'kspray.io/cluster-name';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

const MAX_NAME = 253;
const MAX_LABEL_VALUE = 63;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** `kspray-<cluster>[-<suffix>]`, a valid object name (DNS-1123 subdomain) that differs for every cluster name. */
export function stateObjectName(cluster: string, suffix?: string): string {
  const tail = suffix === undefined ? '' : `-${suffix}`;
  let base = cluster.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (base !== cluster) base = `${base}-${shortHash(cluster)}`;
  const name = `kspray-${base}`;
  if (name.length + tail.length <= MAX_NAME) return `${name}${tail}`;
  return `${name.slice(0, MAX_NAME - tail.length - 9)}-${shortHash(cluster)}${tail}`;
}

/** The kspray.io/cluster label value: the name itself when it is a valid label value, else shortened with a hash. */
export function clusterLabelValue(cluster: string): string {
  if (cluster.length <= MAX_LABEL_VALUE) return cluster;
  return `${cluster.slice(0, MAX_LABEL_VALUE - 9)}-${shortHash(cluster)}`;
}

/** Labels and annotations on every object kspray keeps in the cluster. */
export function stateMetadata(cluster: string): { labels: Record<string, string>; annotations: Record<string, string> } {
  return {
    labels: { [CLUSTER_LABEL]: clusterLabelValue(cluster), [MANAGED_BY_LABEL]: 'kspray' },
    annotations: { [CLUSTER_ANNOTATION]: cluster },
  };
}

/** Whether an object found under kspray's name is kspray's, for this cluster (never overwrite what is not). */
export function isOurs(meta: ObjectMeta, cluster: string): boolean {
  return meta.labels?.[CLUSTER_LABEL] === clusterLabelValue(cluster);
}

export const ObjectMetaSchema = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string(),
  resourceVersion: z.string(),
  creationTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

/** Checks an API answer against the shape kspray relies on; a mismatch is an 'invalid-response' failure naming the object. */
export function decodeObject<S extends z.ZodType>(schema: S, value: unknown, server: string, what: string): KubeResult<z.infer<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
  return fail({ kind: 'invalid-response', server, message: `cluster at ${server} answered ${what} with an object kspray cannot read${where}: ${issue?.message ?? 'unexpected shape'}` });
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits (the API server parses nothing else). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A time from the API, or undefined when absent or unreadable. */
export function parseTime(value: string | null | undefined): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}
