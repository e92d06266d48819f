/**
 * Runs the preflight checks (the list in checks/index.ts) for the hops of a
 * plan (or one hop): opens the sources the listed checks need — the
 * Kubernetes API through src/kube, Ansible on the hosts through kspray's
 * playbooks — runs every check's own gathering at once, then evaluates each.
 * Checks that read the cluster as it is now gate the first hop checked; the
 * others look at every hop. A source that cannot be had makes the checks
 * that need it 'skipped', with the reason said plainly, never a crash.
 */
import { detectAnsibleCached } from '../ansible/version-cache.js';
import type { Catalog } from '../catalog/catalog.js';
import type { GatherOptions } from '../kube/facts.js';
import { loadRemovedApis } from '../kube/k8s-data.js';
import type { KubeconfigSources } from '../kube/kubeconfig.js';
import { readLiveCluster } from '../kube/live.js';
import type { LiveFacts } from '../kube/types.js';
import type { Cluster } from '../model/schema.js';
import type { PlanDocument, PlanHop } from '../plan/types.js';
import { UsageError } from '../util/errors.js';
import { cacheDir } from '../util/paths.js';
import { apiUnavailableReason, type ApiSource, type CheckContext, type HostSource, type PreflightCheck } from './check-module.js';
import { PREFLIGHT_CHECKS } from './checks/index.js';
import { scanManifestDir, type ManifestScan } from './manifests.js';
import { checkOrder } from './registry.js';
import { scanTargets } from './removed-apis.js';
import { selectHops } from './select-hops.js';
import { hopContextOf, openHostSource, type HostChecksOptions } from './run-host-checks.js';
import type { CheckOutcome, Finding } from './types.js';
import type { z } from 'zod';
import { PREFLIGHT_VERSION, type PreflightHopSchema, type PreflightReportSchema } from './report-schema.js';
import type { MirrorLimits } from '../mirror/probe.js';

export { PREFLIGHT_VERSION } from './report-schema.js';
export { assumedFromTag } from './hop-tags.js';
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

/** What to gather beyond the facts every check reads: the objects the removed-API check scans for these hops. */
export function removedApiScan(plan: PlanDocument, hop: number | undefined): GatherOptions {
  const contexts = selectHops(plan.hops, hop).map(hopContextOf);
  const removedApis = loadRemovedApis();
  return { selectServedKinds: (served) => scanTargets(served, contexts, removedApis) };
}

