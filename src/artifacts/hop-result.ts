/**
 * What playbooks/artifacts.yml printed for one hop, as the files and images
 * the hop downloads: each enabled entry of the tag's `downloads` with `file`
 * set is a file (per node architecture), each with `container` set an image,
 * and kubeadm's control-plane images join them (kubeadm-images.ts). Pure.
 *
 * Ansible templated with undefined variables left in place, so a value that
 * still holds an expression read something only a node knows (an OS fact):
 * an entry whose `enabled` is such is listed as undetermined, never guessed;
 * a file the tag enables but cannot check (no checksum for this version, as
 * kubespray #12095) is a problem, because Kubespray would fail on it.
 */
import { ARTIFACTS_VERSION } from './artifacts-schema.js';
import { kubeadmImages, parseKubeadmImageConfig, type KubeadmDefaults, type KubeadmPull } from './kubeadm-images.js';
import type { FileArtifact, HopArtifacts, ImageArtifact, Undetermined } from './types.js';

/** One architecture as the playbook printed it. */
export interface RawArchitecture {
  downloads: Record<string, Record<string, unknown>>;
  /** Per downloads key, the tag's `<key>_version` variable ('' when it has none). */
  versions: Record<string, unknown>;
  /** The hop's Kubernetes version as the tag read it. */
  kubeVersion: unknown;
  /** The templated kubeadm-images.yaml (first architecture only). */
  kubeadmConfig?: unknown;
}

export interface RawResult {
  architectures: Record<string, RawArchitecture>;
}

export interface HopResultInput {
  tag: string;
  sha: string;
  architectures: readonly string[];
  raw: RawResult;
  kubeadmPull: KubeadmPull;
  kubeadmDefaults: KubeadmDefaults;
}

/** The Kubernetes binaries carry the hop's kube_version when their entry names none (v2.28.0+ entries have no version field). */
const KUBERNETES_BINARIES = new Set(['kubeadm', 'kubelet', 'kubectl', 'hyperkube', 'hyperkube_file']);

const TEMPLATE = /\{[{%]/;

export function hopArtifactsFrom(input: HopResultInput): HopArtifacts {
  const files = new Map<string, FileArtifact>();
  const images = new Map<string, ImageArtifact>();
  const undetermined: Undetermined[] = [];
  const problems: string[] = [];
  let kubeVersion = '';

  for (const arch of input.architectures) {
    const raw = input.raw.architectures[arch];
    if (!raw || !isRecord(raw.downloads)) {
      problems.push(`the tag's downloads did not template for ${arch}`);
      continue;
    }
    kubeVersion ||= String(raw.kubeVersion ?? '');
    for (const [name, entry] of Object.entries(raw.downloads).sort(([a], [b]) => a.localeCompare(b))) {
      if (!isRecord(entry)) continue;
      const enabled = truth(entry.enabled ?? true);
      if (enabled === 'expression') {
        undetermined.push({ name, arch, field: 'enabled', expression: String(entry.enabled) });
        continue;
      }
      if (!enabled) continue;
      if (truth(entry.file ?? false) === true) {
        const file = fileOf(name, arch, entry, raw, kubeVersion, undetermined, problems);
        if (file) files.set(`${file.url} ${file.sha256 ?? ''}`, file);
      }
      if (truth(entry.container ?? false) === true) {
        const image = imageOf(name, arch, entry, undetermined);
        if (image) images.set(image.ref, image);
      }
    }
  }

  const first = input.raw.architectures[input.architectures[0] ?? ''];
  if (input.kubeadmPull.kind === 'unknown') {
    problems.push(`kspray cannot tell which images kubeadm pulls on Kubespray ${input.tag}: ${input.kubeadmPull.why}`);
  } else if (typeof first?.kubeadmConfig !== 'string') {
    problems.push(`Kubespray ${input.tag} has no kubeadm-images.yaml.j2 to list kubeadm's images with`);
  } else {
    const parsed = parseKubeadmImageConfig(first.kubeadmConfig);
    if (!parsed.ok) {
      problems.push(parsed.problem);
    } else {
      const listed = kubeadmImages(parsed.config, input.kubeadmPull, input.kubeadmDefaults);
      problems.push(...listed.problems);
      for (const image of listed.images) if (!images.has(image.ref)) images.set(image.ref, image);
    }
  }

  return {
    artifactsVersion: ARTIFACTS_VERSION,
    tag: input.tag,
    sha: input.sha,
    kubeVersion,
    architectures: [...input.architectures],
    files: [...files.values()].sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch) || a.url.localeCompare(b.url)),
    images: [...images.values()].sort((a, b) => a.ref.localeCompare(b.ref)),
    undetermined: collapseArchitectures(undetermined, input.architectures),
    problems: [...new Set(problems)],
  };
}

