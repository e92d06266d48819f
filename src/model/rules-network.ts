/**
 * Addresses and ranges: each node's addresses valid and its own (compared
 * after normalizing, so one IPv6 address in two spellings is one address),
 * the service and pod ranges written as networks (no host bits), apart from
 * each other and from every node, and AS numbers in BGP's range. Pure.
 */
import type { Cluster } from './schema.js';
import type { RuleProblem } from './rules.js';
import { cidrContains, cidrsOverlap, formatCidr, hostBitsSet, parseAddress, parseCidr, type Address, type Cidr } from './ip.js';
import { variableOfField } from '../vars/select.js';

type Path = Array<string | number>;

/** Kubespray's defaults (the same in every tag of the catalog): a node inside them collides just as well. */
const DEFAULT_RANGES = { serviceAddresses: '10.233.0.0/18', podsSubnet: '10.233.64.0/18' } as const;
const RANGE_VAR = { serviceAddresses: variableOfField('network.serviceAddresses'), podsSubnet: variableOfField('network.podsSubnet') } as const;
const MAX_AS = 4294967295;

/** Each node's addresses, parsed once (a cluster may have 15,000 nodes). */
interface NodeAddresses {
  ip: Address | undefined;
  accessIp: Address | undefined;
}

export function networkRules(cluster: Cluster): RuleProblem[] {
  const parsed: NodeAddresses[] = cluster.nodes.map((node) => ({ ip: parseAddress(node.ip), accessIp: node.accessIp === undefined ? undefined : parseAddress(node.accessIp) }));
  return [...addresses(cluster, parsed), ...duplicates(cluster, parsed), ...ranges(cluster, parsed), ...asNumbers(cluster)];
}

/** One key per address, whatever its spelling. */
function keyOf(address: Address | undefined): string | undefined {
  return address === undefined ? undefined : `${address.family}/${address.value.toString(16)}`;
}

function error(path: Path, message: string, fix: string): RuleProblem {
  return { severity: 'error', path, message, fix };
}

function addresses(cluster: Cluster, parsed: readonly NodeAddresses[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  cluster.nodes.forEach((node, index) => {
    if (!parsed[index]!.ip) problems.push(error(['nodes', index, 'ip'], `"${node.ip}" is not an IP address`, 'write the node address as an IPv4 or IPv6 address, e.g. 192.168.30.13'));
    if (node.accessIp !== undefined && !parsed[index]!.accessIp) problems.push(error(['nodes', index, 'accessIp'], `"${node.accessIp}" is not an IP address`, 'write accessIp as an IPv4 or IPv6 address, or remove it'));
  });
  cluster.network.calico?.peers?.forEach((peer, index) => {
    if (!parseAddress(peer.routerId)) problems.push(error(['network', 'calico', 'peers', index, 'routerId'], `"${peer.routerId}" is not an IP address`, 'routerId is the BGP peer\'s address, e.g. 192.168.30.1'));
  });
  return problems;
}

/** The same value (after `key`) on two nodes is an error on the later one. */
function duplicates(cluster: Cluster, parsed: readonly NodeAddresses[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const check = (field: 'name' | 'ip' | 'accessIp' | 'ansibleHost', keyFor: (node: Cluster['nodes'][number], index: number) => string | undefined, what: string, fix: string): void => {
    const seen = new Map<string, number>();
    cluster.nodes.forEach((node, index) => {
      const key = keyFor(node, index);
      if (key === undefined) return;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, index);
        return;
      }
      const other = cluster.nodes[first]!;
      // Two nodes of one name and no ansibleHost: the duplicate name says it already.
      if (field === 'ansibleHost' && node.ansibleHost === undefined && other.ansibleHost === undefined) return;
      const written = field === 'ansibleHost' ? (node.ansibleHost ?? node.name) : String(node[field]);
      const shown = field === 'name' ? `"${written}"` : written;
      const firstWritten = field === 'ansibleHost' ? (other.ansibleHost ?? other.name) : String(other[field]);
      const same = written === firstWritten ? '' : ` (the same as ${firstWritten})`;
      problems.push(error(['nodes', index, node[field] === undefined ? 'name' : field], `duplicate ${what} ${shown}${same} (also nodes[${first}]${field === 'name' ? '' : `, ${other.name}`})`, fix));
    });
  };
  check('name', (node) => node.name, 'node name', 'give every node a unique name');
  check('ip', (_node, index) => keyOf(parsed[index]!.ip), 'ip', 'every node needs its own address; check for a copy-paste slip');
  check('accessIp', (_node, index) => keyOf(parsed[index]!.accessIp), 'accessIp', 'every node needs its own access address');
  // Ansible would run two hosts' tasks on one machine; the name stands in where ansibleHost is not set.
  check('ansibleHost', (node) => {
    if (node.ansibleHost === undefined) return node.name;
    const host = node.ansibleHost;
    return /^[\d.]+$|:/.test(host) ? (keyOf(parseAddress(host)) ?? host) : host.toLowerCase();
  }, 'ansibleHost', 'every node needs its own ansibleHost (the machine Ansible connects to); where it is not set, the node name is used');
  return problems;
}

