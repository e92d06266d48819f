/**
 * Cross-field rules: what a schema cannot say about one field alone. Pure:
 * every rule reports with a path, and all problems are collected together.
 * Addresses and ranges live in rules-network.ts, values that must stay data
 * in rules-values.ts.
 */
import type { Cluster, SecretRef } from './schema.js';
import { fieldsByName } from '../vars/select.js';
import { FORBIDDEN_EXTRA_VARS } from '../vars/table.js';
import { haRules } from './ha-rules.js';
import { networkRules } from './rules-network.js';
import { valueRules } from './rules-values.js';
import { isSecretRef } from './secret-names.js';

export interface RuleProblem {
  severity: 'error' | 'warning';
  path: Array<string | number>;
  message: string;
  fix: string;
  /** Point at the key rather than its value (unknown or shadowing keys). */
  atKey?: boolean;
}

/**
 * Whether a secret reference can be resolved now, without revealing its value;
 * `warning` when it can, but should not be left as it is (a file others can read).
 */
export type SecretProbe = (ref: SecretRef) => { ok: true; warning?: { message: string; fix: string } } | { ok: false; message: string; fix: string };

export function checkRules(cluster: Cluster, probeSecret?: SecretProbe): RuleProblem[] {
  return [
    ...networkRules(cluster),
    ...roles(cluster),
    ...shadowing(cluster),
    ...network(cluster),
    ...haRules(cluster),
    ...valueRules(cluster),
    ...(probeSecret ? secrets(cluster, probeSecret) : []),
  ];
}

function roles(cluster: Cluster): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const controlPlanes = cluster.nodes.filter((node) => node.roles.includes('control-plane'));
  const etcd = cluster.nodes.filter((node) => node.roles.includes('etcd'));
  if (controlPlanes.length === 0) {
    problems.push({ severity: 'error', path: ['nodes'], message: 'no node has the control-plane role', fix: 'add `control-plane` to the roles of the nodes that run the API server (3 for HA)' });
  }
  if (etcd.length === 0) {
    problems.push({ severity: 'error', path: ['nodes'], message: 'no node has the etcd role', fix: 'add `etcd` to the roles of the etcd members (stacked on the control planes, or external hosts)' });
  } else if (etcd.length === 1) {
    problems.push({ severity: 'warning', path: ['nodes'], message: 'a single etcd member: losing that host loses the cluster', fix: 'run 3 or 5 etcd members for a production cluster' });
  } else if (etcd.length % 2 === 0) {
    problems.push({
      severity: 'error', path: ['nodes'],
      message: `${etcd.length} etcd members (${etcd.map((n) => n.name).join(', ')}): an even count tolerates no more failures than one member fewer, and an upgrade restarts members one at a time, so a single unhealthy member loses quorum`,
      fix: `use an odd number of etcd members (${etcd.length - 1} or ${etcd.length + 1})`,
    });
  }
  cluster.nodes.forEach((node, index) => {
    const seen = new Set<string>();
    node.roles.forEach((role, roleIndex) => {
      if (seen.has(role)) problems.push({ severity: 'error', path: ['nodes', index, 'roles', roleIndex], message: `role "${role}" listed twice`, fix: 'list each role once' });
      seen.add(role);
    });
  });
  return problems;
}

function shadowing(cluster: Cluster): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const typed = fieldsByName('cluster');
  const run = fieldsByName('run');
  const hostTyped = fieldsByName('host');
  for (const key of Object.keys(cluster.extraVars ?? {})) {
    const field = typed.get(key);
    const forbidden = FORBIDDEN_EXTRA_VARS[key];
    if (field) {
      problems.push({ severity: 'error', path: ['extraVars', key], atKey: true, message: `"${key}" shadows the typed field ${field}`, fix: `set ${field} instead, so kspray can render it under the right name for each Kubespray tag` });
    } else if (run.has(key)) {
      problems.push({ severity: 'error', path: ['extraVars', key], atKey: true, message: `"${key}" is set by kspray itself on every run (${run.get(key)})`, fix: 'remove it from extraVars' });
    } else if (forbidden) {
      problems.push({ severity: 'error', path: ['extraVars', key], atKey: true, message: forbidden.message, fix: forbidden.fix });
    }
  }
  cluster.nodes.forEach((node, index) => {
    for (const key of Object.keys(node.vars ?? {})) {
      const field = hostTyped.get(key)?.replace(/^nodes\[\]\./, '');
      if (field) problems.push({ severity: 'error', path: ['nodes', index, 'vars', key], atKey: true, message: `"${key}" shadows the typed node field ${field}`, fix: `set nodes[${index}].${field} instead` });
    }
  });
  return problems;
}

function network(cluster: Cluster): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const calico = cluster.network.calico;
  if (calico && cluster.network.plugin !== 'calico') {
    problems.push({ severity: 'warning', path: ['network', 'calico'], message: `calico settings while network.plugin is ${cluster.network.plugin}`, fix: 'remove network.calico or set network.plugin: calico' });
  }
  if (calico?.peerWithRouter && (calico.peers?.length ?? 0) === 0) {
    problems.push({ severity: 'warning', path: ['network', 'calico', 'peerWithRouter'], message: 'peerWithRouter is on but no BGP peers are listed', fix: 'list the routers in network.calico.peers, or set them per node in nodes[].vars.peers' });
  }
  return problems;
}

/** Every secret reference of the model, with its path: the rbd keys and secret extraVars. */
export function secretRefs(cluster: Cluster): Array<{ path: Array<string | number>; ref: SecretRef }> {
  const refs: Array<{ path: Array<string | number>; ref: SecretRef }> = [];
  const rbd = cluster.addons?.rbdProvisioner;
  if (rbd) for (const key of ['adminSecret', 'userSecret'] as const) refs.push({ path: ['addons', 'rbdProvisioner', key], ref: rbd[key] });
  for (const [key, value] of Object.entries(cluster.extraVars ?? {})) if (isSecretRef(value)) refs.push({ path: ['extraVars', key], ref: value });
  return refs;
}

function secrets(cluster: Cluster, probe: SecretProbe): RuleProblem[] {
  return secretRefs(cluster).flatMap(({ path, ref }): RuleProblem[] => {
    const result = probe(ref);
    if (!result.ok) return [{ severity: 'error', path, message: result.message, fix: result.fix }];
    return result.warning ? [{ severity: 'warning', path, ...result.warning }] : [];
  });
}
