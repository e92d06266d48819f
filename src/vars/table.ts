/**
 * THE variable table: every typed field of the cluster file and the Kubespray
 * variable(s) it becomes, per tag range. The renderer (render.ts), the read
 * check (unread.ts), the vars-drift preflight, `kspray import`, the JSON
 * Schema's descriptions and the README's table all derive from it, and it is
 * the only place in src/ that names a Kubespray variable (test/vars-strays
 * greps for strays). Ranges are checked against what each real tag reads
 * (data/kubespray/variables.json, extracted by `catalog refresh`) by
 * src/vars/table.test.ts; shapes against the real roles by test/real-kubespray.
 */
import semver from 'semver';
import type { Cluster, SecretRef } from '../model/schema.js';
import type { NameRange, Rename, RenderContext, Setting, VarValue } from './types.js';

type Registries = string[];

/** `registry → http://registry`: a plain-HTTP mirror endpoint per insecure registry (containerd before v2.23.0). */
const httpMirrors = (registries: Registries): Record<string, string> => Object.fromEntries(registries.map((r) => [r, `http://${r}`]));

/** containerd's own docker.io mirror, the default of containerd_registries (v2.16–v2.23) and of containerd_config.registries: kept, as an extra-var replaces the whole value. */
export const CONTAINERD_DOCKER_IO = { 'docker.io': 'https://registry-1.docker.io' } as const;

/** containerd_config's default in every tag that reads it (v2.11.0–v2.15.1, the same value throughout; test/real-kubespray compares). */
export const CONTAINERD_CONFIG_DEFAULT = {
  grpc: { max_recv_message_size: 16777216, max_send_message_size: 16777216 },
  debug: { level: '' },
  registries: CONTAINERD_DOCKER_IO,
  max_container_log_line_size: -1,
} as const;

/** Kubespray's default container manager: docker up to v2.17.x, containerd from v2.18.0 (role defaults and sample agree). */
export function effectiveContainerManager(cluster: Cluster, tag: string): string {
  return cluster.containerManager ?? (semver.gte(tag, '2.18.0') ? 'containerd' : 'docker');
}

const containerd = { test: (c: Cluster, tag: string) => effectiveContainerManager(c, tag) === 'containerd', says: 'with containerd' };
const notContainerd = { test: (c: Cluster, tag: string) => effectiveContainerManager(c, tag) !== 'containerd', says: 'with docker or cri-o' };
const etcdKubeadm = { test: (c: Cluster) => c.etcd?.deploymentType === 'kubeadm', says: 'kubeadm-managed etcd' };
const etcdNotKubeadm = { test: (c: Cluster) => c.etcd?.deploymentType !== 'kubeadm', says: 'etcd on the hosts or in docker' };
const kubeVipBgp = { test: (c: Cluster) => c.apiServer?.loadBalancer?.kubeVip?.mode === 'bgp', says: 'in BGP mode' };

const t = <T>(fn: (value: T, context: RenderContext) => VarValue | { secret: SecretRef }): NameRange['transform'] => fn as NameRange['transform'];
const all = (name: string, extra: Partial<NameRange> = {}): NameRange[] => [{ name, ...extra }];
const until = (name: string, tag: string): NameRange[] => [{ name, until: tag }];
const since = (name: string, tag: string, extra: Partial<NameRange> = {}): NameRange[] => [{ name, from: tag, ...extra }];

/**
 * The image repositories an air-gapped cluster points at its registry, and the
 * first tag that reads each (before v2.12.0 only kube_image_repo exists: the
 * other images name their registry each on their own).
 */
const IMAGE_REPOS: ReadonlyArray<{ key: 'kube' | 'gcr' | 'docker' | 'quay' | 'github'; name: string; from?: string; upstream: string }> = [
  { key: 'kube', name: 'kube_image_repo', upstream: 'registry.k8s.io (k8s.gcr.io in older tags)' },
  { key: 'gcr', name: 'gcr_image_repo', from: 'v2.12.0', upstream: 'gcr.io' },
  { key: 'docker', name: 'docker_image_repo', from: 'v2.12.0', upstream: 'docker.io' },
  { key: 'quay', name: 'quay_image_repo', from: 'v2.12.0', upstream: 'quay.io' },
  { key: 'github', name: 'github_image_repo', from: 'v2.17.0', upstream: 'ghcr.io' },
];

