/**
 * The artifacts of a plan: the union of its hops' files and images, one
 * entry per URL and checksum (a file) or per reference (an image), each with
 * the first hop that needs it and every hop that does, so an operator
 * mirrors the whole chain once. The document `kspray artifacts --json`
 * prints (artifacts-schema.ts). Pure.
 */
import { ARTIFACTS_VERSION } from './artifacts-schema.js';
import type { CollectedHop } from './collect.js';
import type { ArtifactsDocument, FileArtifact, ImageArtifact } from './types.js';

export interface ArtifactsDocumentInput {
  cluster: { name: string; file: string };
  from: { version: string; tag: string | null };
  to: { version: string };
  architectures: readonly string[];
  hops: readonly CollectedHop[];
}

type Listed<T> = T & { firstHop: number; hops: number[] };

export function artifactsDocument(input: ArtifactsDocumentInput): ArtifactsDocument {
  const files = new Map<string, Listed<FileArtifact>>();
  const images = new Map<string, Listed<ImageArtifact>>();
  const ordered = [...input.hops].sort((a, b) => a.hop.index - b.hop.index);
  for (const { hop, artifacts } of ordered) {
    for (const file of artifacts.files) add(files, `${file.url}\u0000${file.sha256 ?? ''}`, file, hop.index);
    for (const image of artifacts.images) add(images, image.ref, image, hop.index);
  }
  return {
    artifactsVersion: ARTIFACTS_VERSION,
    cluster: input.cluster,
    from: input.from,
    to: input.to,
    architectures: [...input.architectures],
    hops: ordered.map(({ hop, artifacts, cached }) => ({
      index: hop.index, tag: hop.tag, sha: hop.sha, fromVersion: hop.fromVersion, toVersion: hop.toVersion, kubeVersion: artifacts.kubeVersion,
      files: artifacts.files.length, images: artifacts.images.length, cached,
      undetermined: artifacts.undetermined, problems: artifacts.problems,
    })),
    files: [...files.values()],
    images: [...images.values()],
  };
}

function add<T>(into: Map<string, Listed<T>>, key: string, entry: T, hop: number): void {
  const known = into.get(key);
  if (known) {
    if (!known.hops.includes(hop)) known.hops.push(hop);
    return;
  }
  into.set(key, { ...entry, firstHop: hop, hops: [hop] });
}

/** One `URL sha256` per line (the URL alone when the tag checks no checksum), in first-hop order: what `wget -i`, a sha256 check or a mirror script reads. */
export function filesList(document: Pick<ArtifactsDocument, 'files'>): string {
  return document.files.map((file) => (file.sha256 ? `${file.url} ${file.sha256}` : file.url)).join('\n');
}

/** One image reference per line, in first-hop order: what `skopeo sync`, `crane copy` or a registry mirror script reads. */
export function imagesList(document: Pick<ArtifactsDocument, 'images'>): string {
  return document.images.map((image) => image.ref).join('\n');
}
