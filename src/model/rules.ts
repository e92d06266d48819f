/**
 * Cross-field rules: what a schema cannot say about one field alone. Pure:
 * every rule reports with a path, and all problems are collected together.
 */
import { isIP } from 'node:net';
import type { Cluster, SecretRef } from './schema.js';
import { fieldsByName } from '../vars/select.js';
import { FORBIDDEN_EXTRA_VARS } from '../vars/table.js';
import { haRules } from './ha-rules.js';

export interface RuleProblem {
  severity: 'error' | 'warning';
  path: Array<string | number>;
  message: string;
  fix: string;
  /** Point at the key rather than its value (unknown or shadowing keys). */
  atKey?: boolean;
}

/** Whether a secret reference can be resolved now, without revealing its value. */
export type SecretProbe = (ref: SecretRef) => { ok: true } | { ok: false; message: string; fix: string };

export function checkRules(cluster: Cluster, probeSecret?: SecretProbe): RuleProblem[] {
  return [
    ...uniqueNodes(cluster),
    ...addresses(cluster),
    ...roles(cluster),
    ...shadowing(cluster),
    ...network(cluster),
    ...haRules(cluster),
    ...(probeSecret ? secrets(cluster, probeSecret) : []),
  ];
}

function uniqueNodes(cluster: Cluster): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const names = new Map<string, number>();
  const ips = new Map<string, number>();
  cluster.nodes.forEach((node, index) => {
    const seenName = names.get(node.name);
    if (seenName !== undefined) {
      problems.push({ severity: 'error', path: ['nodes', index, 'name'], message: `duplicate node name "${node.name}" (also nodes[${seenName}])`, fix: 'give every node a unique name' });
    } else names.set(node.name, index);
    const seenIp = ips.get(node.ip);
    if (seenIp !== undefined) {
      problems.push({ severity: 'error', path: ['nodes', index, 'ip'], message: `duplicate ip ${node.ip} (also nodes[${seenIp}], ${cluster.nodes[seenIp]?.name})`, fix: 'every node needs its own address; check for a copy-paste slip' });
    } else ips.set(node.ip, index);
  });
  return problems;
}

function addresses(cluster: Cluster): RuleProblem[] {
  const problems: RuleProblem[] = [];
  cluster.nodes.forEach((node, index) => {
    if (!isIP(node.ip)) problems.push({ severity: 'error', path: ['nodes', index, 'ip'], message: `"${node.ip}" is not an IP address`, fix: 'write the node address as an IPv4 or IPv6 address, e.g. 192.168.30.13' });
    if (node.accessIp !== undefined && !isIP(node.accessIp)) problems.push({ severity: 'error', path: ['nodes', index, 'accessIp'], message: `"${node.accessIp}" is not an IP address`, fix: 'write accessIp as an IPv4 or IPv6 address, or remove it' });
  });
  cluster.network.calico?.peers?.forEach((peer, index) => {
    if (!isIP(peer.routerId)) problems.push({ severity: 'error', path: ['network', 'calico', 'peers', index, 'routerId'], message: `"${peer.routerId}" is not an IP address`, fix: 'routerId is the BGP peer\'s address, e.g. 192.168.30.1' });
  });
  return problems;
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
  for (const key of ['serviceAddresses', 'podsSubnet'] as const) {
    const cidr = cluster.network[key];
    if (cidr !== undefined && !isCidr(cidr)) problems.push({ severity: 'error', path: ['network', key], message: `"${cidr}" is not a CIDR`, fix: 'write it as address/prefix, e.g. 10.233.0.0/18' });
  }
  const calico = cluster.network.calico;
  if (calico && cluster.network.plugin !== 'calico') {
    problems.push({ severity: 'warning', path: ['network', 'calico'], message: `calico settings while network.plugin is ${cluster.network.plugin}`, fix: 'remove network.calico or set network.plugin: calico' });
  }
  if (calico?.peerWithRouter && (calico.peers?.length ?? 0) === 0) {
    problems.push({ severity: 'warning', path: ['network', 'calico', 'peerWithRouter'], message: 'peerWithRouter is on but no BGP peers are listed', fix: 'list the routers in network.calico.peers, or set them per node in nodes[].vars.peers' });
  }
  return problems;
}

function secrets(cluster: Cluster, probe: SecretProbe): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const rbd = cluster.addons?.rbdProvisioner;
  if (!rbd) return problems;
  for (const key of ['adminSecret', 'userSecret'] as const) {
    const result = probe(rbd[key]);
    if (!result.ok) problems.push({ severity: 'error', path: ['addons', 'rbdProvisioner', key], message: result.message, fix: result.fix });
  }
  return problems;
}

export function isCidr(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || address === undefined || prefix === undefined || !/^\d+$/.test(prefix)) return false;
  const family = isIP(address);
  const bits = Number(prefix);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}
