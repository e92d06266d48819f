import { describe, expect, it } from 'vitest';
import { kubeadmImages, kubeadmPullOf, loadKubeadmDefaults, parseKubeadmImageConfig } from './kubeadm-images.js';

const V1_17 = `apiVersion: kubeadm.k8s.io/v1beta1
kind: InitConfiguration
nodeRegistration:
  criSocket: /var/run/dockershim.sock
---
apiVersion: kubeadm.k8s.io/v1beta1
kind: ClusterConfiguration
imageRepository: k8s.gcr.io
kubernetesVersion: v1.17.12
useHyperKubeImage: False
etcd:
  external:
      endpoints:
      - https://127.0.0.1:2379
dns:
  type: CoreDNS
  imageRepository: docker.io/coredns
  imageTag: 1.6.5
`;

const LOCAL_ETCD = `kind: ClusterConfiguration
imageRepository: registry.local:5000
kubernetesVersion: v1.33.7
etcd:
  local:
    imageRepository: "quay.io/coreos"
    imageTag: "v3.5.25"
dns:
  imageRepository: registry.k8s.io/coredns
  imageTag: v1.12.0
`;

const refs = (list: { images: Array<{ ref: string }> }) => list.images.map((image) => image.ref);

describe('the tag\'s kubeadm image pull', () => {
  it('reads the lines the download role drops from its own task file', () => {
    expect(kubeadmPullOf(['- name: x\n  shell: "{{ bin_dir }}/kubeadm config images list --config={{ kube_config_dir }}/kubeadm-images.yaml | grep -v coredns"'])).toEqual({ kind: 'list', dropped: ['coredns'] });
    expect(kubeadmPullOf(['other: task', "  shell: \"set -o pipefail && {{ bin_dir }}/kubeadm config images list --config={{ kube_config_dir }}/kubeadm-images.yaml | grep -Ev 'coredns|pause'\""])).toEqual({ kind: 'list', dropped: ['coredns', 'pause'] });
    expect(kubeadmPullOf(['  command: "{{ bin_dir }}/kubeadm config images list --config=x"'])).toEqual({ kind: 'list', dropped: [] });
    expect(kubeadmPullOf(['  command: "{{ bin_dir }}/kubeadm config images pull --config=x"'])).toEqual({ kind: 'list', dropped: [] });
    expect(kubeadmPullOf(['- debug: msg=hello']).kind).toBe('unknown');
  });
});

describe('kubeadm config images list, reproduced', () => {
  const defaults = loadKubeadmDefaults();

  it('lists the control plane at the configured repository and version, kubeadm\'s own pause, and Kubespray\'s coredns', () => {
    const parsed = parseKubeadmImageConfig(V1_17);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.config.etcdLocal).toBeNull();
    expect(refs(kubeadmImages(parsed.config, { kind: 'list', dropped: [] }, defaults))).toEqual([
      'k8s.gcr.io/kube-apiserver:v1.17.12', 'k8s.gcr.io/kube-controller-manager:v1.17.12', 'k8s.gcr.io/kube-scheduler:v1.17.12', 'k8s.gcr.io/kube-proxy:v1.17.12',
      'k8s.gcr.io/pause:3.1', 'docker.io/coredns/coredns:1.6.5',
    ]);
    expect(refs(kubeadmImages(parsed.config, { kind: 'list', dropped: ['coredns'] }, defaults))).not.toContain('docker.io/coredns/coredns:1.6.5');
  });

  it('adds local etcd at the image the configuration names, and drops what the tag greps out', () => {
    const parsed = parseKubeadmImageConfig(LOCAL_ETCD);
    if (!parsed.ok) throw new Error(parsed.problem);
    const listed = kubeadmImages(parsed.config, { kind: 'list', dropped: ['coredns', 'pause'] }, defaults);
    expect(refs(listed)).toEqual([
      'registry.local:5000/kube-apiserver:v1.33.7', 'registry.local:5000/kube-controller-manager:v1.33.7', 'registry.local:5000/kube-scheduler:v1.33.7', 'registry.local:5000/kube-proxy:v1.33.7',
      'quay.io/coreos/etcd:v3.5.25',
    ]);
    // 1.33's pause is not in kspray's data, but the tag drops it: nothing to report.
    expect(listed.problems).toEqual([]);
    expect(listed.images.map((image) => image.name)).toContain('kubeadm_kube-apiserver');
  });

  it('says which default it does not know when the tag keeps that line, never a guess', () => {
    const parsed = parseKubeadmImageConfig(LOCAL_ETCD);
    if (!parsed.ok) throw new Error(parsed.problem);
    const listed = kubeadmImages(parsed.config, { kind: 'list', dropped: [] }, defaults);
    expect(listed.problems).toEqual([expect.stringContaining('kubeadm v1.33.7 pulls its default pause image, whose tag kspray does not know')]);
    expect(refs(listed).some((ref) => ref.includes('/pause:'))).toBe(false);
  });

  it('uses hyperkube when the configuration asks for it', () => {
    const parsed = parseKubeadmImageConfig(V1_17.replace('useHyperKubeImage: False', 'useHyperKubeImage: True'));
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(refs(kubeadmImages(parsed.config, { kind: 'list', dropped: ['coredns'] }, defaults))).toEqual(['k8s.gcr.io/hyperkube:v1.17.12', 'k8s.gcr.io/pause:3.1']);
  });

  it('refuses a configuration that did not template, or names no repository', () => {
    expect(parseKubeadmImageConfig('kind: ClusterConfiguration\nimageRepository: {{ kube_image_repo }}\n')).toMatchObject({ ok: false });
    expect(parseKubeadmImageConfig('kind: ClusterConfiguration\n')).toMatchObject({ ok: false, problem: expect.stringContaining('no imageRepository') });
  });
});
