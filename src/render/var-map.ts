/**
 * Which Kubespray variable each typed setting becomes, per tag. Names change
 * between releases (ipip_mode → calico_ipip_mode at v2.13.0; containerd
 * registries twice), and a carried-over name silently does nothing, so the
 * mapping is tag-aware. `var-map.test.ts` cross-checks every name against the
 * variables each tag really defines (data/kubespray/known-vars.json).
 */
import semver from 'semver';
import type { Cluster, SecretRef } from '../model/schema.js';

export type VarValue = string | number | boolean | null | VarValue[] | { [key: string]: VarValue };

export interface MappedVar {
  name: string;
  /** The plain value, or a secret reference resolved only when rendering. */
  value: VarValue | { secret: SecretRef };
  /** The cluster-file path that set it (for errors and the vars-drift preflight). */
  source: string;
}

/** Every variable a typed field can produce, in any tag, and the field it belongs to. */
export const TYPED_VARS: Readonly<Record<string, string>> = {
  kube_version: 'kubernetes.version',
  kube_network_plugin: 'network.plugin',
  kube_service_addresses: 'network.serviceAddresses',
  kube_pods_subnet: 'network.podsSubnet',
  ipip_mode: 'network.calico.ipipMode',
  calico_ipip_mode: 'network.calico.ipipMode',
  calico_vxlan_mode: 'network.calico.vxlanMode',
  peer_with_router: 'network.calico.peerWithRouter',
  nat_outgoing: 'network.calico.natOutgoing',
  global_as_num: 'network.calico.globalAsNum',
  peers: 'network.calico.peers',
  calico_ip_auto_method: 'network.calico.ipAutodetectionMethod',
  container_manager: 'containerManager',
  kube_proxy_mode: 'kubeProxy.mode',
  enable_nodelocaldns: 'dns.nodelocaldns',
  cluster_name: 'dns.clusterName',
  helm_enabled: 'addons.helm',
  dashboard_enabled: 'addons.dashboard',
  metrics_server_enabled: 'addons.metricsServer',
  local_volume_provisioner_enabled: 'addons.localVolumeProvisioner',
  rbd_provisioner_enabled: 'addons.rbdProvisioner.enabled',
  rbd_provisioner_monitors: 'addons.rbdProvisioner.monitors',
  rbd_provisioner_pool: 'addons.rbdProvisioner.pool',
  rbd_provisioner_admin_id: 'addons.rbdProvisioner.adminId',
  rbd_provisioner_secret: 'addons.rbdProvisioner.adminSecret',
  rbd_provisioner_user_id: 'addons.rbdProvisioner.userId',
  rbd_provisioner_user_secret: 'addons.rbdProvisioner.userSecret',
  rbd_provisioner_user_secret_namespace: 'addons.rbdProvisioner.userSecretNamespace',
  rbd_provisioner_fs_type: 'addons.rbdProvisioner.fsType',
  rbd_provisioner_image_format: 'addons.rbdProvisioner.imageFormat',
  rbd_provisioner_image_features: 'addons.rbdProvisioner.imageFeatures',
  rbd_provisioner_storage_class: 'addons.rbdProvisioner.storageClass',
  rbd_provisioner_reclaim_policy: 'addons.rbdProvisioner.reclaimPolicy',
  docker_insecure_registries: 'registries.insecure',
  containerd_insecure_registries: 'registries.insecure',
  containerd_registries_mirrors: 'registries.insecure',
  kubeconfig_localhost: 'access.kubeconfigLocalhost',
  kubectl_localhost: 'access.kubectlLocalhost',
  populate_inventory_to_hosts_file: 'hosts.populateInventoryToHostsFile',
  override_system_hostname: 'hosts.overrideSystemHostname',
};

/** Host variables kspray writes on every `[all]` line itself. */
export const TYPED_HOST_VARS: Readonly<Record<string, string>> = {
  ansible_host: 'ansibleHost',
  ip: 'ip',
  access_ip: 'accessIp',
  iface: 'iface',
  node_labels: 'labels',
};

const atLeast = (tag: string, version: string): boolean => semver.gte(tag, version);

/**
 * The typed settings of a cluster as Kubespray variables for `tag`, in a
 * fixed order (so rendered files are byte-stable).
 */
