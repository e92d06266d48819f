/**
 * `kspray import`: an existing Kubespray inventory (either dialect, as
 * ansible-inventory reads it) and extra-vars file → a cluster model. Pure:
 * the CLI runs ansible-inventory and reads the files.
 *
 * What the model must not hold is turned into what it can: a variable whose
 * name says secret (become/ssh/vault passwords, *_password, *_secret, *_token,
 * *_key) or whose value is vault-encrypted becomes a `{ fromEnv: VAR }`
 * reference — never its value —, and a value that Ansible would template (a
 * Jinja expression) is left out, since kspray writes values as literal text.
 * Each of these is a note naming the variable, never its value.
 */
import { isIP } from 'node:net';
import { dialectOfGroups, groupNamesOf } from '../catalog/groups.js';
import { groupMembers, type InventoryList } from '../ansible/inventory.js';
import { hasJinjaDelimiter, UnsafeText, VaultValue } from '../ansible/ansible-yaml.js';
import type { ClusterInput, NodeRole } from './schema.js';
import { TYPED_HOST_VARS } from '../render/var-map.js';
import { isSecretName, secretEnvName } from './secret-names.js';

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
  /** The environment variables the imported secrets now come from (set them before render or apply). */
  secretEnv: string[];
}

type Setter = (cluster: ClusterInput, value: unknown, notes: string[], name: string) => void;

const set = (path: string[]): Setter => (cluster, value) => {
  let node = cluster as unknown as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path.at(-1)!] = value;
};

const secret = (path: string[], suffix: string): Setter => (cluster, _value, notes, name) => {
  const variable = secretEnvName(name, suffix);
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
  const secretEnv = new Set<string>();
  const secretVar = (key: string): { fromEnv: string } => {
    const variable = secretEnvName(input.name, key);
    secretEnv.add(variable);
    return { fromEnv: variable };
  };
  for (const [key, raw] of Object.entries(clusterVars)) {
    const importer = IMPORTERS[key];
    if (isSecretName(key) || raw instanceof VaultValue || isInventoryVault(raw)) {
      if (importer) {
        importer(cluster, undefined, notes, input.name);
      } else {
        extraVars[key] = secretVar(key);
        notes.push(`extraVars.${key}: looks like a secret; it now comes from environment variable ${extraVarsEnv(extraVars[key])} (export it before render or apply)`);
      }
      continue;
    }
    if (holdsTemplate(raw)) {
      notes.push(`${key} was left out: it holds a Jinja expression, and kspray writes values as literal text, never templated; set the value it evaluates to in extraVars if Kubespray's default does not fit`);
      continue;
    }
    const value = literal(raw);
    if (importer) importer(cluster, value, notes, input.name);
    else if (key !== 'skydns_server') extraVars[key] = value;
    else notes.push('skydns_server was left out: it is set on a fresh install only, never on an upgrade');
  }
  const rbd = cluster.addons?.rbdProvisioner as Record<string, unknown> | undefined;
  if (rbd) {
    // Secrets usually sit in a file of their own; the model needs a reference either way.
    if (rbd.adminSecret === undefined) IMPORTERS.rbd_provisioner_secret!(cluster, undefined, notes, input.name);
    if (rbd.userSecret === undefined) IMPORTERS.rbd_provisioner_user_secret!(cluster, undefined, notes, input.name);
    for (const ref of [rbd.adminSecret, rbd.userSecret]) if (ref && typeof ref === 'object' && 'fromEnv' in ref) secretEnv.add(String(ref.fromEnv));
  }
  if (input.kubeVersion) cluster.kubernetes.version = input.kubeVersion;

  /** Secret host variables: name → the hosts that set it and their values (compared, never shown). */
  const hostSecrets = new Map<string, Map<string, string>>();
  for (const host of ordered) {
    const vars = { ...(inventory.hostvars[host] ?? {}) };
    const roles: NodeRole[] = [];
    if (controlPlanes.has(host)) roles.push('control-plane');
    if (etcd.has(host)) roles.push('etcd');
    if (workers.has(host)) roles.push('worker');
    for (const [key, value] of Object.entries(vars)) {
      if (isSecretName(key) || isInventoryVault(value)) {
        if (!hostSecrets.has(key)) hostSecrets.set(key, new Map());
        hostSecrets.get(key)!.set(host, JSON.stringify(value));
        delete vars[key];
      } else if (holdsTemplate(value)) {
        notes.push(`${host}: ${key} was left out: it holds a Jinja expression, and kspray writes values as literal text; set the value it evaluates to`);
        delete vars[key];
      }
    }
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
  for (const [key, byHost] of hostSecrets) {
    const values = new Set(byHost.values());
    const everyHost = byHost.size === ordered.length && values.size === 1;
    if (extraVars[key] !== undefined) {
      notes.push(`${key} on hosts ${[...byHost.keys()].join(', ')} was left out: the cluster-wide ${key} (environment variable ${extraVarsEnv(extraVars[key])}) applies to every host`);
    } else if (everyHost) {
      extraVars[key] = secretVar(key);
      notes.push(`extraVars.${key}: every host had the same secret ${key}; it now comes from environment variable ${extraVarsEnv(extraVars[key])} (export it before render or apply)`);
    } else {
      notes.push(`${key} on hosts ${[...byHost.keys()].join(', ')} was left out: it looks like a secret, differs between hosts (or is not on every host), and kspray keeps no per-host secrets; keep it in Ansible Vault, or give every host the same value through extraVars.${key}: { fromEnv: VAR }`);
    }
  }
  if (Object.keys(extraVars).length > 0) cluster.extraVars = extraVars;
  const ungrouped = groupMembers(inventory, 'all').filter((host) => !hosts.includes(host));
  if (ungrouped.length > 0) notes.push(`hosts in no Kubernetes group were left out: ${ungrouped.join(', ')}`);
  return { cluster, notes, secretEnv: [...secretEnv].sort() };
}

function take(vars: Record<string, unknown>, key: string): unknown {
  const value = vars[key];
  delete vars[key];
  return value;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function extraVarsEnv(value: unknown): string {
  return (value as { fromEnv: string }).fromEnv;
}

/** ansible-inventory's JSON for a `!vault` value it could not decrypt. */
function isInventoryVault(value: unknown): boolean {
  return value !== null && typeof value === 'object' && '__ansible_vault' in value;
}

/** A string Ansible would template, anywhere in the value (a `!unsafe` one is literal already). */
function holdsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return hasJinjaDelimiter(value);
  if (value instanceof UnsafeText) return false;
  if (Array.isArray(value)) return value.some(holdsTemplate);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, item]) => hasJinjaDelimiter(key) || holdsTemplate(item));
  return false;
}

/** `!unsafe` text is the text itself (render writes it `!unsafe` again when it needs to be). */
function literal(value: unknown): unknown {
  if (value instanceof UnsafeText) return value.text;
  if (Array.isArray(value)) return value.map(literal);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, literal(item)]));
  return value;
}
