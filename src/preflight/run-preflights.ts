/**
 * Runs every preflight check for the hops of a plan (or one hop): gathers
 * once — the Kubernetes API through src/kube, the hosts through kspray's
 * playbooks, both at the same time — then runs the pure checks. Checks that
 * read the cluster as it is now gate the first hop checked; the others look
 * at every hop. Whatever cannot be gathered makes its checks 'skipped', with
 * the reason said plainly, never a crash.
 */
import { detectAnsibleCached } from '../ansible/version-cache.js';
import type { Catalog } from '../catalog/catalog.js';
import type { GatherOptions } from '../kube/facts.js';
import { loadRemovedApis, loadVersionSkew } from '../kube/k8s-data.js';
import { resolveKubeconfig, type KubeconfigSources } from '../kube/kubeconfig.js';
import { readLiveCluster } from '../kube/live.js';
import type { ClusterFacts, LiveFacts } from '../kube/types.js';
import type { Cluster } from '../model/schema.js';
import type { PlanDocument, PlanHop } from '../plan/types.js';
import { UsageError } from '../util/errors.js';
import { cacheDir } from '../util/paths.js';
import { checkAnsibleVersions } from './ansible.js';
import { API_ENDPOINTS_CHECK, apiEndpointsOf, checkApiEndpoints } from './api-endpoints.js';
import { checkDns, kubesprayDnsFacts } from './dns.js';
import { scanManifestDir, type ManifestScan } from './manifests.js';
import { checkNodes } from './nodes.js';
import { checkPdbs, drainFallbackOffered } from './pdb.js';
import { checkOrder, PREFLIGHT_CHECKS } from './registry.js';
import { checkRemovedApis, scanTargets } from './removed-apis.js';
import { hopContextOf, runHostChecks, type HostChecksOptions } from './run-host-checks.js';
import type { CheckOutcome, Finding, HopContext } from './types.js';
import type { z } from 'zod';
import { unreadOnTags } from '../vars/check.js';
import { PREFLIGHT_VERSION, type PreflightHopSchema, type PreflightReportSchema } from './report-schema.js';
import { checkVarsDrift } from './vars-drift.js';
import type { MirrorLimits } from '../mirror/probe.js';
import { MIRROR_CHECK } from './mirror.js';
import { declaredMirrors, mirrorOutcome } from './mirror-gather.js';

export { PREFLIGHT_VERSION } from './report-schema.js';
export type PreflightHop = z.infer<typeof PreflightHopSchema>;
export type PreflightReport = z.infer<typeof PreflightReportSchema>;

export interface RunPreflightsOptions {
  plan: PlanDocument;
  cluster: Cluster;
  /** The cluster file: anchors access.kubeconfig and the artifacts/admin.conf fallback. */
  clusterFile: string;
  catalog: Catalog;
  /** `<cluster dir>/.kspray`. */
  stateDir: string;
  /** Check only this hop (1-based). */
  hop?: number | undefined;
  kube?: { kubeconfig?: string | undefined; context?: string | undefined; env?: string | undefined } | undefined;
  /**
   * The cluster as the caller read it already, with `removedApiScan(plan, hop)`
   * (plan --preflight reads it once, for its waves and for the checks): not read again.
   */
  live?: LiveFacts | undefined;
  /** Set to skip the API checks, with the reason shown (--no-cluster-api: the operator's waiver). */
  skipApi?: string | undefined;
  /** Run only these checks (a resumed hop: the API and the budgets; the rest describe a cluster kspray has half upgraded). */
  only?: readonly string[] | undefined;
  /** Set to skip the host checks, with the reason shown. */
  skipHosts?: string | undefined;
  /** --manifests DIR for the removed-API check. */
  manifestsDir?: string | undefined;
  forceAnsible?: boolean | undefined;
  /** --allow-unread: settings the vars-drift check reports as allowed rather than refused. */
  allowUnread?: readonly string[] | undefined;
  /** The mirror check downloads every file and compares its sha256 (--verify-checksums), instead of HEAD. */
  verifyChecksums?: boolean | undefined;
  /** Set to skip the mirror check, with the reason shown (plan --kubeconfig: it waits for --preflight). */
  skipMirror?: string | undefined;
  /** The mirror check's bounds (tests: a short total limit). */
  mirrorLimits?: Partial<MirrorLimits> | undefined;
  /** The local ansible-playbook (asked only when a hop runs the system Ansible); default: the one on PATH, cached. */
  detectLocalAnsible?: (() => Promise<{ version: string; executable: string } | undefined>) | undefined;
  /** Tunes the host gathering (tests: become off, an env). */
  hosts?: Pick<HostChecksOptions, 'become' | 'env' | 'timeoutMs'> | undefined;
  signal?: AbortSignal | undefined;
  /** Progress lines (stderr). */
  log?: ((text: string) => void) | undefined;
}

