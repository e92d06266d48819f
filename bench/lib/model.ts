/**
 * Generated cluster models for the benchmarks: k1's network and addons, and
 * as many nodes as asked (3 or 5 stacked control-plane/etcd nodes, the rest
 * workers) with labels, iface, zone and a few host vars each. Deterministic:
 * the same options give the same bytes, so figures are comparable run to run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ClusterInput } from '../../src/model/schema.js';

/** Dummy values for the generated model's secret references (passed as env; never real keys). */
export const BENCH_SECRET_ENV: Readonly<Record<string, string>> = {
  BENCH_RBD_ADMIN_SECRET: 'AQBbenchAdminKeyNotReal==',
  BENCH_RBD_USER_SECRET: 'AQBbenchUserKeyNotReal==',
};

export interface ModelOptions {
  nodes: number;
  /** Stacked control-plane + etcd members: 3 or 5. */
  controlPlanes?: 3 | 5;
  name?: string;
  kubeVersion?: string;
  kubesprayTag?: string;
  /** Reference the rbd secrets (from BENCH_SECRET_ENV); default true. */
  secrets?: boolean;
}

/** 10.<a>.<b>.<c> from a node index: unique for up to 16 million nodes. */
function addressOf(index: number): string {
  const n = index + 1;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export function generateClusterModel(options: ModelOptions): ClusterInput {
  const controlPlanes = options.controlPlanes ?? 3;
  const name = options.name ?? 'big';
  const zones = ['zone-a', 'zone-b', 'zone-c'];
  const nodes: ClusterInput['nodes'] = [];
  for (let i = 0; i < options.nodes; i++) {
    const zone = zones[i % zones.length]!;
    if (i < controlPlanes) {
      nodes.push({ name: `${name}-master${String(i + 1).padStart(2, '0')}`, ansibleHost: `${name}-master${String(i + 1).padStart(2, '0')}.example.net`, ip: addressOf(i), iface: 'eno49', roles: ['control-plane', 'etcd'], zone });
      continue;
    }
    const w = i - controlPlanes + 1;
    const rack = `r${String(Math.floor(w / 40)).padStart(3, '0')}`;
    nodes.push({
      name: `${name}-node${String(w).padStart(5, '0')}`,
      ip: addressOf(i),
      iface: w % 2 === 0 ? 'ens2f0' : 'eno49',
      roles: ['worker'],
      zone,
      labels: { 'topology.kubernetes.io/zone': zone, 'example.net/rack': rack, ...(w % 10 === 0 ? { 'node-role.kubernetes.io/ingress': '' } : {}) },
      // A host variable Kubespray reads (an unread one is refused: src/vars/check.ts), and a connection setting.
      vars: { kubelet_max_pods: 110, ansible_user: 'ops' },
    });
  }
  const secrets = options.secrets ?? true;
  return {
    name,
    kubernetes: { version: options.kubeVersion ?? 'v1.16.3' },
    kubespray: { repo: 'https://github.com/kubernetes-sigs/kubespray.git', tag: options.kubesprayTag ?? 'v2.12.10', ansible: 'system', forks: 30 },
    nodes,
    network: {
      plugin: 'calico',
      calico: { ipipMode: 'Never', peerWithRouter: true, natOutgoing: true, globalAsNum: '65000', peers: [{ routerId: '192.168.30.1', as: '65000' }], ipAutodetectionMethod: 'can-reach=8.8.8.8' },
    },
    containerManager: 'docker',
    kubeProxy: { mode: 'ipvs' },
    dns: { nodelocaldns: false },
    addons: {
      helm: true, dashboard: true, metricsServer: true, localVolumeProvisioner: true,
      ...(secrets
        ? { rbdProvisioner: { enabled: true, monitors: ['192.168.30.23:6789', '192.168.30.24:6789', '192.168.30.25:6789'], pool: 'kubes', adminId: 'admin', adminSecret: { fromEnv: 'BENCH_RBD_ADMIN_SECRET' }, userId: 'kube', userSecret: { fromEnv: 'BENCH_RBD_USER_SECRET' } } }
        : {}),
    },
    registries: { insecure: ['tacorepo:5000'] },
    access: { kubeconfigLocalhost: true, kubectlLocalhost: true },
    hosts: { populateInventoryToHostsFile: false, overrideSystemHostname: false },
  };
}

/** A scalar as YAML: plain where that reads back as the same string, else double-quoted. */
function scalar(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = String(value);
  return /^[A-Za-z][\w./:=-]*$/.test(text) || /^\d+\.\d+\.\d+\.\d+(?::\d+)?$/.test(text) ? text : JSON.stringify(text);
}

function block(indent: string, map: Record<string, unknown>): string[] {
  return Object.entries(map).map(([key, value]) => `${indent}${scalar(key)}: ${scalar(value)}`);
}

/**
 * The model as YAML text, block style as `yaml` writes it. The node list is
 * written by hand: `stringify` takes seconds for 15,000 nodes, and this is
 * setup, not what is measured (bench/lib/model.test.ts checks both read back the same).
 */
export function clusterYaml(options: ModelOptions): string {
  const { nodes, ...rest } = generateClusterModel(options);
  const lines = [stringify(rest, { lineWidth: 0 }).trimEnd(), 'nodes:'];
  for (const node of nodes) {
    const { name, roles, labels, vars, ...fields } = node;
    lines.push(`  - name: ${scalar(name)}`, ...block('    ', fields), '    roles:', ...roles.map((role) => `      - ${scalar(role)}`));
    if (labels) lines.push('    labels:', ...block('      ', labels));
    if (vars) lines.push('    vars:', ...block('      ', vars));
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `<dir>/<name>.yaml` and returns its path. */
export async function writeClusterModel(dir: string, options: ModelOptions): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${options.name ?? 'big'}.yaml`);
  await writeFile(file, clusterYaml(options));
  return file;
}
