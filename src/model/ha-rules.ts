/**
 * Cross-field rules of the API server's load balancers and etcd: what the
 * schema cannot say about one field alone. Pure, like rules.ts.
 */
import { isIP } from 'node:net';
import type { Cluster } from './schema.js';
import type { RuleProblem } from './rules.js';

const LB = ['apiServer', 'loadBalancer'] as const;

export function haRules(cluster: Cluster): RuleProblem[] {
  return [...loadBalancers(cluster), ...etcd(cluster)];
}

function loadBalancers(cluster: Cluster): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const lb = cluster.apiServer?.loadBalancer;
  const nodeWith = (address: string) => cluster.nodes.find((node) => node.ip === address || node.accessIp === address);
  const external = lb?.external;
  if (external) {
    if (!isIP(external.address)) {
      problems.push({ severity: 'error', path: [...LB, 'external', 'address'], message: `"${external.address}" is not an IP address`, fix: 'write the load balancer\'s IP here, and its DNS name in domainName' });
    } else {
      const node = nodeWith(external.address);
      if (node) problems.push({ severity: 'error', path: [...LB, 'external', 'address'], message: `${external.address} is the address of node ${node.name}, not of a load balancer`, fix: 'give the load balancer\'s own address (with one control plane behind it, drop the load balancer instead)' });
    }
  }
  const vip = lb?.kubeVip;
  if (vip) {
    if (!isIP(vip.address)) problems.push({ severity: 'error', path: [...LB, 'kubeVip', 'address'], message: `"${vip.address}" is not an IP address`, fix: 'kube-vip announces an IP address: write it here' });
    const node = nodeWith(vip.address);
    if (node) problems.push({ severity: 'error', path: [...LB, 'kubeVip', 'address'], message: `the virtual IP ${vip.address} is the address of node ${node.name}`, fix: 'pick a free address in the control planes\' subnet for the virtual IP' });
    if (vip.mode === 'bgp' && !vip.bgp) problems.push({ severity: 'error', path: [...LB, 'kubeVip', 'bgp'], message: 'kube-vip in BGP mode needs its router id, AS number and peers', fix: 'add kubeVip.bgp: { routerId, localAs, peers: [{ address, as }] }, or use mode: arp' });
    if (vip.mode === 'arp' && vip.bgp) problems.push({ severity: 'warning', path: [...LB, 'kubeVip', 'bgp'], message: 'kubeVip.bgp is ignored in ARP mode', fix: 'remove kubeVip.bgp, or set mode: bgp' });
    // Kubespray points the control-plane endpoint at loadbalancer_apiserver: with kube-vip that is the virtual IP.
    if (!external) problems.push({ severity: 'error', path: [...LB, 'kubeVip'], message: 'kube-vip without apiServer.loadBalancer.external: the control-plane endpoint and the API certificate would not name the virtual IP', fix: `add apiServer.loadBalancer.external: { address: ${vip.address}, port: ${cluster.apiServer?.port ?? 6443} }` });
    else if (external.address !== vip.address) problems.push({ severity: 'error', path: [...LB, 'external', 'address'], message: `the external load balancer is ${external.address} but kube-vip announces ${vip.address}`, fix: `with kube-vip, set apiServer.loadBalancer.external.address to the virtual IP ${vip.address}` });
  }
  const controlPlanes = cluster.nodes.filter((node) => node.roles.includes('control-plane'));
  if (controlPlanes.length > 1 && !external && !vip && lb?.localhost?.enabled === false) {
    const first = controlPlanes[0]!;
    problems.push({
      severity: 'warning', path: [...LB, 'localhost', 'enabled'],
      message: `${controlPlanes.length} control planes and no load balancer: every kubeconfig Kubespray writes (kubelets, kube-proxy, admin.conf) points at ${first.name} (${first.ip}) alone, so losing that node cuts the workers off the API`,
      fix: 'put an external load balancer in front of the API servers (apiServer.loadBalancer.external), or keep the local proxy on every node (remove localhost.enabled: false)',
    });
  }
  return problems;
}

function etcd(cluster: Cluster): RuleProblem[] {
  if (cluster.etcd?.deploymentType !== 'kubeadm') return [];
  const controlPlanes = new Set(cluster.nodes.filter((node) => node.roles.includes('control-plane')).map((node) => node.name));
  const external = cluster.nodes.filter((node) => node.roles.includes('etcd') && !controlPlanes.has(node.name));
  if (external.length === 0) return [];
  return [{
    severity: 'error', path: ['etcd', 'deploymentType'],
    message: `kubeadm-managed etcd runs stacked on the control planes, but ${external.map((node) => node.name).join(', ')} ${external.length === 1 ? 'is an etcd member that is not' : 'are etcd members that are not'} a control plane`,
    fix: 'use deploymentType host (external etcd on hosts of its own), or give the etcd role to the control planes only',
  }];
}
