/**
 * What a hop downloads depends only on the tag (and its commit), the hop's
 * settings as the tag reads them (the rendered extra-vars, kube_version
 * included), the node architectures and kspray's own playbook and data: a
 * fingerprint of those keys the cache, so a plan templated once is listed
 * again without Ansible (bench/artifacts.ts).
 *
 *   <cacheDir>/artifacts/<tag>/<fingerprint>.json     one HopArtifacts each
 *
 * A file that does not parse as one (damaged, or from another kspray) is a
 * miss, never an error: the cache is kspray's, not the operator's.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { dataDir, playbooksDir } from '../util/paths.js';
import { ARTIFACTS_VERSION, HopArtifactsSchema } from './artifacts-schema.js';
import type { HopArtifacts } from './types.js';

export interface FingerprintInput {
  tag: string;
  sha: string;
  architectures: readonly string[];
  /** The hop's extra-vars text (settings under the tag's names, kube_version included). */
  extraVars: string;
}

let ownFiles: string | undefined;

/** kspray's own part of the key: the playbook that templates and the kubeadm defaults that complete it. */
function ownFilesDigest(): string {
  ownFiles ??= createHash('sha256')
    .update(readFileSync(join(playbooksDir, 'artifacts.yml')))
    .update(readFileSync(join(playbooksDir, 'artifacts-arch.yml')))
    .update(readFileSync(join(dataDir, 'kubernetes', 'kubeadm-images.json')))
    .digest('hex');
  return ownFiles;
}

export function artifactsFingerprint(input: FingerprintInput): string {
  return createHash('sha256')
    .update(JSON.stringify({ version: ARTIFACTS_VERSION, tag: input.tag, sha: input.sha, architectures: [...input.architectures].sort(), extraVars: input.extraVars, own: ownFilesDigest() }))
    .digest('hex')
    .slice(0, 32);
}

export function artifactsCachePath(cacheDir: string, tag: string, fingerprint: string): string {
  return join(cacheDir, 'artifacts', tag, `${fingerprint}.json`);
}

export async function readCachedArtifacts(path: string): Promise<HopArtifacts | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = HopArtifactsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCachedArtifacts(path: string, artifacts: HopArtifacts): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(artifacts)}\n`);
}
