import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/load.js';
import type { ServiceFact } from '../kube/types.js';
import { type KubesprayDnsFacts, checkDns, inClashRange, kubesprayDnsFacts, nthAddress, parseCidr } from './dns.js';
import type { HopContext } from './types.js';

const kubespray = kubesprayDnsFacts(loadCatalog().dns('v2.13.4')) as KubesprayDnsFacts;

const hops16to18: HopContext[] = [
  { index: 1, fromVersion: 'v1.16.3', toVersion: 'v1.17.12', fromTag: 'v2.12.10', toTag: 'v2.13.4', line: '2.13' },
  { index: 2, fromVersion: 'v1.17.12', toVersion: 'v1.18.10', fromTag: 'v2.13.4', toTag: 'v2.14.2', line: '2.14' },
];
const hop24to25: HopContext[] = [{ index: 1, fromVersion: 'v1.24.6', toVersion: 'v1.25.6', fromTag: 'v2.20.0', toTag: 'v2.21.0', line: '2.21' }];

const service = (name: string, clusterIP: string): ServiceFact => ({ namespace: 'kube-system', name, clusterIP, labels: { 'k8s-app': 'kube-dns' } });

describe('service range arithmetic', () => {
  it('computes the n-th address from the network address, as Ansible ipaddr(n) does', () => {
    expect(nthAddress('10.233.0.0/18', 3)).toBe('10.233.0.3');
    expect(nthAddress('10.233.0.0/18', 10)).toBe('10.233.0.10');
    expect(nthAddress('10.96.0.0/12', 10)).toBe('10.96.0.10');
    expect(nthAddress('10.233.17.5/18', 3)).toBe('10.233.0.3'); // host bits dropped
    expect(nthAddress('192.168.1.0/30', 3)).toBe('192.168.1.3');
    expect(nthAddress('192.168.1.0/30', 4)).toBeUndefined(); // outside the range
    expect(nthAddress('fd85::/116', 3)).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  });

  it('reads Kubespray\'s offsets and service name from the catalog', () => {
    expect(kubespray).toEqual({ defaultServiceAddresses: '10.233.0.0/18', skydnsOffset: 3, kubeadmDnsOffset: 10, serviceName: 'coredns' });
  });

  it('knows the clash range v2.11–v2.18', () => {
    expect([inClashRange('v2.10.4'), inClashRange('v2.11.0'), inClashRange('v2.18.2'), inClashRange('v2.19.0')]).toEqual([false, true, true, false]);
  });
});

describe('checkDns', () => {
  it('blocks every hop on a v2.11–v2.18 tag when coredns sits at skydns_server', () => {
    const outcome = checkDns({ services: [service('coredns', '10.233.0.3')], gaps: [] }, { hops: hops16to18, serviceAddresses: undefined, kubespray });

    expect(outcome.status).toBe('fail');
    expect(outcome.findings.map((f) => [f.severity, f.hop])).toEqual([['block', 1], ['block', 2]]);
    expect(outcome.findings[0]?.what).toContain('10.233.0.3');
    expect(outcome.findings[0]?.what).toContain('10.233.0.10');
    expect(outcome.findings[0]?.fix).toContain('kube-dns');
  });

  it('names a kube-dns Service left by kubeadm beside Kubespray\'s', () => {
    const services = [service('coredns', '10.233.0.3'), service('kube-dns', '10.233.0.10')];

    const outcome = checkDns({ services, gaps: [] }, { hops: hops16to18, serviceAddresses: undefined, kubespray });

    expect(outcome.findings[0]?.what).toContain('a kube-dns Service at 10.233.0.10 is there too');
  });

  it('only informs outside the clash range', () => {
    const outcome = checkDns({ services: [service('coredns', '10.233.0.3')], gaps: [] }, { hops: hop24to25, serviceAddresses: undefined, kubespray });

    expect(outcome.status).toBe('pass');
    expect(outcome.findings.map((f) => f.severity)).toEqual(['info']);
  });

  it('uses the model\'s service range, and warns when the DNS Service is not where Kubespray will point kubelets', () => {
    const atSkydns = checkDns({ services: [service('coredns', '10.96.0.3')], gaps: [] }, { hops: hop24to25, serviceAddresses: '10.96.0.0/12', kubespray });
    const elsewhere = checkDns({ services: [service('kube-dns', '10.233.0.50')], gaps: [] }, { hops: hops16to18, serviceAddresses: undefined, kubespray });

    expect(atSkydns.findings.map((f) => f.severity)).toEqual(['info']);
    expect(elsewhere.findings).toHaveLength(1);
    expect(elsewhere.findings[0]).toMatchObject({ severity: 'warn', where: 'kube-system/kube-dns' });
    expect(elsewhere.findings[0]?.fix).toContain('skydns_server: 10.233.0.50');
  });

  it('is skipped when services could not be listed', () => {
    expect(checkDns({ services: [], gaps: [{ what: 'services', reason: 'forbidden' }] }, { hops: hops16to18, serviceAddresses: undefined, kubespray }).status).toBe('skipped');
  });
});
