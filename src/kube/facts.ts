/**
 * Gathers what preflight checks need from the API, in one pass and in
 * parallel: version, discovery, nodes, pods (paged), ReplicaSets (to name the
 * Deployment behind a pod), PodDisruptionBudgets and kube-system Services.
 * Only the version and the node list are essential; any other list that
 * fails becomes a FactGap, and the checks that need it say 'skipped'.
 */
import { type KubeClient, connectKube } from './client.js';
import {
  groupVersionsOf, nodeFact, pdbFact, podFact, replicaSetOwner, resolveOwners, serves, servedGroupVersion, serviceFact,
} from './parse.js';
import { type KubeResult, fail, ok } from './result.js';
import { mapLimited } from '../util/map-limited.js';
import type {
  ClusterFacts, FactGap, KubeAccess, OwnerFact, PdbFact, ServedGroupVersion, ServedKindTarget, ServedObject,
} from './types.js';

export interface GatherOptions {
  /**
   * Picks, from discovery, the group/version/kinds whose objects to list for
   * the removed-API scan (see scanTargets in src/preflight/removed-apis.ts).
   * Absent: no objects are listed and facts.servedObjects stays undefined.
   */
  selectServedKinds?: (served: readonly ServedGroupVersion[]) => ServedKindTarget[];
  /** Page size for pod and ReplicaSet lists (default 500). */
  pageSize?: number;
}

/** Where the cluster DNS Service lives. */
const DNS_NAMESPACE = 'kube-system';
/** Discovery requests in flight at once: a real cluster serves 30–60 group/versions. */
const DISCOVERY_CONCURRENCY = 8;

export async function gatherClusterFacts(access: KubeAccess | KubeClient, options: GatherOptions = {}): Promise<KubeResult<ClusterFacts>> {
  if (!('getJson' in access)) {
    const connected = await connectKube(access);
    if (!connected.ok) return connected;
    try {
      return await gatherClusterFacts(connected.value, options);
    } finally {
      connected.value.close();
    }
  }
  const client = access;
  const gaps: FactGap[] = [];
  const pageSize = options.pageSize;
  const listOptions = pageSize === undefined ? {} : { pageSize };

  const versionP = client.serverVersion !== undefined ? Promise.resolve(ok(client.serverVersion)) : fetchVersion(client);
  const discoveryP = discover(client);
  const nodesP = client.list('/api/v1/nodes', nodeFact);
  const podsP = client.list('/api/v1/pods', podFact, listOptions);
  const replicaSetsP = client.list('/apis/apps/v1/replicasets', replicaSetOwner, listOptions);
  const servicesP = client.list(`/api/v1/namespaces/${DNS_NAMESPACE}/services`, serviceFact);

  const version = await versionP;
  if (!version.ok) return version;
  const nodes = await nodesP;
  if (!nodes.ok) return nodes;

  const discovery = await discoveryP;
  gaps.push(...discovery.gaps);
  const served = discovery.served;

  const pdbsP = listPdbs(client, served, discovery.complete);

  const pods = await podsP;
  if (!pods.ok) gaps.push({ what: 'pods', reason: pods.error.message });
  const replicaSets = await replicaSetsP;
  if (!replicaSets.ok) gaps.push({ what: 'replicasets', reason: `${replicaSets.error.message} (pods are named by their ReplicaSet, not the Deployment)` });
  const podList = pods.ok ? pods.value : [];
  if (replicaSets.ok) {
    const owners = new Map<string, OwnerFact>();
    for (const rs of replicaSets.value) owners.set(rs.key, rs.owner);
    resolveOwners(podList, owners);
  }

  const services = await servicesP;
  if (!services.ok) gaps.push({ what: 'services', reason: services.error.message });
  const pdbs = await pdbsP;
  if (!pdbs.ok) gaps.push({ what: 'pdbs', reason: pdbs.error.message });

  const facts: ClusterFacts = {
    serverVersion: version.value,
    nodes: nodes.value,
    pods: podList,
    pdbs: pdbs.ok ? pdbs.value : [],
    services: services.ok ? services.value : [],
    served,
    gaps,
  };
  if (options.selectServedKinds) {
    const listed = await listServedObjects(client, options.selectServedKinds(served));
    facts.servedObjects = listed.objects;
    gaps.push(...listed.gaps);
  }
  return ok(facts);
}

