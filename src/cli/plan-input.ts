/**
 * What `plan`, `preflight`, `apply`, `pipeline` and `recover` share: the
 * cluster, the catalog, the lock file, the journal, the live cluster, where
 * the cluster is (plan/cluster-state.ts), and from them the plan. IO lives
 * here; the planner and the state resolution are pure.
 *
 * A plan is always kspray's own: a request (a target from the flags, the
 * journal's unfinished plan to resume, or a reviewed plan file) is planned
 * again from today's inputs. A recorded plan or a plan file is only compared
 * with the result (plan/identity.ts), never run.
 *
 * Start-up matters (bench/plan.ts: a whole `kspray plan` < 3× `node -e 0`):
 * what only some plans need — the lock file's parser (yaml + zod), the
 * journal (zod), the wave planner, zod for a refreshed catalog — is imported
 * when it is needed, not at the top.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { loadCatalogAsync } from '../catalog/snapshot.js';
import { compareMinors, compareVersions, minorOf } from '../catalog/versions.js';
import { detectAnsibleCached } from '../ansible/version-cache.js';
import type { Journal } from '../journal/journal-schema.js';
import { journalPath } from '../journal/state-paths.js';
import type { GatherOptions } from '../kube/facts.js';
import type { LoadedCluster } from '../model/load.js';
import { checkInHopMatches, resolveClusterState, type ClusterState, type LiveClaim } from '../plan/cluster-state.js';
import type { LockFile } from '../plan/lock-file.js';
import { planUpgrade, type PlanInput } from '../plan/plan.js';
import { pureWorkers, controlPlaneHosts } from '../plan/steps.js';
import { isWorkerStep } from '../plan/step-kinds.js';
import { parseCountOrPercent } from '../plan/count-or-percent.js';
import type { PlanDocument, PlanRequest } from '../plan/types.js';
import { parseVersionPair, parseVersionSpec, type VersionPair, type VersionSpec } from '../plan/version-pair.js';
import { UsageError } from '../util/errors.js';
import { fileError } from '../util/fs-errors.js';
import { cacheDir } from '../util/paths.js';
import { checkSettingsRead } from '../vars/check.js';
import { loadClusterOrFail } from './load-cluster.js';
import { printStderr } from './output.js';
import { readLiveFacts, type LiveFacts } from './live-facts.js';

/**
 * plan/lock-file.ts's LOCK_FILE_NAME, repeated so that a cluster without a
 * lock file never loads that module (plan-input.test.ts keeps them equal).
 */
export const LOCK_FILE = 'kspray.lock.yaml';

export interface PlanFlags {
  cluster: string;
  pair?: string | undefined;
  to?: string | undefined;
  tag?: string | undefined;
  canary?: string | undefined;
  batch?: string | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  /** Cap on workers drained at once by a wave: N or P% (default Kubespray's own 20%). */
  maxUnavailable?: string | undefined;
  /** Never two nodes of the same zone in one wave. */
  zoneSpread?: boolean | undefined;
  /** apply --plan FILE: the reviewed plan (already parsed) whose request is planned again. */
  planFile?: { path: string; plan: PlanDocument } | undefined;
  /** Plan again from where the cluster is, instead of resuming the journal's unfinished plan. */
  replan?: boolean | undefined;
  /** --no-cluster-api: do not read the cluster at all. */
  noClusterApi?: boolean | undefined;
  /** --allow-unread: settings accepted although a hop's tag does not read them. */
  allowUnread?: string[] | undefined;
}

/** How buildPlanContext reads the live cluster. */
export interface LiveRead {
  /** Plan PDB-aware waves from it (default true; --batch never does). */
  waves?: boolean;
  /** Also list what the removed-API check scans, so that `plan --preflight` reads the cluster once. */
  forPreflight?: boolean;
  /**
   * Refuse (exit 2) a plan whose hop's tag does not read a setting of the cluster
   * file, unless --allow-unread names it (default true). `preflight` passes false:
   * its vars-drift check reports them per hop instead.
   */
  checkReads?: boolean;
}

export interface PlanContext {
  kind: 'plan';
  loaded: LoadedCluster;
  catalog: Catalog;
  lock: LockFile | undefined;
  stateDir: string;
  journal: Journal | undefined;
  journalPath: string;
  /** The journal came from the cluster's copy (newer, or none here): its text, for apply to keep locally. */
  journalFromCluster: string | undefined;
  state: ClusterState;
  /** 'resume': the journal's unfinished plan, planned again (`recorded` is it); 'fresh': from where the cluster is. */
  mode: 'fresh' | 'resume';
  recorded: PlanDocument | undefined;
  /** Resuming: what makes today's plan of the recorded request differ from the recorded plan (empty: the same plan). */
  drift: string[];
  input: PlanInput;
  plan: PlanDocument;
  /** The one read of the live cluster (undefined with --no-cluster-api). */
  live: LiveFacts | undefined;
  /** --allow-unread. */
  allowUnread: string[] | undefined;
}

