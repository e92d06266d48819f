/**
 * What the `mirror` check reads: the hops' artifacts (src/artifacts: the
 * cache, else the tags templated with Ansible) and the mirrors' answers for
 * them (src/mirror), with the credentials and CA the cluster file names.
 * Only when the cluster declares a mirror; otherwise there is nothing to ask.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import type { Cluster } from '../model/schema.js';
import type { PlanHop } from '../plan/types.js';
import { UsageError } from '../util/errors.js';
import type { MirrorLimits } from '../mirror/probe.js';
import type { CheckOutcome, HopContext } from './types.js';
import { MIRROR_CHECK, type MirrorEvaluation } from './mirror.js';

export interface MirrorGatherOptions {
  hops: readonly PlanHop[];
  contexts: readonly HopContext[];
  cluster: Cluster;
  clusterFile: string;
  catalog: Catalog;
  cacheDir: string;
  verifyChecksums: boolean;
  limits?: Partial<MirrorLimits> | undefined;
  signal?: AbortSignal | undefined;
  log: (text: string) => void;
}

/** The mirrors the cluster declares, in words; empty: none. */
export function declaredMirrors(cluster: Cluster): string[] {
  const offline = cluster.offline;
  if (!offline) return [];
  const repos = Object.values(offline.imageRepos ?? {});
  return [
    ...(offline.registry ? [`registry ${offline.registry}`] : []),
    ...(repos.length > 0 ? [`image repositories ${repos.join(', ')}`] : []),
    ...(offline.files ? [`files ${offline.files}`] : []),
  ];
}

/** host[:port] of an image repository prefix. */
function registryOf(repository: string): string {
  return repository.split('/')[0]!;
}

/** What the mirrors answered, for checkMirror to judge; or the outcome already known (no mirror declared, the downloads not listable). */
export type MirrorGathered = { evaluation: MirrorEvaluation } | { outcome: CheckOutcome };

export async function gatherMirror(options: MirrorGatherOptions): Promise<MirrorGathered> {
  const { cluster } = options;
  const mirrors = declaredMirrors(cluster);
  if (mirrors.length === 0) return { outcome: { check: MIRROR_CHECK, status: 'skipped', findings: [], reason: 'the cluster declares no mirror (offline.registry, offline.imageRepos, offline.files)' } };
  const baseDir = dirname(resolve(options.clusterFile));
  const ca = cluster.offline?.caFile === undefined ? undefined : await readCa(cluster.offline.caFile, baseDir);
  const auth = cluster.offline?.registryAuth;
  let password: string | undefined;
  if (auth) {
    const { resolveSecret } = await import('../model/secrets.js');
    password = resolveSecret(auth.password, baseDir);
  }

  const { collectArtifacts } = await import('../artifacts/collect.js');
  let collected;
  try {
    collected = await collectArtifacts({ hops: options.hops, cluster, clusterBaseDir: baseDir, catalog: options.catalog, cacheDir: options.cacheDir, log: options.log, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const hop = options.contexts[0]!;
    return {
      outcome: {
        check: MIRROR_CHECK, status: 'fail', reason: 'the downloads could not be listed',
        findings: [{
          check: MIRROR_CHECK, severity: 'block', hop: hop.index, what: `kspray could not list the downloads to check: ${(error as Error).message}`, where: 'kspray artifacts',
          why: 'what is not listed cannot be checked on the mirror', fix: (error as { hint?: string }).hint ?? 'run `kspray artifacts` to see why',
        }],
      },
    };
  }
  const { probeMirror } = await import('../mirror/probe.js');
  const files = collected.flatMap(({ artifacts }) => artifacts.files);
  const images = collected.flatMap(({ artifacts }) => artifacts.images.map((image) => image.ref));
  options.log(`preflight: asking the mirror for ${new Set(files.map((f) => f.url)).size} files and ${new Set(images).size} images (${mirrors.join(', ')})`);
  const offline = cluster.offline!;
  const credentialRegistries = new Set([offline.registry, ...Object.values(offline.imageRepos ?? {})].filter((repo): repo is string => repo !== undefined).map(registryOf));
  const probes = await probeMirror({
    files, images, verifyChecksums: options.verifyChecksums,
    credentials: auth && password !== undefined ? { registries: credentialRegistries, auth: { username: auth.username, password } } : undefined,
    insecureRegistries: new Set(cluster.registries?.insecure ?? []),
    ca, limits: options.limits, signal: options.signal,
  });
  const byIndex = new Map(options.contexts.map((context) => [context.index, context]));
  return {
    evaluation: {
      hops: collected.map(({ hop, artifacts }) => ({ context: byIndex.get(hop.index)!, artifacts })),
      probes, mirrors, verifyChecksums: options.verifyChecksums,
    },
  };
}

async function readCa(path: string, baseDir: string): Promise<string> {
  const full = isAbsolute(path) ? path : resolve(baseDir, path);
  try {
    return await readFile(full, 'utf8');
  } catch (error) {
    throw new UsageError(`offline.caFile ${full} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'point offline.caFile at a PEM file of CA certificates (relative paths start at the cluster file)');
  }
}
