import { describe, expect, it } from 'vitest';
import { checkRules } from './rules.js';
import { cluster as clusterSchema, type ClusterInput } from './schema.js';

const base: ClusterInput = {
  name: 'ha', kubernetes: { version: '1.24.6' },
  nodes: [
    { name: 'cp1', ip: '10.0.0.1', roles: ['control-plane', 'etcd'] },
    { name: 'cp2', ip: '10.0.0.2', roles: ['control-plane', 'etcd'] },
    { name: 'cp3', ip: '10.0.0.3', roles: ['control-plane', 'etcd'] },
    { name: 'w1', ip: '10.0.0.9', roles: ['worker'] },
  ],
};
const problems = (input: Partial<ClusterInput>) => checkRules(clusterSchema.parse({ ...base, ...input })).map((p) => [p.severity, p.path.join('.'), p.message]);

describe('load balancer and etcd rules', () => {
  it('accepts an external balancer with its own address, a local proxy, kube-vip on the balancer\'s address', () => {
    expect(problems({ apiServer: { loadBalancer: { external: { address: '10.0.0.100', port: 6443, domainName: 'api.example.com' }, localhost: { enabled: true, type: 'haproxy' } } } })).toEqual([]);
    expect(problems({ apiServer: { loadBalancer: { external: { address: '10.0.0.100', port: 6443 }, kubeVip: { address: '10.0.0.100', interface: 'eth0', mode: 'arp' } } } })).toEqual([]);
  });

  it('refuses a node\'s address as the balancer or the virtual IP, and kube-vip without its address as the balancer', () => {
    expect(problems({ apiServer: { loadBalancer: { external: { address: '10.0.0.2', port: 6443 } } } })).toEqual([
      ['error', 'apiServer.loadBalancer.external.address', '10.0.0.2 is the address of node cp2, not of a load balancer'],
    ]);
    expect(problems({ apiServer: { loadBalancer: { kubeVip: { address: '10.0.0.1', interface: 'eth0', mode: 'arp' } } } }).map((p) => p[2])).toEqual([
      'the virtual IP 10.0.0.1 is the address of node cp1',
      'kube-vip without apiServer.loadBalancer.external: the control-plane endpoint and the API certificate would not name the virtual IP',
    ]);
    expect(problems({ apiServer: { loadBalancer: { external: { address: '10.0.0.100', port: 6443 }, kubeVip: { address: '10.0.0.101', interface: 'eth0', mode: 'arp' } } } })[0]?.[2]).toBe('the external load balancer is 10.0.0.100 but kube-vip announces 10.0.0.101');
  });

  it('needs BGP settings for kube-vip in BGP mode', () => {
    const lb = { external: { address: '10.0.0.100', port: 6443 } };
    expect(problems({ apiServer: { loadBalancer: { ...lb, kubeVip: { address: '10.0.0.100', interface: 'eth0', mode: 'bgp' } } } })[0]?.[1]).toBe('apiServer.loadBalancer.kubeVip.bgp');
    expect(problems({ apiServer: { loadBalancer: { ...lb, kubeVip: { address: '10.0.0.100', interface: 'eth0', mode: 'bgp', bgp: { routerId: '10.0.0.1', localAs: 65000, peers: [{ address: '10.0.0.254', as: 65001 }] } } } } })).toEqual([]);
  });

  it('warns that an HA control plane without any balancer points every kubeconfig at the first control plane', () => {
    const warning = problems({ apiServer: { loadBalancer: { localhost: { enabled: false } } } });
    expect(warning).toEqual([['warning', 'apiServer.loadBalancer.localhost.enabled', expect.stringContaining('points at cp1 (10.0.0.1) alone')]]);
  });

  it('refuses kubeadm-managed etcd on hosts that are not control planes (external etcd)', () => {
    const external = { nodes: [...base.nodes.slice(0, 1), { name: 'e1', ip: '10.0.0.5', roles: ['etcd' as const] }, { name: 'e2', ip: '10.0.0.6', roles: ['etcd' as const] }, ...base.nodes.slice(3)] };
    expect(problems({ ...external, etcd: { deploymentType: 'host' } }).filter((p) => p[0] === 'error')).toEqual([]);
    expect(problems({ ...external, etcd: { deploymentType: 'kubeadm' } }).filter((p) => p[1] === 'etcd.deploymentType')[0]?.[2]).toMatch(/e1, e2 are etcd members that are not a control plane/);
  });
});
