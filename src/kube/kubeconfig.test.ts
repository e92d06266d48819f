import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveKubeconfig } from './kubeconfig.js';

const existing = (...paths: string[]) => (path: string) => paths.map((p) => resolve(p)).includes(path);

describe('resolveKubeconfig', () => {
  const base = { clusterFile: '/work/k1/cluster.yaml', clusterName: 'k1', model: 'kube/admin.conf' };

  it('prefers --kubeconfig, then KUBECONFIG, then the model, then the artifacts admin.conf', () => {
    const all = existing('/flag.conf', '/env.conf', '/work/k1/kube/admin.conf', '/work/k1/inventories/k1/artifacts/admin.conf');

    expect(resolveKubeconfig({ ...base, flag: '/flag.conf', env: '/env.conf' }, all)).toMatchObject({ ok: true, value: { kubeconfigPaths: ['/flag.conf'], source: 'flag' } });
    expect(resolveKubeconfig({ ...base, env: '/env.conf' }, all)).toMatchObject({ ok: true, value: { kubeconfigPaths: ['/env.conf'], source: 'env' } });
    expect(resolveKubeconfig(base, all)).toMatchObject({ ok: true, value: { kubeconfigPaths: ['/work/k1/kube/admin.conf'], source: 'model' } });
    expect(resolveKubeconfig({ ...base, model: undefined }, all)).toMatchObject({ ok: true, value: { kubeconfigPaths: ['/work/k1/inventories/k1/artifacts/admin.conf'], source: 'artifacts' } });
  });

  it('finds artifacts/admin.conf beside a cluster file kept in its inventory directory', () => {
    const result = resolveKubeconfig({ clusterFile: '/inv/k1/cluster.yaml', clusterName: 'k1' }, existing('/inv/k1/artifacts/admin.conf'));

    expect(result).toMatchObject({ ok: true, value: { kubeconfigPaths: ['/inv/k1/artifacts/admin.conf'] } });
  });

  it('names only the inventory\'s own artifacts/ when the cluster file sits in inventories/<name>/', () => {
    const none = resolveKubeconfig({ clusterFile: '/repo/inventories/k1/cluster.yaml', clusterName: 'k1' }, existing());

    expect(none).toMatchObject({ ok: false, error: { message: `no kubeconfig: none given and no admin.conf at ${resolve('/repo/inventories/k1/artifacts/admin.conf')}` } });
  });

  it('takes the context from --context over the model, and keeps every existing KUBECONFIG entry', () => {
    const result = resolveKubeconfig({ env: ['/a.conf', '/missing.conf', '/b.conf'].join(':'), flagContext: 'ops', modelContext: 'k1' }, existing('/a.conf', '/b.conf'));

    expect(result).toMatchObject({ ok: true, value: { kubeconfigPaths: ['/a.conf', '/b.conf'], context: 'ops' } });
  });

  it('fails clearly when an explicit kubeconfig is missing or none can be found', () => {
    const missingFlag = resolveKubeconfig({ ...base, flag: '/nope.conf' }, existing());
    const none = resolveKubeconfig({ clusterFile: '/work/k1/cluster.yaml', clusterName: 'k1' }, existing());

    expect(missingFlag).toMatchObject({ ok: false, error: { kind: 'kubeconfig', message: 'kubeconfig /nope.conf (from --kubeconfig) does not exist' } });
    expect(none.ok).toBe(false);
    if (!none.ok) {
      expect(none.error.message).toContain(join('/work/k1', 'inventories', 'k1', 'artifacts', 'admin.conf'));
      expect(none.error.hint).toContain('--kubeconfig');
    }
  });
});