/** The base URLs every download URL starts with from v2.25.0, and the host each stands for under a files mirror. */
const FILE_BASES: ReadonlyArray<{ name: string; host: string }> = [
  { name: 'github_url', host: 'github.com' },
  { name: 'dl_k8s_io_url', host: 'dl.k8s.io' },
  { name: 'storage_googleapis_url', host: 'storage.googleapis.com' },
  { name: 'get_helm_url', host: 'get.helm.sh' },
];

const FILES_BEFORE = 'Kubespray reads a files mirror from v2.25.0 on (its base URLs): before it each file has a URL of its own that holds its version and architecture, which kspray does not write as a template; for those hops serve the files at their upstream URLs (a proxy), or pass --allow-unread offline.files to take them from upstream';

const RBD_GONE = 'Kubespray v2.28.0 dropped the rbd provisioner: remove addons.rbdProvisioner and run ceph-csi (or another RBD provisioner) outside Kubespray before that hop';

export const SETTINGS: readonly Setting[] = [
  // ── cluster ────────────────────────────────────────────────────────────────
  { field: 'kubernetes.version', scope: 'cluster', doc: 'The Kubernetes version the cluster runs now (written in each tag\'s form: v1.x.y up to v2.27.x, 1.x.y from v2.28.0)', names: all('kube_version', { transform: t((_v: string, c) => c.kubeVersion) }) },
  { field: 'network.plugin', scope: 'cluster', doc: 'The pod network plugin', names: all('kube_network_plugin') },
  { field: 'network.serviceAddresses', scope: 'cluster', doc: 'Service CIDR, default 10.233.0.0/18', names: all('kube_service_addresses') },
  { field: 'network.podsSubnet', scope: 'cluster', doc: 'Pod CIDR, default 10.233.64.0/18', names: all('kube_pods_subnet') },
  { field: 'network.calico.ipipMode', scope: 'cluster', doc: 'Calico IP-in-IP mode', names: [{ name: 'ipip_mode', until: 'v2.13.0' }, { name: 'calico_ipip_mode', from: 'v2.13.0' }] },
  { field: 'network.calico.vxlanMode', scope: 'cluster', doc: 'Calico VXLAN mode', names: since('calico_vxlan_mode', 'v2.13.0') },
  { field: 'network.calico.peerWithRouter', scope: 'cluster', doc: 'Peer with the top-of-rack router over BGP', names: all('peer_with_router') },
  { field: 'network.calico.natOutgoing', scope: 'cluster', doc: 'NAT traffic leaving the pod network', names: all('nat_outgoing') },
  { field: 'network.calico.globalAsNum', scope: 'cluster', doc: 'The cluster\'s AS number', names: all('global_as_num', { parse: String }) },
  {
    field: 'network.calico.peers', scope: 'cluster', doc: 'BGP peers of every node',
    names: all('peers', {
      transform: t((peers: Array<{ routerId: string; as: string }>) => peers.map((peer) => ({ router_id: peer.routerId, as: peer.as }))),
      parse: (value) => (Array.isArray(value) ? value : []).map((peer) => ({ routerId: String((peer as Record<string, unknown>).router_id), as: String((peer as Record<string, unknown>).as) })),
    }),
  },
  { field: 'network.calico.ipAutodetectionMethod', scope: 'cluster', doc: 'How calico picks each node\'s address, e.g. can-reach=8.8.8.8 or interface=eno49|ens2f0', names: all('calico_ip_auto_method') },
  { field: 'containerManager', scope: 'cluster', doc: 'The container runtime', when: notContainerd, names: all('container_manager') },
  { field: 'containerManager', scope: 'cluster', doc: 'The container runtime', when: containerd, names: since('container_manager', 'v2.11.0') },
  { field: 'kubeProxy.mode', scope: 'cluster', doc: 'kube-proxy mode', names: all('kube_proxy_mode') },
  { field: 'dns.nodelocaldns', scope: 'cluster', doc: 'Run nodelocaldns', names: all('enable_nodelocaldns') },
  { field: 'dns.clusterName', scope: 'cluster', doc: 'The cluster\'s DNS domain', names: all('cluster_name') },
  { field: 'addons.helm', scope: 'cluster', doc: 'Deploy helm', names: all('helm_enabled') },
  { field: 'addons.dashboard', scope: 'cluster', doc: 'Deploy the Kubernetes dashboard', names: until('dashboard_enabled', 'v2.31.0'), after: 'Kubespray v2.31.0 no longer deploys the dashboard: remove addons.dashboard and deploy it with its own Helm chart if you still need it' },
  { field: 'addons.metricsServer', scope: 'cluster', doc: 'Deploy metrics-server', names: all('metrics_server_enabled') },
  { field: 'addons.localVolumeProvisioner', scope: 'cluster', doc: 'Deploy the local volume provisioner', names: all('local_volume_provisioner_enabled') },
  { field: 'addons.rbdProvisioner.enabled', scope: 'cluster', doc: 'Deploy the Ceph RBD provisioner', names: until('rbd_provisioner_enabled', 'v2.28.0'), after: RBD_GONE },
  {
    field: 'addons.rbdProvisioner.monitors', scope: 'cluster', doc: 'Ceph monitors host:port (written as one comma-separated string)', after: RBD_GONE,
    names: [{ name: 'rbd_provisioner_monitors', until: 'v2.28.0', transform: t((m: string[]) => m.join(',')), parse: (v) => String(v).split(',').map((m) => m.trim()).filter(Boolean) }],
  },
  { field: 'addons.rbdProvisioner.pool', scope: 'cluster', doc: 'RBD pool', names: until('rbd_provisioner_pool', 'v2.28.0'), after: RBD_GONE },
  { field: 'addons.rbdProvisioner.adminId', scope: 'cluster', doc: 'Ceph admin id', names: until('rbd_provisioner_admin_id', 'v2.28.0'), after: RBD_GONE },
  { field: 'addons.rbdProvisioner.adminSecret', scope: 'cluster', doc: 'Ceph admin key', secret: { env: 'RBD_ADMIN_SECRET' }, names: [{ name: 'rbd_provisioner_secret', until: 'v2.28.0', transform: t((ref: SecretRef) => ({ secret: ref })) }], after: RBD_GONE },
  { field: 'addons.rbdProvisioner.userId', scope: 'cluster', doc: 'Ceph user id', names: until('rbd_provisioner_user_id', 'v2.28.0'), after: RBD_GONE },
  { field: 'addons.rbdProvisioner.userSecret', scope: 'cluster', doc: 'Ceph user key', secret: { env: 'RBD_USER_SECRET' }, names: [{ name: 'rbd_provisioner_user_secret', until: 'v2.28.0', transform: t((ref: SecretRef) => ({ secret: ref })) }], after: RBD_GONE },
  { field: 'addons.rbdProvisioner.userSecretNamespace', scope: 'cluster', doc: 'Namespace of the user secret', names: until('rbd_provisioner_user_secret_namespace', 'v2.28.0'), after: RBD_GONE },
  { field: 'addons.rbdProvisioner.fsType', scope: 'cluster', doc: 'Filesystem type', names: until('rbd_provisioner_fs_type', 'v2.28.0'), after: RBD_GONE },
  { field: 'addons.rbdProvisioner.imageFormat', scope: 'cluster', doc: 'RBD image format', names: until('rbd_provisioner_image_format', 'v2.28.0'), after: RBD_GONE },
  { field: 'addons.rbdProvisioner.imageFeatures', scope: 'cluster', doc: 'RBD image features', names: until('rbd_provisioner_image_features', 'v2.28.0'), after: RBD_GONE },
  { field: 'addons.rbdProvisioner.storageClass', scope: 'cluster', doc: 'Storage class name', names: until('rbd_provisioner_storage_class', 'v2.28.0'), after: RBD_GONE },
  { field: 'addons.rbdProvisioner.reclaimPolicy', scope: 'cluster', doc: 'Reclaim policy', names: until('rbd_provisioner_reclaim_policy', 'v2.28.0'), after: RBD_GONE },
  { field: 'registries.insecure', scope: 'cluster', doc: 'Insecure registries host:port', when: notContainerd, names: all('docker_insecure_registries', { parse: (v) => (Array.isArray(v) ? v.map(String) : []) }) },
  {
    field: 'registries.insecure', scope: 'cluster', doc: 'Insecure registries host:port', when: containerd,
    names: [
      // An extra-var replaces the whole dict: containerd_config is written with the tag's defaults.
      { name: 'containerd_config', from: 'v2.11.0', until: 'v2.16.0', transform: t((r: Registries) => ({ ...CONTAINERD_CONFIG_DEFAULT, registries: { ...CONTAINERD_DOCKER_IO, ...httpMirrors(r) } })), parse: (v) => mirrorKeys((v as { registries?: unknown })?.registries) },
      { name: 'containerd_registries', from: 'v2.16.0', until: 'v2.18.0', transform: t((r: Registries) => ({ ...CONTAINERD_DOCKER_IO, ...httpMirrors(r) })), parse: mirrorKeys },
      // v2.18.0 alone loops over a list of addresses; v2.18.1 – v2.22.x read a registry → endpoint dict.
      { name: 'containerd_insecure_registries', from: 'v2.18.0', until: 'v2.18.1', parse: (v) => (Array.isArray(v) ? v.map(String) : mirrorKeys(v)) },
      { name: 'containerd_insecure_registries', from: 'v2.18.1', until: 'v2.23.0', transform: t(httpMirrors), parse: (v) => (Array.isArray(v) ? v.map(String) : mirrorKeys(v)) },
      {
        name: 'containerd_registries_mirrors', from: 'v2.23.0',
        transform: t((r: Registries) => r.map((registry) => ({ prefix: registry, mirrors: [{ host: `http://${registry}`, capabilities: ['pull', 'resolve'], skip_verify: true }] }))),
        parse: (v) => (Array.isArray(v) ? v.map((m) => String((m as { prefix?: unknown }).prefix)) : []),
      },
    ],
  },
  { field: 'access.kubeconfigLocalhost', scope: 'cluster', doc: 'Copy admin.conf to the Ansible host', names: all('kubeconfig_localhost') },
  { field: 'access.kubectlLocalhost', scope: 'cluster', doc: 'Copy kubectl to the Ansible host', names: all('kubectl_localhost') },
  { field: 'hosts.populateInventoryToHostsFile', scope: 'cluster', doc: 'Write the inventory hosts to /etc/hosts', names: until('populate_inventory_to_hosts_file', 'v2.29.0'), after: 'Kubespray v2.29.0 no longer writes the inventory to /etc/hosts: remove hosts.populateInventoryToHostsFile (and manage /etc/hosts yourself if you relied on it)' },
  { field: 'hosts.overrideSystemHostname', scope: 'cluster', doc: 'Set each host\'s hostname to its inventory name', names: all('override_system_hostname') },
  // ── the API server and its load balancers ──────────────────────────────────
  { field: 'apiServer.port', scope: 'cluster', doc: 'Port each API server listens on, default 6443', names: all('kube_apiserver_port') },
  {
    field: 'apiServer.loadBalancer.external', scope: 'cluster', doc: 'An external load balancer in front of the API servers (address and port)',
    names: all('loadbalancer_apiserver', {
      transform: t((lb: { address: string; port: number }) => ({ address: lb.address, port: lb.port })),
      parse: (v) => ({ address: String((v as Record<string, unknown>)?.address), port: Number((v as Record<string, unknown>)?.port ?? 6443) }),
    }),
  },
  { field: 'apiServer.loadBalancer.external.domainName', scope: 'cluster', doc: 'The DNS name of the external load balancer (the control-plane endpoint and a name in the API certificate)', names: all('apiserver_loadbalancer_domain_name') },
  { field: 'apiServer.loadBalancer.localhost.enabled', scope: 'cluster', doc: 'A local load balancer on every node in front of the API servers (Kubespray\'s default without an external one)', names: all('loadbalancer_apiserver_localhost') },
  { field: 'apiServer.loadBalancer.localhost.type', scope: 'cluster', doc: 'nginx or haproxy', names: all('loadbalancer_apiserver_type') },
  { field: 'apiServer.loadBalancer.localhost.port', scope: 'cluster', doc: 'Port of the local load balancer', names: all('loadbalancer_apiserver_port') },
  { field: 'apiServer.loadBalancer.localhost.healthcheckPort', scope: 'cluster', doc: 'Health-check port of the local load balancer', names: all('loadbalancer_apiserver_healthcheck_port') },
  { field: 'apiServer.loadBalancer.kubeVip', scope: 'cluster', doc: 'kube-vip: a virtual IP for the control plane', names: since('kube_vip_enabled', 'v2.19.0', { transform: t(() => true), parse: (v) => (v === true ? {} : undefined) }), after: 'kube-vip needs Kubespray v2.19.0 or later' },
  { field: 'apiServer.loadBalancer.kubeVip', scope: 'cluster', doc: 'kube-vip serves the control plane', names: since('kube_vip_controlplane_enabled', 'v2.19.0', { transform: t(() => true), parse: () => undefined }) },
  { field: 'apiServer.loadBalancer.kubeVip.address', scope: 'cluster', doc: 'The virtual IP', names: since('kube_vip_address', 'v2.19.0') },
  { field: 'apiServer.loadBalancer.kubeVip.interface', scope: 'cluster', doc: 'The interface the virtual IP lives on', names: since('kube_vip_interface', 'v2.19.0') },
  { field: 'apiServer.loadBalancer.kubeVip.mode', scope: 'cluster', doc: 'arp or bgp: how the virtual IP is announced', names: since('kube_vip_arp_enabled', 'v2.19.0', { transform: t((mode: string) => mode === 'arp'), parse: (v) => (v === true ? 'arp' : undefined) }) },
  { field: 'apiServer.loadBalancer.kubeVip.mode', scope: 'cluster', doc: 'arp or bgp: how the virtual IP is announced', names: since('kube_vip_bgp_enabled', 'v2.19.0', { transform: t((mode: string) => mode === 'bgp'), parse: (v) => (v === true ? 'bgp' : undefined) }) },
  { field: 'apiServer.loadBalancer.kubeVip.services', scope: 'cluster', doc: 'kube-vip also serves Services of type LoadBalancer', names: since('kube_vip_services_enabled', 'v2.19.0') },
  { field: 'apiServer.loadBalancer.kubeVip.bgp.routerId', scope: 'cluster', doc: 'BGP router id', when: kubeVipBgp, names: since('kube_vip_bgp_routerid', 'v2.19.0') },
  { field: 'apiServer.loadBalancer.kubeVip.bgp.localAs', scope: 'cluster', doc: 'Local AS number', when: kubeVipBgp, names: since('kube_vip_local_as', 'v2.19.0') },
  {
    field: 'apiServer.loadBalancer.kubeVip.bgp.peers', scope: 'cluster', doc: 'BGP peers (address, as)', when: kubeVipBgp,
    names: since('kube_vip_bgppeers', 'v2.19.0', {
      transform: t((peers: Array<{ address: string; as: string }>) => peers.map((peer) => `${peer.address}:${peer.as}::false`)),
      parse: (v) => (Array.isArray(v) ? v : []).map((peer) => { const [address, as] = String(peer).split(':'); return { address, as }; }),
    }),
  },
  { field: 'etcd.deploymentType', scope: 'cluster', doc: 'How etcd runs: host, docker, or kubeadm (stacked, managed by kubeadm)', when: etcdNotKubeadm, names: all('etcd_deployment_type') },
  {
    field: 'etcd.deploymentType', scope: 'cluster', doc: 'How etcd runs: host, docker, or kubeadm (stacked, managed by kubeadm)', when: etcdKubeadm,
    names: [
      { name: 'etcd_kubeadm_enabled', from: 'v2.11.0', until: 'v2.19.0', transform: t(() => true), parse: (v) => (v === true ? 'kubeadm' : undefined) },
      { name: 'etcd_deployment_type', from: 'v2.19.0' },
    ],
    after: 'kubeadm-managed etcd needs Kubespray v2.11.0 or later',
  },
  // ── air-gapped mirrors (issue 15) ──────────────────────────────────────────
  ...IMAGE_REPOS.map(({ key, name, from, upstream }): Setting => ({
    field: `offline.imageRepos.${key}`, scope: 'cluster', doc: `Where the images of ${upstream} come from`,
    names: from ? since(name, from) : all(name),
    ...(from ? { after: `Kubespray reads ${name} from ${from} on; before it each image names its own registry: set offline.registry (kube_image_repo) for those hops, or pass --allow-unread offline.imageRepos.${key}` } : {}),
  })),
  { field: 'offline.imageRepos.kubeadm', scope: 'cluster', doc: 'Where kubeadm\'s control-plane images come from', names: since('kubeadm_image_repo', 'v2.29.0'), after: 'before Kubespray v2.29.0 kubeadm pulls from the kube repository: set offline.imageRepos.kube (or offline.registry) instead' },
  ...IMAGE_REPOS.map(({ key, name, from }): Setting => ({
    field: 'offline.registry', scope: 'cluster', doc: 'The registry every image comes from',
    // A tag before `from` redirects only the repositories it reads: the setting is read there all the same.
    when: { test: (c: Cluster, tag: string) => c.offline?.imageRepos?.[key] === undefined && (from === undefined || semver.gte(tag, from)), says: `without offline.imageRepos.${key}` },
    names: from ? since(name, from) : all(name),
  })),
  ...FILE_BASES.map(({ name, host }, index): Setting => ({
    field: 'offline.files', scope: 'cluster', doc: 'The files mirror: every download from MIRROR/HOST/PATH (github.com, dl.k8s.io, storage.googleapis.com, get.helm.sh; Kubespray\'s offline layout)', after: FILES_BEFORE,
    names: since(name, 'v2.25.0', {
      transform: t((files: string) => `${files}/${host}`),
      // kspray import: the mirror is what precedes the host (one base is enough to say it).
      parse: index === 0 ? (v) => (String(v).endsWith(`/${host}`) ? String(v).slice(0, -host.length - 1) : undefined) : () => undefined,
    }),
  })),
  // ── per node ───────────────────────────────────────────────────────────────
  { field: 'nodes[].ansibleHost', scope: 'host', ansible: true, doc: 'Address or name Ansible connects to; default: the name', names: all('ansible_host') },
  { field: 'nodes[].ip', scope: 'host', doc: 'Address Kubernetes services bind to', names: all('ip') },
  { field: 'nodes[].accessIp', scope: 'host', doc: 'Address other nodes use to reach this one', names: all('access_ip') },
  {
    field: 'nodes[].iface', scope: 'host', doc: 'The node\'s network interface, e.g. eno49', names: [], legacyName: 'iface',
    inert: 'no Kubespray tag reads a host variable iface (cilium\'s reset binds its own), so kspray does not write it; to steer the pod network\'s interface set network.calico.ipAutodetectionMethod (interface=eno49|ens2f0), or flannel_interface in extraVars',
  },
  { field: 'nodes[].labels', scope: 'host', doc: 'Node labels', names: all('node_labels') },
  // ── kspray's own, not from the cluster file ────────────────────────────────
  { field: 'artifactsDir', scope: 'run', doc: 'Where Kubespray copies admin.conf and kubectl: apply points it at artifacts/ beside the cluster file', names: all('artifacts_dir') },
  { field: 'serial', scope: 'run', doc: 'Hosts per batch of the upgrade plays: the canary and the worker waves', names: all('serial') },
];