const API_CHECKS = PREFLIGHT_CHECKS.filter((c) => c.needs === 'cluster-api').map((c) => c.id);
const HOST_CHECKS = PREFLIGHT_CHECKS.filter((c) => c.needs === 'hosts').map((c) => c.id);

export function selectHops(plan: PlanDocument, hop: number | undefined): PlanHop[] {
  if (hop === undefined) return plan.hops;
  const chosen = plan.hops.find((h) => h.index === hop);
  if (!chosen) throw new UsageError(`--hop ${hop}: the plan has ${plan.hops.length} hop(s)`, `pass --hop 1 … ${plan.hops.length}, as \`kspray plan\` numbers them`);
  return [chosen];
}

/** The tag a hop most likely comes from when the cluster file does not say: the latest patch of the line before. */
export function assumedFromTag(catalog: Catalog, hop: HopContext): string | undefined {
  const previous = catalog.lines().find((line) => catalog.nextLine(line) === hop.line);
  return previous === undefined ? undefined : catalog.latestPatch(previous);
}

/** What to gather beyond the facts every check reads: the objects the removed-API check scans for these hops. */
export function removedApiScan(plan: PlanDocument, hop: number | undefined): GatherOptions {
  const contexts = selectHops(plan, hop).map(hopContextOf);
  const removedApis = loadRemovedApis();
  return { selectServedKinds: (served) => scanTargets(served, contexts, removedApis) };
}

export async function runPreflights(options: RunPreflightsOptions): Promise<PreflightReport> {
  const { plan, cluster, catalog } = options;
  const hops = selectHops(plan, options.hop);
  const contexts = hops.map(hopContextOf);
  const first = hops[0];
  if (!first) throw new UsageError('the plan has no hops: nothing to check');
  const log = options.log ?? (() => undefined);

  // Read first: a bad --manifests is bad input, before anything is gathered.
  const manifests = options.manifestsDir === undefined ? undefined : await readManifests(options.manifestsDir);
  const wantsLocal = hops.some((h) => h.ansible.mode === 'system');
  const [api, host, local, mirror] = await Promise.all([
    options.skipApi !== undefined
      ? withManifestsOnly(skippedAll(API_CHECKS, options.skipApi), manifests, contexts, options.skipApi)
      : apiChecks(options, hops, contexts, manifests, log),
    options.skipHosts !== undefined || (options.only !== undefined && !HOST_CHECKS.some((id) => options.only!.includes(id)))
      ? skippedAll(HOST_CHECKS, options.skipHosts ?? 'not asked')
      : hostChecks(options, first, log),
    wantsLocal ? (options.detectLocalAnsible ?? detectLocal)() : undefined,
    options.only !== undefined && !options.only.includes(MIRROR_CHECK)
      ? undefined
      : options.skipMirror !== undefined && declaredMirrors(cluster).length > 0
        ? skippedAll([MIRROR_CHECK], options.skipMirror)[0]
        : mirrorOutcome({
        hops, contexts, cluster, clusterFile: options.clusterFile, catalog, cacheDir: cacheDir(), verifyChecksums: Boolean(options.verifyChecksums),
        limits: options.mirrorLimits, signal: options.signal, log,
      }),
  ]);
  const model: CheckOutcome[] = [
    checkAnsibleVersions({ hops, local, force: Boolean(options.forceAnsible) }),
    checkVarsDrift({
      cluster, hops: contexts, allowUnread: options.allowUnread, assumeFromTag: (hop) => assumedFromTag(catalog, hop),
      unreadOn: (tag) => unreadOnTags(cluster, [tag], { tableVerified: catalog.source.kind === 'bundled' }),
    }),
  ];
  const outcomes = [...model, ...(mirror ? [mirror] : []), ...api, ...host]
    .filter((outcome) => options.only === undefined || options.only.includes(outcome.check))
    .sort((a, b) => checkOrder(a.check) - checkOrder(b.check));

  // Every finding names the first hop it applies to: the next hop for what describes the cluster now.
  for (const outcome of outcomes) outcome.findings = outcome.findings.map((f) => (f.hop === undefined ? { ...f, hop: first.index } : f));
  const findings = outcomes.flatMap((o) => o.findings).sort(byHopSeverity);
  return {
    preflightVersion: PREFLIGHT_VERSION,
    cluster: { name: cluster.name, file: options.clusterFile },
    hops: hops.map((h) => ({ index: h.index, line: h.line, tag: h.tag, fromTag: h.fromTag, fromVersion: h.fromVersion, toVersion: h.toVersion })),
    outcomes,
    findings,
    blocking: findings.some((f) => f.severity === 'block'),
  };
}