/** The target is where the cluster already is: nothing to plan (exit 0). */
export interface AlreadyThere {
  kind: 'already';
  loaded: LoadedCluster;
  state: ClusterState;
  version: string;
  tag: string | undefined;
  live: LiveFacts | undefined;
}

export function ksprayVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

export function versionsFromFlags(flags: Pick<PlanFlags, 'pair' | 'to'>): VersionPair | undefined {
  if (flags.pair && flags.to) throw new UsageError('give the target either as FROM→TO or with --to, not both');
  if (flags.pair) return parseVersionPair(flags.pair);
  if (flags.to) return { from: undefined, to: parseVersionSpec(flags.to) };
  return undefined;
}

export async function loadLockFile(clusterFile: string, catalog: Catalog): Promise<LockFile | undefined> {
  const path = join(dirname(clusterFile), LOCK_FILE);
  if (!existsSync(path)) return undefined;
  const { parseLockFile, verifyLockAgainstCatalog } = await import('../plan/lock-file.js');
  const lock = parseLockFile(readLockFileText(path), path);
  verifyLockAgainstCatalog(lock, catalog, path);
  return lock;
}

/** kspray.lock.yaml's text; a path kspray cannot read (a directory, no permission) is said as such. */
export function readLockFileText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fileError(error, path, 'read', { fix: 'kspray.lock.yaml is the file `kspray pin` writes beside the cluster file: remove what stands there, then pin again' });
  }
}

export function parseCanary(text: string | undefined): number {
  if (text === undefined) return 1;
  if (!/^\d+$/.test(text)) throw new UsageError(`--canary ${text} is not a number of workers`, 'pass --canary 0, 1, 2, …');
  return Number(text);
}

/** An explicit --canary must leave workers for the waves after it: a canary of every worker compares nothing. */
export function checkCanaryFits(text: string | undefined, canary: number, workers: number): void {
  if (text === undefined || canary === 0 || canary < workers) return;
  throw new UsageError(
    `--canary ${text}: the cluster has ${workers} worker${workers === 1 ? '' : 's'}, so the canary would be every worker`,
    workers > 2 ? `pass --canary 1 to ${workers - 1}, or --canary 0 for no canary` : workers === 2 ? 'pass --canary 1, or --canary 0 for no canary' : 'pass --canary 0: there is no other worker to upgrade after a canary',
  );
}

export function parseBatch(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const spec = parseCountOrPercent(text);
  if (!spec) throw new UsageError(`--batch ${text} is neither N nor P%`, 'pass e.g. --batch 2 or --batch 25% (a whole percent, rounded as Ansible rounds serial)');
  return spec.text;
}

export function parseMaxUnavailable(text: string | undefined): number | string {
  if (text === undefined) return '20%';
  const spec = parseCountOrPercent(text);
  if (spec) return spec.kind === 'count' ? spec.count : spec.text;
  if (/^\d+(?:\.\d+)?%$/.test(text)) throw new UsageError(`--max-unavailable ${text}: a share of the workers is a whole percentage from 1% to 100%`, 'pass e.g. --max-unavailable 20% (or a count, e.g. 5)');
  if (/^0+$/.test(text)) throw new UsageError(`--max-unavailable ${text}: at least one worker must be drained at a time`, 'pass e.g. --max-unavailable 1 or --max-unavailable 20%');
  throw new UsageError(`--max-unavailable ${text} is neither N nor P%`, 'pass e.g. --max-unavailable 5 or --max-unavailable 20% (a whole percent, rounded as Ansible rounds serial)');
}

/** The request the flags make (a target is required here). */
function requestFromFlags(flags: PlanFlags, to: VersionSpec): PlanRequest {
  return {
    target: to.full ?? to.minor,
    lastTag: flags.tag ?? null,
    canary: parseCanary(flags.canary),
    batch: parseBatch(flags.batch) ?? null,
    maxUnavailable: parseMaxUnavailable(flags.maxUnavailable),
    zoneSpread: Boolean(flags.zoneSpread),
  };
}

function sameRequest(a: PlanRequest, b: PlanRequest): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

