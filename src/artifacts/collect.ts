/**
 * The files and images of every hop of a plan: from the cache when the hop
 * was templated before with the same tag and settings, else by templating
 * the tag's download defaults with Ansible (template-hop.ts) in the hop's
 * workspace, on the hop's checkout (src/kubespray/checkout.ts), and cached.
 * Hops are templated two at a time (the checkouts and Ansible are the cost).
 */
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { ensureKubesprayCheckout, normalizeRepo } from '../kubespray/checkout.js';
import type { Cluster } from '../model/schema.js';
import type { PlanHop } from '../plan/types.js';
import { renderExtraVars } from '../render/extra-vars.js';
import { renderTarget } from '../render/target.js';
import { artifactsCachePath, artifactsFingerprint, readCachedArtifacts, writeCachedArtifacts } from './cache.js';
import { hopArtifactsFrom } from './hop-result.js';
import { loadKubeadmDefaults, type KubeadmDefaults } from './kubeadm-images.js';
import { templateHop } from './template-hop.js';
import type { HopArtifacts } from './types.js';

export type ArtifactsHop = Pick<PlanHop, 'index' | 'tag' | 'sha' | 'toVersion' | 'groups' | 'workspace'> & { ansible: Pick<PlanHop['ansible'], 'executable'> };

export interface CollectOptions {
  hops: readonly ArtifactsHop[];
  cluster: Cluster;
  /** The cluster file's directory (a relative kubespray.repo starts there). */
  clusterBaseDir: string;
  catalog: Catalog;
  cacheDir: string;
  /** Only what the cache holds: a hop templated before with these settings, else left out (plan's counts). */
  cachedOnly?: boolean;
  /** The tag's tree, instead of the checkout in the cache (the real-tag tests pass their extracted trees). */
  kubesprayDir?: (hop: ArtifactsHop) => Promise<string>;
  signal?: AbortSignal;
  log?: (text: string) => void;
}

export interface CollectedHop {
  hop: ArtifactsHop;
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

export async function collectArtifacts(options: CollectOptions): Promise<CollectedHop[]> {
  const architectures = architecturesOf(options.cluster);
  const defaults = loadKubeadmDefaults();
  const collected: Array<CollectedHop | undefined> = new Array(options.hops.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.hops.length) {
      const index = next++;
      collected[index] = await collectHop(options.hops[index]!, architectures, defaults, options);
    }
  };
  await Promise.all([worker(), worker()]);
  return collected.filter((entry): entry is CollectedHop => entry !== undefined);
}

async function collectHop(hop: ArtifactsHop, architectures: string[], defaults: KubeadmDefaults, options: CollectOptions): Promise<CollectedHop | undefined> {
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
    ansiblePlaybook: hop.ansible.executable,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const artifacts = hopArtifactsFrom({ tag: hop.tag, sha: hop.sha, architectures, raw: templated.raw, kubeadmPull: templated.kubeadmPull, kubeadmDefaults: defaults });
  await writeCachedArtifacts(path, artifacts);
  return { hop, artifacts, cached: false };
}
