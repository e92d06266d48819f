import { describe, expect, it } from 'vitest';
import { hopArtifactsFrom, type RawArchitecture } from './hop-result.js';
import { loadKubeadmDefaults } from './kubeadm-images.js';

const HEX = (c: string) => c.repeat(64);

function arch(name: string, overrides: Record<string, Record<string, unknown>> = {}): RawArchitecture {
  return {
    kubeVersion: '1.33.7',
    versions: { cni: '1.8.0', kubeadm: '' },
    downloads: {
      kubeadm: { enabled: true, file: true, url: `https://dl.k8s.io/release/v1.33.7/bin/linux/${name}/kubeadm`, checksum: `sha256:${HEX(name === 'amd64' ? 'a' : 'b')}` },
      cni: { enabled: 'True', file: true, url: `https://github.com/x/cni-${name}.tgz`, sha256: HEX('c') },
      crictl: { enabled: 'False', file: true, url: 'https://example/crictl' },
      calico_node: { enabled: true, container: true, repo: 'quay.io/calico/node', tag: 'v3.30.5', checksum: '' },
      pinned: { enabled: true, container: true, repo: 'quay.io/x/pinned', tag: 'v1', sha256: HEX('d') },
      install_socat: { enabled: "{{ ansible_os_family in ['Flatcar'] }}", container: true, repo: 'docker.io/x/socat', tag: 'latest' },
      ...overrides,
    },
    ...(name === 'amd64' ? { kubeadmConfig: 'kind: ClusterConfiguration\nimageRepository: registry.k8s.io\nkubernetesVersion: v1.33.7\netcd:\n  external: {}\ndns:\n  imageRepository: registry.k8s.io/coredns\n  imageTag: v1.12.0\n' } : {}),
  };
}

function artifacts(architectures: string[], raw: Record<string, RawArchitecture>) {
  return hopArtifactsFrom({ tag: 'v2.29.1', sha: 'f'.repeat(40), architectures, raw: { architectures: raw }, kubeadmPull: { kind: 'list', dropped: ['coredns', 'pause'] }, kubeadmDefaults: loadKubeadmDefaults() });
}

describe('a hop\'s downloads from what the playbook printed', () => {
  it('lists enabled files per architecture, with their checksum and version, and the images once', () => {
    const result = artifacts(['amd64', 'arm64'], { amd64: arch('amd64'), arm64: arch('arm64') });
    expect(result.files.map((f) => `${f.name} ${f.version} ${f.arch} ${f.sha256?.slice(0, 2)}`)).toEqual([
      'cni 1.8.0 amd64 cc', 'cni 1.8.0 arm64 cc', 'kubeadm 1.33.7 amd64 aa', 'kubeadm 1.33.7 arm64 bb',
    ]);
    expect(result.images.map((i) => `${i.ref} ${i.source}`)).toEqual([
      'quay.io/calico/node:v3.30.5 download',
      `quay.io/x/pinned@sha256:${HEX('d')} download`,
      'registry.k8s.io/kube-apiserver:v1.33.7 kubeadm', 'registry.k8s.io/kube-controller-manager:v1.33.7 kubeadm',
      'registry.k8s.io/kube-proxy:v1.33.7 kubeadm', 'registry.k8s.io/kube-scheduler:v1.33.7 kubeadm',
    ]);
    expect(result.images.find((i) => i.name === 'pinned')?.digest).toBe(`sha256:${HEX('d')}`);
    expect(result.kubeVersion).toBe('1.33.7');
    expect(result.problems).toEqual([]);
  });

  it('lists an entry whose switch reads a node fact as undetermined (once for every architecture), never as needed or not', () => {
    const result = artifacts(['amd64', 'arm64'], { amd64: arch('amd64'), arm64: arch('arm64') });
    expect(result.undetermined).toEqual([{ name: 'install_socat', arch: null, field: 'enabled', expression: "{{ ansible_os_family in ['Flatcar'] }}" }]);
    expect(result.images.some((i) => i.name === 'install_socat')).toBe(false);
  });

  it('reports a file Kubespray has no checksum for (its download would fail), as kubespray #12095 found', () => {
    const result = artifacts(['amd64'], { amd64: arch('amd64', { kubelet: { enabled: true, file: true, url: 'https://dl.k8s.io/kubelet', checksum: '{{ kubelet_checksums[image_arch][kube_version] }}' } }) });
    expect(result.problems).toEqual(['kubelet 1.33.7 (amd64): Kubespray has no checksum for it ({{ kubelet_checksums[image_arch][kube_version] }} is undefined): its download would fail']);
    expect(result.files.find((f) => f.name === 'kubelet')?.sha256).toBeNull();
  });

  it('says when an architecture did not template, and when kubeadm\'s images cannot be told', () => {
    const result = hopArtifactsFrom({ tag: 'v2.10.0', sha: 'f'.repeat(40), architectures: ['amd64', 'arm64'], raw: { architectures: { amd64: arch('amd64') } }, kubeadmPull: { kind: 'unknown', why: 'it has neither' }, kubeadmDefaults: {} });
    expect(result.problems).toEqual(['the tag\'s downloads did not template for arm64', 'kspray cannot tell which images kubeadm pulls on Kubespray v2.10.0: it has neither']);
  });
});