async function detectLocal(): Promise<{ version: string; executable: string } | undefined> {
  const found = await detectAnsibleCached(cacheDir());
  return found ? { version: found.version, executable: found.executable } : undefined;
}

const SEVERITY_ORDER = { block: 0, warn: 1, info: 2 } as const;

function byHopSeverity(a: Finding, b: Finding): number {
  return (a.hop ?? 0) - (b.hop ?? 0) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || checkOrder(a.check) - checkOrder(b.check);
}

function skippedAll(checks: readonly string[], reason: string): CheckOutcome[] {
  return checks.map((check) => ({ check, status: 'skipped', findings: [], reason }));
}

async function readManifests(dir: string): Promise<ManifestScan> {
  try {
    return await scanManifestDir(dir);
  } catch (error) {
    throw new UsageError(`--manifests ${dir}: ${(error as Error).message}`, 'pass a directory of YAML or JSON manifests');
  }
}

async function apiChecks(options: RunPreflightsOptions, hops: readonly PlanHop[], contexts: readonly HopContext[], manifests: ManifestScan | undefined, log: (text: string) => void): Promise<CheckOutcome[]> {
  const live = options.live ?? await readCluster(options, log);
  if (!live.ok) {
    const reason = noCluster({ message: live.reason, hint: live.hint });
    return [unreachable(live, contexts[0] as HopContext), ...withManifestsOnly(skippedAll(API_CHECKS.filter((id) => id !== CLUSTER_API), reason), manifests, contexts, reason)];
  }
  if (options.live) log(`preflight: checking the cluster as read through ${live.server}`);
  return [
    { check: CLUSTER_API, status: 'pass', findings: [], reason: `answered at ${live.server} (Kubernetes ${live.facts.serverVersion})` },
    ...apiOutcomes(options, hops, contexts, manifests, live.facts),
    await endpointsOutcome(options, log),
  ];
}

const CLUSTER_API = 'cluster-api';

/**
 * No API, no drain: without the API nothing checks the budgets a drain would
 * hang on, nor the nodes, nor the DNS Service, so an unreachable cluster
 * blocks, naming the cause. `apply --no-cluster-api --reason TEXT` waives it
 * knowingly (skipApi).
 */
function unreachable(live: Extract<LiveFacts, { ok: false }>, hop: HopContext): CheckOutcome {
  return {
    check: CLUSTER_API,
    status: 'fail',
    reason: live.reason,
    findings: [{
      check: CLUSTER_API, severity: 'block', hop: hop.index,
      what: `the cluster API cannot be read: ${live.reason}`,
      where: 'kubeconfig',
      why: 'without the API kspray cannot check the PodDisruptionBudgets a drain would hang on, the nodes, the DNS Service or removed APIs: an upgrade would drain blind',
      fix: `${live.hint ? `${live.hint}; ` : ''}or, knowing the risk, run apply with --no-cluster-api --reason TEXT (recorded in the journal and the reports)`,
    }],
  };
}

function kubeSources(options: RunPreflightsOptions): KubeconfigSources {
  const { cluster } = options;
  return {
    flag: options.kube?.kubeconfig, flagContext: options.kube?.context, env: options.kube?.env,
    model: cluster.access?.kubeconfig, modelContext: cluster.access?.context, clusterFile: options.clusterFile, clusterName: cluster.name,
  };
}

