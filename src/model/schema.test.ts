/**
 * The cluster schema is written with zod/mini (schema.ts says why); these pin
 * what its users see, so a rewrite in either zod form must keep them: the
 * defaults and transforms, and English issue messages even when the chained
 * `zod` entry (which installs them itself) was never loaded.
 */
import { describe, expect, it } from 'vitest';
import { cluster } from './schema.js';

const minimal = { name: 'k1', kubernetes: { version: '1.16.3' }, nodes: [{ name: 'n1', ip: '10.0.0.1', roles: ['control-plane', 'etcd', 'worker'] }] };

describe('cluster schema', () => {
  it('fills the defaults and writes the version with its v', () => {
    const parsed = cluster.parse({ ...minimal, network: { calico: { globalAsNum: 64512, peers: [{ routerId: '10.0.0.254', as: 65000 }] } } });

    expect(parsed.kubernetes.version).toBe('v1.16.3');
    expect(parsed.kubespray).toEqual({ repo: 'https://github.com/kubernetes-sigs/kubespray.git', ansible: 'system', forks: 30 });
    expect(parsed.network.plugin).toBe('calico');
    expect(parsed.network.calico).toEqual({ globalAsNum: '64512', peers: [{ routerId: '10.0.0.254', as: '65000' }] });
  });

  it('reports problems with their path, code and an English message', () => {
    const result = cluster.safeParse({ ...minimal, extra: 1, kubespray: { forks: 0 }, nodes: [{ ...minimal.nodes[0], roles: [] }], kubernetes: { version: '2.0' } });

    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code, message: issue.message }));
    expect(issues).toEqual(expect.arrayContaining([
      { path: '', code: 'unrecognized_keys', message: 'Unrecognized key: "extra"' },
      { path: 'kubernetes.version', code: 'invalid_format', message: 'must be a Kubernetes version like 1.16.3 or v1.16.3' },
      { path: 'kubespray.forks', code: 'too_small', message: 'Too small: expected number to be >=1' },
      { path: 'nodes.0.roles', code: 'too_small', message: 'Too small: expected array to have >=1 items' },
    ]));
  });

  it('parses the same without zod\'s compiled fast path (load.ts parses jitless)', () => {
    expect(cluster.parse(minimal, { jitless: true })).toEqual(cluster.parse(minimal));
  });
});
