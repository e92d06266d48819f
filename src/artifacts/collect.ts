/**
 * The files and images of every hop of a plan: from the cache when the hop
 * was templated before with the same tag and settings, else by templating
 * the tag's download defaults with Ansible (template-hop.ts) in the hop's
 * workspace, on the hop's checkout (src/kubespray/checkout.ts), and cached.
 * Hops are templated two at a time (the checkouts and Ansible are the cost).
 */
import { existsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { ensureKubesprayCheckout, normalizeRepo } from '../kubespray/checkout.js';
import type { Cluster } from '../model/schema.js';
import type { PlanHop } from '../plan/types.js';
import { renderExtraVars } from '../render/extra-vars.js';
import { renderTarget } from '../render/target.js';
import { mapLimited } from '../util/map-limited.js';
import { artifactsCachePath, artifactsFingerprint, readCachedArtifacts, writeCachedArtifacts } from './cache.js';
import { hopArtifactsFrom } from './hop-result.js';
import { loadKubeadmDefaults, type KubeadmDefaults } from './kubeadm-images.js';
import { templateHop } from './template-hop.js';
import type { HopArtifacts } from './types.js';

export type ArtifactsHop = Pick<PlanHop, 'index' | 'tag' | 'sha' | 'fromVersion' | 'toVersion' | 'fromTag' | 'groups' | 'workspace'> & { ansible: Pick<PlanHop['ansible'], 'executable'> };

export interface CollectOptions<H extends ArtifactsHop = ArtifactsHop> {
  hops: readonly H[];
  cluster: Cluster;
  /** The cluster file's directory (a relative kubespray.repo starts there). */
  clusterBaseDir: string;
  catalog: Catalog;
  cacheDir: string;
  /** Only what the cache holds: a hop templated before with these settings, else left out (plan's counts). */
  cachedOnly?: boolean;
  /** The tag's tree, instead of the checkout in the cache (the real-tag tests pass their extracted trees). */
  kubesprayDir?: (hop: H) => Promise<string>;
  signal?: AbortSignal;
  log?: (text: string) => void;
}

export interface CollectedHop<H extends ArtifactsHop = ArtifactsHop> {
  hop: H;
  artifacts: HopArtifacts;
  cached: boolean;
}

/** Stands for every secret in the extra-vars kspray templates with: no download reads a secret, and none is written. */
const NO_SECRET = 'kspray-artifacts-no-secret';

/** The node architectures the lists are for: the nodes' own (nodes[].arch), amd64 for a node that names none. */
export function architecturesOf(cluster: Cluster): string[] {
  return [...new Set(cluster.nodes.map((node) => node.arch ?? 'amd64'))].sort();
}

/** The hop's extra-vars as the tag reads them (what apply writes, secrets aside). */
export function hopExtraVars(cluster: Cluster, catalog: Catalog, hop: Pick<ArtifactsHop, 'tag' | 'toVersion'>): string {
  return renderExtraVars(cluster, renderTarget(catalog.requireTag(hop.tag)), () => NO_SECRET, { kubeVersion: hop.toVersion }).vars;
}

export async function collectArtifacts<H extends ArtifactsHop>(options: CollectOptions<H>): Promise<Array<CollectedHop<H>>> {
  const architectures = architecturesOf(options.cluster);
  const defaults = loadKubeadmDefaults();
  const collected: Array<CollectedHop<H> | undefined> = new Array(options.hops.length);
  // Ansible works in each hop's workspace; the directories this run had to make for it go again, innermost first
  // (one something else wrote into meanwhile stays).
  const made = [...new Set(options.hops.flatMap((hop) => [hop.workspace.dir, dirname(hop.workspace.dir), dirname(dirname(hop.workspace.dir))]))]
    .filter((dir) => !existsSync(dir))
    .sort((a, b) => b.length - a.length);
  try {
    // Two hops at a time: each is an Ansible run on this machine.
    await mapLimited(options.hops, 2, async (hop, index) => {
      collected[index] = await collectHop(hop, architectures, defaults, options);
    });
  } finally {
    for (const dir of made) await rmdir(dir).catch(() => undefined);
  }
  return collected.filter((entry): entry is CollectedHop<H> => entry !== undefined);
}

async function collectHop<H extends ArtifactsHop>(hop: H, architectures: string[], defaults: KubeadmDefaults, options: CollectOptions<H>): Promise<CollectedHop<H> | undefined> {
  const extraVars = hopExtraVars(options.cluster, options.catalog, hop);
  const path = artifactsCachePath(options.cacheDir, hop.tag, artifactsFingerprint({ tag: hop.tag, sha: hop.sha, architectures, extraVars }));
  const cached = await readCachedArtifacts(path);
  if (cached) return { hop, artifacts: cached, cached: true };
  if (options.cachedOnly) return undefined;

  options.log?.(`artifacts: templating the downloads of hop ${hop.index} (Kubespray ${hop.tag}, ${hop.toVersion}) with Ansible`);
  const kubesprayDir = options.kubesprayDir
    ? await options.kubesprayDir(hop)
    : (await ensureKubesprayCheckout({ repo: normalizeRepo(options.cluster.kubespray.repo, options.clusterBaseDir), cacheDir: options.cacheDir, tag: hop.tag, sha: hop.sha })).dir;
  const templated = await templateHop({
    tag: hop.tag, kubesprayDir, groups: hop.groups, extraVars, architectures,
    workDir: join(hop.workspace.dir, `artifacts.${process.pid}`),
    ansiblePlaybook: usableAnsible(hop.ansible.executable),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const artifacts = hopArtifactsFrom({ tag: hop.tag, sha: hop.sha, architectures, raw: templated.raw, kubeadmPull: templated.kubeadmPull, kubeadmDefaults: defaults });
  await writeCachedArtifacts(path, artifacts);
  return { hop, artifacts, cached: false };
}

/** The hop's ansible-playbook, or the one on PATH while its venv is not made yet (templating needs no pinned Ansible). */
function usableAnsible(executable: string): string {
  return isAbsolute(executable) && !existsSync(executable) ? 'ansible-playbook' : executable;
}
