/**
 * `kspray import`: an existing Kubespray inventory (either dialect, as
 * ansible-inventory reads it) and extra-vars file → a cluster model. Pure:
 * the CLI runs ansible-inventory and reads the files.
 */
import { isIP } from 'node:net';
import { dialectOfGroups, groupNamesOf } from '../catalog/groups.js';
import { groupMembers, type InventoryList } from '../ansible/inventory.js';
import type { ClusterInput, NodeRole } from './schema.js';
import { TYPED_HOST_VARS } from '../render/var-map.js';

export interface ImportInput {
  inventory: InventoryList;
  extraVars: Record<string, unknown>;
  name: string;
  kubeVersion?: string;
}

export interface ImportResult {
  cluster: ClusterInput;
  /** What the operator should know: secrets turned into references, variables left aside. */
  notes: string[];
}

type Setter = (cluster: ClusterInput, value: unknown, notes: string[], name: string) => void;

const set = (path: string[]): Setter => (cluster, value) => {
  let node = cluster as unknown as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path.at(-1)!] = value;
};

const secret = (path: string[], suffix: string): Setter => (cluster, _value, notes, name) => {
  const variable = `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${suffix}`;
  set(path)(cluster, { fromEnv: variable }, notes, name);
  notes.push(`${path.join('.')}: the secret now comes from environment variable ${variable}; export it before render or apply`);
};

/** Kubespray variable → how it lands in the model (the reverse of render/var-map.ts). */
const IMPORTERS: Record<string, Setter> = {
  kube_version: set(['kubernetes', 'version']),
  kube_network_plugin: set(['network', 'plugin']),
  kube_service_addresses: set(['network', 'serviceAddresses']),
  kube_pods_subnet: set(['network', 'podsSubnet']),
  ipip_mode: set(['network', 'calico', 'ipipMode']),
  calico_ipip_mode: set(['network', 'calico', 'ipipMode']),
  calico_vxlan_mode: set(['network', 'calico', 'vxlanMode']),
  peer_with_router: set(['network', 'calico', 'peerWithRouter']),
  nat_outgoing: set(['network', 'calico', 'natOutgoing']),
  global_as_num: (cluster, value, notes, name) => set(['network', 'calico', 'globalAsNum'])(cluster, String(value), notes, name),
  peers: (cluster, value, notes, name) => set(['network', 'calico', 'peers'])(cluster, asList(value).map((peer) => {
    const entry = peer as Record<string, unknown>;
    return { routerId: String(entry.router_id), as: String(entry.as) };
  }), notes, name),
  calico_ip_auto_method: set(['network', 'calico', 'ipAutodetectionMethod']),
  container_manager: set(['containerManager']),
  kube_proxy_mode: set(['kubeProxy', 'mode']),
  enable_nodelocaldns: set(['dns', 'nodelocaldns']),
  cluster_name: set(['dns', 'clusterName']),
  helm_enabled: set(['addons', 'helm']),
  dashboard_enabled: set(['addons', 'dashboard']),
  metrics_server_enabled: set(['addons', 'metricsServer']),
  local_volume_provisioner_enabled: set(['addons', 'localVolumeProvisioner']),
  rbd_provisioner_enabled: set(['addons', 'rbdProvisioner', 'enabled']),
  rbd_provisioner_monitors: (cluster, value, notes, name) => set(['addons', 'rbdProvisioner', 'monitors'])(cluster, String(value).split(',').map((m) => m.trim()).filter(Boolean), notes, name),
  rbd_provisioner_pool: set(['addons', 'rbdProvisioner', 'pool']),
  rbd_provisioner_admin_id: set(['addons', 'rbdProvisioner', 'adminId']),
  rbd_provisioner_secret: secret(['addons', 'rbdProvisioner', 'adminSecret'], 'RBD_ADMIN_SECRET'),
  rbd_provisioner_user_id: set(['addons', 'rbdProvisioner', 'userId']),
  rbd_provisioner_user_secret: secret(['addons', 'rbdProvisioner', 'userSecret'], 'RBD_USER_SECRET'),
  rbd_provisioner_user_secret_namespace: set(['addons', 'rbdProvisioner', 'userSecretNamespace']),
  rbd_provisioner_fs_type: set(['addons', 'rbdProvisioner', 'fsType']),
  rbd_provisioner_image_format: set(['addons', 'rbdProvisioner', 'imageFormat']),
  rbd_provisioner_image_features: set(['addons', 'rbdProvisioner', 'imageFeatures']),
  rbd_provisioner_storage_class: set(['addons', 'rbdProvisioner', 'storageClass']),
  rbd_provisioner_reclaim_policy: set(['addons', 'rbdProvisioner', 'reclaimPolicy']),
  docker_insecure_registries: (cluster, value, notes, name) => set(['registries', 'insecure'])(cluster, asList(value).map(String), notes, name),
  containerd_insecure_registries: (cluster, value, notes, name) => set(['registries', 'insecure'])(cluster, Object.keys(value as object), notes, name),
  containerd_registries_mirrors: (cluster, value, notes, name) => set(['registries', 'insecure'])(cluster, asList(value).map((m) => String((m as { prefix: unknown }).prefix)), notes, name),
  kubeconfig_localhost: set(['access', 'kubeconfigLocalhost']),
  kubectl_localhost: set(['access', 'kubectlLocalhost']),
  populate_inventory_to_hosts_file: set(['hosts', 'populateInventoryToHostsFile']),
  override_system_hostname: set(['hosts', 'overrideSystemHostname']),
};