/** The names of kspray's own run settings, for the modules that write them. */
export const RUN_VARS = {
  kubeVersion: 'kube_version',
  artifactsDir: 'artifacts_dir',
  serial: 'serial',
} as const;

/** Kubespray variables kspray names in its checks and messages without writing them. */
export const KUBESPRAY_VARS = {
  /** The cluster DNS Service address: set on a fresh install only (field notes). */
  skydnsServer: 'skydns_server',
  /** The upgrade role's switch to retry a refused drain without eviction (catalog upgrade_defaults). */
  drainFallbackEnabled: 'drain_fallback_enabled',
  drainTimeout: 'drain_timeout',
  /** Extra names and addresses Kubespray puts into the API server's certificate. */
  supplementaryAddresses: 'supplementary_addresses_in_ssl_keys',
} as const;

/**
 * Extra variables never accepted from a cluster file: kspray decides them
 * (the run settings above), or they must not be set on an upgrade.
 */
export const FORBIDDEN_EXTRA_VARS: Readonly<Record<string, { message: string; fix: string }>> = {
  [KUBESPRAY_VARS.skydnsServer]: { message: `${KUBESPRAY_VARS.skydnsServer} is set only on a fresh install, never on an upgrade`, fix: 'remove it: on an upgrade it moves the cluster DNS service address' },
};

/** Renames of variables kspray does not type, each checked against the facts (table.test.ts): `from` unread and `to` read at `at`. */
export const RENAMES: readonly Rename[] = [
  { from: 'enable_ssl', to: 'kube_ovn_enable_ssl', at: 'v2.19.0' },
  { from: 'encap_checksum', to: 'kube_ovn_encap_checksum', at: 'v2.19.0' },
  { from: 'traffic_mirror', to: 'kube_ovn_traffic_mirror', at: 'v2.19.0' },
];

function mirrorKeys(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.keys(value).filter((key) => !(key in CONTAINERD_DOCKER_IO));
}
