/**
 * What `plan`, `preflight` and `apply` share: the cluster, the catalog, the
 * lock file, the local Ansible, and from them the plan. IO lives here; the
 * planner itself is pure.
 *
 * Start-up matters (bench/plan.ts: a whole `kspray plan` < 3× `node -e 0`):
 * what only some plans need — the lock file's parser (yaml + zod), the wave
 * planner, zod for a refreshed catalog — is imported when it is needed, not
 * at the top.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { loadCatalogAsync } from '../catalog/snapshot.js';
import { detectAnsibleCached } from '../ansible/version-cache.js';
import type { GatherOptions } from '../kube/facts.js';
import type { LoadedCluster } from '../model/load.js';
import type { LockFile } from '../plan/lock-file.js';
import { planUpgrade, type PlanInput } from '../plan/plan.js';
import type { PlanDocument } from '../plan/types.js';
import { parseVersionPair, parseVersionSpec, type VersionPair } from '../plan/version-pair.js';
import { UsageError } from '../util/errors.js';
import { cacheDir } from '../util/paths.js';
import { checkSettingsRead } from '../vars/check.js';
import { loadClusterOrFail } from './load-cluster.js';
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
  /** --allow-unread: settings accepted although a hop's tag does not read them. */
  allowUnread?: string[] | undefined;
}

export interface PlanContext {
  loaded: LoadedCluster;
  catalog: Catalog;
  lock: LockFile | undefined;
  stateDir: string;
  input: PlanInput;
  /** The read of the live cluster the waves were planned from; undefined when none was made (--batch, or not asked). */
  live: LiveFacts | undefined;
  /** --allow-unread. */
  allowUnread?: string[] | undefined;
}

/** How buildPlanContext reads the live cluster. */
export interface LiveRead {
  /** Read it for PDB-aware waves (default true; --batch never reads). */
  waves?: boolean;
  /** Also list what the removed-API check scans, so that `plan --preflight` reads the cluster once. */
  forPreflight?: boolean;
}

export function ksprayVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

export function versionsFromFlags(flags: Pick<PlanFlags, 'pair' | 'to'>): VersionPair {
  if (flags.pair && flags.to) throw new UsageError('give the target either as FROM→TO or with --to, not both');
  if (flags.pair) return parseVersionPair(flags.pair);
  if (flags.to) return { from: undefined, to: parseVersionSpec(flags.to) };
  throw new UsageError('no target version', 'pass FROM→TO (e.g. 1.16→1.18) or --to VERSION');
}

export async function loadLockFile(clusterFile: string, catalog: Catalog): Promise<LockFile | undefined> {
  const path = join(dirname(clusterFile), LOCK_FILE);
  if (!existsSync(path)) return undefined;
  const { parseLockFile, verifyLockAgainstCatalog } = await import('../plan/lock-file.js');
  const lock = parseLockFile(readFileSync(path, 'utf8'), path);
  verifyLockAgainstCatalog(lock, catalog, path);
  return lock;
}

export function parseCanary(text: string | undefined): number {
  if (text === undefined) return 1;
  if (!/^\d+$/.test(text)) throw new UsageError(`--canary ${text} is not a number of workers`, 'pass --canary 0, 1, 2, …');
  return Number(text);
}

export function parseBatch(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^(?:[1-9]\d*|(?:100|[1-9]\d?(?:\.\d+)?)%)$/.test(text)) throw new UsageError(`--batch ${text} is neither N nor P%`, 'pass e.g. --batch 2 or --batch 25%');
  return text;
}

export async function buildPlanContext(flags: PlanFlags, read: LiveRead = {}): Promise<PlanContext> {
  const versions = versionsFromFlags(flags);
  const loaded = await loadClusterOrFail(flags.cluster);
  const catalog = await loadCatalogAsync();
  const lock = await loadLockFile(loaded.file, catalog);
  const stateDir = join(loaded.baseDir, '.kspray');
  const cache = cacheDir();
  const localAnsible = loaded.cluster.kubespray.ansible === 'system' ? await detectAnsibleCached(cache) : undefined;
  const canary = parseCanary(flags.canary);
  const batch = parseBatch(flags.batch);
  const input: PlanInput = {
    cluster: loaded.cluster, clusterFile: flags.cluster, catalog, from: versions.from, to: versions.to, lock,
    lastTag: flags.tag, canary, batch, stateDir, cacheDir: cache,
    localAnsible: localAnsible ? { version: localAnsible.version } : undefined, ksprayVersion: ksprayVersion(),
  };
  const allowUnread = flags.allowUnread;
  if (batch !== undefined || read.waves === false) return { loaded, catalog, lock, stateDir, input, live: undefined, allowUnread };
  const live = await readLiveFacts(loaded, flags, read.forPreflight ? await removedApiScanFor(input) : {});
  return { loaded, catalog, lock, stateDir, input: { ...input, ...(await liveWaves(loaded, live, flags, canary)) }, live, allowUnread };
}

/** The hops do not depend on the waves: the plan without them says which APIs the removed-API check lists. */
async function removedApiScanFor(input: PlanInput): Promise<GatherOptions> {
  const { removedApiScan } = await import('../preflight/run-preflights.js');
  return removedApiScan(planUpgrade(input), undefined);
}

/** PDB-aware worker waves from the live cluster, or the plain reason there are none. */
async function liveWaves(loaded: LoadedCluster, live: LiveFacts, flags: PlanFlags, canary: number): Promise<Pick<PlanInput, 'workerWaves' | 'wavesFallbackNote'>> {
  if (!live.ok) return { wavesFallbackNote: `no PDB-aware waves: ${live.reason}` };
  const blind = live.facts.gaps.find((gap) => gap.what === 'pods' || gap.what === 'pdbs'); // waves without pods or budgets would be blind to PDBs
  if (blind) return { wavesFallbackNote: `no PDB-aware waves: the cluster's ${blind.what} could not be listed (${blind.reason})` };
  const { planWorkerWaves } = await import('../plan/wave-input.js');
  const waves = planWorkerWaves(loaded.cluster, live.facts, {
    canary, maxUnavailable: parseMaxUnavailable(flags.maxUnavailable), oneNodePerZone: Boolean(flags.zoneSpread),
  });
  return waves ? { workerWaves: { waves: waves.waves, note: waves.note } } : {};
}

export function parseMaxUnavailable(text: string | undefined): number | string {
  if (text === undefined) return '20%';
  if (/^[1-9]\d*$/.test(text)) return Number(text);
  if (/^(?:100|[1-9]\d?)%$/.test(text)) return text;
  throw new UsageError(`--max-unavailable ${text} is neither N nor P%`, 'pass e.g. --max-unavailable 5 or --max-unavailable 20%');
}

/**
 * The plan, refused (exit 2) when a hop's tag does not read a setting of the
 * cluster file, unless --allow-unread names it. `preflight` passes
 * checkReads: false: its vars-drift check reports them per hop instead.
 */
export function makePlan(context: PlanContext, options: { checkReads?: boolean } = {}): PlanDocument {
  const plan = planUpgrade(context.input);
  if (options.checkReads !== false) {
    checkSettingsRead(context.loaded.cluster, plan.hops.map((hop) => hop.tag), { tableVerified: context.catalog.source.kind === 'bundled', allowUnread: context.allowUnread });
  }
  return plan;
}
