/**
 * The artifacts of real hops, templated with real Ansible from the REAL
 * Kubespray tags (the bundle's extracted trees, test/helpers/real-kubespray),
 * against what those tags' own files say, read as text without Ansible
 * (test/helpers/real-tag-values.ts):
 *
 * - k1 1.16 → 1.18 behind a registry mirror (v2.13.4, v2.14.2: docker, etcd
 *   in docker, checksums as per-file dicts in the download role);
 * - k1 on containerd with kubeadm-managed etcd and one arm64 worker,
 *   behind a registry and a files mirror, 1.30 → 1.33 (v2.27.1, v2.28.1,
 *   v2.29.1: checksums in kubespray_defaults, versions chosen per Kubernetes
 *   minor, bare kube_version from v2.28.0).
 *
 * kubeadm, kubelet and kubectl of each hop and architecture carry exactly the
 * version and sha256 the tag's checksum dicts give for the hop's Kubernetes
 * version; the calico, coredns, etcd and pause images carry the tag's
 * versions. `npm run sweep` templates every one of the 60 tags.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectArtifacts, type CollectedHop } from '../src/artifacts/collect.js';
import type { PlanHop } from '../src/plan/types.js';
import { bundledCatalog } from '../src/catalog/snapshot.js';
import type { Cluster } from '../src/model/schema.js';
import { planUpgrade } from '../src/plan/plan.js';
import { parseVersionSpec } from '../src/plan/version-pair.js';
import { k1Variant, withoutUnread } from './helpers/k1-variants.js';
import { realTree } from './helpers/real-kubespray.js';
import { realTagValues } from './helpers/real-tag-values.js';

const catalog = bundledCatalog();

interface Case {
  title: string;
  cluster: () => Promise<Cluster>;
  to: string;
  tags: string[];
  architectures: string[];
  etcd: 'image' | 'kubeadm';
  /** The mirrors the cluster declares: every image (and, from v2.25.0, every file) must come from them. */
  mirrors: { registry: string; files?: string };
}

const CASES: Case[] = [
  {
    title: 'k1 1.16 → 1.18 behind a registry mirror',
    cluster: async () => ({ ...(await k1Variant('k1')), offline: { registry: 'registry.local:5000' } }),
    to: '1.18', tags: ['v2.13.4', 'v2.14.2'], architectures: ['amd64'], etcd: 'image', mirrors: { registry: 'registry.local:5000' },
  },
  {
    title: 'k1 on containerd, kubeadm-managed etcd, an arm64 worker, 1.30 → 1.33',
    cluster: async () => {
      const cluster = await k1Variant('k1+containerd');
      cluster.kubernetes.version = 'v1.30.4';
      cluster.kubespray.tag = 'v2.26.1';
      cluster.etcd = { deploymentType: 'kubeadm' };
      cluster.nodes.at(-1)!.arch = 'arm64';
      cluster.offline = { registry: 'registry.local:5000', files: 'https://files.local/ks' };
      return cluster;
    },
    to: '1.33', tags: ['v2.27.1', 'v2.28.1', 'v2.29.1'], architectures: ['amd64', 'arm64'], etcd: 'kubeadm',
    mirrors: { registry: 'registry.local:5000', files: 'https://files.local/ks' },
  },
];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kspray-real-artifacts-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const bare = (version: string) => version.replace(/^v/, '');

