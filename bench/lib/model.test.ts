/**
 * The benchmark model's hand-written YAML must mean exactly the generated
 * model, and that model must be a valid cluster file: otherwise the render
 * and plan benchmarks would time an error path.
 */
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseCluster } from '../../src/model/load.js';
import { BENCH_SECRET_ENV, clusterYaml, generateClusterModel } from './model.js';

describe('bench model', () => {
  it('writes YAML that reads back as the generated model, the same as yaml.stringify would', () => {
    const options = { nodes: 60, controlPlanes: 5 as const };

    const text = clusterYaml(options);

    expect(parse(text)).toEqual(generateClusterModel(options));
    expect(parse(text)).toEqual(parse(stringify(generateClusterModel(options))));
  });

  it('is a valid cluster file with an odd etcd count, labels, iface, zone and host vars', async () => {
    const result = await parseCluster(clusterYaml({ nodes: 50 }), 'big.yaml', { baseDir: '/nonexistent', checkSecrets: true, env: { ...BENCH_SECRET_ENV } });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const workers = result.cluster.nodes.filter((node) => node.roles.includes('worker'));
    expect(result.cluster.nodes.filter((node) => node.roles.includes('etcd'))).toHaveLength(3);
    expect(workers).toHaveLength(47);
    expect(workers.every((node) => node.iface && node.zone && node.labels && Object.keys(node.vars ?? {}).length === 2)).toBe(true);
  });

  it('fails the secret check without the dummy secrets in the environment (so the benchmark really probes them)', async () => {
    const result = await parseCluster(clusterYaml({ nodes: 5 }), 'big.yaml', { baseDir: '/nonexistent', checkSecrets: true, env: {} });

    expect(result.ok).toBe(false);
  });
});