/** The API through the load balancer and each control plane, with the kubeconfig the other checks read through. */
async function endpointsOutcome(options: RunPreflightsOptions, log: (text: string) => void): Promise<CheckOutcome> {
  const resolved = resolveKubeconfig(kubeSources(options));
  if (!resolved.ok) return { check: API_ENDPOINTS_CHECK, status: 'skipped', findings: [], reason: resolved.error.message };
  const { endpoints, notes } = apiEndpointsOf(options.cluster);
  if (endpoints.length === 0) return checkApiEndpoints([], notes);
  log(`preflight: asking the API through ${endpoints.map((e) => e.name).join(', ')}`);
  const { probeEndpoints } = await import('../kube/endpoints.js');
  const result = await probeEndpoints(resolved.value, endpoints);
  if (!result.ok) return { check: API_ENDPOINTS_CHECK, status: 'skipped', findings: [], reason: result.error.message };
  return checkApiEndpoints(result.probes, notes);
}

function readCluster(options: RunPreflightsOptions, log: (text: string) => void): Promise<LiveFacts> {
  return readLiveCluster(kubeSources(options), removedApiScan(options.plan, options.hop), (text) => log(`preflight: ${text}`));
}

function apiOutcomes(options: RunPreflightsOptions, hops: readonly PlanHop[], contexts: readonly HopContext[], manifests: ManifestScan | undefined, facts: ClusterFacts): CheckOutcome[] {
  return [
    checkNodes(facts, { hop: contexts[0] as HopContext, skew: loadVersionSkew() }),
    checkPdbs(facts, {
      drainNodes: facts.nodes.map((n) => n.name), hop: contexts[0] as HopContext,
      drainFallbackAvailable: drainFallbackOffered(options.catalog.upgradeDefaults((hops[0] as PlanHop).tag)),
    }),
    dnsOutcome(facts, options, contexts),
    withSkippedManifests(checkRemovedApis({ ...facts, ...(manifests ? { manifests: manifests.docs } : {}) }, { hops: contexts, removedApis: loadRemovedApis() }), manifests),
  ];
}

function noCluster(error: { message: string; hint?: string | undefined }): string {
  return `no cluster reachable: ${error.message}${error.hint ? ` (${error.hint})` : ''}`;
}

function dnsOutcome(facts: ClusterFacts, options: RunPreflightsOptions, contexts: readonly HopContext[]): CheckOutcome {
  const tag = (contexts[0] as HopContext).toTag;
  const kubespray = kubesprayDnsFacts(options.catalog.dns(tag));
  if (!kubespray) return { check: 'dns', status: 'skipped', findings: [], reason: `the catalog has no DNS facts for Kubespray ${tag}` };
  return checkDns(facts, { hops: contexts, serviceAddresses: options.cluster.network.serviceAddresses, kubespray });
}

/** Without a cluster, the removed-API check still reads --manifests. */
function withManifestsOnly(outcomes: CheckOutcome[], manifests: ManifestScan | undefined, contexts: readonly HopContext[], reason: string): CheckOutcome[] {
  if (!manifests) return outcomes;
  const noFacts = { served: [], gaps: [{ what: 'discovery' as const, reason }], manifests: manifests.docs };
  const removed = withSkippedManifests(checkRemovedApis(noFacts, { hops: contexts, removedApis: loadRemovedApis() }), manifests);
  return outcomes.map((o) => (o.check === 'removed-apis' ? removed : o));
}

function withSkippedManifests(outcome: CheckOutcome, manifests: ManifestScan | undefined): CheckOutcome {
  if (!manifests || manifests.skipped.length === 0) return outcome;
  const note = `not parsed: ${manifests.skipped.map((s) => `${s.file} (${s.reason})`).join(', ')}`;
  return { ...outcome, reason: outcome.reason ? `${outcome.reason}; ${note}` : note };
}

async function hostChecks(options: RunPreflightsOptions, hop: PlanHop, log: (text: string) => void): Promise<CheckOutcome[]> {
  log(`preflight: asking the hosts (etcd health, stale caches, kubeadm dry run for ${hop.tag} → ${hop.toVersion})`);
  return runHostChecks({
    cluster: options.cluster, catalog: options.catalog, hop, stateDir: options.stateDir,
    ...options.hosts, ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/** The ids of the checks with a blocking finding, in registry order. */
export function blockingChecks(report: Pick<PreflightReport, 'findings'>, hop?: number): string[] {
  const ids = new Set(report.findings.filter((f) => f.severity === 'block' && (hop === undefined || f.hop === hop)).map((f) => f.check));
  return [...ids].sort((a, b) => checkOrder(a) - checkOrder(b));
}
