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
import { FORBIDDEN_EXTRA_VARS, SETTINGS } from '../vars/table.js';
import { isSecretName, secretEnvName } from './secret-names.js';

export interface ImportInput {
  inventory: InventoryList;
  extraVars: Record<string, unknown>;
  /**
   * What the operator's group_vars change against the tag's sample
   * (model/group-vars-diff.ts): cluster settings, and node variables.
   */
  groupVars?: { cluster: Record<string, unknown>; hosts: Record<string, Record<string, unknown>> };
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

/** Sets a dotted path; an object value is merged into an object already there (kube-vip's parts arrive in any order). */
const setPath = (cluster: ClusterInput, path: readonly string[], value: unknown): void => {
  let node = cluster as unknown as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  const key = path.at(-1)!;
  const existing = node[key];
  node[key] = isPlainObject(existing) && isPlainObject(value) ? { ...value, ...existing } : value;
};

const secretRef = (path: readonly string[], suffix: string): Setter => (cluster, _value, notes, name) => {
  const variable = secretEnvName(name, suffix);
  setPath(cluster, path, { fromEnv: variable });
  notes.push(`${path.join('.')}: the secret now comes from environment variable ${variable}; export it before render or apply`);
};

/** Kubespray variable → how it lands in the model: the table read backwards (src/vars/table.ts). */
const IMPORTERS: Record<string, Setter> = Object.fromEntries(
  SETTINGS.filter((setting) => setting.scope === 'cluster').flatMap((setting) => setting.names.map((range): [string, Setter] => {
    const path = setting.field.split('.');
    if (setting.secret) return [range.name, secretRef(path, setting.secret.env)];
    return [range.name, (cluster, value) => {
      const parsed = range.parse ? range.parse(value) : value;
      if (parsed !== undefined) setPath(cluster, path, parsed);
    }];
  })).reverse(),
);

/** The secret settings, for references the variables did not carry (secrets usually sit in a file of their own). */
const SECRET_SETTINGS = SETTINGS.filter((setting) => setting.secret);

/** Host variables the table types, by name (and the legacy name of inert fields), → the node field. */
const HOST_FIELDS = new Map(SETTINGS.filter((setting) => setting.scope === 'host').flatMap((setting) => {
  const field = setting.field.replace(/^nodes\[\]\./, '');
  return [...setting.names.map((range): [string, { field: string; parse: ((v: unknown) => unknown) | undefined }] => [range.name, { field, parse: range.parse }]),
    ...(setting.legacyName ? [[setting.legacyName, { field, parse: undefined }] as [string, { field: string; parse: undefined }]] : [])];
}));

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
  // Ansible's precedence: inventory [all:vars] < group_vars (their effective values) < extra-vars.
  const clusterVars = { ...(inventory.groups.all?.vars ?? {}), ...input.groupVars?.cluster, ...input.extraVars };
  const groupHostVars = new Map(Object.entries(input.groupVars?.hosts ?? {}));
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
    else if (FORBIDDEN_EXTRA_VARS[key]) notes.push(`${key} was left out: ${FORBIDDEN_EXTRA_VARS[key]!.message}`);
    else extraVars[key] = value;
  }
  for (const setting of SECRET_SETTINGS) {
    // A secret of a model object that was imported (the rbd provisioner) needs a reference even when its value was not there.
    const path = setting.field.split('.');
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], cluster);
    if (parent === undefined) continue;
    if ((parent as Record<string, unknown>)[path.at(-1)!] === undefined) secretRef(path, setting.secret!.env)(cluster, undefined, notes, input.name);
    const ref = (parent as Record<string, unknown>)[path.at(-1)!];
    if (ref && typeof ref === 'object' && 'fromEnv' in ref) secretEnv.add(String(ref.fromEnv));
  }
  if (input.kubeVersion) cluster.kubernetes.version = input.kubeVersion;

  /** Secret host variables: name → the hosts that set it and their values (compared, never shown). */
  const hostSecrets = new Map<string, Map<string, string>>();
  for (const host of ordered) {
    const vars = { ...groupHostVars.get(host), ...(inventory.hostvars[host] ?? {}) };
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
      } else if (holdsTemplate(literal(value))) {
        // `!unsafe` text with a Jinja delimiter: literal, but an inventory host line has no way to say so (validate refuses it there).
        notes.push(`${host}: ${key} was left out: it is !unsafe text holding a Jinja delimiter, which an inventory host line cannot carry as literal text; set it under extraVars (written !unsafe) if every host has it`);
        delete vars[key];
      } else {
        vars[key] = literal(value);
      }
    }
    const typed: Record<string, unknown> = {};
    for (const [name, { field, parse }] of HOST_FIELDS) {
      const value = take(vars, name);
      if (value !== undefined) typed[field] = parse ? parse(value) : value;
    }
    const ansibleHost = typed.ansibleHost;
    const ip = typed.ip ?? (ansibleHost !== undefined && isIP(String(ansibleHost)) ? ansibleHost : undefined);
    if (ip === undefined) notes.push(`${host}: no ip or ansible_host address; set nodes[].ip by hand`);
    const node: ClusterInput['nodes'][number] = { name: host, ...(ansibleHost === undefined ? {} : { ansibleHost: String(ansibleHost) }), ip: ip === undefined ? '' : String(ip), roles };
    if (typed.accessIp !== undefined) node.accessIp = String(typed.accessIp);
    if (typed.iface !== undefined) node.iface = String(typed.iface);
    const labels = typed.labels;
    if (labels && typeof labels === 'object') node.labels = Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