/** The journal the cluster keeps (when a kubeconfig answers), parsed; a damaged one is said, not used. */
async function clusterJournal(loaded: LoadedCluster, flags: PlanFlags): Promise<{ journal: Journal | undefined; savedAt: string | undefined; text: string; problem?: string } | undefined> {
  const { readClusterJournal } = await import('./cluster-side.js');
  const stored = await readClusterJournal(loaded, flags, printStderr);
  if (!stored) return undefined;
  const { parseJournal } = await import('../journal/journal-store.js');
  const { journalSecretName } = await import('../kube/state-secret.js');
  try {
    const journal = parseJournal(stored.text, `the cluster's journal (Secret kube-system/${journalSecretName(loaded.cluster.name)})`, loaded.cluster.name);
    return { journal, savedAt: journal.savedAt, text: stored.text };
  } catch (error) {
    return { journal: undefined, savedAt: undefined, text: stored.text, problem: (error as Error).message };
  }
}

/** The journal's reader (and its schema) is loaded only when there is a journal to read. */
async function loadJournalIfAny(baseDir: string, cluster: string): Promise<{ journal: Journal | undefined; path: string }> {
  const path = journalPath(baseDir, cluster);
  if (!existsSync(path)) return { journal: undefined, path };
  const { loadJournal } = await import('../journal/journal-store.js');
  return { journal: await loadJournal(baseDir, cluster), path };
}

/**
 * The plan of a request: from the flags (FROM→TO, --to), a plan file, or the
 * journal's unfinished plan; planned from where the cluster is. Refuses
 * (exit 2) when the cluster file, the journal and the live cluster disagree,
 * when FROM is not where the cluster is, and when the target is below what a
 * node runs; says 'already' when the target is where the cluster is.
 */