export function mapTypedVars(cluster: Cluster, tag: string, kubeVersion: string): MappedVar[] {
  const out: MappedVar[] = [];
  const add = (name: string, value: MappedVar['value'] | undefined, source: string): void => {
    if (value !== undefined) out.push({ name, value, source });
  };
  add('kube_version', kubeVersion, 'kubernetes.version');
  add('kube_network_plugin', cluster.network.plugin, 'network.plugin');
  add('kube_service_addresses', cluster.network.serviceAddresses, 'network.serviceAddresses');
  add('kube_pods_subnet', cluster.network.podsSubnet, 'network.podsSubnet');
  const calico = cluster.network.calico;
  if (calico) {
    add(atLeast(tag, '2.13.0') ? 'calico_ipip_mode' : 'ipip_mode', calico.ipipMode, 'network.calico.ipipMode');
    add('calico_vxlan_mode', calico.vxlanMode, 'network.calico.vxlanMode');
    add('peer_with_router', calico.peerWithRouter, 'network.calico.peerWithRouter');
    add('nat_outgoing', calico.natOutgoing, 'network.calico.natOutgoing');
    add('global_as_num', calico.globalAsNum, 'network.calico.globalAsNum');
    add('peers', calico.peers?.map((peer) => ({ router_id: peer.routerId, as: peer.as })), 'network.calico.peers');
    add('calico_ip_auto_method', calico.ipAutodetectionMethod, 'network.calico.ipAutodetectionMethod');
  }
  add('container_manager', cluster.containerManager, 'containerManager');
  add('kube_proxy_mode', cluster.kubeProxy?.mode, 'kubeProxy.mode');
  add('enable_nodelocaldns', cluster.dns?.nodelocaldns, 'dns.nodelocaldns');
  add('cluster_name', cluster.dns?.clusterName, 'dns.clusterName');
  const addons = cluster.addons;
  add('helm_enabled', addons?.helm, 'addons.helm');
  add('dashboard_enabled', addons?.dashboard, 'addons.dashboard');
  add('metrics_server_enabled', addons?.metricsServer, 'addons.metricsServer');
  add('local_volume_provisioner_enabled', addons?.localVolumeProvisioner, 'addons.localVolumeProvisioner');
  const rbd = addons?.rbdProvisioner;
  if (rbd) {
    const base = 'addons.rbdProvisioner';
    add('rbd_provisioner_enabled', rbd.enabled, `${base}.enabled`);
    // Kubespray reads the monitors as one comma-separated string.
    add('rbd_provisioner_monitors', rbd.monitors.join(','), `${base}.monitors`);
    add('rbd_provisioner_pool', rbd.pool, `${base}.pool`);
    add('rbd_provisioner_admin_id', rbd.adminId, `${base}.adminId`);
    add('rbd_provisioner_secret', { secret: rbd.adminSecret }, `${base}.adminSecret`);
    add('rbd_provisioner_user_id', rbd.userId, `${base}.userId`);
    add('rbd_provisioner_user_secret', { secret: rbd.userSecret }, `${base}.userSecret`);
    add('rbd_provisioner_user_secret_namespace', rbd.userSecretNamespace, `${base}.userSecretNamespace`);
    add('rbd_provisioner_fs_type', rbd.fsType, `${base}.fsType`);
    add('rbd_provisioner_image_format', rbd.imageFormat, `${base}.imageFormat`);
    add('rbd_provisioner_image_features', rbd.imageFeatures, `${base}.imageFeatures`);
    add('rbd_provisioner_storage_class', rbd.storageClass, `${base}.storageClass`);
    add('rbd_provisioner_reclaim_policy', rbd.reclaimPolicy, `${base}.reclaimPolicy`);
  }
  const insecure = cluster.registries?.insecure;
  if (insecure && insecure.length > 0) {
    const [name, value] = insecureRegistriesVar(cluster.containerManager, tag, insecure);
    add(name, value, 'registries.insecure');
  }
  add('kubeconfig_localhost', cluster.access?.kubeconfigLocalhost, 'access.kubeconfigLocalhost');
  add('kubectl_localhost', cluster.access?.kubectlLocalhost, 'access.kubectlLocalhost');
  add('populate_inventory_to_hosts_file', cluster.hosts?.populateInventoryToHostsFile, 'hosts.populateInventoryToHostsFile');
  add('override_system_hostname', cluster.hosts?.overrideSystemHostname, 'hosts.overrideSystemHostname');
  return out;
}

/** Docker has one list throughout; containerd's shape changed at v2.18.0 and again at v2.23.0. */
function insecureRegistriesVar(manager: Cluster['containerManager'], tag: string, registries: string[]): [string, VarValue] {
  if (manager !== 'containerd') return ['docker_insecure_registries', registries];
  if (!atLeast(tag, '2.23.0')) {
    return ['containerd_insecure_registries', Object.fromEntries(registries.map((r) => [r, `http://${r}`]))];
  }
  return [
    'containerd_registries_mirrors',
    registries.map((r) => ({ prefix: r, mirrors: [{ host: `http://${r}`, capabilities: ['pull', 'resolve'], skip_verify: true }] })),
  ];
}