function ranges(cluster: Cluster, addressesOf: readonly NodeAddresses[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const parsed: Partial<Record<keyof typeof DEFAULT_RANGES, { cidr: Cidr; written: boolean }>> = {};
  for (const key of ['serviceAddresses', 'podsSubnet'] as const) {
    const text = cluster.network[key];
    if (text === undefined) {
      parsed[key] = { cidr: parseCidr(DEFAULT_RANGES[key])!, written: false };
      continue;
    }
    const cidr = parseCidr(text);
    if (!cidr) {
      problems.push(error(['network', key], `"${text}" is not a CIDR`, 'write it as address/prefix, e.g. 10.233.0.0/18'));
      continue;
    }
    if (hostBitsSet(cidr)) {
      problems.push(error(['network', key], `${text} has host bits set: the range it names is ${formatCidr(cidr)}`, `write ${formatCidr(cidr)}, or the prefix you meant`));
      continue;
    }
    parsed[key] = { cidr, written: true };
  }
  const name = (key: keyof typeof DEFAULT_RANGES): string => (parsed[key]?.written ? `network.${key} (${cluster.network[key]})` : `Kubespray's default ${RANGE_VAR[key]} (${DEFAULT_RANGES[key]})`);
  const service = parsed.serviceAddresses;
  const pods = parsed.podsSubnet;
  if (service && pods && cidrsOverlap(service.cidr, pods.cidr)) {
    const at: Path = pods.written ? ['network', 'podsSubnet'] : ['network', 'serviceAddresses'];
    problems.push(error(at, `${name('serviceAddresses')} and ${name('podsSubnet')} overlap: a Service address and a pod address would collide`, 'give services and pods ranges that do not overlap (Kubespray: 10.233.0.0/18 and 10.233.64.0/18)'));
  }
  cluster.nodes.forEach((node, index) => {
    for (const field of ['ip', 'accessIp'] as const) {
      const text = node[field];
      const address = addressesOf[index]![field];
      if (!address) continue;
      for (const key of ['serviceAddresses', 'podsSubnet'] as const) {
        const range = parsed[key];
        if (range && cidrContains(range.cidr, address)) {
          problems.push(error(['nodes', index, field], `${text} lies inside ${name(key)}: traffic to the node would be routed to ${key === 'podsSubnet' ? 'pods' : 'Services'}`, `move network.${key} to a range that holds no node address`));
        }
      }
    }
  });
  return problems;
}

function asNumbers(cluster: Cluster): RuleProblem[] {
  const calico = cluster.network.calico;
  const problems: RuleProblem[] = [];
  const check = (value: string | undefined, path: Path): void => {
    if (value === undefined) return;
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_AS) {
      problems.push(error(path, `${JSON.stringify(value)} is not an AS number`, `write a whole number from 1 to ${MAX_AS} (4-byte ASN; private ones are 64512–65534 and 4200000000–4294967294)`));
    }
  };
  check(calico?.globalAsNum, ['network', 'calico', 'globalAsNum']);
  calico?.peers?.forEach((peer, index) => check(peer.as, ['network', 'calico', 'peers', index, 'as']));
  return problems;
}