export function importCluster(input: ImportInput): ImportResult {
  const notes: string[] = [];
  const { inventory } = input;
  const dialect = dialectOfGroups(Object.keys(inventory.groups)) ?? 'underscore';
  const groups = groupNamesOf(dialect);
  const controlPlanes = new Set(groupMembers(inventory, groups.controlPlane));
  const etcd = new Set(groupMembers(inventory, groups.etcd));
  const workers = new Set(groupMembers(inventory, groups.node));
  const hosts = [...new Set([...controlPlanes, ...etcd, ...workers])];
  const ordered = groupMembers(inventory, 'all').filter((host) => hosts.includes(host));
  for (const host of hosts) if (!ordered.includes(host)) ordered.push(host);

  const cluster: ClusterInput = { name: input.name, kubernetes: { version: input.kubeVersion ?? '' }, nodes: [] };
  const clusterVars = { ...(inventory.groups.all?.vars ?? {}), ...input.extraVars };
  const extraVars: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(clusterVars)) {
    const importer = IMPORTERS[key];
    if (importer) importer(cluster, value, notes, input.name);
    else if (key !== 'skydns_server') extraVars[key] = value;
    else notes.push('skydns_server was left out: it is set on a fresh install only, never on an upgrade');
  }
  const rbd = cluster.addons?.rbdProvisioner as Record<string, unknown> | undefined;
  if (rbd) {
    // Secrets usually sit in a file of their own; the model needs a reference either way.
    if (rbd.adminSecret === undefined) IMPORTERS.rbd_provisioner_secret!(cluster, undefined, notes, input.name);
    if (rbd.userSecret === undefined) IMPORTERS.rbd_provisioner_user_secret!(cluster, undefined, notes, input.name);
  }
  if (input.kubeVersion) cluster.kubernetes.version = input.kubeVersion;
  if (Object.keys(extraVars).length > 0) cluster.extraVars = extraVars;

  for (const host of ordered) {
    const vars = { ...(inventory.hostvars[host] ?? {}) };
    const roles: NodeRole[] = [];
    if (controlPlanes.has(host)) roles.push('control-plane');
    if (etcd.has(host)) roles.push('etcd');
    if (workers.has(host)) roles.push('worker');
    const ansibleHost = take(vars, 'ansible_host');
    const ip = take(vars, 'ip') ?? (ansibleHost !== undefined && isIP(String(ansibleHost)) ? ansibleHost : undefined);
    if (ip === undefined) notes.push(`${host}: no ip or ansible_host address; set nodes[].ip by hand`);
    const node: ClusterInput['nodes'][number] = { name: host, ...(ansibleHost === undefined ? {} : { ansibleHost: String(ansibleHost) }), ip: ip === undefined ? '' : String(ip), roles };
    const accessIp = take(vars, 'access_ip');
    if (accessIp !== undefined) node.accessIp = String(accessIp);
    const iface = take(vars, 'iface');
    if (iface !== undefined) node.iface = String(iface);
    const labels = take(vars, 'node_labels');
    if (labels && typeof labels === 'object') node.labels = Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
    for (const key of Object.keys(TYPED_HOST_VARS)) delete vars[key];
    if (Object.keys(vars).length > 0) node.vars = vars;
    cluster.nodes.push(node);
  }
  const ungrouped = groupMembers(inventory, 'all').filter((host) => !hosts.includes(host));
  if (ungrouped.length > 0) notes.push(`hosts in no Kubernetes group were left out: ${ungrouped.join(', ')}`);
  return { cluster, notes };
}

function take(vars: Record<string, unknown>, key: string): unknown {
  const value = vars[key];
  delete vars[key];
  return value;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