/** `checks`: the list to run (default: every check kspray has, checks/index.ts). */
export async function runPreflights(options: RunPreflightsOptions, checkList: ReadonlyArray<PreflightCheck> = PREFLIGHT_CHECKS): Promise<PreflightReport> {
  const { plan, cluster, catalog } = options;
  const hops = selectHops(plan.hops, options.hop);
  const contexts = hops.map(hopContextOf);
  const first = hops[0];
  if (!first) throw new UsageError('the plan has no hops: nothing to check');
  const log = options.log ?? (() => undefined);

  // Read first: a bad --manifests is bad input, before anything is gathered.
  const manifests = options.manifestsDir === undefined ? undefined : await readManifests(options.manifestsDir);
  const checks = checkList.filter((check) => options.only === undefined || options.only.includes(check.id));
  const needs = (what: PreflightCheck['needs']): boolean => checks.some((check) => check.needs === what);
  const kube = kubeSources(options);
  const hostsSkipped = options.skipHosts;
  const [api, localAnsible] = await Promise.all([
    needs('cluster-api') ? apiSource(options, kube, log) : Promise.resolve(undefined),
    hops.some((h) => h.ansible.mode === 'system') ? (options.detectLocalAnsible ?? detectLocal)() : Promise.resolve(undefined),
  ]);
  // Opened last and closed whatever happens: its scratch directory holds the resolved secrets.
  const hosts = needs('hosts') && hostsSkipped === undefined ? await openHosts(options, checks, first, log) : undefined;
  let outcomes: CheckOutcome[];
  try {
    const ctx: CheckContext = {
      plan, hops, contexts, first, cluster, clusterFile: options.clusterFile, catalog, kube, manifests,
      forceAnsible: Boolean(options.forceAnsible), allowUnread: options.allowUnread, localAnsible, api, hosts, log,
      verifyChecksums: Boolean(options.verifyChecksums), skipMirror: options.skipMirror, mirrorLimits: options.mirrorLimits, signal: options.signal,
    };
    outcomes = await Promise.all(checks.map((check) => runCheck(check, ctx, hostsSkipped)));
  } finally {
    await hosts?.close();
  }
  outcomes.sort((a, b) => checkOrder(a.check) - checkOrder(b.check));

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

/** One check: skipped when its source is not there (unless it says so itself), else its gathering, then its verdict. */
async function runCheck(check: PreflightCheck, ctx: CheckContext, hostsSkipped: string | undefined): Promise<CheckOutcome> {
  const skipped = (reason: string): CheckOutcome => ({ check: check.id, status: 'skipped', findings: [], reason });
  if (check.needs === 'cluster-api' && !ctx.api?.ok && check.whenUnavailable !== 'evaluate') return skipped(apiUnavailableReason(ctx.api));
  if (check.needs === 'hosts' && !ctx.hosts) return skipped(hostsSkipped ?? 'not asked');
  const gathered = check.gather ? await check.gather(ctx) : undefined;
  return check.evaluate(ctx, gathered as never);
}

function kubeSources(options: RunPreflightsOptions): KubeconfigSources {
  const { cluster } = options;
  return {
    flag: options.kube?.kubeconfig, flagContext: options.kube?.context, env: options.kube?.env,
    model: cluster.access?.kubeconfig, modelContext: cluster.access?.context, clusterFile: options.clusterFile, clusterName: cluster.name,
  };
}

/** The cluster as the caller read it, or read now; waived with --no-cluster-api. */
async function apiSource(options: RunPreflightsOptions, kube: KubeconfigSources, log: (text: string) => void): Promise<ApiSource> {
  if (options.skipApi !== undefined) return { ok: false, reason: options.skipApi, waived: true };
  const live: LiveFacts = options.live ?? await readLiveCluster(kube, removedApiScan(options.plan, options.hop), (text) => log(`preflight: ${text}`));
  if (!live.ok) return { ok: false, reason: live.reason, hint: live.hint, waived: false };
  if (options.live) log(`preflight: checking the cluster as read through ${live.server}`);
  return { ok: true, facts: live.facts, server: live.server };
}

async function openHosts(options: RunPreflightsOptions, checks: ReadonlyArray<PreflightCheck>, hop: PlanHop, log: (text: string) => void): Promise<HostSource & { close(): Promise<void> }> {
  log(`preflight: asking the hosts (${checks.filter((check) => check.needs === 'hosts').map((check) => check.docs.title).join(', ')}) for ${hop.tag} → ${hop.toVersion}`);
  return openHostSource({
    cluster: options.cluster, catalog: options.catalog, hop, stateDir: options.stateDir,
    ...options.hosts, ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

async function detectLocal(): Promise<{ version: string; executable: string } | undefined> {
  const found = await detectAnsibleCached(cacheDir());
  return found ? { version: found.version, executable: found.executable } : undefined;
}

const SEVERITY_ORDER = { block: 0, warn: 1, info: 2 } as const;

function byHopSeverity(a: Finding, b: Finding): number {
  return (a.hop ?? 0) - (b.hop ?? 0) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || checkOrder(a.check) - checkOrder(b.check);
}

async function readManifests(dir: string): Promise<ManifestScan> {
  try {
    return await scanManifestDir(dir);
  } catch (error) {
    throw new UsageError(`--manifests ${dir}: ${(error as Error).message}`, 'pass a directory of YAML or JSON manifests');
  }
}

/** The ids of the checks with a blocking finding, in registry order. */
export function blockingChecks(report: Pick<PreflightReport, 'findings'>, hop?: number): string[] {
  const ids = new Set(report.findings.filter((f) => f.severity === 'block' && (hop === undefined || f.hop === hop)).map((f) => f.check));
  return [...ids].sort((a, b) => checkOrder(a) - checkOrder(b));
}
