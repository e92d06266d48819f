/**
 * APIs the plan's hops stop serving (data/kubernetes/removed-apis.json), found
 * in two places: objects the cluster serves through a doomed group/version,
 * and manifest documents (`--manifests DIR`) written against one. Every
 * finding names the hop where the API goes away and the hop from which the
 * replacement is served (`replacementAvailableIn`): on 1.16 an Ingress cannot
 * move to networking.k8s.io/v1 before 1.19, and must before 1.22.
 */
import type { RemovedApi } from '../kube/k8s-data.js';
import type { ClusterFacts, ServedGroupVersion, ServedKindTarget, ServedObject } from '../kube/types.js';
import { minorLabel, minorNumber } from '../kube/versions.js';
import type { ManifestDoc } from './manifests.js';
import type { CheckOutcome, Finding, HopContext } from './types.js';

const CHECK = 'removed-apis';

/**
 * Kinds the control plane and its components write themselves (events, node
 * leases, endpoint slices, default flow schemas, built-in APIServices, …):
 * the API server converts them on upgrade and no manifest of the operator's
 * carries them, so listing them only costs time and adds noise.
 */
const COMPONENT_MANAGED_KINDS = new Set([
  'Event', 'Lease', 'EndpointSlice', 'CSINode', 'VolumeAttachment', 'CertificateSigningRequest', 'ControllerRevision',
  'FlowSchema', 'PriorityLevelConfiguration', 'APIService', 'CSIStorageCapacity',
]);

export interface RemovedApisContext {
  hops: readonly HopContext[];
  removedApis: readonly RemovedApi[];
}

export type RemovedApisInput = Pick<ClusterFacts, 'served' | 'servedObjects' | 'gaps'> & {
  manifests?: readonly ManifestDoc[];
};

interface HopSpan {
  hop: HopContext;
  from: number;
  to: number;
}

const groupVersionOf = (api: Pick<RemovedApi, 'group' | 'version'>): string => (api.group === '' ? api.version : `${api.group}/${api.version}`);

function spans(hops: readonly HopContext[]): HopSpan[] {
  return [...hops]
    .sort((a, b) => a.index - b.index)
    .map((hop) => ({ hop, from: minorNumber(hop.fromVersion) ?? NaN, to: minorNumber(hop.toVersion) ?? NaN }))
    .filter((s) => Number.isFinite(s.from) && Number.isFinite(s.to));
}

/** The hop whose target minor first stops serving an API removed in `removedIn`. */
function breakingHop(all: readonly HopSpan[], removedIn: number): HopSpan | undefined {
  return all.find((s) => s.from < removedIn && removedIn <= s.to);
}

/** Words and data for where the replacement becomes usable. */
function replacementWhen(all: readonly HopSpan[], api: RemovedApi): { text: string; hop: number | null } {
  if (!api.replacement) return { text: 'there is no replacement API', hop: null };
  const available = api.replacementAvailableIn ? minorNumber(api.replacementAvailableIn) : undefined;
  if (available === undefined) return { text: `${api.replacement} (from which minor is not in kspray's data)`, hop: null };
  const start = all[0]?.from ?? available;
  if (available <= start) return { text: `${api.replacement}, served already (since ${minorLabel(available)})`, hop: null };
  const hop = all.find((s) => s.to >= available);
  if (!hop) return { text: `${api.replacement}, served from ${minorLabel(available)} (beyond this plan)`, hop: null };
  return { text: `${api.replacement}, served from ${minorLabel(available)} (hop ${hop.hop.index})`, hop: hop.hop.index };
}

/** What to list for the scan: every served, listable group/version/kind a hop of the plan stops serving. */
export function scanTargets(served: readonly ServedGroupVersion[], hops: readonly HopContext[], removedApis: readonly RemovedApi[]): ServedKindTarget[] {
  const all = spans(hops);
  const targets: ServedKindTarget[] = [];
  for (const api of removedApis) {
    const removedIn = minorNumber(api.removedIn);
    if (removedIn === undefined || !breakingHop(all, removedIn) || COMPONENT_MANAGED_KINDS.has(api.kind)) continue;
    const gv = served.find((s) => s.groupVersion === groupVersionOf(api));
    const resource = gv?.resources.find((r) => r.kind === api.kind && r.verbs.includes('list'));
    if (resource) targets.push({ group: api.group, version: api.version, kind: api.kind, resource: resource.name, namespaced: resource.namespaced });
  }
  return targets;
}

