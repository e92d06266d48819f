/**
 * The air-gapped mirrors of the cluster file (offline.*) as each tag reads
 * them, through the variable table: the registry into every image repository
 * the tag reads, a repository of its own winning over it, the files mirror
 * into the base URLs of v2.25.0+, and refusals that say what to do instead.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { cluster as clusterSchema, type ClusterInput } from '../model/schema.js';
import { parseInventoryList } from '../ansible/inventory.js';
import { importCluster } from '../model/import.js';
import { unreadOnTags } from './check.js';
import { mapTypedVars } from './render.js';

const base: ClusterInput = {
  name: 'air',
  kubernetes: { version: '1.16.3' },
  nodes: [{ name: 'm1', ip: '10.0.0.1', roles: ['control-plane', 'etcd', 'worker'] }],
};
const parse = (offline: Record<string, unknown>) => z.parse(clusterSchema, { ...base, offline });
const written = (offline: Record<string, unknown>, tag: string) => Object.fromEntries(mapTypedVars(parse(offline), tag, 'v1.17.12').filter((v) => v.source.startsWith('offline.')).map((v) => [v.name, v.value]));
const verified = { tableVerified: true };

describe('offline settings per tag', () => {
  it('points every image repository the tag reads at the registry, and a repository of its own wins', () => {
    expect(written({ registry: 'registry.local:5000' }, 'v2.13.4')).toEqual({
      kube_image_repo: 'registry.local:5000', gcr_image_repo: 'registry.local:5000', docker_image_repo: 'registry.local:5000', quay_image_repo: 'registry.local:5000',
    });
    expect(written({ registry: 'registry.local:5000', imageRepos: { kube: 'registry.local:5000/k8s', github: 'ghcr.local' } }, 'v2.29.1')).toEqual({
      kube_image_repo: 'registry.local:5000/k8s', github_image_repo: 'ghcr.local',
      gcr_image_repo: 'registry.local:5000', docker_image_repo: 'registry.local:5000', quay_image_repo: 'registry.local:5000',
    });
  });

  it('reads the registry on v2.10 as far as the tag goes (kube_image_repo), without refusing it', () => {
    expect(written({ registry: 'registry.local:5000' }, 'v2.10.4')).toEqual({ kube_image_repo: 'registry.local:5000' });
    expect(unreadOnTags(parse({ registry: 'registry.local:5000' }), ['v2.10.4', 'v2.16.0'], verified)).toEqual([]);
  });

  it('writes the files mirror as the base URLs of v2.25.0+, in Kubespray\'s offline layout', () => {
    expect(written({ files: 'https://files.local/ks/' }, 'v2.27.1')).toEqual({
      github_url: 'https://files.local/ks/github.com', dl_k8s_io_url: 'https://files.local/ks/dl.k8s.io',
      storage_googleapis_url: 'https://files.local/ks/storage.googleapis.com', get_helm_url: 'https://files.local/ks/get.helm.sh',
    });
  });

  it('refuses the files mirror before v2.25.0 and a repository the tag does not read yet, saying what to do', () => {
    const files = unreadOnTags(parse({ files: 'https://files.local' }), ['v2.24.3', 'v2.25.0'], verified);
    expect(files.map((u) => `${u.tag} ${u.name}`)).toEqual(['v2.24.3 github_url', 'v2.24.3 dl_k8s_io_url', 'v2.24.3 storage_googleapis_url', 'v2.24.3 get_helm_url']);
    expect(files[0]?.instead).toContain('--allow-unread offline.files');
    const github = unreadOnTags(parse({ imageRepos: { github: 'ghcr.local' } }), ['v2.16.0'], verified);
    expect(github).toMatchObject([{ setting: 'offline.imageRepos.github', name: 'github_image_repo' }]);
    expect(unreadOnTags(parse({ registryAuth: { username: 'u', password: { fromEnv: 'P' } }, caFile: 'ca.pem' }), ['v2.10.0'], verified)).toEqual([]);
  });

  it('takes only data: no scheme in a registry, no template or query in a files URL', () => {
    for (const offline of [{ registry: 'https://registry.local' }, { registry: '{{ registry_host }}' }, { files: 'http://files/{{ x }}' }, { files: 'ftp://files' }, { files: 'https://f?x=1' }]) {
      expect(z.safeParse(clusterSchema, { ...base, offline }).success, JSON.stringify(offline)).toBe(false);
    }
  });

  it('imports the registry repositories and a files mirror from an inventory\'s variables', () => {
    const imported = importCluster({
      inventory: parseInventoryList({
        _meta: { hostvars: { m1: { ip: '10.0.0.1' } } },
        all: { children: ['kube_control_plane', 'etcd', 'kube_node'] },
        kube_control_plane: { hosts: ['m1'] }, etcd: { hosts: ['m1'] }, kube_node: { hosts: ['m1'] },
      }),
      extraVars: { kube_image_repo: 'registry.local:5000', github_url: 'https://files.local/github.com', dl_k8s_io_url: 'https://files.local/dl.k8s.io' },
      name: 'air', kubeVersion: '1.29.5',
    });
    expect(imported.cluster.offline).toEqual({ imageRepos: { kube: 'registry.local:5000' }, files: 'https://files.local' });
  });
});