describe.each(CASES)('$title', (testCase) => {
  let collected: Array<CollectedHop<PlanHop>>;

  beforeAll(async () => {
    let cluster = await testCase.cluster();
    const plan = planUpgrade({ cluster, clusterFile: join(work, 'cluster.yaml'), catalog, to: parseVersionSpec(testCase.to), stateDir: join(work, '.kspray'), cacheDir: join(work, 'cache'), ksprayVersion: 'test' });
    expect(plan.hops.map((hop) => hop.tag)).toEqual(testCase.tags);
    // What an operator left with kspray's refusal would drop (the rbd provisioner from v2.28.0, /etc/hosts from v2.29.0).
    for (const hop of plan.hops) cluster = withoutUnread(cluster, hop.tag).cluster;
    collected = await collectArtifacts({ hops: plan.hops, cluster, clusterBaseDir: work, catalog, cacheDir: join(work, 'cache'), kubesprayDir: (hop) => realTree(hop.tag) });
  }, 120_000);

  it('lists kubeadm, kubelet and kubectl of every hop and architecture with the tag\'s own version and sha256', async () => {
    for (const { hop, artifacts } of collected) {
      const values = await realTagValues(await realTree(hop.tag));
      expect(artifacts.kubeVersion, hop.tag).toBe(hop.kubeVersion);
      for (const name of ['kubeadm', 'kubelet', 'kubectl']) {
        for (const arch of testCase.architectures) {
          const entries = artifacts.files.filter((file) => file.name === name && file.arch === arch);
          expect(entries, `${hop.tag} ${name} ${arch}`).toHaveLength(1);
          const [file] = entries;
          expect(file!.version, `${hop.tag} ${name} ${arch}`).toBe(hop.kubeVersion);
          expect(file!.sha256, `${hop.tag} ${name} ${arch}`).toBe(values.checksum(name, arch, hop.kubeVersion));
          expect(file!.url).toContain(`/${hop.kubeVersion.startsWith('v') ? hop.kubeVersion : `v${hop.kubeVersion}`}/bin/linux/${arch}/${name}`);
        }
      }
    }
  });

  it('lists the calico, coredns, etcd and pause images at the tag\'s own versions', async () => {
    for (const { hop, artifacts } of collected) {
      const values = await realTagValues(await realTree(hop.tag));
      const tagOf = (name: string) => {
        const image = artifacts.images.find((entry) => entry.name === name);
        expect(image, `${hop.tag}: ${name} in ${artifacts.images.map((i) => i.name).join(', ')}`).toBeDefined();
        return image!.tag;
      };
      expect(bare(tagOf('calico_node')), hop.tag).toBe(bare(values.resolve('calico_version', hop.kubeVersion)));
      expect(bare(tagOf('coredns')), hop.tag).toBe(bare(values.resolve('coredns_version', hop.kubeVersion)));
      expect(String(tagOf('pod_infra')), hop.tag).toBe(values.resolve('pod_infra_version', hop.kubeVersion));
      expect(bare(tagOf('etcd')), hop.tag).toBe(bare(values.resolve('etcd_version', hop.kubeVersion)));
      // kube-apiserver & co. at the hop's version, as kubeadm pulls them.
      expect(artifacts.images.filter((image) => image.source === 'kubeadm').map((image) => image.tag)).toEqual(expect.arrayContaining([`v${bare(hop.kubeVersion)}`]));
      expect(artifacts.problems, hop.tag).toEqual([]);
    }
  });

  it.runIf(testCase.etcd === 'kubeadm')('lists the etcd image kubeadm runs as the one the tag downloads (one entry, not a second copy)', () => {
    for (const { artifacts } of collected) {
      expect(artifacts.images.filter((image) => image.repo.endsWith('/etcd'))).toHaveLength(1);
      expect(artifacts.files.some((file) => file.name === 'etcd')).toBe(false);
    }
  });

  it('takes every image from the registry mirror, and every file from the files mirror where the tag reads one (the offline settings rendered per tag)', () => {
    for (const { hop, artifacts } of collected) {
      expect(artifacts.images.filter((image) => !image.ref.startsWith(`${testCase.mirrors.registry}/`)).map((image) => image.ref), hop.tag).toEqual([]);
      const files = testCase.mirrors.files;
      if (files) expect(artifacts.files.filter((file) => !file.url.startsWith(`${files}/`)).map((file) => file.url), hop.tag).toEqual([]);
      else expect(artifacts.files.every((file) => file.url.startsWith('https://')), hop.tag).toBe(true);
    }
  });

  it('lists a file only for an architecture a node has, and each image once', () => {
    for (const { artifacts } of collected) {
      expect([...new Set(artifacts.files.map((file) => file.arch))].sort()).toEqual(testCase.architectures);
      expect(new Set(artifacts.images.map((image) => image.ref)).size).toBe(artifacts.images.length);
    }
  });

  it('reads the cache the second time: the same lists, without Ansible', async () => {
    let cluster = await testCase.cluster();
    const plan = planUpgrade({ cluster, clusterFile: join(work, 'cluster.yaml'), catalog, to: parseVersionSpec(testCase.to), stateDir: join(work, '.kspray'), cacheDir: join(work, 'cache'), ksprayVersion: 'test' });
    for (const hop of plan.hops) cluster = withoutUnread(cluster, hop.tag).cluster;
    const again = await collectArtifacts({
      hops: plan.hops, cluster, clusterBaseDir: work, catalog, cacheDir: join(work, 'cache'),
      kubesprayDir: () => Promise.reject(new Error('the cache should have answered')),
    });
    expect(again.every((entry) => entry.cached)).toBe(true);
    expect(again.map((entry) => entry.artifacts)).toEqual(collected.map((entry) => entry.artifacts));
  });
});
