/**
 * The generated cluster bench/preflight.ts reads: 5,000 nodes, 100,000 pods
 * (2,000 Deployments of 50), 2,000 PodDisruptionBudgets (every tenth with no
 * disruption allowed), 500 Ingresses on extensions/v1beta1 and the cluster
 * DNS Service, as Kubernetes objects for the fake API server.
 */
import type { KubeObject } from '../../test/fixtures/kube-api-server.js';

const NODES = 5_000;
const DEPLOYMENTS = 2_000;
const PODS_PER_DEPLOYMENT = 50; // 100,000 pods
const INGRESSES = 500;
const NAMESPACES = 100;
export const VERSION = 'v1.16.3';

export function generatePreflightCluster(): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let i = 0; i < NODES; i++) {
    const name = i < 3 ? `master-${i}` : `node-${String(i).padStart(4, '0')}`;
    objects.push({
      apiVersion: 'v1', kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}`, ...(i < 3 ? { 'node-role.kubernetes.io/master': '' } : {}) } },
      spec: { podCIDR: `10.${64 + (i >> 8)}.${i & 255}.0/24` },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'DiskPressure', status: 'False' }, { type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        nodeInfo: { kubeletVersion: VERSION, kubeProxyVersion: VERSION, containerRuntimeVersion: 'containerd://1.4.3', osImage: 'Ubuntu 20.04' },
        addresses: [{ type: 'InternalIP', address: `192.168.${i >> 8}.${i & 255}` }],
      },
    });
  }
  let podIndex = 0;
  for (let d = 0; d < DEPLOYMENTS; d++) {
    const namespace = `team-${d % NAMESPACES}`;
    const name = `app-${d}`;
    const rs = `${name}-5d8f7c9b4`;
    const labels = { app: name, tier: d % 2 ? 'web' : 'worker' };
    objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, labels }, spec: { replicas: PODS_PER_DEPLOYMENT, selector: { matchLabels: labels } } });
    objects.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rs, namespace, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${d}`, controller: true }] }, spec: { replicas: PODS_PER_DEPLOYMENT } });
    for (let p = 0; p < PODS_PER_DEPLOYMENT; p++) {
      const node = objects[3 + (podIndex++ % (NODES - 3))]?.metadata.name as string;
      objects.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${rs}-${p.toString(36).padStart(5, 'x')}`, namespace, labels: { ...labels, 'pod-template-hash': '5d8f7c9b4' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${d}`, controller: true, blockOwnerDeletion: true }] },
        spec: { nodeName: node, containers: [{ name: 'app', image: `registry.example.com/${name}:1.0.${d}`, ports: [{ containerPort: 8080, protocol: 'TCP' }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
        status: {
          phase: 'Running', podIP: `10.64.${podIndex >> 8 & 255}.${podIndex & 255}`, startTime: '2020-01-01T00:00:00Z',
          conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }, { type: 'PodScheduled', status: 'True' }],
        },
      });
    }
    const blocked = d % 10 === 0;
    objects.push({
      apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name, namespace },
      spec: { selector: { matchLabels: { app: name } }, ...(blocked ? { minAvailable: PODS_PER_DEPLOYMENT } : { maxUnavailable: '10%' }) },
      status: { currentHealthy: PODS_PER_DEPLOYMENT, desiredHealthy: blocked ? PODS_PER_DEPLOYMENT : 45, expectedPods: PODS_PER_DEPLOYMENT, disruptionsAllowed: blocked ? 0 : 5 },
    });
  }
  for (let i = 0; i < INGRESSES; i++) {
    objects.push({ apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: `ing-${i}`, namespace: `team-${i % NAMESPACES}` }, spec: { rules: [{ host: `app-${i}.example.com` }] } });
  }
  objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, spec: { clusterIP: '10.233.0.3' } });
  return objects;
}