export function checkRemovedApis(input: RemovedApisInput, ctx: RemovedApisContext): CheckOutcome {
  const all = spans(ctx.hops);
  const byGvk = new Map(ctx.removedApis.map((api) => [`${groupVersionOf(api)}|${api.kind}`, api]));
  const manifests = input.manifests ?? [];
  const findings: Finding[] = manifestFindings(manifests, all, byGvk);
  const discoveryDown = input.gaps.find((g) => g.what === 'discovery' && g.groupVersion === undefined);
  const notScanned: string[] = input.gaps.filter((g) => g.what === 'served-objects').map((g) => g.reason);
  if (discoveryDown) notScanned.unshift(discoveryDown.reason);
  else if (input.servedObjects === undefined) notScanned.unshift('the cluster\'s objects were not listed');
  else findings.push(...servedFindings(input, all, byGvk, ctx.removedApis));

  const clusterScanned = !discoveryDown && input.servedObjects !== undefined;
  if (!clusterScanned && manifests.length === 0) return { check: CHECK, status: 'skipped', findings, reason: notScanned.join('; ') };
  const outcome: CheckOutcome = { check: CHECK, status: findings.some((f) => f.severity === 'block') ? 'fail' : 'pass', findings };
  if (notScanned.length > 0) outcome.reason = `partly checked: ${notScanned.join('; ')}`;
  return outcome;
}

function manifestFindings(docs: readonly ManifestDoc[], all: readonly HopSpan[], byGvk: ReadonlyMap<string, RemovedApi>): Finding[] {
  const findings: Finding[] = [];
  const start = all[0]?.from;
  for (const doc of docs) {
    const api = byGvk.get(`${doc.apiVersion}|${doc.kind}`);
    const removedIn = api ? minorNumber(api.removedIn) : undefined;
    if (!api || removedIn === undefined || start === undefined) continue;
    const where = `${doc.file}:${doc.line}`;
    const object = `${doc.kind} ${doc.namespace ? `${doc.namespace}/` : ''}${doc.name ?? '(unnamed)'}${doc.helmSource ? ` (from ${doc.helmSource})` : ''}`;
    const replacement = replacementWhen(all, api);
    const details = { apiVersion: doc.apiVersion, kind: doc.kind, name: doc.name ?? null, namespace: doc.namespace ?? null, removedIn: api.removedIn, replacement: api.replacement ?? null, replacementAvailableIn: api.replacementAvailableIn ?? null, replacementHop: replacement.hop };
    if (removedIn <= start) {
      findings.push({
        check: CHECK, severity: 'warn', where, details,
        what: `${object} uses ${doc.apiVersion}, no longer served since ${api.removedIn}`,
        why: 'applying it fails on the cluster as it is today, before any hop',
        fix: `move it to ${replacement.text}`,
      });
      continue;
    }
    const breaking = breakingHop(all, removedIn);
    if (!breaking) continue;
    findings.push({
      check: CHECK, severity: 'block', hop: breaking.hop.index, where, details: { ...details, breaksAtHop: breaking.hop.index },
      what: `${object} uses ${doc.apiVersion}, which ${api.removedIn} stops serving (hop ${breaking.hop.index}: ${breaking.hop.fromVersion} → ${breaking.hop.toVersion})`,
      why: 'after that hop the API server rejects the manifest: the upgrade succeeds and the next deploy of this app fails',
      fix: `move it to ${replacement.text}, before hop ${breaking.hop.index}${api.note ? ` (${api.note})` : ''}`,
    });
  }
  return findings;
}