async function fetchVersion(client: KubeClient): Promise<KubeResult<string>> {
  const answer = await client.getJson('/version');
  if (!answer.ok) return answer;
  const gitVersion = (answer.value as { gitVersion?: unknown }).gitVersion;
  return typeof gitVersion === 'string'
    ? ok(gitVersion)
    : fail({ kind: 'invalid-response', server: client.server, message: `cluster at ${client.server} answered /version without a gitVersion` });
}

interface Discovery {
  served: ServedGroupVersion[];
  gaps: FactGap[];
  /** False when /api or /apis itself failed (not just one aggregated group). */
  complete: boolean;
}

/** Which group/versions the server serves, with their resources (legacy discovery: /api, /apis, /apis/<g>/<v>). */
export async function discover(client: KubeClient): Promise<Discovery> {
  const gaps: FactGap[] = [];
  const [core, groups] = await Promise.all([client.getJson('/api'), client.getJson('/apis')]);
  if (!core.ok || !groups.ok) {
    const reason = (!core.ok ? core.error.message : '') || (!groups.ok ? groups.error.message : '');
    return { served: [], gaps: [{ what: 'discovery', reason }], complete: false };
  }
  const coreVersions = (core.value as { versions?: unknown }).versions;
  const groupVersions = [
    ...(Array.isArray(coreVersions) ? coreVersions.filter((v): v is string => typeof v === 'string') : ['v1']),
    ...groupVersionsOf(groups.value),
  ];
  const served: ServedGroupVersion[] = [];
  await mapLimited(groupVersions, DISCOVERY_CONCURRENCY, async (gv) => {
    const path = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
    const answer = await client.getJson(path);
    // An aggregated API whose backend is down (metrics.k8s.io: 503) must not hide the rest.
    if (answer.ok) served.push(servedGroupVersion(gv, answer.value));
    else gaps.push({ what: 'discovery', reason: `${gv}: ${answer.error.message}`, groupVersion: gv });
  });
  served.sort((a, b) => a.groupVersion.localeCompare(b.groupVersion));
  return { served, gaps, complete: true };
}

/** policy/v1 where served (1.21+), else policy/v1beta1 (older clusters); never both, they list the same objects. */
async function listPdbs(client: KubeClient, served: readonly ServedGroupVersion[], discoveryComplete: boolean): Promise<KubeResult<PdbFact[]>> {
  const candidates = ['policy/v1', 'policy/v1beta1'] as const;
  const list = (apiVersion: PdbFact['apiVersion']) => client.list(`/apis/${apiVersion}/poddisruptionbudgets`, (raw) => pdbFact(raw, apiVersion));
  if (!discoveryComplete) {
    // Discovery failed: ask for policy/v1 and fall back on a 404, as discovery would have told us.
    const v1 = await list('policy/v1');
    return !v1.ok && v1.error.kind === 'not-found' ? list('policy/v1beta1') : v1;
  }
  const apiVersion = candidates.find((gv) => serves(served, gv, 'PodDisruptionBudget'));
  if (!apiVersion) {
    return fail({ kind: 'not-found', server: client.server, message: `cluster at ${client.server} serves no PodDisruptionBudget API (neither policy/v1 nor policy/v1beta1)` });
  }
  return list(apiVersion);
}

/**
 * Lists objects through the given group/version/kinds, keeping identity only.
 * Annotations are never read: kubectl's last-applied-configuration records
 * whatever apiVersion a client once sent and is a known false-positive source.
 */
export async function listServedObjects(client: KubeClient, targets: readonly ServedKindTarget[]): Promise<{ objects: ServedObject[]; gaps: FactGap[] }> {
  const objects: ServedObject[] = [];
  const gaps: FactGap[] = [];
  await mapLimited(targets, DISCOVERY_CONCURRENCY, async (target) => {
    const groupVersion = target.group === '' ? target.version : `${target.group}/${target.version}`;
    const path = target.group === '' ? `/api/${target.version}/${target.resource}` : `/apis/${groupVersion}/${target.resource}`;
    const listed = await client.list(path, (raw): ServedObject | undefined => {
      const metadata = (raw as { metadata?: { name?: unknown; namespace?: unknown; uid?: unknown } }).metadata ?? {};
      if (typeof metadata.name !== 'string') return undefined;
      return {
        apiVersion: groupVersion,
        kind: target.kind,
        namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
        name: metadata.name,
        uid: typeof metadata.uid === 'string' ? metadata.uid : undefined,
      };
    });
    if (listed.ok) objects.push(...listed.value);
    else gaps.push({ what: 'served-objects', reason: `${groupVersion} ${target.kind}: ${listed.error.message}` });
  });
  return { objects, gaps };
}