export async function buildPlanContext(flags: PlanFlags, read: LiveRead = {}): Promise<PlanContext | AlreadyThere> {
  const versions = versionsFromFlags(flags);
  if (flags.planFile && versions) throw new UsageError('--plan runs a reviewed plan file: do not combine it with a target version');
  const loaded = await loadClusterOrFail(flags.cluster);
  const catalog = await loadCatalogAsync();
  const lock = await loadLockFile(loaded.file, catalog);
  const stateDir = join(loaded.baseDir, '.kspray');
  const local = await loadJournalIfAny(loaded.baseDir, loaded.cluster.name);
  const journalPath = local.path;
  const fromCluster = flags.noClusterApi ? undefined : await clusterJournal(loaded, flags);
  const { pickJournal } = await import('./cluster-side.js');
  const picked = pickJournal(local.journal ? { journal: local.journal, savedAt: local.journal.savedAt } : undefined, fromCluster);
  if (picked.note) printStderr(picked.note);
  const journal = picked.journal;
  const journalFromCluster = picked.source === 'cluster' ? fromCluster?.text : undefined;
  const journalShown = relative(process.cwd(), journalPath) || journalPath;

  // What is asked, and whether it resumes the journal's unfinished plan.
  const journalFacts = journal ? await import('../journal/journal.js') : undefined;
  const unfinished = flags.replan || !journal || !journalFacts ? undefined : journalFacts.unfinishedPlan(journal);
  let request: PlanRequest;
  let recorded: PlanDocument | undefined;
  if (flags.planFile) {
    request = flags.planFile.plan.request;
    recorded = unfinished && sameRequest(unfinished.request, request) && unfinished.from.version === flags.planFile.plan.from.version ? unfinished : undefined;
  } else if (versions) {
    request = requestFromFlags(flags, versions.to);
    recorded = unfinished && sameRequest(unfinished.request, request) ? unfinished : undefined;
  } else if (unfinished) {
    request = unfinished.request;
    recorded = unfinished;
  } else {
    throw new UsageError(
      journal ? 'no target, and the plan the journal recorded is finished' : 'no target version, and no unfinished plan recorded to resume',
      'pass FROM→TO (e.g. 1.16→1.18), --to VERSION, or --plan FILE',
    );
  }
  const to = parseVersionSpec(request.target);
  // The canary is taken from the pure workers (plan/steps.ts): a control-plane node that also works is upgraded with the control plane.
  checkCanaryFits(flags.canary, request.canary, pureWorkers(loaded.cluster).length);

  const cache = cacheDir();
  const localAnsible = loaded.cluster.kubespray.ansible === 'system' ? await detectAnsibleCached(cache) : undefined;
  const base: Omit<PlanInput, 'from'> = {
    cluster: loaded.cluster, clusterFile: flags.cluster, catalog, to, lock,
    lastTag: request.lastTag ?? undefined, canary: request.canary, batch: request.batch ?? undefined,
    maxUnavailable: request.maxUnavailable, zoneSpread: request.zoneSpread, stateDir, cacheDir: cache,
    localAnsible: localAnsible ? { version: localAnsible.version } : undefined, ksprayVersion: ksprayVersion(),
  };
  const fileClaim = { path: flags.cluster, version: loaded.cluster.kubernetes.version, tag: loaded.cluster.kubespray.tag };
  // Where the plan starts: the recorded plan's own start, a plan file's, or the cluster file's (which the state must confirm).
  const expectedFrom = recorded?.from ?? flags.planFile?.plan.from ?? { version: fileClaim.version, tag: fileClaim.tag ?? null };

  const scan = read.forPreflight ? await removedApiScanFor({ ...base, from: { version: expectedFrom.version, tag: expectedFrom.tag ?? undefined } }) : {};
  const live = flags.noClusterApi ? undefined : await readLiveFacts(loaded, flags, scan);
  const resolved = resolveClusterState({
    file: fileClaim,
    journal: journal && journalFacts ? journalFacts.journalClaim(journal, journalShown) : undefined,
    live: live?.ok ? liveClaim(loaded, live) : undefined,
  });
  if (!resolved.ok) throw stateConflict(resolved);
  const state = resolved.state;

  let from: { version: string; tag: string | undefined };
  if (recorded) {
    from = { version: recorded.from.version, tag: recorded.from.tag ?? undefined };
  } else {
    if (flags.planFile && (flags.planFile.plan.from.version !== state.version || (state.tag !== undefined && flags.planFile.plan.from.tag !== state.tag))) {
      throw new UsageError(
        `${flags.planFile.path} starts at ${flags.planFile.plan.from.version} (Kubespray ${flags.planFile.plan.from.tag ?? 'unknown'}), but the cluster is at ${state.version} (Kubespray ${state.tag ?? 'unknown'}): ${state.sources.join('; ')}`,
        'make the plan again from where the cluster is: `kspray plan … --output FILE`',
      );
    }
    checkFromFlag(versions?.from, state, flags.cluster);
    const reached = to.full ? compareVersions(state.version, to.full) >= 0 : compareMinors(minorOf(state.version)!, to.minor) >= 0;
    const belowFloor = to.full ? compareVersions(to.full, state.floor) < 0 : compareMinors(to.minor, minorOf(state.floor)!) < 0;
    if (belowFloor) {
      throw new UsageError(
        `${to.full ?? to.minor} is older than what the cluster runs (${state.floor}): kspray does not downgrade`,
        `kubeadm cannot downgrade a control plane; restore from an etcd backup instead, or check the version you typed. Where the cluster is: ${state.sources.join('; ')}`,
      );
    }
    if (reached && !state.inHop) return { kind: 'already', loaded, state, version: state.version, tag: state.tag, live };
    from = { version: state.version, tag: state.tag };
  }

  const input: PlanInput = { ...base, from, ...(await workerWaves(loaded, live, request, recorded, read)) };
  const plan = planUpgrade(input);
  if (read.checkReads !== false) {
    checkSettingsRead(loaded.cluster, plan.hops.map((hop) => hop.tag), { tableVerified: catalog.source.kind === 'bundled', allowUnread: flags.allowUnread });
  }
  if (!recorded) {
    const mismatch = checkInHopMatches(state, plan.hops[0]);
    if (mismatch) throw new UsageError(mismatch, `where the cluster is: ${state.sources.join('; ')}. Resume that hop (kspray apply -c ${flags.cluster} without a target), or pin its tag (kspray pin)`);
  }
  const { planDifferences } = recorded ? await import('../plan/identity.js') : { planDifferences: undefined };
  const drift = recorded && planDifferences ? planDifferences(recorded, plan) : [];
  return { kind: 'plan', loaded, catalog, lock, stateDir, journal, journalPath, journalFromCluster, state, mode: recorded ? 'resume' : 'fresh', recorded, drift, input, plan, live, allowUnread: flags.allowUnread };
}

/** A FROM typed on the command line must be where the cluster is. */
function checkFromFlag(from: VersionSpec | undefined, state: ClusterState, clusterFile: string): void {
  if (!from) return;
  const matches = from.full ? from.full === state.version : compareMinors(from.minor, minorOf(state.version)!) === 0;
  if (matches) return;
  throw new UsageError(
    `FROM ${from.full ?? from.minor} is not where the cluster is: it runs ${state.version}${state.tag ? ` (Kubespray ${state.tag})` : ''} (${state.sources.join('; ')})`,
    `name the target alone (--to VERSION), or FROM ${minorOf(state.version)}; if the cluster really runs ${from.full ?? from.minor}, correct kubernetes.version and kubespray.tag in ${clusterFile}`,
  );
}

