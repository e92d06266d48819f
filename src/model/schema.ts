/**
 * The cluster file: what an operator writes. Strict everywhere (an unknown key
 * is an error, so a typo never silently does nothing), with descriptions that
 * become the JSON Schema editors use for completion.
 */
import { z } from 'zod';

const VERSION_RE = /^v?1\.\d+\.\d+$/;
const TAG_RE = /^v2\.\d+\.\d+$/;

export const kubeVersion = z
  .string()
  .regex(VERSION_RE, { message: 'must be a Kubernetes version like 1.16.3 or v1.16.3' })
  .transform((version) => (version.startsWith('v') ? version : `v${version}`))
  .describe('Kubernetes version, 1.x.y with or without a leading v');

export const secretRef = z
  .union([
    z.strictObject({ fromEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).describe('Environment variable that holds the secret') }),
    z.strictObject({ fromFile: z.string().min(1).describe('File whose content (trimmed) is the secret; relative to the cluster file') }),
  ])
  .describe('A secret is never written in the cluster file: name where kspray reads it when rendering');
export type SecretRef = z.infer<typeof secretRef>;

export const nodeRole = z.enum(['control-plane', 'etcd', 'worker']);
export type NodeRole = z.infer<typeof nodeRole>;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const node = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/, { message: 'must be a host name (letters, digits, -, _, .)' }).describe('Inventory host name'),
  ansibleHost: z.string().min(1).optional().describe('Address or name Ansible connects to (ansible_host); default: the name'),
  ip: z.string().describe('Address Kubernetes services bind to (ip)'),
  accessIp: z.string().optional().describe('Address other nodes use to reach this one (access_ip)'),
  iface: z.string().regex(/^[\w.:-]+$/).optional().describe('Network interface (iface), e.g. eno49'),
  roles: z.array(nodeRole).min(1).describe('control-plane, etcd, worker'),
  labels: z.record(z.string(), z.string()).optional().describe('Node labels (node_labels)'),
  zone: z.string().optional().describe('Failure zone; worker waves can keep one node of a zone per wave'),
  vars: z.record(z.string(), z.unknown()).optional().describe('Extra host variables written on the host line'),
});
export type ClusterNode = z.infer<typeof node>;

export const bgpPeer = z.strictObject({
  routerId: z.string().describe('Peer router address (router_id)'),
  as: z.union([z.string(), z.number()]).transform(String).describe('Peer AS number'),
});

export const calico = z.strictObject({
  ipipMode: z.enum(['Always', 'CrossSubnet', 'Never']).optional().describe('IP-in-IP mode (ipip_mode / calico_ipip_mode)'),
  vxlanMode: z.enum(['Always', 'CrossSubnet', 'Never']).optional().describe('VXLAN mode (calico_vxlan_mode, v2.13.0+)'),
  peerWithRouter: z.boolean().optional().describe('Peer with the top-of-rack router over BGP (peer_with_router)'),
  natOutgoing: z.boolean().optional().describe('NAT traffic leaving the pod network (nat_outgoing)'),
  globalAsNum: z.union([z.string(), z.number()]).transform(String).optional().describe('Cluster AS number (global_as_num)'),
  peers: z.array(bgpPeer).optional().describe('BGP peers of every node (peers)'),
  ipAutodetectionMethod: z.string().optional().describe('How calico picks the node address (calico_ip_auto_method), e.g. can-reach=8.8.8.8'),
});

export const network = z.strictObject({
  plugin: z.enum(['calico', 'flannel', 'cilium', 'weave', 'kube-router', 'canal', 'cni']).default('calico').describe('kube_network_plugin'),
  calico: calico.optional(),
  serviceAddresses: z.string().optional().describe('Service CIDR (kube_service_addresses), default 10.233.0.0/18'),
  podsSubnet: z.string().optional().describe('Pod CIDR (kube_pods_subnet), default 10.233.64.0/18'),
});

