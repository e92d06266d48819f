/**
 * Raw API JSON → plain facts. Lenient on purpose: this is what a server
 * prints, not what a user writes, and a missing optional field must not sink
 * a preflight. Pod mapping runs 100k times on big clusters: it touches only
 * the fields it keeps.
 */
import { labelSelectorOf } from './selectors.js';
import type { NodeFact, OwnerFact, PdbFact, PodFact, ServedGroupVersion, ServedResource, ServiceFact } from './types.js';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const asNumber = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(asObject(value))) if (typeof v === 'string') out[key] = v;
  return out;
}

function conditionTrue(status: Json, type: string): boolean {
  const conditions = status.conditions;
  if (!Array.isArray(conditions)) return false;
  return conditions.some((c) => asObject(c).type === type && asObject(c).status === 'True');
}

const ROLE_PREFIX = 'node-role.kubernetes.io/';

export function nodeFact(raw: unknown): NodeFact | undefined {
  const node = asObject(raw);
  const metadata = asObject(node.metadata);
  const name = asString(metadata.name);
  if (!name) return undefined;
  const labels = stringMap(metadata.labels);
  const status = asObject(node.status);
  const roles = new Set<string>();
  for (const key of Object.keys(labels)) {
    if (key.startsWith(ROLE_PREFIX) && key.length > ROLE_PREFIX.length) roles.add(key.slice(ROLE_PREFIX.length));
  }
  const legacyRole = labels['kubernetes.io/role'];
  if (legacyRole) roles.add(legacyRole);
  return {
    name,
    ready: conditionTrue(status, 'Ready'),
    unschedulable: asObject(node.spec).unschedulable === true,
    kubeletVersion: asString(asObject(status.nodeInfo).kubeletVersion) ?? '',
    roles: [...roles].sort(),
    labels,
    zone: labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'],
  };
}

/** The controller owner reference (or the first owner when none is flagged controller). */
export function controllerOf(metadata: Json): OwnerFact | undefined {
  const refs = metadata.ownerReferences;
  if (!Array.isArray(refs) || refs.length === 0) return undefined;
  const ref = asObject(refs.find((r) => asObject(r).controller === true) ?? refs[0]);
  const kind = asString(ref.kind);
  const name = asString(ref.name);
  return kind && name ? { kind, name } : undefined;
}

/** A ReplicaSet's namespace/name and its controlling owner, for resolving pods to Deployments. */
export function replicaSetOwner(raw: unknown): { key: string; owner: OwnerFact } | undefined {
  const metadata = asObject(asObject(raw).metadata);
  const owner = controllerOf(metadata);
  const name = asString(metadata.name);
  if (!owner || !name) return undefined;
  return { key: `${asString(metadata.namespace) ?? ''}/${name}`, owner };
}

export function podFact(raw: unknown): PodFact | undefined {
  const pod = asObject(raw);
  const metadata = asObject(pod.metadata);
  const name = asString(metadata.name);
  if (!name) return undefined;
  const status = asObject(pod.status);
  return {
    namespace: asString(metadata.namespace) ?? '',
    name,
    nodeName: asString(asObject(pod.spec).nodeName),
    labels: stringMap(metadata.labels),
    phase: asString(status.phase) ?? 'Unknown',
    ready: conditionTrue(status, 'Ready'),
    owner: controllerOf(metadata),
  };
}

/** Resolves ReplicaSet owners to the Deployment that controls them, in place. */
export function resolveOwners(pods: PodFact[], replicaSetOwners: ReadonlyMap<string, OwnerFact>): void {
  for (const pod of pods) {
    if (pod.owner?.kind !== 'ReplicaSet') continue;
    const parent = replicaSetOwners.get(`${pod.namespace}/${pod.owner.name}`);
    if (parent) pod.owner = parent;
  }
}

function intOrString(value: unknown): number | string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value !== '') return /^\d+$/.test(value) ? Number(value) : value;
  return undefined;
}

export function pdbFact(raw: unknown, apiVersion: PdbFact['apiVersion']): PdbFact | undefined {
  const pdb = asObject(raw);
  const metadata = asObject(pdb.metadata);
  const name = asString(metadata.name);
  if (!name) return undefined;
  const spec = asObject(pdb.spec);
  const status = asObject(pdb.status);
  return {
    namespace: asString(metadata.namespace) ?? '',
    name,
    apiVersion,
    selector: spec.selector === undefined || spec.selector === null ? null : labelSelectorOf(spec.selector),
    minAvailable: intOrString(spec.minAvailable),
    maxUnavailable: intOrString(spec.maxUnavailable),
    status: {
      currentHealthy: asNumber(status.currentHealthy),
      desiredHealthy: asNumber(status.desiredHealthy),
      expectedPods: asNumber(status.expectedPods),
      disruptionsAllowed: asNumber(status.disruptionsAllowed),
    },
  };
}

export function serviceFact(raw: unknown): ServiceFact | undefined {
  const service = asObject(raw);
  const metadata = asObject(service.metadata);
  const name = asString(metadata.name);
  if (!name) return undefined;
  const clusterIP = asString(asObject(service.spec).clusterIP);
  return {
    namespace: asString(metadata.namespace) ?? '',
    name,
    clusterIP: clusterIP && clusterIP !== 'None' ? clusterIP : undefined,
    labels: stringMap(metadata.labels),
  };
}

/** An APIResourceList → one served group/version; subresources (pods/log) are left out. */
export function servedGroupVersion(groupVersion: string, raw: unknown): ServedGroupVersion {
  const slash = groupVersion.indexOf('/');
  const group = slash < 0 ? '' : groupVersion.slice(0, slash);
  const version = slash < 0 ? groupVersion : groupVersion.slice(slash + 1);
  const resources: ServedResource[] = [];
  const list = asObject(raw).resources;
  if (Array.isArray(list)) {
    for (const item of list) {
      const r = asObject(item);
      const name = asString(r.name);
      const kind = asString(r.kind);
      if (!name || !kind || name.includes('/')) continue;
      const verbs = Array.isArray(r.verbs) ? r.verbs.filter((v): v is string => typeof v === 'string') : [];
      resources.push({ name, kind, namespaced: r.namespaced === true, verbs });
    }
  }
  return { group, version, groupVersion, resources };
}

/** The groupVersions an APIGroupList names ("apps/v1", …). */
export function groupVersionsOf(raw: unknown): string[] {
  const out: string[] = [];
  const groups = asObject(raw).groups;
  if (!Array.isArray(groups)) return out;
  for (const group of groups) {
    const versions = asObject(group).versions;
    if (!Array.isArray(versions)) continue;
    for (const v of versions) {
      const gv = asString(asObject(v).groupVersion);
      if (gv) out.push(gv);
    }
  }
  return out;
}

/** Whether discovery says `groupVersion` serves `kind`. */
export function serves(served: readonly ServedGroupVersion[], groupVersion: string, kind: string): boolean {
  return served.some((gv) => gv.groupVersion === groupVersion && gv.resources.some((r) => r.kind === kind));
}