function fileOf(name: string, arch: string, entry: Record<string, unknown>, raw: RawArchitecture, kubeVersion: string, undetermined: Undetermined[], problems: string[]): FileArtifact | undefined {
  const url = stringOf(entry.url);
  if (url === undefined) {
    problems.push(`${name} (${arch}): the tag enables it but forms no URL`);
    return undefined;
  }
  if (TEMPLATE.test(url)) {
    undetermined.push({ name, arch, field: 'url', expression: url });
    return undefined;
  }
  const version = versionOf(name, entry, raw, kubeVersion);
  const checksum = stringOf(entry.sha256 ?? entry.checksum);
  let sha256: string | null = null;
  if (checksum !== undefined && TEMPLATE.test(checksum)) {
    problems.push(`${name}${version ? ` ${version}` : ''} (${arch}): Kubespray has no checksum for it (${checksum.trim()} is undefined): its download would fail`);
  } else if (checksum !== undefined) {
    const hex = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(checksum.trim());
    if (hex) sha256 = hex[1]!.toLowerCase();
    else problems.push(`${name} (${arch}): its checksum is not a sha256 (${checksum.trim().slice(0, 40)})`);
  }
  return { name, version, arch, url, sha256 };
}

function versionOf(name: string, entry: Record<string, unknown>, raw: RawArchitecture, kubeVersion: string): string | null {
  const own = stringOf(entry.version) ?? stringOf(raw.versions?.[name]);
  if (own !== undefined && !TEMPLATE.test(own)) return own;
  return KUBERNETES_BINARIES.has(name) && kubeVersion !== '' ? kubeVersion : null;
}

function imageOf(name: string, arch: string, entry: Record<string, unknown>, undetermined: Undetermined[]): ImageArtifact | undefined {
  const repo = stringOf(entry.repo);
  const tag = stringOf(entry.tag) ?? 'latest';
  if (repo === undefined) return undefined;
  for (const [field, value] of [['repo', repo], ['tag', tag]] as const) {
    if (TEMPLATE.test(value)) {
      undetermined.push({ name, arch, field, expression: value });
      return undefined;
    }
  }
  // Kubespray pulls by digest when the entry carries one (its *_digest_checksum): repo@sha256:…
  const digestHex = /^(?:sha256:)?([0-9a-f]{64})$/.exec(stringOf(entry.sha256 ?? entry.checksum)?.trim() ?? '');
  const digest = digestHex ? `sha256:${digestHex[1]}` : null;
  return { name, ref: digest ? `${repo}@${digest}` : `${repo}:${tag}`, repo, tag, digest, source: 'download' };
}

/** The same undetermined entry on every architecture is one entry without an architecture. */
function collapseArchitectures(list: readonly Undetermined[], architectures: readonly string[]): Undetermined[] {
  const byKey = new Map<string, Undetermined[]>();
  for (const entry of list) {
    const key = `${entry.name}\u0000${entry.field}\u0000${entry.expression}`;
    byKey.set(key, [...(byKey.get(key) ?? []), entry]);
  }
  return [...byKey.values()].flatMap((entries) => (entries.length === architectures.length && architectures.length > 1 ? [{ ...entries[0]!, arch: null }] : entries));
}

/** Ansible's truth of a templated value; 'expression' when it stayed a template. */
function truth(value: unknown): boolean | 'expression' {
  if (typeof value === 'boolean') return value;
  if (value === null || value === undefined) return false;
  if (typeof value === 'number') return value !== 0;
  const text = String(value).trim();
  if (TEMPLATE.test(text)) return 'expression';
  return /^(?:true|yes|on|1)$/i.test(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  return text === '' || text === 'None' ? undefined : text;
}