export const rbdProvisioner = z.strictObject({
  enabled: z.boolean().default(true),
  monitors: z.array(z.string()).min(1).describe('Ceph monitors host:port'),
  pool: z.string().describe('RBD pool'),
  adminId: z.string().default('admin'),
  adminSecret: secretRef.describe('Ceph admin key'),
  userId: z.string().default('kube'),
  userSecret: secretRef.describe('Ceph user key'),
  userSecretNamespace: z.string().optional(),
  fsType: z.string().optional(),
  imageFormat: z.string().optional(),
  imageFeatures: z.string().optional(),
  storageClass: z.string().optional(),
  reclaimPolicy: z.enum(['Delete', 'Retain']).optional(),
});

export const addons = z.strictObject({
  helm: z.boolean().optional().describe('helm_enabled'),
  dashboard: z.boolean().optional().describe('dashboard_enabled'),
  metricsServer: z.boolean().optional().describe('metrics_server_enabled'),
  localVolumeProvisioner: z.boolean().optional().describe('local_volume_provisioner_enabled'),
  rbdProvisioner: rbdProvisioner.optional().describe('rbd_provisioner_* (gone after Kubespray v2.27.1)'),
});

export const cluster = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(/^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/, { message: 'must be lower-case letters, digits, - or _' }).describe('Cluster name: names inventories/<name>/ and extra-vars/<name>.yml'),
  kubernetes: z.strictObject({
    version: kubeVersion.describe('The version the cluster runs now'),
  }),
  kubespray: z
    .strictObject({
      repo: z.string().min(1).default('https://github.com/kubernetes-sigs/kubespray.git').describe('Kubespray git repository (URL or path)'),
      tag: z.string().regex(TAG_RE, { message: 'must be a Kubespray release tag like v2.12.10' }).optional().describe('The Kubespray tag the cluster was last deployed with'),
      ansible: z.enum(['system', 'venv']).default('system').describe('system: ansible-playbook on PATH; venv: one virtualenv per Kubespray line with its pinned Ansible'),
      forks: z.number().int().min(1).max(500).default(30).describe('ansible-playbook -f'),
    })
    .default({ repo: 'https://github.com/kubernetes-sigs/kubespray.git', ansible: 'system', forks: 30 }),
  nodes: z.array(node).min(1),
  network: network.default({ plugin: 'calico' }),
  containerManager: z.enum(['docker', 'containerd', 'crio']).optional().describe('container_manager'),
  kubeProxy: z.strictObject({ mode: z.enum(['ipvs', 'iptables', 'nftables']).describe('kube_proxy_mode') }).optional(),
  dns: z.strictObject({
    nodelocaldns: z.boolean().optional().describe('enable_nodelocaldns'),
    clusterName: z.string().optional().describe('cluster_name'),
  }).optional(),
  addons: addons.optional(),
  registries: z.strictObject({
    insecure: z.array(z.string()).optional().describe('Insecure registries host:port (docker_insecure_registries / containerd_insecure_registries)'),
  }).optional(),
  access: z.strictObject({
    kubeconfigLocalhost: z.boolean().optional().describe('Copy admin.conf to the Ansible host (kubeconfig_localhost)'),
    kubectlLocalhost: z.boolean().optional().describe('Copy kubectl to the Ansible host (kubectl_localhost)'),
    kubeconfig: z.string().optional().describe('Kubeconfig kspray reads the cluster with; default inventories/<name>/artifacts/admin.conf'),
    context: z.string().optional(),
  }).optional(),
  hosts: z.strictObject({
    populateInventoryToHostsFile: z.boolean().optional().describe('Write inventory hosts to /etc/hosts (populate_inventory_to_hosts_file)'),
    overrideSystemHostname: z.boolean().optional().describe('Set each host\'s hostname to its inventory name (override_system_hostname)'),
  }).optional(),
  preflight: z.strictObject({
    cachePaths: z.array(z.string()).optional().describe('Stale caches removed from control-plane hosts; default /root/.kube/http-cache, /root/.docker/config'),
    etcdCertDir: z.string().optional().describe('etcd client certificates; default /etc/ssl/etcd/ssl'),
  }).optional(),
  extraVars: z.record(z.string(), z.unknown()).optional().describe('Any other Kubespray variable, written as is; may not shadow a typed field'),
});

export type ClusterInput = z.input<typeof cluster>;
export type Cluster = z.output<typeof cluster>;