function servedFindings(input: RemovedApisInput, all: readonly HopSpan[], byGvk: ReadonlyMap<string, RemovedApi>, removedApis: readonly RemovedApi[]): Finding[] {
  // One stored object is listed once per group/version serving its kind: group by identity first.
  const seen = new Map<string, { object: ServedObject; apis: RemovedApi[] }>();
  for (const object of input.servedObjects ?? []) {
    const api = byGvk.get(`${object.apiVersion}|${object.kind}`);
    if (!api) continue;
    const key = object.uid ?? `${object.kind}/${object.namespace ?? ''}/${object.name}`;
    const entry = seen.get(key) ?? { object, apis: [] };
    entry.apis.push(api);
    seen.set(key, entry);
  }
  // Then one finding per kind and breaking hop.
  const groups = new Map<string, { kind: string; breaking: HopSpan; apis: Map<string, RemovedApi>; objects: string[] }>();
  for (const { object, apis } of seen.values()) {
    for (const api of apis) {
      const breaking = breakingHop(all, minorNumber(api.removedIn) ?? NaN);
      if (!breaking) continue;
      const key = `${object.kind}|${breaking.hop.index}`;
      const group = groups.get(key) ?? { kind: object.kind, breaking, apis: new Map<string, RemovedApi>(), objects: [] as string[] };
      group.apis.set(groupVersionOf(api), api);
      const name = `${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
      if (!group.objects.includes(name)) group.objects.push(name);
      groups.set(key, group);
    }
  }
  const findings: Finding[] = [];
  for (const group of groups.values()) {
    const target = group.breaking.to;
    const doomed = [...group.apis.keys()].sort();
    // Does the cluster serve the kind today through a group/version that survives the hop?
    const survivors = input.served
      .filter((gv) => gv.resources.some((r) => r.kind === group.kind))
      .map((gv) => gv.groupVersion)
      .filter((gv) => {
        const removal = removedApis.find((api) => groupVersionOf(api) === gv && api.kind === group.kind);
        const removedIn = removal ? minorNumber(removal.removedIn) : undefined;
        return removedIn === undefined || removedIn > target;
      });
    const api = group.apis.values().next().value as RemovedApi;
    const replacement = replacementWhen(all, api);
    const hop = group.breaking.hop;
    const objects = group.objects.sort();
    const shown = objects.length > 5 ? `${objects.slice(0, 5).join(', ')} (+${objects.length - 5} more)` : objects.join(', ');
    const details = { kind: group.kind, objects, servedAs: doomed, survivingVersions: survivors, removedIn: api.removedIn, breaksAtHop: hop.index, replacement: api.replacement ?? null, replacementAvailableIn: api.replacementAvailableIn ?? null, replacementHop: replacement.hop };
    const hopText = `hop ${hop.index}: ${hop.fromVersion} → ${hop.toVersion}`;
    if (survivors.length === 0) {
      findings.push({
        check: CHECK, severity: 'block', hop: hop.index, where: shown, details,
        what: `${objects.length} ${group.kind} object(s) served only as ${doomed.join(', ')}, which ${api.removedIn} stops serving (${hopText})`,
        why: 'every manifest, chart and client that manages them today uses an API that goes away: after that hop they fail, and the apps they deploy stop being updated',
        fix: `move their manifests to ${replacement.text}, before hop ${hop.index}${api.note ? ` (${api.note})` : ''}`,
      });
    } else {
      findings.push({
        check: CHECK, severity: 'warn', hop: hop.index, where: shown, details,
        what: `${objects.length} ${group.kind} object(s) are also served as ${doomed.join(', ')}, which ${api.removedIn} stops serving (${hopText})`,
        why: `the objects survive (also served as ${survivors.join(', ')}), but manifests, charts and clients still written against ${doomed.join(', ')} fail after that hop`,
        fix: `check the manifests with kspray preflight --manifests DIR; move any on ${doomed.join(', ')} to ${replacement.text}`,
      });
    }
  }
  return findings.sort((a, b) => (a.hop ?? 0) - (b.hop ?? 0) || a.what.localeCompare(b.what));
}
