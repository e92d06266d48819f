/**
 * The control-plane images kubeadm pulls, as a tag's download role asks for
 * them: it templates its kubeadm-images.yaml.j2 (the playbook does that with
 * the hop's settings), runs `kubeadm config images list` on it, and drops
 * the lines its `grep -v` names (coredns from v2.12.0, coredns|pause from
 * v2.15.0: Kubespray pulls its own). kubeadm cannot run here, so its listing
 * is reproduced: kube-apiserver, kube-controller-manager, kube-scheduler and
 * kube-proxy (or hyperkube) at <imageRepository>/<name>:<kubernetesVersion>,
 * pause, etcd when it is local, and the DNS image; what the configuration
 * does not name comes from kubeadm's own defaults (data/kubernetes/
 * kubeadm-images.json), and a default kspray does not know is a problem,
 * never a guess. Pure, apart from loading that data file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { dataDir } from '../util/paths.js';
import type { ImageArtifact } from './types.js';

export interface KubeadmImageConfig {
  imageRepository: string;
  kubernetesVersion: string;
  useHyperKubeImage: boolean;
  /** Local (stacked, kubeadm-managed) etcd and the image it names; null for external etcd. */
  etcdLocal: { imageRepository: string | undefined; imageTag: string | undefined } | null;
  dns: { imageRepository: string | undefined; imageTag: string | undefined };
}

export type KubeadmDefaults = Readonly<Record<string, { pause: string; coredns: string }>>;

/** How the tag's download role gets kubeadm's images: which lines of the listing it drops, or that kspray cannot tell. */
export type KubeadmPull = { kind: 'list'; dropped: string[] } | { kind: 'unknown'; why: string };

/** kubeadm's defaults per minor (data/kubernetes/kubeadm-images.json). */
export function loadKubeadmDefaults(): KubeadmDefaults {
  const document = JSON.parse(readFileSync(join(dataDir, 'kubernetes', 'kubeadm-images.json'), 'utf8')) as { minors: KubeadmDefaults };
  return document.minors;
}

/**
 * What the tag's download role does with kubeadm's image list, from the text
 * of its task files: the one that runs `kubeadm config images list` (v2.11.0+;
 * a `grep -v X` or `grep -Ev 'X|Y'` after it drops lines), or the one that
 * runs `kubeadm config images pull` (v2.10: every image).
 */
export function kubeadmPullOf(taskFiles: readonly string[]): KubeadmPull {
  for (const text of taskFiles) {
    const line = text.split('\n').find((entry) => entry.includes('config images list'));
    if (line === undefined) continue;
    const grep = /grep\s+-E?v\s+(?:'([^']*)'|"([^"]*)"|([^\s"'|]+))/.exec(line);
    if (!grep) return { kind: 'list', dropped: [] };
    const pattern = grep[1] ?? grep[2] ?? grep[3] ?? '';
    return { kind: 'list', dropped: pattern.split('|').filter(Boolean) };
  }
  if (taskFiles.some((text) => text.includes('config images pull'))) return { kind: 'list', dropped: [] };
  return { kind: 'unknown', why: 'no task of its download role runs `kubeadm config images list` or `kubeadm config images pull`' };
}

/** The ClusterConfiguration (MasterConfiguration before kubeadm 1.12) of the templated kubeadm-images.yaml. */
export function parseKubeadmImageConfig(text: string): { ok: true; config: KubeadmImageConfig } | { ok: false; problem: string } {
  if (/\{[{%]/.test(text)) return { ok: false, problem: 'the tag\'s kubeadm-images.yaml.j2 did not template (it reads something only a node knows)' };
  let documents: unknown[];
  try {
    documents = parseAllDocuments(text).map((document) => (Array.isArray(document) ? undefined : document.toJS()));
  } catch (error) {
    return { ok: false, problem: `the tag's kubeadm-images.yaml is not YAML: ${(error as Error).message}` };
  }
  const cluster = documents.find((document): document is Record<string, unknown> => isRecord(document) && /^(Cluster|Master)Configuration$/.test(String(document.kind)));
  if (!cluster) return { ok: false, problem: 'the tag\'s kubeadm-images.yaml has no ClusterConfiguration' };
  const repo = stringOf(cluster.imageRepository);
  const version = stringOf(cluster.kubernetesVersion);
  if (repo === undefined || version === undefined) return { ok: false, problem: 'the tag\'s kubeadm-images.yaml names no imageRepository or kubernetesVersion' };
  const etcd = isRecord(cluster.etcd) ? cluster.etcd : {};
  const local = isRecord(etcd.local) ? etcd.local : undefined;
  const dns = isRecord(cluster.dns) ? cluster.dns : {};
  return {
    ok: true,
    config: {
      imageRepository: repo,
      kubernetesVersion: version,
      useHyperKubeImage: cluster.useHyperKubeImage === true || /^true$/i.test(String(cluster.useHyperKubeImage)),
      etcdLocal: local === undefined ? null : { imageRepository: stringOf(local.imageRepository), imageTag: stringOf(local.imageTag) },
      dns: { imageRepository: stringOf(dns.imageRepository), imageTag: stringOf(dns.imageTag) },
    },
  };
}

const CONTROL_PLANE = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'];

/** `kubeadm config images list` for the configuration, less the lines the tag drops. */
export function kubeadmImages(config: KubeadmImageConfig, pull: Extract<KubeadmPull, { kind: 'list' }>, defaults: KubeadmDefaults): { images: ImageArtifact[]; problems: string[] } {
  const repo = config.imageRepository.replace(/\/+$/, '');
  const tag = config.kubernetesVersion.replace(/\+/g, '_');
  const minor = /^v?(\d+\.\d+)\./.exec(config.kubernetesVersion)?.[1];
  const known = minor === undefined ? undefined : defaults[minor];
  const problems: string[] = [];
  const listed: Array<{ repo: string; tag: string } | { missing: string }> = [
    ...(config.useHyperKubeImage ? ['hyperkube'] : CONTROL_PLANE).map((name) => ({ repo: `${repo}/${name}`, tag })),
    known ? { repo: `${repo}/pause`, tag: known.pause } : { missing: 'pause' },
  ];
  if (config.etcdLocal) {
    const etcdRepo = `${(config.etcdLocal.imageRepository ?? repo).replace(/\/+$/, '')}/etcd`;
    listed.push(config.etcdLocal.imageTag ? { repo: etcdRepo, tag: config.etcdLocal.imageTag } : { missing: 'etcd' });
  }
  const dnsTag = config.dns.imageTag ?? known?.coredns;
  listed.push(dnsTag ? { repo: `${(config.dns.imageRepository ?? repo).replace(/\/+$/, '')}/coredns`, tag: dnsTag } : { missing: 'coredns' });

  const images: ImageArtifact[] = [];
  for (const entry of listed) {
    if ('missing' in entry) {
      // grep drops the line whatever its tag: a default kspray does not know matters only when it is kept.
      if (!pull.dropped.some((word) => entry.missing.includes(word))) {
        problems.push(`kubeadm ${config.kubernetesVersion} pulls its default ${entry.missing} image, whose tag kspray does not know (data/kubernetes/kubeadm-images.json has no ${minor ?? 'such'} minor)`);
      }
      continue;
    }
    const ref = `${entry.repo}:${entry.tag}`;
    if (pull.dropped.some((word) => ref.includes(word))) continue;
    const base = entry.repo.slice(entry.repo.lastIndexOf('/') + 1);
    images.push({ name: `kubeadm_${base}`, ref, repo: entry.repo, tag: entry.tag, digest: null, source: 'kubeadm' });
  }
  return { images, problems };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}
