/**
 * The artifacts' one contract: what a hop downloads (HopArtifacts, also what
 * the cache keeps per tag and settings) and the document `kspray artifacts
 * --json` prints (the union over the plan), with its published JSON Schema
 * (schema/artifacts.schema.json). Types are inferred from here (types.ts).
 *
 * Classic zod, as the plan's schema: only `artifacts`, `plan --artifacts`
 * and the mirror preflight load it, never a plain `kspray plan`.
 */
import { z } from 'zod';
import { RUN_VARS } from '../vars/table.js';

/** Bumped when what a cached hop holds changes shape or meaning (the cache keys on it). */
export const ARTIFACTS_VERSION = 1;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits');
const hopIndex = z.number().int().positive();

export const FileArtifactSchema = z.strictObject({
  name: z.string().describe('The key of the tag\'s downloads entry (kubeadm, kubelet, cni, calicoctl, …)'),
  version: z.string().nullable().describe('The version the tag downloads; null when the tag names none'),
  arch: z.string().describe('The node architecture this copy is for (amd64, arm64, …)'),
  url: z.string().describe('The URL as the tag forms it with the cluster\'s settings (a files mirror included)'),
  sha256: sha256Hex.nullable().describe('The checksum the tag verifies the file with; null when the tag checks none'),
});

export const ImageArtifactSchema = z.strictObject({
  name: z.string().describe('The downloads entry (calico_node, coredns, …) or, for the images kubeadm pulls, kubeadm_<component>'),
  ref: z.string().describe('What the node pulls: repository:tag, or repository@sha256:digest when the tag pins a digest'),
  repo: z.string(),
  tag: z.string(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/).nullable().describe('The digest the tag pulls by (its *_digest_checksum), or null: pulled by tag'),
  source: z.enum(['download', 'kubeadm']).describe('download: an entry of the tag\'s downloads; kubeadm: what `kubeadm config images list` gives for the tag\'s kubeadm-images configuration, less what the tag\'s download role filters out'),
});

/** Something the tag's files could not tell for this cluster: listed, never guessed. */
export const UndeterminedSchema = z.strictObject({
  name: z.string(),
  arch: z.string().nullable(),
  field: z.string().describe('The entry\'s field that stayed an expression (enabled, url, sha256, repo, tag)'),
  expression: z.string().describe('The tag\'s expression as it stayed: it reads something only a node knows (an OS fact)'),
});

export const HopArtifactsSchema = z.strictObject({
  artifactsVersion: z.literal(ARTIFACTS_VERSION),
  tag: z.string(),
  sha: z.string(),
  kubeVersion: z.string().describe(`${RUN_VARS.kubeVersion} as the tag read it`),
  architectures: z.array(z.string()).min(1),
  files: z.array(FileArtifactSchema),
  images: z.array(ImageArtifactSchema),
  undetermined: z.array(UndeterminedSchema),
  problems: z.array(z.string()).describe('What kspray could not list (a missing checksum for this Kubernetes version, an image kubeadm picks that kspray does not know)'),
});

const firstHop = hopIndex.describe('The first hop (of those listed) that needs it: mirror it before that hop');
const hops = z.array(hopIndex).min(1).describe('Every hop (of those listed) that needs it');

export const ArtifactsDocumentSchema = z.strictObject({
  artifactsVersion: z.literal(ARTIFACTS_VERSION),
  cluster: z.strictObject({ name: z.string(), file: z.string() }),
  from: z.strictObject({ version: z.string(), tag: z.string().nullable() }),
  to: z.strictObject({ version: z.string() }),
  architectures: z.array(z.string()).min(1).describe('The node architectures listed (the cluster file\'s nodes[].arch, default amd64)'),
  hops: z.array(z.strictObject({
    index: hopIndex,
    tag: z.string(),
    sha: z.string(),
    fromVersion: z.string(),
    toVersion: z.string(),
    kubeVersion: z.string(),
    files: z.number().int().nonnegative().describe('How many files this hop downloads'),
    images: z.number().int().nonnegative().describe('How many images this hop pulls'),
    cached: z.boolean().describe('Read from kspray\'s cache (templated before with the same tag and settings)'),
    undetermined: z.array(UndeterminedSchema),
    problems: z.array(z.string()),
  })).min(1),
  files: z.array(FileArtifactSchema.extend({ firstHop, hops })).describe('The union over the hops, one entry per URL and checksum'),
  images: z.array(ImageArtifactSchema.extend({ firstHop, hops })).describe('The union over the hops, one entry per image reference'),
}).describe('kspray artifacts: every file and image the hops of an upgrade plan download');

/** The artifacts document's JSON Schema (draft 2020-12). */
export function artifactsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ArtifactsDocumentSchema) as Record<string, unknown>;
}