function stateConflict(result: { message: string; sources: string[]; hint: string }): UsageError {
  return new UsageError(`where the cluster is: ${result.message}\n${result.sources.map((line) => `    ${line}`).join('\n')}`, result.hint);
}

/** The cluster file's nodes as the API reports them. */
function liveClaim(loaded: LoadedCluster, live: Extract<LiveFacts, { ok: true }>): LiveClaim {
  const controlPlane = new Set(controlPlaneHosts(loaded.cluster));
  const modelNodes = new Set(loaded.cluster.nodes.map((node) => node.name));
  return {
    server: live.server,
    apiServerVersion: live.facts.serverVersion,
    nodes: live.facts.nodes.filter((node) => modelNodes.has(node.name)).map((node) => ({ name: node.name, kubeletVersion: node.kubeletVersion, controlPlane: controlPlane.has(node.name) })),
    unknownNodes: live.facts.nodes.filter((node) => !modelNodes.has(node.name)).map((node) => node.name),
  };
}

/**
 * The hops do not depend on the waves: the plan without them says which APIs
 * the removed-API check lists, so that `plan --preflight` reads the cluster once.
 */
async function removedApiScanFor(input: PlanInput): Promise<GatherOptions> {
  let plan: PlanDocument;
  try {
    plan = planUpgrade(input);
  } catch {
    return {}; // a target the plan refuses: the refusal comes with the real plan, once the state is known
  }
  const { removedApiScan } = await import('../preflight/run-preflights.js');
  return removedApiScan(plan, undefined);
}

/**
 * The worker waves: those of the recorded plan when resuming it (what was
 * reviewed; pods moved by its own drains must not reshuffle it), else
 * PDB-aware waves from the live cluster, else none (Kubespray's own batches,
 * said plainly).
 */
async function workerWaves(loaded: LoadedCluster, live: LiveFacts | undefined, request: PlanRequest, recorded: PlanDocument | undefined, read: LiveRead): Promise<Pick<PlanInput, 'workerWaves' | 'wavesFallbackNote'>> {
  if (request.batch !== null || read.waves === false) return {};
  if (recorded) {
    if (recorded.workerStrategy.kind !== 'waves') return {};
    const waves = recordedWaves(recorded);
    if (!isPartition(waves, pureWorkers(loaded.cluster))) return { wavesFallbackNote: 'the recorded waves do not cover the cluster file\'s workers' };
    return { workerWaves: { waves, note: recorded.workerStrategy.note, source: 'recorded', server: recorded.inputs.waves?.server ?? null, facts: recorded.inputs.waves?.facts ?? null } };
  }
  if (!live) return { wavesFallbackNote: 'no PDB-aware waves: the cluster API is not used (--no-cluster-api)' };
  if (!live.ok) return { wavesFallbackNote: `no PDB-aware waves: ${live.reason}` };
  const blind = live.facts.gaps.find((gap) => gap.what === 'pods' || gap.what === 'pdbs'); // waves without pods or budgets would be blind to PDBs
  if (blind) return { wavesFallbackNote: `no PDB-aware waves: the cluster's ${blind.what} could not be listed (${blind.reason})` };
  const { planWorkerWaves, waveInputFromFacts } = await import('../plan/wave-input.js');
  const { sha256Of } = await import('../util/canonical-json.js');
  const waves = planWorkerWaves(loaded.cluster, live.facts, {
    canary: request.canary, maxUnavailable: request.maxUnavailable, oneNodePerZone: request.zoneSpread,
  });
  if (!waves) return {};
  return { workerWaves: { waves: waves.waves, note: waves.note, source: 'live', server: live.server, facts: sha256Of(waveInputFromFacts(loaded.cluster, live.facts)) } };
}

/** The canary and waves of a recorded plan (every hop has the same ones). */
function recordedWaves(plan: PlanDocument): string[][] {
  return (plan.hops[0]?.steps ?? []).filter(isWorkerStep).map((step) => [...step.hosts]);
}

function isPartition(waves: readonly string[][], workers: readonly string[]): boolean {
  const listed = waves.flat();
  return listed.length === workers.length && new Set(listed).size === listed.length && listed.every((host) => workers.includes(host));
}

